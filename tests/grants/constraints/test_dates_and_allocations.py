"""
Periods and dates, and the rules of projects and allocations: what the database
refuses (a quarter outside 1 to 4; an allocation or a project that ends before it
starts) and what model validation (`full_clean()`) refuses, with the message
people see.
"""

from datetime import date

import pytest
from django.utils import timezone

from grants import models
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by, validation_errors

pytestmark = pytest.mark.django_db


# --- Periods and dates -----------------------------------------------------------


@pytest.mark.parametrize("quarter", [0, 5])
def test_it_refuses_a_return_for_a_quarter_outside_1_to_4(project, quarter):
    assert_refused_by("return_quarter_1_to_4", lambda: f.QuarterlyReturnFactory(project=project, quarter=quarter))


def test_it_refuses_a_payment_for_a_quarter_outside_1_to_4(project):
    assert_refused_by("payment_quarter_1_to_4", lambda: f.PaymentFactory(allocation=project.allocation, quarter=5))


def test_it_refuses_a_reminder_for_a_quarter_outside_1_to_4(project):
    assert_refused_by(
        "reminder_quarter_1_to_4",
        lambda: models.ReminderSent.objects.create(
            project=project, financial_year=2023, quarter=0, kind=models.ReminderSent.Kind.DUE, sent_at=timezone.now()
        ),
    )


def test_it_refuses_an_allocation_that_ends_before_it_starts():
    assert_refused_by(
        "allocation_ends_after_start",
        lambda: f.AllocationFactory(start_date=date(2023, 4, 1), end_date=date(2023, 3, 31)),
    )


def test_the_database_refuses_a_project_that_ends_before_it_starts(allocation):
    assert_refused_by(
        "project_ends_after_start",
        lambda: f.ProjectFactory(allocation=allocation, start_date=date(2023, 7, 1), end_date=date(2023, 6, 30)),
    )


# --- Validation: projects and allocations ----------------------------------------


def test_it_refuses_a_project_that_starts_before_its_allocation(allocation):
    project = f.ProjectFactory.build(allocation=allocation, start_date=date(2023, 3, 31))
    assert validation_errors(project) == {
        "start_date": ["The project cannot start before its allocation does (1 April 2023)."]
    }


def test_it_refuses_a_project_that_ends_after_its_allocation(allocation):
    project = f.ProjectFactory.build(allocation=allocation, end_date=date(2024, 4, 1))
    assert validation_errors(project) == {
        "end_date": ["The project cannot end after its allocation does (31 March 2024)."]
    }


def test_it_refuses_a_project_that_ends_before_it_starts(allocation):
    project = f.ProjectFactory.build(allocation=allocation, start_date=date(2023, 9, 1), end_date=date(2023, 8, 31))
    assert validation_errors(project)["end_date"] == ["The end date must be on or after the start date."]


def test_it_accepts_a_project_exactly_as_long_as_its_allocation(allocation):
    f.ProjectFactory.build(allocation=allocation, start_date=date(2023, 4, 1), end_date=date(2024, 3, 31)).full_clean()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"status": "approved", "decision_reference": ""}, "decision_reference",
         "Enter the reference of the decision that approved this allocation."),
        ({"status": "active", "decision_date": None}, "decision_date",
         "Enter the date of the decision that approved this allocation."),
        ({"status": "withdrawn", "withdrawn_reason": ""}, "withdrawn_reason", "Say why the allocation was withdrawn."),
        ({"do_not_publish": True}, "do_not_publish_reason", "Say why this allocation must not be published."),
        ({"start_date": date(2023, 4, 1), "end_date": date(2023, 3, 31)}, "end_date",
         "The end date must be on or after the start date."),
    ],
)
def test_it_refuses_an_allocation_that_breaks_a_rule_with_a_clear_message(changes, field, message):
    allocation = f.AllocationFactory.build(programme=f.ProgrammeFactory(), recipient=f.OrganisationFactory(), **changes)
    assert validation_errors(allocation)[field] == [message]


def test_it_refuses_a_kept_row_for_a_quarter_outside_1_to_4(project):
    assert_refused_by("kept_quarter_1_to_4", lambda: models.ProjectQuarter.objects.create(
        project=project, programme=project.allocation.programme, allocation_status="active", financial_year=2023,
        quarter=5, plan=0, status="not_started", rag="not_rated"))


def test_it_refuses_a_kept_measure_figure_for_a_quarter_outside_1_to_4(project):
    pm = f.ProjectMeasureFactory(project=project)
    assert_refused_by("kept_measure_quarter_1_to_4", lambda: models.MeasureToDate.objects.create(
        project=project, project_measure=pm, financial_year=2023, quarter=5, actual=0, share=0))


@pytest.mark.parametrize("quarter", [0, 5])
def test_it_refuses_a_partnership_return_for_a_quarter_outside_1_to_4(allocation, quarter):
    from grants.models import PartnershipReturn

    assert_refused_by("partnership_return_quarter_1_to_4", lambda: PartnershipReturn.objects.create(
        allocation=allocation, financial_year=2023, quarter=quarter))
