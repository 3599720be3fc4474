"""
What the database refuses (the named constraints in grants/models/*.py) and
what model validation (`full_clean()`) refuses, with the message people see.

Each refused write runs inside its own `transaction.atomic()` so that the test
can carry on after the IntegrityError. PostgreSQL names the constraint in its
error; SQLite names a CHECK constraint but, for a UNIQUE one, only the columns,
so the helper checks the columns there.
"""

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import UniqueConstraint
from django.utils import timezone

from grants import models
from grants.models.projects import check_measure_value
from tests import factories as f

pytestmark = pytest.mark.django_db

Unit = models.OutcomeMeasure.Unit


# --- Helpers ---------------------------------------------------------------------


def named_constraints() -> dict:
    """Every named constraint of the grant models: name -> (model, constraint)."""
    found = {}
    for model in apps.get_app_config("grants").get_models():
        for constraint in model._meta.constraints:
            found[constraint.name] = (model, constraint)
    return found


def assert_refused_by(constraint_name: str, write) -> IntegrityError:
    """`write()` must fail with an IntegrityError from the constraint called `constraint_name`."""
    constraints = named_constraints()
    assert constraint_name in constraints, f"No constraint is called {constraint_name}"
    model, constraint = constraints[constraint_name]
    with pytest.raises(IntegrityError) as caught:
        with transaction.atomic():
            write()
    message = str(caught.value)
    if connection.vendor == "sqlite" and isinstance(constraint, UniqueConstraint):
        table = model._meta.db_table
        columns = ", ".join(f"{table}.{model._meta.get_field(name).column}" for name in constraint.fields)
        assert f"UNIQUE constraint failed: {columns}" in message, message
    else:
        assert re.search(rf"\b{re.escape(constraint_name)}\b", message), message
    return caught.value


def validation_errors(instance) -> dict[str, list[str]]:
    """The messages `full_clean()` refuses `instance` with, by field."""
    with pytest.raises(ValidationError) as caught:
        instance.full_clean()
    return caught.value.message_dict


def measure(unit, **kwargs) -> models.OutcomeMeasure:
    kwargs.setdefault("cumulative", unit in (Unit.COUNT, Unit.MONEY))
    return f.OutcomeMeasureFactory(unit=unit, **kwargs)


NO_TARGETS = dict.fromkeys(models.projects.TARGET_FIELDS)


@pytest.fixture
def project():
    return f.ProjectFactory()


@pytest.fixture
def allocation(project):
    return project.allocation


@pytest.fixture
def quarterly_return(project):
    return f.QuarterlyReturnFactory(project=project)


@pytest.fixture
def budget_line(project):
    return f.BudgetLineFactory(project=project)


@pytest.fixture
def user():
    return f.UserFactory()


# --- Money is never negative -----------------------------------------------------


def test_it_refuses_a_negative_allocation():
    assert_refused_by("allocation_amount_not_negative", lambda: f.AllocationFactory(amount=Decimal("-0.01")))


def test_it_refuses_a_negative_programme_budget():
    assert_refused_by("programme_budget_not_negative", lambda: f.ProgrammeFactory(total_budget=Decimal("-1.00")))


@pytest.mark.parametrize(
    "field, constraint_name",
    [
        ("amount", "budget_line_amount_not_negative"),
        ("profile_q1", "budget_line_profile_q1_not_negative"),
        ("profile_q2", "budget_line_profile_q2_not_negative"),
        ("profile_q3", "budget_line_profile_q3_not_negative"),
        ("profile_q4", "budget_line_profile_q4_not_negative"),
    ],
)
def test_it_refuses_a_negative_budget_line_or_profile_quarter(project, field, constraint_name):
    assert_refused_by(constraint_name, lambda: f.BudgetLineFactory(project=project, **{field: Decimal("-5.00")}))


def test_it_refuses_negative_actual_spend(quarterly_return, budget_line):
    assert_refused_by(
        "spend_actual_not_negative",
        lambda: f.SpendLineFactory(quarterly_return=quarterly_return, budget_line=budget_line, actual=Decimal("-0.01")),
    )


def test_it_refuses_a_negative_payment(allocation):
    assert_refused_by("payment_amount_not_negative", lambda: f.PaymentFactory(allocation=allocation, amount=Decimal("-100")))


def test_it_refuses_a_negative_clawback(allocation, user):
    assert_refused_by(
        "clawback_amount_not_negative",
        lambda: models.Clawback.objects.create(
            allocation=allocation, amount=Decimal("-1.00"), reason="Underspend", requested_on=date(2024, 4, 30), recorded_by=user
        ),
    )


@pytest.mark.parametrize("amount", [Decimal("0.00"), Decimal("-10.00")])
def test_it_refuses_a_virement_of_nothing_or_less(project, user, amount):
    staff, running = f.BudgetLineFactory(project=project), f.BudgetLineFactory(project=project)
    assert_refused_by(
        "virement_amount_positive",
        lambda: models.Virement.objects.create(
            from_line=staff, to_line=running, amount=amount, reason="Moving money", requested_by=user
        ),
    )


# --- Percentages, counts and yes/no answers --------------------------------------


def test_it_refuses_a_programme_variance_threshold_over_100_percent():
    assert_refused_by(
        "programme_variance_threshold_0_100", lambda: f.ProgrammeFactory(variance_threshold_percent=Decimal("100.01"))
    )


def test_it_refuses_a_negative_programme_variance_threshold():
    assert_refused_by(
        "programme_variance_threshold_0_100", lambda: f.ProgrammeFactory(variance_threshold_percent=Decimal("-1"))
    )


@pytest.mark.parametrize("percent", [Decimal("-0.01"), Decimal("101")])
def test_it_refuses_an_over_allocation_allowance_outside_0_to_100_percent(percent):
    assert_refused_by("programme_over_allocation_0_100", lambda: f.ProgrammeFactory(over_allocation_percent=percent))


@pytest.mark.parametrize(
    "unit, value, constraint_name",
    [
        (Unit.PERCENTAGE, Decimal("100.01"), "measure_value_value_percentage_0_100"),
        (Unit.PERCENTAGE, Decimal("150"), "measure_value_value_percentage_0_100"),
        (Unit.PERCENTAGE, Decimal("-1"), "measure_value_value_not_negative"),
        (Unit.COUNT, Decimal("-3"), "measure_value_value_not_negative"),
        (Unit.MONEY, Decimal("-0.01"), "measure_value_value_not_negative"),
        (Unit.YES_NO, Decimal("2"), "measure_value_value_yes_no_0_or_1"),
        (Unit.YES_NO, Decimal("0.5"), "measure_value_value_yes_no_0_or_1"),
    ],
)
def test_it_refuses_a_reported_value_that_does_not_fit_its_unit(quarterly_return, unit, value, constraint_name):
    project_measure = f.ProjectMeasureFactory(project=quarterly_return.project, measure=measure(unit), **NO_TARGETS)
    assert_refused_by(
        constraint_name,
        lambda: f.MeasureValueFactory(quarterly_return=quarterly_return, project_measure=project_measure, value=value),
    )


def test_it_refuses_a_value_for_a_measure_marked_not_collected(quarterly_return):
    project_measure = f.ProjectMeasureFactory(project=quarterly_return.project)
    assert_refused_by(
        "measure_value_or_not_collected",
        lambda: f.MeasureValueFactory(
            quarterly_return=quarterly_return, project_measure=project_measure, value=Decimal("3"), not_collected=True
        ),
    )


@pytest.mark.parametrize(
    "field, unit, value, constraint_name",
    [
        ("baseline", Unit.COUNT, Decimal("-1"), "project_measure_baseline_not_negative"),
        ("baseline", Unit.PERCENTAGE, Decimal("101"), "project_measure_baseline_percentage_0_100"),
        ("baseline", Unit.YES_NO, Decimal("2"), "project_measure_baseline_yes_no_0_or_1"),
        ("annual_target", Unit.MONEY, Decimal("-1"), "project_measure_annual_target_not_negative"),
        ("annual_target", Unit.PERCENTAGE, Decimal("101"), "project_measure_annual_target_percentage_0_100"),
        ("annual_target", Unit.YES_NO, Decimal("2"), "project_measure_annual_target_yes_no_0_or_1"),
        ("target_q1", Unit.COUNT, Decimal("-1"), "project_measure_target_q1_not_negative"),
        ("target_q1", Unit.PERCENTAGE, Decimal("100.01"), "project_measure_target_q1_percentage_0_100"),
        ("target_q1", Unit.YES_NO, Decimal("0.5"), "project_measure_target_q1_yes_no_0_or_1"),
        ("target_q2", Unit.COUNT, Decimal("-1"), "project_measure_target_q2_not_negative"),
        ("target_q2", Unit.PERCENTAGE, Decimal("101"), "project_measure_target_q2_percentage_0_100"),
        ("target_q2", Unit.YES_NO, Decimal("2"), "project_measure_target_q2_yes_no_0_or_1"),
        ("target_q3", Unit.COUNT, Decimal("-1"), "project_measure_target_q3_not_negative"),
        ("target_q3", Unit.PERCENTAGE, Decimal("101"), "project_measure_target_q3_percentage_0_100"),
        ("target_q3", Unit.YES_NO, Decimal("2"), "project_measure_target_q3_yes_no_0_or_1"),
        ("target_q4", Unit.COUNT, Decimal("-1"), "project_measure_target_q4_not_negative"),
        ("target_q4", Unit.PERCENTAGE, Decimal("101"), "project_measure_target_q4_percentage_0_100"),
        ("target_q4", Unit.YES_NO, Decimal("2"), "project_measure_target_q4_yes_no_0_or_1"),
    ],
)
def test_it_refuses_a_project_measure_target_that_does_not_fit_its_unit(project, field, unit, value, constraint_name):
    targets = {**NO_TARGETS, field: value}
    assert_refused_by(
        constraint_name, lambda: f.ProjectMeasureFactory(project=project, measure=measure(unit), **targets)
    )


def test_it_refuses_a_project_measure_target_once_its_measure_becomes_a_percentage(project):
    """The unit is copied from the measure on every save, so the check follows the measure."""
    project_measure = f.ProjectMeasureFactory(project=project, measure=measure(Unit.COUNT, cumulative=False), **NO_TARGETS)
    project_measure.annual_target = Decimal("250")
    project_measure.save()
    models.OutcomeMeasure.objects.filter(pk=project_measure.measure_id).update(unit=Unit.PERCENTAGE)
    project_measure.measure.refresh_from_db()
    assert_refused_by("project_measure_annual_target_percentage_0_100", project_measure.save)


@pytest.mark.parametrize("unit", [Unit.PERCENTAGE, Unit.YES_NO])
def test_it_refuses_a_cumulative_measure_that_cannot_be_added_up(unit):
    assert_refused_by("measure_cumulative_only_count_or_money", lambda: f.OutcomeMeasureFactory(unit=unit, cumulative=True))


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


def test_it_refuses_a_project_that_ends_before_it_starts(allocation):
    assert_refused_by(
        "project_ends_after_start",
        lambda: f.ProjectFactory(allocation=allocation, start_date=date(2023, 7, 1), end_date=date(2023, 6, 30)),
    )


# --- Decisions and reasons -------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "agreement_signed", "active", "closed"])
@pytest.mark.parametrize(
    "missing", [{"decision_reference": ""}, {"decision_date": None}, {"decision_reference": "", "decision_date": None}]
)
def test_it_refuses_an_allocation_past_draft_without_a_decision_reference_and_date(status, missing):
    assert_refused_by("allocation_decision_recorded", lambda: f.AllocationFactory(status=status, **missing))


def test_it_refuses_to_approve_a_draft_allocation_without_a_recorded_decision():
    allocation = f.AllocationFactory(status="draft", decision_reference="", decision_date=None)
    allocation.status = models.Allocation.Status.APPROVED
    assert_refused_by("allocation_decision_recorded", allocation.save)


def test_it_refuses_to_withdraw_an_allocation_without_a_reason(allocation):
    allocation.status = models.Allocation.Status.WITHDRAWN
    assert_refused_by("allocation_withdrawal_has_reason", allocation.save)


def test_it_refuses_to_keep_an_allocation_from_publication_without_a_reason(allocation):
    allocation.do_not_publish = True
    assert_refused_by("allocation_unpublished_has_reason", allocation.save)


@pytest.mark.parametrize(
    "details", [{"reference": "", "paid_on": date(2023, 7, 31)}, {"reference": "PAY-1", "paid_on": None}, {}]
)
def test_it_refuses_a_released_payment_without_a_reference_and_date(allocation, details):
    assert_refused_by(
        "released_payment_has_reference_and_date",
        lambda: f.PaymentFactory(allocation=allocation, status=models.Payment.Status.RELEASED, **details),
    )


def test_it_refuses_a_withheld_payment_without_a_reason(allocation):
    assert_refused_by(
        "withheld_payment_has_reason",
        lambda: f.PaymentFactory(allocation=allocation, status=models.Payment.Status.WITHHELD, withheld_reason=""),
    )


def test_it_refuses_a_received_clawback_without_the_date_it_was_received(allocation, user):
    assert_refused_by(
        "received_clawback_has_date",
        lambda: models.Clawback.objects.create(
            allocation=allocation,
            amount=Decimal("500.00"),
            status=models.Clawback.Status.RECEIVED,
            reason="Underspend",
            requested_on=date(2024, 4, 30),
            recorded_by=user,
        ),
    )


def test_it_refuses_a_virement_from_a_budget_line_to_itself(budget_line, user):
    assert_refused_by(
        "virement_between_two_lines",
        lambda: models.Virement.objects.create(
            from_line=budget_line, to_line=budget_line, amount=Decimal("100.00"), reason="Moving money", requested_by=user
        ),
    )


@pytest.mark.parametrize("role", ["commissioner", "finance", "provider", "viewer"])
def test_it_refuses_a_user_with_a_role_but_no_organisation(role):
    assert_refused_by("user_role_needs_organisation", lambda: f.UserFactory(organisation=None, role=role))


# --- What the database accepts, at the edges -------------------------------------


def _measure_value(project, unit, value, **kwargs):
    quarterly_return = f.QuarterlyReturnFactory(project=project)
    targets = {**NO_TARGETS, "annual_target": value, "target_q4": value}
    project_measure = f.ProjectMeasureFactory(project=project, measure=measure(unit), **targets)
    return f.MeasureValueFactory(quarterly_return=quarterly_return, project_measure=project_measure, value=value, **kwargs)


def _virement_of_a_penny(project, user):
    from_line, to_line = f.BudgetLineFactory(project=project), f.BudgetLineFactory(project=project)
    return models.Virement.objects.create(
        from_line=from_line, to_line=to_line, amount=Decimal("0.01"), reason="Moving money", requested_by=user
    )


def _two(make):
    return [make(), make()]


# Writes right at the edge of each rule, which the database must take.
EDGE_VALUES = {
    "a programme with no budget": lambda p, u: f.ProgrammeFactory(total_budget=0),
    "a variance threshold of 0 and 100 percent": lambda p, u: [
        f.ProgrammeFactory(variance_threshold_percent=0), f.ProgrammeFactory(variance_threshold_percent=100)
    ],
    "an over-allocation allowance of 0 and 100 percent": lambda p, u: [
        f.ProgrammeFactory(over_allocation_percent=0), f.ProgrammeFactory(over_allocation_percent=100)
    ],
    "an allocation of nothing": lambda p, u: f.AllocationFactory(amount=0),
    "a draft allocation with no decision yet": lambda p, u: f.AllocationFactory(
        status="draft", decision_reference="", decision_date=None
    ),
    "a withdrawn allocation with a reason and no decision": lambda p, u: f.AllocationFactory(
        status="withdrawn", decision_reference="", decision_date=None, withdrawn_reason="No match funding"
    ),
    "an unpublished allocation with a reason": lambda p, u: f.AllocationFactory(
        do_not_publish=True, do_not_publish_reason="Names a refuge"
    ),
    "a one-day allocation": lambda p, u: f.AllocationFactory(start_date=date(2023, 4, 1), end_date=date(2023, 4, 1)),
    "a one-day project": lambda p, u: f.ProjectFactory(
        allocation=p.allocation, start_date=date(2023, 4, 1), end_date=date(2023, 4, 1)
    ),
    "a budget line of nothing": lambda p, u: f.BudgetLineFactory(
        project=p, amount=0, profile_q1=0, profile_q2=0, profile_q3=0, profile_q4=0
    ),
    "no spend": lambda p, u: f.SpendLineFactory(quarterly_return__project=p, actual=0),
    "spend not entered yet": lambda p, u: f.SpendLineFactory(quarterly_return__project=p, actual=None),
    "a percentage of 0": lambda p, u: _measure_value(p, Unit.PERCENTAGE, Decimal("0")),
    "a percentage of 100": lambda p, u: _measure_value(p, Unit.PERCENTAGE, Decimal("100.00")),
    "a yes": lambda p, u: _measure_value(p, Unit.YES_NO, Decimal("1")),
    "a no": lambda p, u: _measure_value(p, Unit.YES_NO, Decimal("0")),
    "a count of 0": lambda p, u: _measure_value(p, Unit.COUNT, Decimal("0")),
    "a large count": lambda p, u: _measure_value(p, Unit.COUNT, Decimal("1000")),
    "a value not collected": lambda p, u: _measure_value(p, Unit.PERCENTAGE, None, not_collected=True),
    "a cumulative money measure": lambda p, u: f.OutcomeMeasureFactory(unit=Unit.MONEY, cumulative=True),
    "a payment of nothing": lambda p, u: f.PaymentFactory(allocation=p.allocation, amount=0),
    "a released payment with its reference and date": lambda p, u: f.PaymentFactory(
        allocation=p.allocation, status="released", reference="PAY-2", paid_on=date(2023, 10, 31)
    ),
    "a withheld payment with its reason": lambda p, u: f.PaymentFactory(
        allocation=p.allocation, status="withheld", withheld_reason="Return overdue"
    ),
    "payments for the same quarter of different years": lambda p, u: [
        f.PaymentFactory(allocation=p.allocation, financial_year=2023, quarter=4),
        f.PaymentFactory(allocation=p.allocation, financial_year=2024, quarter=4),
    ],
    "a received clawback of nothing with its date": lambda p, u: models.Clawback.objects.create(
        allocation=p.allocation, amount=0, status="received", reason="Underspend",
        requested_on=date(2024, 4, 30), received_on=date(2024, 5, 31), recorded_by=u,
    ),
    "a virement of a penny": _virement_of_a_penny,
    "returns for Q1 and Q4": lambda p, u: [
        f.QuarterlyReturnFactory(project=p, quarter=1), f.QuarterlyReturnFactory(project=p, quarter=4)
    ],
    "returns for the same quarter of different years": lambda p, u: [
        f.QuarterlyReturnFactory(project=p, financial_year=2023, quarter=2),
        f.QuarterlyReturnFactory(project=p, financial_year=2024, quarter=2),
    ],
    "two organisations without an identifier": lambda p, u: _two(lambda: f.OrganisationFactory(org_identifier="")),
    "a user with neither role nor organisation": lambda p, u: f.UserFactory(organisation=None, role=""),
    "the same priority code for two commissioners": lambda p, u: _two(lambda: f.PriorityFactory(code="violence")),
    "two areas without a code": lambda p, u: _two(lambda: models.Area.objects.create(name="Somewhere")),
}


@pytest.mark.parametrize("make", EDGE_VALUES.values(), ids=EDGE_VALUES.keys())
def test_the_database_accepts_a_value_right_at_the_edge_of_a_rule(project, user, make):
    made = make(project, user)
    for instance in made if isinstance(made, list) else [made]:
        assert type(instance).objects.filter(pk=instance.pk).exists()


def test_every_named_constraint_has_a_test_here():
    source = Path(__file__).read_text()
    untested = sorted(name for name in named_constraints() if f'"{name}"' not in source)
    assert untested == []


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


# --- Validation: organisations ---------------------------------------------------


@pytest.mark.parametrize("number", ["12345", "123456789", "12A4567", "GB-CHC-1234567"])
def test_it_refuses_a_bad_charity_number(number):
    errors = validation_errors(f.OrganisationFactory.build(charity_number=number))
    assert "A charity number is 6 to 8 digits." in errors["charity_number"]


@pytest.mark.parametrize("number", ["1234567", "123456789", "S1234567", "SCO12345", "1234567A"])
def test_it_refuses_a_bad_company_number(number):
    errors = validation_errors(f.OrganisationFactory.build(company_number=number))
    assert "A company number is 8 characters, for example 01234567 or SC123456." in errors["company_number"]


@pytest.mark.parametrize("code", ["BR", "B1D", "12", "BR-D"])
def test_it_refuses_a_bad_local_authority_code(code):
    errors = validation_errors(f.OrganisationFactory.build(kind="local_authority", local_authority_code=code))
    assert errors == {"local_authority_code": ["A local authority code is 3 or 4 letters, for example BRD."]}


@pytest.mark.parametrize(
    "identifier",
    ["GB-CHC-12345", "GB-CHC-123456789", "GB-COH-1234567", "GB-COH-S1234567", "GB-LAE-brd", "GB-LAE-B1D",
     "XI-ABC-123", "360G-", "360G-pcc--fund", "1234567", "gb-chc-1234567"],
)
def test_it_refuses_a_bad_org_identifier(identifier):
    errors = validation_errors(f.OrganisationFactory.build(org_identifier=identifier))
    assert errors == {
        "org_identifier": [
            "Use an org-id.guide identifier such as GB-CHC-1234567, GB-COH-01234567, GB-LAE-BRD or 360G-yourprefix-name."
        ]
    }


def test_it_refuses_an_org_identifier_with_a_trailing_newline():
    errors = validation_errors(f.OrganisationFactory.build(org_identifier="GB-CHC-1234567\n"))
    assert "org_identifier" in errors


@pytest.mark.parametrize(
    "numbers, identifier",
    [
        ({"charity_number": "1234567"}, "GB-CHC-1234567"),
        ({"charity_number": " 123456 "}, "GB-CHC-123456"),
        ({"company_number": "01234567"}, "GB-COH-01234567"),
        ({"company_number": "00012345"}, "GB-COH-00012345"),
        ({"company_number": "sc123456"}, "GB-COH-SC123456"),
        ({"local_authority_code": "BRD"}, "GB-LAE-BRD"),
        ({"local_authority_code": "kirk"}, "GB-LAE-KIRK"),
        ({"charity_number": "1234567", "company_number": "01234567"}, "GB-CHC-1234567"),
        ({"company_number": "01234567", "local_authority_code": "BRD"}, "GB-COH-01234567"),
        ({}, ""),
    ],
)
def test_an_organisation_identifier_left_blank_is_derived_from_its_numbers(numbers, identifier):
    organisation = f.OrganisationFactory.build(**numbers)
    organisation.full_clean()
    assert organisation.org_identifier == identifier
    organisation.save()
    organisation.refresh_from_db()
    assert organisation.org_identifier == identifier


def test_an_organisation_identifier_given_is_kept():
    organisation = f.OrganisationFactory.build(charity_number="1234567", org_identifier="360G-pcc-testshire")
    organisation.full_clean()
    assert organisation.org_identifier == "360G-pcc-testshire"


def test_it_refuses_a_second_organisation_whose_identifier_derives_to_one_in_use():
    f.OrganisationFactory(org_identifier="GB-CHC-1234567")
    with pytest.raises(ValidationError) as caught:
        f.OrganisationFactory.build(charity_number="1234567").full_clean()
    assert NON_FIELD_ERRORS in caught.value.message_dict or "org_identifier" in caught.value.message_dict


# --- Validation: outcome measures ------------------------------------------------


@pytest.mark.parametrize("unit", [Unit.PERCENTAGE, Unit.YES_NO])
def test_it_refuses_a_cumulative_measure_that_is_not_a_count_or_money(unit):
    errors = validation_errors(f.OutcomeMeasureFactory.build(unit=unit, cumulative=True))
    assert errors == {"cumulative": ["Only counts and money can add up across quarters."]}


@pytest.mark.parametrize(
    "unit, cumulative",
    [(Unit.COUNT, True), (Unit.MONEY, True), (Unit.PERCENTAGE, False), (Unit.YES_NO, False), (Unit.COUNT, False)],
)
def test_it_accepts_a_measure_that_adds_up_only_if_it_can(unit, cumulative):
    f.OutcomeMeasureFactory.build(unit=unit, cumulative=cumulative).full_clean()


def test_it_refuses_to_change_the_unit_of_a_measure_projects_report_against(project):
    outcome = measure(Unit.COUNT)
    f.ProjectMeasureFactory(project=project, measure=outcome)
    outcome.unit = Unit.MONEY
    assert validation_errors(outcome) == {
        "unit": ["Projects already report against this measure: its unit cannot change."]
    }


def test_it_lets_the_unit_of_an_unused_measure_change():
    outcome = measure(Unit.COUNT)
    outcome.unit = Unit.MONEY
    outcome.full_clean()


@pytest.mark.parametrize(
    "unit, field, value, message",
    [
        (Unit.PERCENTAGE, "annual_target", Decimal("101"), "Annual target is a percentage: enter a number from 0 to 100."),
        (Unit.PERCENTAGE, "baseline", Decimal("100.01"), "Baseline is a percentage: enter a number from 0 to 100."),
        (Unit.COUNT, "annual_target", Decimal("2.5"), "Annual target is a count: enter a whole number."),
        (Unit.COUNT, "baseline", Decimal("-1"), "Baseline must be 0 or more."),
        (Unit.YES_NO, "annual_target", Decimal("2"), "Annual target is yes or no."),
        (Unit.YES_NO, "baseline", Decimal("0.5"), "Baseline is yes or no."),
        (Unit.MONEY, "annual_target", Decimal("-0.01"), "Annual target must be 0 or more."),
    ],
)
def test_it_refuses_a_project_measure_target_out_of_range(project, unit, field, value, message):
    project_measure = f.ProjectMeasureFactory.build(project=project, measure=measure(unit), **{**NO_TARGETS, field: value})
    assert validation_errors(project_measure) == {field: [message]}


@pytest.mark.parametrize("unit", [Unit.PERCENTAGE, Unit.COUNT, Unit.YES_NO])
@pytest.mark.parametrize("field", ["target_q1", "target_q2", "target_q3", "target_q4"])
def test_it_refuses_a_quarterly_target_out_of_range(project, unit, field):
    bad = {Unit.PERCENTAGE: Decimal("101"), Unit.COUNT: Decimal("2.5"), Unit.YES_NO: Decimal("2")}[unit]
    project_measure = f.ProjectMeasureFactory.build(project=project, measure=measure(unit), **{**NO_TARGETS, field: bad})
    errors = validation_errors(project_measure)
    assert list(errors) == [field]


def test_a_quarterly_target_message_names_the_quarter_as_the_form_does(project):
    project_measure = f.ProjectMeasureFactory.build(
        project=project, measure=measure(Unit.PERCENTAGE), **{**NO_TARGETS, "target_q2": Decimal("101")}
    )
    assert validation_errors(project_measure) == {
        "target_q2": ["Target Q2 is a percentage: enter a number from 0 to 100."]
    }


@pytest.mark.parametrize(
    "unit, targets",
    [
        (Unit.PERCENTAGE, {"baseline": Decimal("0"), "annual_target": Decimal("100"), "target_q1": Decimal("55.5")}),
        (Unit.COUNT, {"baseline": Decimal("0"), "annual_target": Decimal("120"), "target_q4": Decimal("30.00")}),
        (Unit.YES_NO, {"baseline": Decimal("0"), "annual_target": Decimal("1")}),
        (Unit.MONEY, {"annual_target": Decimal("2500.75")}),
        (Unit.PERCENTAGE, {}),
    ],
)
def test_it_accepts_project_measure_targets_that_fit_their_unit(project, unit, targets):
    f.ProjectMeasureFactory.build(project=project, measure=measure(unit), **{**NO_TARGETS, **targets}).full_clean()


# --- check_measure_value ---------------------------------------------------------


@pytest.mark.parametrize(
    "unit, value",
    [
        (Unit.COUNT, None),
        (Unit.COUNT, Decimal("0")),
        (Unit.COUNT, Decimal("17")),
        (Unit.COUNT, Decimal("17.00")),
        (Unit.PERCENTAGE, None),
        (Unit.PERCENTAGE, Decimal("0")),
        (Unit.PERCENTAGE, Decimal("62.5")),
        (Unit.PERCENTAGE, Decimal("100")),
        (Unit.PERCENTAGE, Decimal("100.00")),
        (Unit.MONEY, None),
        (Unit.MONEY, Decimal("0.00")),
        (Unit.MONEY, Decimal("1234567.89")),
        (Unit.YES_NO, None),
        (Unit.YES_NO, Decimal("0")),
        (Unit.YES_NO, Decimal("1")),
        (Unit.YES_NO, Decimal("1.00")),
    ],
)
def test_check_measure_value_accepts_a_value_that_fits_its_unit(unit, value):
    assert check_measure_value(unit, value, "People helped") is None


@pytest.mark.parametrize(
    "unit, value, message",
    [
        (Unit.COUNT, Decimal("-1"), "People helped must be 0 or more."),
        (Unit.COUNT, Decimal("2.5"), "People helped is a count: enter a whole number."),
        (Unit.COUNT, Decimal("0.01"), "People helped is a count: enter a whole number."),
        (Unit.PERCENTAGE, Decimal("-0.01"), "People helped must be 0 or more."),
        (Unit.PERCENTAGE, Decimal("100.01"), "People helped is a percentage: enter a number from 0 to 100."),
        (Unit.PERCENTAGE, Decimal("101"), "People helped is a percentage: enter a number from 0 to 100."),
        (Unit.PERCENTAGE, Decimal("33.333"), "People helped can have at most 2 decimal places."),
        (Unit.MONEY, Decimal("-5"), "People helped must be 0 or more."),
        (Unit.MONEY, Decimal("10.005"), "People helped can have at most 2 decimal places."),
        (Unit.YES_NO, Decimal("2"), "People helped is yes or no."),
        (Unit.YES_NO, Decimal("0.5"), "People helped is yes or no."),
        (Unit.YES_NO, Decimal("-1"), "People helped must be 0 or more."),
    ],
)
def test_check_measure_value_refuses_a_value_that_does_not_fit_its_unit(unit, value, message):
    assert check_measure_value(unit, value, "People helped") == message


@pytest.mark.parametrize(
    "unit, value, message",
    [
        ("count", Decimal("2.5"), "Value is a count: enter a whole number."),
        ("percentage", Decimal("101"), "Value is a percentage: enter a number from 0 to 100."),
        ("yes_no", Decimal("2"), "Value is yes or no."),
        ("money", Decimal("2.555"), "Value can have at most 2 decimal places."),
    ],
)
def test_check_measure_value_takes_the_unit_as_stored_in_the_database(unit, value, message):
    """A unit read back from a row is a plain string, not the enum member."""
    assert check_measure_value(unit, value, "Value") == message
