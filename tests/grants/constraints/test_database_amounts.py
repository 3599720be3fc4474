"""
What the database refuses about amounts and values (named CHECK constraints in
grants/models/*.py): money that is negative, percentages and thresholds outside
0 to 100, reported values and targets that do not fit their measure's unit, and
a measure whose unit cannot add up the way it says, a rate whose parts cannot make one.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants import models
from tests import factories as f
from tests.grants.constraints.helpers import NO_TARGETS, Unit, assert_refused_by, measure

pytestmark = pytest.mark.django_db


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


def test_it_refuses_a_negative_variation_amount(project, user):
    assert_refused_by("variation_amount_not_negative", lambda: models.Variation.objects.create(
        allocation=project.allocation, amount=Decimal("-0.01"), reason="Less.", requested_by=user))


def test_it_refuses_a_variation_that_changes_nothing(project, user):
    assert_refused_by("variation_changes_something", lambda: models.Variation.objects.create(
        allocation=project.allocation, reason="Nothing.", requested_by=user))


def test_it_refuses_a_re_profile_that_also_changes_the_allocation(project, user):
    assert_refused_by("variation_reprofile_only_reprofiles", lambda: models.Variation.objects.create(
        allocation=project.allocation, project=project, financial_year=2023, amount=Decimal("1.00"),
        reason="Both.", requested_by=user))
    assert_refused_by("variation_reprofile_only_reprofiles", lambda: models.Variation.objects.create(
        allocation=project.allocation, project=project, reason="No year.", requested_by=user))
    # A year without a project names the year a new amount falls on: only with a new amount.
    assert_refused_by("variation_reprofile_only_reprofiles", lambda: models.Variation.objects.create(
        allocation=project.allocation, financial_year=2023, conditions="New.", reason="Year, no amount.",
        requested_by=user))


@pytest.mark.parametrize("quarter, constraint_name", [
    (1, "profile_change_q1_not_negative"), (2, "profile_change_q2_not_negative"),
    (3, "profile_change_q3_not_negative"), (4, "profile_change_q4_not_negative"),
])
def test_it_refuses_a_negative_quarter_in_a_new_profile(project, budget_line, user, quarter, constraint_name):
    variation = models.Variation.objects.create(allocation=project.allocation, project=project, financial_year=2023,
                                                reason="Slipped.", requested_by=user)
    profile = {f"profile_q{n}": Decimal("1.00") for n in (1, 2, 3, 4)} | {f"profile_q{quarter}": Decimal("-0.01")}
    assert_refused_by(constraint_name, lambda: models.ProfileChange.objects.create(
        variation=variation, line=budget_line, **profile))


def test_it_refuses_two_new_profiles_for_one_line_in_one_re_profile(project, budget_line, user):
    variation = models.Variation.objects.create(allocation=project.allocation, project=project, financial_year=2023,
                                                reason="Slipped.", requested_by=user)
    profile = {f"profile_q{n}": Decimal("1.00") for n in (1, 2, 3, 4)}
    models.ProfileChange.objects.create(variation=variation, line=budget_line, **profile)
    assert_refused_by("profile_change_once_per_line", lambda: models.ProfileChange.objects.create(
        variation=variation, line=budget_line, **profile))


def test_it_refuses_a_negative_budget_or_a_second_row_for_a_programme_year(project):
    programme = project.allocation.programme
    assert_refused_by("programme_year_budget_not_negative", lambda: models.ProgrammeYear.objects.create(
        programme=programme, financial_year=2023, budget=Decimal("-0.01")))
    models.ProgrammeYear.objects.create(programme=programme, financial_year=2023, budget=Decimal("1.00"))
    assert_refused_by("programme_year_once", lambda: models.ProgrammeYear.objects.create(
        programme=programme, financial_year=2023, budget=Decimal("2.00")))


def test_it_refuses_a_negative_amount_or_a_second_row_for_an_allocation_year(project):
    allocation = project.allocation
    assert_refused_by("allocation_year_amount_not_negative", lambda: models.AllocationYear.objects.create(
        allocation=allocation, financial_year=2023, amount=Decimal("-0.01")))
    models.AllocationYear.objects.create(allocation=allocation, financial_year=2023, amount=Decimal("1.00"))
    assert_refused_by("allocation_year_once", lambda: models.AllocationYear.objects.create(
        allocation=allocation, financial_year=2023, amount=Decimal("2.00")))


def test_it_refuses_negative_other_funding(project):
    assert_refused_by("other_funding_amount_not_negative", lambda: models.OtherFunding.objects.create(
        project=project, financial_year=2023, funder="The council", amount=Decimal("-0.01")))


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
            from_line=staff, to_line=running, amount=amount, quarter=1, reason="Moving money", requested_by=user
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
    project_measure = f.ProjectMeasureFactory(project=project, measure=measure(Unit.COUNT, aggregation="level"), **NO_TARGETS)
    project_measure.annual_target = Decimal("250")
    project_measure.save()
    models.OutcomeMeasure.objects.filter(pk=project_measure.measure_id).update(unit=Unit.PERCENTAGE)
    project_measure.measure.refresh_from_db()
    assert_refused_by("project_measure_annual_target_percentage_0_100", project_measure.save)


@pytest.mark.parametrize("unit, aggregation", [
    (Unit.PERCENTAGE, "events"), (Unit.YES_NO, "events"), (Unit.MONEY, "people"), (Unit.COUNT, "rate"),
    (Unit.COUNT, "milestone"),
])
def test_it_refuses_a_measure_whose_unit_cannot_add_up_that_way(unit, aggregation):
    assert_refused_by("measure_unit_fits_aggregation", lambda: f.OutcomeMeasureFactory(unit=unit, aggregation=aggregation))


def test_it_refuses_a_rate_whose_parts_cannot_make_a_rate(project):
    rate = f.ProjectMeasureFactory(project=project, annual_target=Decimal("90"),
                                   measure=f.OutcomeMeasureFactory(unit=Unit.PERCENTAGE, aggregation="rate"))
    ret = f.QuarterlyReturnFactory(project=project)
    for numerator, denominator in ((5, 4), (1, 0), (None, 4), (3, None)):
        assert_refused_by("measure_value_rate_parts", lambda: models.MeasureValue.objects.create(
            quarterly_return=ret, project_measure=rate, unit=Unit.PERCENTAGE, numerator=numerator,
            denominator=denominator))
