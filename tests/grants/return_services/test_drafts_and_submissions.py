"""
The quarterly return's services (grants/services/returns.py), with no web request
in between: saving a draft, and what a submission must hold (spend on every
budget line, a value or a reason for every measure, an explanation of a large
variance, progress and a RAG rating).

Every refusal is checked for what it leaves behind as well as for what it says:
a refused call must not have written a row, an event or a history record.
"""

from decimal import Decimal

import pytest

from grants.models import MeasureValue, QuarterlyReturn, SpendLine
from grants.services import Invalid
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f
from tests.grants.return_services.helpers import (
    Kind,
    Status,
    complete,
    kinds,
    row_counts,
    save_draft,
    snapshot,
    submit,
)


# --- Saving a draft ---------------------------------------------------------------------


def test_saving_a_first_draft_creates_the_return_with_a_created_and_a_saved_event(project_with_every_unit):
    before = row_counts()

    ret = save_draft(project_with_every_unit)

    ret.refresh_from_db()
    assert (ret.project, ret.financial_year, ret.quarter, ret.status) == (project_with_every_unit.project_a, 2023, 1, Status.DRAFT)
    assert kinds(ret) == [Kind.CREATED, Kind.SAVED]
    assert set(ret.events.values_list("actor", flat=True)) == {project_with_every_unit.user_a.pk}
    assert dict(ret.spend_lines.values_list("budget_line", "actual")) == {
        project_with_every_unit.staff.pk: Decimal("10000.00"), project_with_every_unit.venue.pk: Decimal("1000.00"),
    }
    assert dict(ret.measure_values.values_list("project_measure", "value")) == {
        project_with_every_unit.people.pk: Decimal("35"), project_with_every_unit.satisfaction.pk: Decimal("92.5"),
        project_with_every_unit.policy.pk: Decimal("1"), project_with_every_unit.match_funding.pk: Decimal("1250.50"),
    }
    after = row_counts()
    assert (after["returns"] - before["returns"], after["events"] - before["events"]) == (1, 2)


def test_a_draft_may_be_saved_with_nothing_but_a_line_of_progress(project_with_every_unit):
    ret = save_draft(project_with_every_unit, ReturnInput(progress="Recruiting staff."))

    ret.refresh_from_db()
    assert ret.status == Status.DRAFT
    assert ret.progress == "Recruiting staff."
    # A spend line for every budget line, empty rather than £0 until the provider enters it.
    assert dict(ret.spend_lines.values_list("budget_line", "actual")) == {project_with_every_unit.staff.pk: None, project_with_every_unit.venue.pk: None}
    assert ret.measure_values.count() == 4


def test_saving_a_draft_again_updates_the_same_return_and_adds_a_saved_event(project_with_every_unit):
    first = save_draft(project_with_every_unit, ReturnInput(progress="Recruiting staff."))

    second = save_draft(project_with_every_unit, complete(project_with_every_unit), version=first.version)

    assert second.pk == first.pk
    assert second.version > first.version
    assert QuarterlyReturn.objects.filter(project=project_with_every_unit.project_a).count() == 1
    assert kinds(second) == [Kind.CREATED, Kind.SAVED, Kind.SAVED]
    assert QuarterlyReturn.objects.get(pk=first.pk).progress == "Ran 24 evening sessions in two youth centres."


@pytest.mark.parametrize(
    "actual", [Decimal("-0.01"), Decimal("12.345")], ids=["negative spend", "spend with three decimal places"],
)
def test_a_draft_refuses_spend_that_can_never_be_right(project_with_every_unit, actual):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk].actual = actual
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        save_draft(project_with_every_unit, data)

    assert s.spend_key(project_with_every_unit.staff.pk) in refused.value.errors
    assert row_counts() == before


# --- What a submission must hold ----------------------------------------------------------


def _spend(line, **changes):
    def change(w, data):
        for name, value in changes.items():
            setattr(data.spend[getattr(w, line).pk], name, value)
    return change


def _measure(measure, **changes):
    def change(w, data):
        for name, value in changes.items():
            setattr(data.measures[getattr(w, measure).pk], name, value)
    return change


def _narrative(**changes):
    def change(w, data):
        for name, value in changes.items():
            setattr(data, name, value)
    return change


def _leave_out_spend(line):
    def change(w, data):
        del data.spend[getattr(w, line).pk]
    return change


INCOMPLETE_OR_WRONG = [
    ("missing spend", _spend("staff", actual=None), lambda w: s.spend_key(w.staff.pk)),
    ("spend not entered at all", _leave_out_spend("venue"), lambda w: s.spend_key(w.venue.pk)),
    ("negative spend", _spend("staff", actual=Decimal("-5.00")), lambda w: s.spend_key(w.staff.pk)),
    ("spend with 3 decimal places", _spend("staff", actual=Decimal("10000.005")), lambda w: s.spend_key(w.staff.pk)),
    ("a count of 2.5", _measure("people", value=Decimal("2.5")), lambda w: s.value_key(w.people.pk)),
    ("a percentage of 101", _measure("satisfaction", value=Decimal("101")), lambda w: s.value_key(w.satisfaction.pk)),
    ("a yes/no of 2", _measure("policy", value=Decimal("2")), lambda w: s.value_key(w.policy.pk)),
    ("money with 3 decimal places", _measure("match_funding", value=Decimal("1.005")),
     lambda w: s.value_key(w.match_funding.pk)),
    ("a missing measure value", _measure("people", value=None), lambda w: s.value_key(w.people.pk)),
    ("not collected without a reason", _measure("people", value=None, not_collected=True, reason="  "),
     lambda w: s.reason_key(w.people.pk)),
    ("a value and not collected", _measure("people", not_collected=True, reason="Worker off sick"),
     lambda w: s.value_key(w.people.pk)),
    ("a variance of +20% without explanation", _spend("staff", actual=Decimal("12000.00")),
     lambda w: s.explanation_key(w.staff.pk)),
    ("a variance of -100% without explanation", _spend("venue", actual=Decimal("0")),
     lambda w: s.explanation_key(w.venue.pk)),
    ("a blank explanation of a variance", _spend("staff", actual=Decimal("12000.00"), explanation="   "),
     lambda w: s.explanation_key(w.staff.pk)),
    ("missing progress", _narrative(progress="   "), lambda w: "progress"),
    ("missing RAG", _narrative(self_rag=""), lambda w: "self_rag"),
    ("a RAG that is not red, amber or green", _narrative(self_rag="purple"), lambda w: "self_rag"),
]


@pytest.mark.parametrize(
    "change, key", [(change, key) for _, change, key in INCOMPLETE_OR_WRONG], ids=[i for i, _, _ in INCOMPLETE_OR_WRONG],
)
def test_submitting_a_new_return_that_is_incomplete_or_wrong_is_refused_and_saves_nothing(project_with_every_unit, change, key):
    data = complete(project_with_every_unit)
    change(project_with_every_unit, data)
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert key(project_with_every_unit) in refused.value.errors, refused.value.errors
    assert row_counts() == before


@pytest.mark.parametrize(
    "change, key", [(change, key) for _, change, key in INCOMPLETE_OR_WRONG], ids=[i for i, _, _ in INCOMPLETE_OR_WRONG],
)
def test_submitting_a_draft_that_is_incomplete_or_wrong_leaves_the_draft_as_it_was(project_with_every_unit, change, key):
    draft = save_draft(project_with_every_unit, complete(project_with_every_unit, challenges="Two sessions cancelled."))
    before = snapshot(draft)
    data = complete(project_with_every_unit, challenges="Edited, never saved.")
    change(project_with_every_unit, data)

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data, version=draft.version)

    assert key(project_with_every_unit) in refused.value.errors, refused.value.errors
    assert snapshot(draft) == before


def test_a_complete_return_is_submitted_with_an_event_and_a_submission_time(project_with_every_unit):
    ret = submit(project_with_every_unit)

    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert ret.submitted_at is not None
    assert kinds(ret) == [Kind.CREATED, Kind.SUBMITTED]


def test_a_measure_not_collected_with_a_reason_may_be_submitted_and_is_stored_without_a_value(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.measures[project_with_every_unit.people.pk] = MeasureInput(not_collected=True, reason="  Register lost in a flood  ")

    ret = submit(project_with_every_unit, data)

    value = MeasureValue.objects.get(quarterly_return=ret, project_measure=project_with_every_unit.people)
    assert (value.value, value.not_collected, value.not_collected_reason) == (None, True, "Register lost in a flood")


def test_a_budget_line_of_another_project_cannot_be_reported_on(project_with_every_unit):
    other_line = f.BudgetLineFactory(project=project_with_every_unit.project_b, description="B's line")
    data = complete(project_with_every_unit)
    data.spend[other_line.pk] = SpendInput(actual=Decimal("5.00"))
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert s.spend_key(other_line.pk) in refused.value.errors
    assert row_counts() == before


def test_spend_too_large_for_the_ledger_is_refused_as_invalid_for_its_field(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk] = SpendInput(actual=Decimal("100000000000.00"), explanation="Typo")

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert s.spend_key(project_with_every_unit.staff.pk) in refused.value.errors


def test_a_measure_value_too_large_for_its_column_is_refused_for_its_field(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.measures[project_with_every_unit.match_funding.pk] = MeasureInput(value=Decimal("1000000000000"))

    with pytest.raises(Invalid) as refused:
        submit(project_with_every_unit, data)

    assert "too large" in refused.value.errors[s.value_key(project_with_every_unit.match_funding.pk)]


def test_the_largest_amount_the_ledger_holds_is_accepted_to_the_penny(project_with_every_unit):
    data = complete(project_with_every_unit)
    data.spend[project_with_every_unit.staff.pk] = SpendInput(actual=Decimal("9999999999.99"), explanation="Checking the bound.")

    ret = submit(project_with_every_unit, data)

    assert SpendLine.objects.get(quarterly_return=ret, budget_line=project_with_every_unit.staff).actual == Decimal("9999999999.99")
