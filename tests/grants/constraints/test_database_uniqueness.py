"""
What the database refuses twice (named UNIQUE constraints in grants/models/*.py):
a second return, spend line, measure value, payment, reminder, budget line or
project measure for the same thing, and codes and identifiers used twice.

SQLite names only the columns of a failed UNIQUE constraint, so on SQLite
`assert_refused_by` checks the columns instead of the name.
"""

from decimal import Decimal

import pytest
from django.utils import timezone

from grants import models
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


# --- One of each -----------------------------------------------------------------


def test_it_refuses_a_second_return_for_the_same_project_and_quarter(quarterly_return):
    assert_refused_by(
        "one_return_per_project_quarter",
        lambda: f.QuarterlyReturnFactory(
            project=quarterly_return.project, financial_year=quarterly_return.financial_year, quarter=quarterly_return.quarter
        ),
    )


def test_it_refuses_a_second_spend_line_for_the_same_budget_line_in_a_return(quarterly_return, budget_line):
    f.SpendLineFactory(quarterly_return=quarterly_return, budget_line=budget_line)
    assert_refused_by(
        "one_spend_line_per_budget_line",
        lambda: f.SpendLineFactory(quarterly_return=quarterly_return, budget_line=budget_line),
    )


def test_it_refuses_a_second_value_for_the_same_measure_in_a_return(quarterly_return):
    project_measure = f.ProjectMeasureFactory(project=quarterly_return.project)
    f.MeasureValueFactory(quarterly_return=quarterly_return, project_measure=project_measure)
    assert_refused_by(
        "one_value_per_measure",
        lambda: f.MeasureValueFactory(quarterly_return=quarterly_return, project_measure=project_measure),
    )


def test_it_refuses_a_second_payment_for_the_same_allocation_and_quarter(allocation):
    f.PaymentFactory(allocation=allocation, quarter=2)
    assert_refused_by("one_payment_per_allocation_quarter", lambda: f.PaymentFactory(allocation=allocation, quarter=2))


def test_it_refuses_a_second_reminder_of_the_same_kind(project):
    def remind():
        return models.ReminderSent.objects.create(
            project=project, financial_year=2023, quarter=1, kind=models.ReminderSent.Kind.OVERDUE, sent_at=timezone.now()
        )

    remind()
    assert_refused_by("one_reminder_of_each_kind", remind)


def test_it_refuses_a_second_budget_line_with_the_same_category_and_description(budget_line):
    assert_refused_by(
        "budget_line_unique_per_year",
        lambda: f.BudgetLineFactory(
            project=budget_line.project, category=budget_line.category, description=budget_line.description
        ),
    )


def test_it_refuses_the_same_funder_twice_for_a_project_in_a_year(project):
    def fund():
        models.OtherFunding.objects.create(project=project, financial_year=2023, funder="The council",
                                           amount=Decimal("100.00"))

    fund()
    assert_refused_by("other_funding_unique_per_funder_and_year", fund)


def test_it_refuses_the_same_measure_twice_for_a_project_in_a_year(project):
    project_measure = f.ProjectMeasureFactory(project=project)
    assert_refused_by(
        "project_measure_unique_per_year",
        lambda: f.ProjectMeasureFactory(project=project, measure=project_measure.measure),
    )


def test_it_refuses_a_programme_code_used_twice_by_a_commissioner_in_a_year():
    programme = f.ProgrammeFactory(code="CSF")
    assert_refused_by(
        "programme_code_unique_per_year",
        lambda: f.ProgrammeFactory(commissioner=programme.commissioner, code="CSF", name="Another fund"),
    )


def test_it_refuses_a_priority_code_used_twice_by_a_commissioner():
    priority = f.PriorityFactory(code="violence")
    assert_refused_by(
        "priority_code_unique_per_commissioner",
        lambda: f.PriorityFactory(commissioner=priority.commissioner, code="violence"),
    )


def test_it_refuses_a_duplicate_organisation_identifier():
    f.OrganisationFactory(org_identifier="GB-CHC-1234567")
    assert_refused_by("organisation_identifier_unique", lambda: f.OrganisationFactory(org_identifier="GB-CHC-1234567"))


def test_it_refuses_a_duplicate_area_code():
    models.Area.objects.create(name="Bradford", code="E22000001", code_type=models.Area.CodeType.CSP)
    assert_refused_by(
        "area_code_unique",
        lambda: models.Area.objects.create(name="Bradford again", code="E22000001", code_type=models.Area.CodeType.CSP),
    )


def test_it_refuses_an_area_code_without_its_type():
    assert_refused_by("area_code_has_type", lambda: models.Area.objects.create(name="Leeds", code="E22000002"))


def kept_row(project, quarter=1, **fields):
    return models.ProjectQuarter.objects.create(
        project=project, programme=project.allocation.programme, allocation_status="active", financial_year=2023,
        quarter=quarter, plan=0, status="not_started", rag="not_rated", **fields)


def test_it_refuses_a_second_kept_row_for_the_same_project_and_quarter(project):
    models.ProjectQuarter.objects.filter(project=project).delete()
    kept_row(project)
    assert_refused_by("one_kept_row_per_project_quarter", lambda: kept_row(project))


def test_it_refuses_a_second_kept_figure_for_the_same_measure_and_quarter(project):
    pm = f.ProjectMeasureFactory(project=project)

    def kept_figure():
        return models.MeasureToDate.objects.create(project=project, project_measure=pm, financial_year=2023,
                                                   quarter=1, actual=0, share=0)

    kept_figure()
    assert_refused_by("one_kept_figure_per_measure_quarter", kept_figure)


def test_it_refuses_a_second_partnership_return_for_the_same_allocation_and_quarter(allocation):
    models.PartnershipReturn.objects.create(allocation=allocation, financial_year=2023, quarter=2)
    assert_refused_by("one_partnership_return_per_quarter", lambda: models.PartnershipReturn.objects.create(
        allocation=allocation, financial_year=2023, quarter=2))
