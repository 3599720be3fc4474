"""
What model validation (`full_clean()`) refuses in a budget line, with the message
people see: a quarterly profile that does not add up to the line, and a year the
project does not run in; and in a programme, a year that is no financial year.
"""

from datetime import date
from decimal import Decimal

import pytest

from tests import factories as f
from tests.grants.constraints.helpers import validation_errors

pytestmark = pytest.mark.django_db


# --- Validation: budget lines ----------------------------------------------------


def test_it_refuses_a_budget_line_whose_profile_does_not_add_up_to_its_amount(project):
    line = f.BudgetLineFactory.build(
        project=project,
        amount=Decimal("40000.00"),
        profile_q1=Decimal("10000.00"),
        profile_q2=Decimal("10000.00"),
        profile_q3=Decimal("10000.00"),
        profile_q4=Decimal("9000.50"),
    )
    assert validation_errors(line) == {
        "profile_q4": [
            "The quarterly profile adds up to £39,000.50 but the budget line is £40,000.00: "
            "the quarters must add up to the line."
        ]
    }


def test_it_refuses_a_budget_line_whose_profile_adds_up_to_more_than_its_amount(project):
    line = f.BudgetLineFactory.build(project=project, amount=Decimal("1234.56"), profile_q1=Decimal("1234.57"),
                                     profile_q2=0, profile_q3=0, profile_q4=0)
    [message] = validation_errors(line)["profile_q4"]
    assert "£1,234.57" in message
    assert "£1,234.56" in message


def test_it_accepts_a_budget_line_whose_profile_adds_up_to_the_penny(project):
    line = f.BudgetLineFactory.build(
        project=project,
        amount=Decimal("1000.00"),
        profile_q1=Decimal("333.33"),
        profile_q2=Decimal("333.33"),
        profile_q3=Decimal("333.34"),
        profile_q4=Decimal("0.00"),
    )
    line.full_clean()


def test_it_refuses_a_budget_line_for_a_year_the_project_does_not_run_in(project):
    line = f.BudgetLineFactory.build(project=project, financial_year=2024)
    assert validation_errors(line) == {
        "financial_year": [
            "The project does not run in 2024-25: it runs from 1 April 2023 to 31 March 2024."
        ]
    }


def test_it_accepts_a_budget_line_for_each_year_a_project_spans():
    allocation = f.AllocationFactory(start_date=date(2023, 4, 1), end_date=date(2025, 3, 31))
    project = f.ProjectFactory(allocation=allocation, start_date=date(2023, 10, 1), end_date=date(2024, 9, 30))
    for year in (2023, 2024):
        f.BudgetLineFactory.build(project=project, financial_year=year).full_clean()
    errors = validation_errors(f.BudgetLineFactory.build(project=project, financial_year=2025))
    assert errors["financial_year"] == [
        "The project does not run in 2025-26: it runs from 1 October 2023 to 30 September 2024."
    ]
    errors = validation_errors(f.BudgetLineFactory.build(project=project, financial_year=2022))
    assert errors["financial_year"][0].startswith("The project does not run in 2022-23:")


def test_it_refuses_a_budget_line_for_a_year_that_is_no_financial_year(project):
    line = f.BudgetLineFactory.build(project=project, financial_year=1850)
    assert "financial_year" in validation_errors(line)


def test_it_refuses_a_programme_for_a_year_that_is_no_financial_year():
    programme = f.ProgrammeFactory.build(commissioner=f.CommissionerFactory(), financial_year=1850)
    assert "financial_year" in validation_errors(programme)
