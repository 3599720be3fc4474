"""
What model validation refuses in outcome measures and project measures, with the
message people see, and `check_measure_value`, the check of one reported value
against its unit that the forms and the services share.
"""

from decimal import Decimal

import pytest

from grants.models.projects import check_measure_value
from tests import factories as f
from tests.grants.constraints.helpers import NO_TARGETS, Unit, measure, validation_errors

pytestmark = pytest.mark.django_db


# --- Validation: outcome measures ------------------------------------------------


@pytest.mark.parametrize("unit, aggregation, units", [
    (Unit.PERCENTAGE, "events", "count or money (£)"),
    (Unit.YES_NO, "events", "count or money (£)"),
    (Unit.MONEY, "people", "count"),
    (Unit.COUNT, "rate", "percentage"),
    (Unit.PERCENTAGE, "milestone", "yes or no"),
    (Unit.YES_NO, "level", "count or money (£) or percentage"),
])
def test_it_refuses_a_measure_whose_unit_does_not_fit_how_it_adds_up(unit, aggregation, units):
    errors = validation_errors(f.OutcomeMeasureFactory.build(unit=unit, aggregation=aggregation))
    assert list(errors) == ["unit"]
    assert errors["unit"][0].endswith(f"is a {units}.")


@pytest.mark.parametrize("unit, aggregation", [
    (Unit.COUNT, "events"), (Unit.MONEY, "events"), (Unit.COUNT, "people"), (Unit.COUNT, "level"),
    (Unit.MONEY, "level"), (Unit.PERCENTAGE, "level"), (Unit.PERCENTAGE, "rate"), (Unit.YES_NO, "milestone"),
])
def test_it_accepts_a_measure_that_adds_up_only_if_it_can(unit, aggregation):
    f.OutcomeMeasureFactory.build(unit=unit, aggregation=aggregation).full_clean()


def test_it_refuses_to_change_the_unit_of_a_measure_projects_report_against(project):
    outcome = measure(Unit.COUNT)
    f.ProjectMeasureFactory(project=project, measure=outcome)
    outcome.unit = Unit.MONEY
    assert validation_errors(outcome) == {
        "unit": ["Projects already report against this measure: its unit and how it adds up cannot change."]
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
