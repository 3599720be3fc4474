"""
The quarterly return's workflow through its services (grants/services/returns.py),
with no web request in between: what a draft and a submission must hold, the
personal-data check, the whole cycle from draft to reopened, two people acting
on the same version, who may do what, and the audit history left behind.

Every refusal is checked for what it leaves behind as well as for what it says:
a refused call must not have written a row, an event or a history record.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from grants import selectors
from grants.models import (
    BudgetLine,
    MeasureValue,
    OutcomeMeasure,
    QuarterlyReturn,
    ReturnEvent,
    SpendLine,
    User,
)
from grants.periods import Quarter
from grants.services import Invalid, NotAllowed, Stale
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f

Status = QuarterlyReturn.Status
SpendStatus = QuarterlyReturn.SpendStatus
Kind = ReturnEvent.Kind
Unit = OutcomeMeasure.Unit

Q1 = Quarter(2023, 1)
Q2 = Quarter(2023, 2)


# --- The project the returns are about -------------------------------------------------


@pytest.fixture
def world(actors):
    """Project A with two budget lines profiled at £10,000 and £1,000 a quarter, and one
    outcome measure of each unit, all for 2023-24."""
    project = actors.project_a
    actors.staff = f.BudgetLineFactory(
        project=project, category=BudgetLine.Category.STAFF, description="Youth workers",
    )
    actors.venue = f.BudgetLineFactory(
        project=project, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000.00"),
        profile_q1=Decimal("1000.00"), profile_q2=Decimal("1000.00"),
        profile_q3=Decimal("1000.00"), profile_q4=Decimal("1000.00"),
    )
    actors.people = f.ProjectMeasureFactory(
        project=project, measure=f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, cumulative=True),
    )
    actors.satisfaction = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, cumulative=False),
    )
    actors.policy = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("1"),
        measure=f.OutcomeMeasureFactory(name="Safeguarding policy reviewed", unit=Unit.YES_NO, cumulative=False),
    )
    actors.match_funding = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("5000"),
        measure=f.OutcomeMeasureFactory(name="Match funding secured", unit=Unit.MONEY, cumulative=True),
    )
    actors.other_commissioner = f.UserFactory(
        username="commissioner-2", organisation=actors.commissioner_org, role=User.Role.COMMISSIONER,
    )
    actors.colleague_a = f.UserFactory(username="provider-a-2", organisation=actors.provider_a, role=User.Role.PROVIDER)
    return actors


def complete(w, **narrative) -> ReturnInput:
    """A return for project A that can be submitted as it is: spend on profile, every measure answered."""
    fields = dict(progress="Ran 24 evening sessions in two youth centres.", self_rag="green")
    fields.update(narrative)
    return ReturnInput(
        spend={
            w.staff.pk: SpendInput(actual=Decimal("10000.00")),
            w.venue.pk: SpendInput(actual=Decimal("1000.00")),
        },
        measures={
            w.people.pk: MeasureInput(value=Decimal("35")),
            w.satisfaction.pk: MeasureInput(value=Decimal("92.5")),
            w.policy.pk: MeasureInput(value=Decimal("1")),
            w.match_funding.pk: MeasureInput(value=Decimal("1250.50")),
        },
        **fields,
    )


def save_draft(w, data=None, *, actor=None, version=None, quarter=Q1):
    return s.return_save_draft(
        actor=actor or w.user_a, project=w.project_a, quarter=quarter, version=version, data=data or complete(w),
    )


def submit(w, data=None, *, actor=None, version=None, quarter=Q1):
    return s.return_submit(
        actor=actor or w.user_a, project=w.project_a, quarter=quarter, version=version, data=data or complete(w),
    )


def submitted(w, quarter=Q1):
    return submit(w, quarter=quarter)


def approved(w):
    ret = submitted(w)
    return s.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")


def row_counts() -> dict:
    """How many rows every table a return writes to holds, audit history included."""
    return {
        "returns": QuarterlyReturn.objects.count(),
        "spend lines": SpendLine.objects.count(),
        "measure values": MeasureValue.objects.count(),
        "events": ReturnEvent.objects.count(),
        "return history": QuarterlyReturn.history.count(),
        "spend history": SpendLine.history.count(),
        "measure history": MeasureValue.history.count(),
    }


def snapshot(ret: QuarterlyReturn) -> dict:
    """Everything about a saved return that a refused call must leave as it was."""
    ret = QuarterlyReturn.objects.get(pk=ret.pk)
    return {
        "return": {name: getattr(ret, name) for name in (
            "status", "spend_status", "spend_note", "version", "progress", "challenges", "case_study", "risks",
            "self_rag", "officer_rag", "submitted_at", "approved_at",
        )},
        "spend": sorted(SpendLine.objects.filter(quarterly_return=ret).values_list(
            "budget_line_id", "actual", "variance_explanation")),
        "measures": sorted(MeasureValue.objects.filter(quarterly_return=ret).values_list(
            "project_measure_id", "value", "not_collected", "not_collected_reason")),
        "events": list(ret.events.values_list("kind", "actor_id", "comment")),
        "tables": row_counts(),
    }


def kinds(ret) -> list[str]:
    return list(ReturnEvent.objects.filter(quarterly_return_id=ret.pk).order_by("at", "pk").values_list("kind", flat=True))


# --- Saving a draft ---------------------------------------------------------------------


def test_saving_a_first_draft_creates_the_return_with_a_created_and_a_saved_event(world):
    before = row_counts()

    ret = save_draft(world)

    ret.refresh_from_db()
    assert (ret.project, ret.financial_year, ret.quarter, ret.status) == (world.project_a, 2023, 1, Status.DRAFT)
    assert kinds(ret) == [Kind.CREATED, Kind.SAVED]
    assert set(ret.events.values_list("actor", flat=True)) == {world.user_a.pk}
    assert dict(ret.spend_lines.values_list("budget_line", "actual")) == {
        world.staff.pk: Decimal("10000.00"), world.venue.pk: Decimal("1000.00"),
    }
    assert dict(ret.measure_values.values_list("project_measure", "value")) == {
        world.people.pk: Decimal("35"), world.satisfaction.pk: Decimal("92.5"),
        world.policy.pk: Decimal("1"), world.match_funding.pk: Decimal("1250.50"),
    }
    after = row_counts()
    assert (after["returns"] - before["returns"], after["events"] - before["events"]) == (1, 2)


def test_a_draft_may_be_saved_with_nothing_but_a_line_of_progress(world):
    ret = save_draft(world, ReturnInput(progress="Recruiting staff."))

    ret.refresh_from_db()
    assert ret.status == Status.DRAFT
    assert ret.progress == "Recruiting staff."
    # A spend line for every budget line, empty rather than £0 until the provider enters it.
    assert dict(ret.spend_lines.values_list("budget_line", "actual")) == {world.staff.pk: None, world.venue.pk: None}
    assert ret.measure_values.count() == 4


def test_saving_a_draft_again_updates_the_same_return_and_adds_a_saved_event(world):
    first = save_draft(world, ReturnInput(progress="Recruiting staff."))

    second = save_draft(world, complete(world), version=first.version)

    assert second.pk == first.pk
    assert second.version > first.version
    assert QuarterlyReturn.objects.filter(project=world.project_a).count() == 1
    assert kinds(second) == [Kind.CREATED, Kind.SAVED, Kind.SAVED]
    assert QuarterlyReturn.objects.get(pk=first.pk).progress == "Ran 24 evening sessions in two youth centres."


@pytest.mark.parametrize(
    "actual", [Decimal("-0.01"), Decimal("12.345")], ids=["negative spend", "spend with three decimal places"],
)
def test_a_draft_refuses_spend_that_can_never_be_right(world, actual):
    data = complete(world)
    data.spend[world.staff.pk].actual = actual
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        save_draft(world, data)

    assert s.spend_key(world.staff.pk) in refused.value.errors
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
def test_submitting_a_new_return_that_is_incomplete_or_wrong_is_refused_and_saves_nothing(world, change, key):
    data = complete(world)
    change(world, data)
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert key(world) in refused.value.errors, refused.value.errors
    assert row_counts() == before


@pytest.mark.parametrize(
    "change, key", [(change, key) for _, change, key in INCOMPLETE_OR_WRONG], ids=[i for i, _, _ in INCOMPLETE_OR_WRONG],
)
def test_submitting_a_draft_that_is_incomplete_or_wrong_leaves_the_draft_as_it_was(world, change, key):
    draft = save_draft(world, complete(world, challenges="Two sessions cancelled."))
    before = snapshot(draft)
    data = complete(world, challenges="Edited, never saved.")
    change(world, data)

    with pytest.raises(Invalid) as refused:
        submit(world, data, version=draft.version)

    assert key(world) in refused.value.errors, refused.value.errors
    assert snapshot(draft) == before


def test_a_complete_return_is_submitted_with_an_event_and_a_submission_time(world):
    ret = submit(world)

    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert ret.submitted_at is not None
    assert kinds(ret) == [Kind.CREATED, Kind.SUBMITTED]


def test_a_measure_not_collected_with_a_reason_may_be_submitted_and_is_stored_without_a_value(world):
    data = complete(world)
    data.measures[world.people.pk] = MeasureInput(not_collected=True, reason="  Register lost in a flood  ")

    ret = submit(world, data)

    value = MeasureValue.objects.get(quarterly_return=ret, project_measure=world.people)
    assert (value.value, value.not_collected, value.not_collected_reason) == (None, True, "Register lost in a flood")


def test_a_budget_line_of_another_project_cannot_be_reported_on(world):
    other_line = f.BudgetLineFactory(project=world.project_b, description="B's line")
    data = complete(world)
    data.spend[other_line.pk] = SpendInput(actual=Decimal("5.00"))
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert s.spend_key(other_line.pk) in refused.value.errors
    assert row_counts() == before


def test_spend_too_large_for_the_ledger_is_refused_as_invalid_for_its_field(world):
    data = complete(world)
    data.spend[world.staff.pk] = SpendInput(actual=Decimal("100000000000.00"), explanation="Typo")

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert s.spend_key(world.staff.pk) in refused.value.errors


def test_a_measure_value_too_large_for_its_column_is_refused_for_its_field(world):
    data = complete(world)
    data.measures[world.match_funding.pk] = MeasureInput(value=Decimal("1000000000000"))

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert "too large" in refused.value.errors[s.value_key(world.match_funding.pk)]


def test_the_largest_amount_the_ledger_holds_is_accepted_to_the_penny(world):
    data = complete(world)
    data.spend[world.staff.pk] = SpendInput(actual=Decimal("9999999999.99"), explanation="Checking the bound.")

    ret = submit(world, data)

    assert SpendLine.objects.get(quarterly_return=ret, budget_line=world.staff).actual == Decimal("9999999999.99")


# --- Variance against profile -------------------------------------------------------------


def test_the_variance_threshold_is_the_programmes_and_a_variance_exactly_at_it_needs_no_explanation(world):
    data = complete(world)
    data.spend[world.staff.pk].actual = Decimal("11000.00")  # +10.0% against £10,000, the default threshold

    assert submit(world, data).status == Status.SUBMITTED


def test_a_variance_just_over_the_threshold_needs_an_explanation(world):
    data = complete(world)
    data.spend[world.staff.pk].actual = Decimal("11010.00")  # +10.1%

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert "+10.1%" in refused.value.errors[s.explanation_key(world.staff.pk)]


def test_the_threshold_is_compared_with_the_exact_variance_not_the_rounded_one(world):
    data = complete(world)
    data.spend[world.staff.pk].actual = Decimal("11000.50")  # +10.005%: shown as +10.0%, but over 10%

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert "£11,000.50 against a profile of £10,000.00" in refused.value.errors[s.explanation_key(world.staff.pk)]


def test_a_programme_with_a_wider_threshold_accepts_a_wider_variance_without_explanation(world):
    world.programme.variance_threshold_percent = Decimal("25.00")
    world.programme.save()
    data = complete(world)
    data.spend[world.staff.pk].actual = Decimal("12000.00")  # +20%

    assert submit(world, data).status == Status.SUBMITTED


def test_the_variance_counts_the_spend_of_the_earlier_quarters_of_the_year(world):
    q1 = complete(world)
    q1.spend[world.staff.pk] = SpendInput(actual=Decimal("15000.00"), explanation="Front-loaded recruitment.")
    submit(world, q1, quarter=Q1)
    q2 = complete(world)  # £10,000: on profile for the quarter, but £25,000 against £20,000 to date (+25%)

    with pytest.raises(Invalid) as refused:
        submit(world, q2, quarter=Q2)

    message = refused.value.errors[s.explanation_key(world.staff.pk)]
    assert "+25.0%" in message
    assert not QuarterlyReturn.objects.filter(quarter=2).exists()


def test_spend_that_brings_the_year_back_to_profile_needs_no_explanation(world):
    q1 = complete(world)
    q1.spend[world.staff.pk] = SpendInput(actual=Decimal("15000.00"), explanation="Front-loaded recruitment.")
    submit(world, q1, quarter=Q1)
    q2 = complete(world)
    q2.spend[world.staff.pk].actual = Decimal("5000.00")  # -50% for the quarter, on profile to date

    assert submit(world, q2, quarter=Q2).status == Status.SUBMITTED


def test_a_variance_with_an_explanation_is_submitted_and_the_explanation_kept(world):
    data = complete(world)
    data.spend[world.staff.pk] = SpendInput(actual=Decimal("12000.00"), explanation="  Extra summer sessions.  ")

    ret = submit(world, data)

    assert SpendLine.objects.get(quarterly_return=ret, budget_line=world.staff).variance_explanation == (
        "Extra summer sessions."
    )


# --- Personal data in the narrative ---------------------------------------------------------

PERSONAL_DATA = [
    ("an e-mail address", "an e-mail address", "Contact the young person at jay.smith@example.com for follow-up"),
    ("a Leeds landline", "a phone number", "His mum can be reached on 0113 496 0000 most evenings"),
    ("a mobile in international form", "a phone number", "Her number is +44 7700 900123 if the group needs her"),
    ("a mobile", "a phone number", "Text 07700 900123 to book"),
    ("a full postcode", "a full postcode", "The family moved to BD1 1HY in May"),
    ("a lower-case postcode", "a full postcode", "lives near bd1 1hy"),
    ("a National Insurance number", "a National Insurance number", "Her NI number JG 10 37 59 A was on the form"),
    ("a National Insurance number without spaces", "a National Insurance number", "NINO JG103759A"),
]


@pytest.mark.parametrize("field", ["progress", "challenges", "case_study", "risks"])
@pytest.mark.parametrize("kind, text", [(k, t) for _, k, t in PERSONAL_DATA], ids=[i for i, _, _ in PERSONAL_DATA])
def test_personal_data_in_the_narrative_is_flagged_on_submit(world, field, kind, text):
    data = complete(world)
    setattr(data, field, f"{data.progress} {text}" if field == "progress" else text)
    before = row_counts()

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert list(refused.value.errors) == [field]
    assert f"looks like it contains {kind}" in refused.value.errors[field]
    assert row_counts() == before


def test_personal_data_in_a_variance_explanation_or_a_not_collected_reason_is_flagged_too(world):
    data = complete(world)
    data.spend[world.staff.pk] = SpendInput(actual=Decimal("12000.00"), explanation="Ask jo@example.org in payroll")
    data.measures[world.people.pk] = MeasureInput(not_collected=True, reason="Worker at BD1 1HY was off sick")

    with pytest.raises(Invalid) as refused:
        submit(world, data)

    assert set(refused.value.errors) == {s.explanation_key(world.staff.pk), s.reason_key(world.people.pk)}


def test_personal_data_is_only_flagged_on_submit_not_on_saving_a_draft(world):
    ret = save_draft(world, complete(world, case_study="Call 0113 496 0000"))

    assert QuarterlyReturn.objects.get(pk=ret.pk).case_study == "Call 0113 496 0000"


def test_personal_data_is_not_flagged_once_the_provider_has_checked_it(world):
    data = complete(world, case_study="Our office is at BD1 1HY; ring 0113 496 0000.")
    data.personal_data_checked = True

    assert submit(world, data).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "text",
    [
        "We spent £1,250.50 on venue hire.",
        "96% of participants were satisfied.",
        "Spend was £10,000.00 against a profile of £12,500 for 2023-24.",
        "Sessions ran from 01/04/2023 to 30/06/2023 for 1,200 young people.",
        "We reached 96 % of the target and 0 incidents were reported.",
        "Recruitment began in Q1 2nd week and finished in Q3.",
    ],
)
def test_amounts_percentages_and_dates_are_not_mistaken_for_personal_data(world, text):
    assert submit(world, complete(world, progress=text)).status == Status.SUBMITTED


@pytest.mark.parametrize("text", ["You can ring her on 0113 496 0000.", "Ring +44 7700 900123, after 6pm"])
def test_a_phone_number_at_the_end_of_a_sentence_is_flagged(world, text):
    with pytest.raises(Invalid) as refused:
        submit(world, complete(world, case_study=text))

    assert "a phone number" in refused.value.errors["case_study"]


def test_the_specimen_national_insurance_number_is_flagged(world):
    with pytest.raises(Invalid) as refused:
        submit(world, complete(world, case_study="Her NI number is QQ 12 34 56 C"))

    assert "a National Insurance number" in refused.value.errors["case_study"]


# --- The whole cycle ------------------------------------------------------------------------


def test_a_return_goes_from_draft_to_approved_and_back_through_every_step(world):
    ret = save_draft(world, ReturnInput(progress="Started."))
    assert ret.status == Status.DRAFT

    ret = submit(world, version=ret.version)
    assert (ret.status, ret.spend_status) == (Status.SUBMITTED, SpendStatus.NOT_CHECKED)

    ret = s.return_send_back(actor=world.commissioner, ret=ret, version=ret.version,
                             comment="  Please split venue hire from staff costs.  ")
    assert ret.status == Status.RETURNED
    assert ret.events.get(kind=Kind.RETURNED).comment == "Please split venue hire from staff costs."

    ret = submit(world, version=ret.version)
    assert ret.status == Status.SUBMITTED
    assert ret.events.filter(kind=Kind.SUBMITTED).order_by("at", "pk").last().comment == "Resubmitted after amendment."

    ret = s.return_approve(actor=world.commissioner, ret=ret, version=ret.version, officer_rag="amber")
    assert (ret.status, ret.officer_rag) == (Status.APPROVED, "amber")
    assert ret.approved_at is not None

    ret = s.return_verify_spend(actor=world.finance, ret=ret, version=ret.version, note="Matches the ledger.")
    assert (ret.status, ret.spend_status, ret.spend_note) == (Status.APPROVED, SpendStatus.VERIFIED, "Matches the ledger.")

    ret = s.return_reopen(actor=world.commissioner, ret=ret, version=ret.version, reason="Venue invoice was wrong.")
    assert (ret.status, ret.approved_at) == (Status.RETURNED, None)
    assert ret.events.get(kind=Kind.REOPENED).comment == "Venue invoice was wrong."

    corrected = complete(world)
    corrected.spend[world.venue.pk].actual = Decimal("950.00")
    ret = submit(world, corrected, version=ret.version)
    assert (ret.status, ret.spend_status) == (Status.SUBMITTED, SpendStatus.NOT_CHECKED)
    last = ret.events.order_by("at", "pk").last()
    assert "Resubmitted after amendment." in last.comment
    assert "Spend figures changed" in last.comment

    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert kinds(ret) == [
        Kind.CREATED, Kind.SAVED, Kind.SUBMITTED, Kind.RETURNED, Kind.SUBMITTED, Kind.APPROVED,
        Kind.SPEND_VERIFIED, Kind.REOPENED, Kind.SUBMITTED,
    ]
    assert list(ret.events.order_by("at", "pk").values_list("actor__username", flat=True)) == [
        "provider-a", "provider-a", "provider-a", "commissioner", "provider-a", "commissioner",
        "finance", "commissioner", "provider-a",
    ]


def test_resubmitting_with_the_same_spend_keeps_the_spend_verified(world):
    ret = submitted(world)
    ret = s.return_verify_spend(actor=world.finance, ret=ret, version=ret.version)
    ret = s.return_send_back(actor=world.commissioner, ret=ret, version=ret.version, comment="Add a case study.")

    ret = submit(world, complete(world, case_study="A young man joined the boxing club."), version=ret.version)

    assert ret.spend_status == SpendStatus.VERIFIED
    assert ret.events.order_by("at", "pk").last().comment == "Resubmitted after amendment."


def test_changed_spend_on_resubmission_needs_verifying_again(world):
    ret = submitted(world)
    ret = s.return_query_spend(actor=world.finance, ret=ret, version=ret.version, note="Venue looks high.")
    assert ret.spend_status == SpendStatus.QUERIED
    ret = s.return_send_back(actor=world.commissioner, ret=ret, version=ret.version, comment="See finance's note.")
    corrected = complete(world)
    corrected.spend[world.venue.pk].actual = Decimal("900.00")

    ret = submit(world, corrected, version=ret.version)

    assert ret.spend_status == SpendStatus.NOT_CHECKED


@pytest.mark.parametrize(
    "action, key",
    [
        (lambda w, r: s.return_send_back(actor=w.commissioner, ret=r, version=r.version, comment="  "), "comment"),
        (lambda w, r: s.return_approve(actor=w.commissioner, ret=r, version=r.version, officer_rag=""), "officer_rag"),
        (lambda w, r: s.return_approve(actor=w.commissioner, ret=r, version=r.version, officer_rag="blue"),
         "officer_rag"),
        (lambda w, r: s.return_query_spend(actor=w.finance, ret=r, version=r.version, note=" "), "note"),
    ],
    ids=["sending back without a comment", "approving without the officer's RAG", "approving with a RAG not offered",
         "querying spend without a note"],
)
def test_a_review_decision_without_what_it_requires_is_refused_and_changes_nothing(world, action, key):
    ret = submitted(world)
    before = snapshot(ret)

    with pytest.raises(Invalid) as refused:
        action(world, ret)

    assert key in refused.value.errors
    assert snapshot(ret) == before


@pytest.mark.parametrize(
    "action",
    [
        lambda w, r: s.return_approve(actor=w.user_a, ret=r, version=r.version, officer_rag=""),
        lambda w, r: s.return_send_back(actor=w.finance, ret=r, version=r.version, comment=""),
        lambda w, r: s.return_query_spend(actor=w.commissioner, ret=r, version=r.version, note=""),
    ],
    ids=["provider approves without a rating", "finance sends back without a comment",
         "commissioner queries spend without a note"],
)
def test_someone_who_may_not_act_is_told_so_before_what_their_form_lacks(world, action):
    ret = submitted(world)

    with pytest.raises(NotAllowed):
        action(world, ret)


def test_reopening_without_a_reason_is_refused_and_changes_nothing(world):
    ret = approved(world)
    before = snapshot(ret)

    with pytest.raises(Invalid) as refused:
        s.return_reopen(actor=world.commissioner, ret=ret, version=ret.version, reason="   ")

    assert "reason" in refused.value.errors
    assert snapshot(ret) == before


@pytest.mark.parametrize(
    "state, action",
    [
        ("draft", lambda w, r: s.return_approve(actor=w.commissioner, ret=r, version=r.version, officer_rag="green")),
        ("draft", lambda w, r: s.return_send_back(actor=w.commissioner, ret=r, version=r.version, comment="No")),
        ("draft", lambda w, r: s.return_verify_spend(actor=w.finance, ret=r, version=r.version)),
        ("submitted", lambda w, r: s.return_reopen(actor=w.commissioner, ret=r, version=r.version, reason="Why")),
        ("submitted", lambda w, r: save_draft(w, version=r.version)),
        ("approved", lambda w, r: s.return_approve(actor=w.commissioner, ret=r, version=r.version, officer_rag="red")),
        ("approved", lambda w, r: s.return_send_back(actor=w.commissioner, ret=r, version=r.version, comment="No")),
        ("approved", lambda w, r: submit(w, version=r.version)),
    ],
    ids=["approve a draft", "send back a draft", "verify the spend of a draft", "reopen a submitted return",
         "save figures on a submitted return", "approve an approved return", "send back an approved return",
         "resubmit an approved return"],
)
def test_a_step_the_workflow_does_not_allow_from_the_current_status_is_refused(world, state, action):
    ret = {"draft": lambda: save_draft(world), "submitted": lambda: submitted(world), "approved": lambda: approved(world)}[state]()
    before = snapshot(ret)

    with pytest.raises(NotAllowed):
        action(world, ret)

    assert snapshot(ret) == before


# --- Two people at once ----------------------------------------------------------------------


def test_two_approvals_of_the_same_version_give_one_approval_and_one_stale_refusal(world):
    ret = submitted(world)
    seen_by_first, seen_by_second = QuarterlyReturn.objects.get(pk=ret.pk), QuarterlyReturn.objects.get(pk=ret.pk)

    s.return_approve(actor=world.commissioner, ret=seen_by_first, version=seen_by_first.version, officer_rag="green")
    with pytest.raises(Stale) as refused:
        s.return_approve(actor=world.other_commissioner, ret=seen_by_second, version=seen_by_second.version,
                         officer_rag="red")

    assert "This return changed since you opened it" in refused.value.message
    assert ret.events.filter(kind=Kind.APPROVED).count() == 1
    ret.refresh_from_db()
    assert (ret.status, ret.officer_rag) == (Status.APPROVED, "green")


def test_an_approval_and_a_send_back_of_the_same_version_cannot_both_happen(world):
    ret = submitted(world)
    seen_by_first, seen_by_second = QuarterlyReturn.objects.get(pk=ret.pk), QuarterlyReturn.objects.get(pk=ret.pk)

    s.return_send_back(actor=world.commissioner, ret=seen_by_first, version=seen_by_first.version, comment="Fix it.")
    with pytest.raises(Stale):
        s.return_approve(actor=world.other_commissioner, ret=seen_by_second, version=seen_by_second.version,
                         officer_rag="green")

    ret.refresh_from_db()
    assert ret.status == Status.RETURNED
    assert not ret.events.filter(kind=Kind.APPROVED).exists()


def test_a_review_of_a_version_that_finance_has_moved_on_is_stale(world):
    ret = submitted(world)
    opened = QuarterlyReturn.objects.get(pk=ret.pk)
    s.return_verify_spend(actor=world.finance, ret=ret, version=ret.version)
    before = snapshot(ret)

    with pytest.raises(Stale):
        s.return_approve(actor=world.commissioner, ret=opened, version=opened.version, officer_rag="green")

    assert snapshot(ret) == before


def test_saving_over_a_version_someone_else_has_saved_is_refused_and_changes_nothing(world):
    draft = save_draft(world, complete(world, progress="First version."))
    opened_version = draft.version
    save_draft(world, complete(world, progress="Colleague's version."), actor=world.colleague_a, version=opened_version)
    before = snapshot(draft)

    stale_edit = complete(world, progress="My version.")
    stale_edit.spend[world.staff.pk].actual = Decimal("1.00")
    with pytest.raises(Stale) as refused:
        save_draft(world, stale_edit, version=opened_version)

    assert "Nothing was saved" in refused.value.message
    assert snapshot(draft) == before
    assert QuarterlyReturn.objects.get(pk=draft.pk).progress == "Colleague's version."


def test_submitting_a_version_someone_else_has_saved_is_refused(world):
    draft = save_draft(world)
    save_draft(world, actor=world.colleague_a, version=draft.version)
    before = snapshot(draft)

    with pytest.raises(Stale):
        submit(world, version=draft.version)

    assert snapshot(draft) == before


def test_starting_a_return_that_someone_else_started_meanwhile_is_stale(world):
    started = save_draft(world, complete(world, progress="Colleague started it."), actor=world.colleague_a)
    before = snapshot(started)

    with pytest.raises(Stale):
        save_draft(world, complete(world, progress="I thought it was new."), version=None)

    assert snapshot(started) == before


def _on_postgresql():
    return connection.vendor == "postgresql"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_on_separate_connections_give_exactly_one_approval(actors):
    """Real concurrency: each approval in its own thread and database connection, released together."""
    if not _on_postgresql():
        pytest.skip("SQLite serialises writers; the row-lock race needs PostgreSQL")
    project = actors.project_a
    ret = s.return_submit(actor=actors.user_a, project=project, quarter=Q1, version=None,
                          data=ReturnInput(progress="Done.", self_rag="green"))
    second = f.UserFactory(username="commissioner-2", organisation=actors.commissioner_org, role=User.Role.COMMISSIONER)
    start = threading.Barrier(2)
    outcomes = []

    def approve(user, rag):
        try:
            seen = QuarterlyReturn.objects.get(pk=ret.pk)
            start.wait(timeout=10)
            s.return_approve(actor=user, ret=seen, version=ret.version, officer_rag=rag)
            outcomes.append("approved")
        except Stale:
            outcomes.append("stale")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(user, rag)) for user, rag in
               [(actors.commissioner, "green"), (second, "red")]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["approved", "stale"]
    assert ReturnEvent.objects.filter(quarterly_return=ret, kind=Kind.APPROVED).count() == 1


# --- Who may do what -------------------------------------------------------------------------


def test_another_provider_cannot_start_a_return_for_a_project_it_does_not_deliver(world):
    before = row_counts()

    with pytest.raises(NotAllowed):
        save_draft(world, actor=world.user_b)

    assert row_counts() == before


def test_another_provider_cannot_save_or_submit_an_existing_return(world):
    draft = save_draft(world)
    before = snapshot(draft)

    with pytest.raises(NotAllowed):
        save_draft(world, complete(world, progress="B was here."), actor=world.user_b, version=draft.version)
    with pytest.raises(NotAllowed):
        submit(world, actor=world.user_b, version=draft.version)

    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["commissioner", "finance", "viewer", "outsider"])
def test_only_the_delivering_provider_can_save_figures(world, who):
    draft = save_draft(world)
    before = snapshot(draft)

    with pytest.raises(NotAllowed):
        save_draft(world, complete(world, progress="Edited by the funder."), actor=getattr(world, who),
                   version=draft.version)

    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["finance", "viewer", "outsider", "user_a", "user_b"])
@pytest.mark.parametrize("decision", ["approve", "send back"])
def test_only_a_commissioner_officer_of_the_funder_can_approve_or_send_back(world, who, decision):
    ret = submitted(world)
    before = snapshot(ret)
    actor = getattr(world, who)

    with pytest.raises(NotAllowed):
        if decision == "approve":
            s.return_approve(actor=actor, ret=ret, version=ret.version, officer_rag="green")
        else:
            s.return_send_back(actor=actor, ret=ret, version=ret.version, comment="Do it again.")

    assert snapshot(ret) == before


@pytest.mark.parametrize("who", ["finance", "viewer", "outsider", "user_a"])
def test_only_a_commissioner_officer_of_the_funder_can_reopen(world, who):
    ret = approved(world)
    before = snapshot(ret)

    with pytest.raises(NotAllowed):
        s.return_reopen(actor=getattr(world, who), ret=ret, version=ret.version, reason="Wrong figures.")

    assert snapshot(ret) == before


@pytest.mark.parametrize("who", ["commissioner", "viewer", "outsider", "user_a"])
@pytest.mark.parametrize("check", ["verify", "query"])
def test_only_a_finance_officer_of_the_funder_can_verify_or_query_spend(world, who, check):
    ret = submitted(world)
    before = snapshot(ret)
    actor = getattr(world, who)

    with pytest.raises(NotAllowed):
        if check == "verify":
            s.return_verify_spend(actor=actor, ret=ret, version=ret.version)
        else:
            s.return_query_spend(actor=actor, ret=ret, version=ret.version, note="Looks high.")

    assert snapshot(ret) == before


def test_a_viewer_can_do_nothing_to_a_return(world):
    for make, act in [
        (lambda: None, lambda r: save_draft(world, actor=world.viewer)),
        (lambda: save_draft(world), lambda r: submit(world, actor=world.viewer, version=r.version)),
        (lambda: submitted(world), lambda r: s.return_approve(actor=world.viewer, ret=r, version=r.version,
                                                              officer_rag="green")),
        (lambda: submitted(world), lambda r: s.return_send_back(actor=world.viewer, ret=r, version=r.version,
                                                                comment="No.")),
        (lambda: submitted(world), lambda r: s.return_verify_spend(actor=world.viewer, ret=r, version=r.version)),
        (lambda: approved(world), lambda r: s.return_reopen(actor=world.viewer, ret=r, version=r.version,
                                                            reason="Because.")),
    ]:
        QuarterlyReturn.objects.all().delete()
        ret = make()
        before = row_counts() if ret is None else snapshot(ret)
        with pytest.raises(NotAllowed):
            act(ret)
        assert (row_counts() if ret is None else snapshot(ret)) == before


def test_a_commissioner_of_another_funder_cannot_approve_even_with_the_right_version(world):
    ret = submitted(world)

    with pytest.raises(NotAllowed) as refused:
        s.return_approve(actor=world.outsider, ret=ret, version=ret.version, officer_rag="green")

    assert "commissioner officer of the funder" in refused.value.message
    assert QuarterlyReturn.objects.get(pk=ret.pk).status == Status.SUBMITTED


# --- Audit history ---------------------------------------------------------------------------


def test_saving_and_submitting_leave_history_records_of_the_return_and_its_spend_lines(world):
    ret = save_draft(world, ReturnInput(progress="Started."))
    data = complete(world)
    data.spend[world.staff.pk].actual = Decimal("9800.00")

    submit(world, data, version=ret.version)

    statuses = list(QuarterlyReturn.history.filter(id=ret.pk).order_by("history_date", "history_id")
                    .values_list("status", flat=True))
    assert statuses[0] == Status.DRAFT
    assert statuses[-1] == Status.SUBMITTED
    staff_history = list(SpendLine.history.filter(quarterly_return_id=ret.pk, budget_line_id=world.staff.pk)
                         .order_by("history_date", "history_id").values_list("actual", flat=True))
    assert staff_history[-1] == Decimal("9800.00")
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk, project_measure_id=world.people.pk,
                                       value=Decimal("35")).exists()
    # The services take no request: who did it is for the web layer's middleware to record.
    assert not QuarterlyReturn.history.filter(id=ret.pk, history_user__isnull=False).exists()


def test_every_spend_line_of_a_new_return_is_in_the_history_from_its_creation(world):
    ret = save_draft(world, ReturnInput(progress="Started."))

    created = SpendLine.history.filter(quarterly_return_id=ret.pk, history_type="+")
    assert sorted(created.values_list("budget_line_id", flat=True)) == sorted([world.staff.pk, world.venue.pk])


def test_a_save_that_changes_no_figure_writes_no_spend_history(world):
    ret = save_draft(world)
    spend_records = SpendLine.history.filter(quarterly_return_id=ret.pk).count()
    measure_records = MeasureValue.history.filter(quarterly_return_id=ret.pk).count()

    save_draft(world, complete(world, challenges="Only the narrative changed."), version=ret.version)

    assert SpendLine.history.filter(quarterly_return_id=ret.pk).count() == spend_records
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk).count() == measure_records


def test_the_field_history_lists_a_change_of_spend_with_its_old_and_new_figure(world):
    ret = save_draft(world)
    changed = complete(world)
    changed.spend[world.staff.pk].actual = Decimal("9750.25")

    save_draft(world, changed, version=ret.version)

    spend_changes = [c for c in selectors.return_field_history(ret) if c.subject == "Spend: Youth workers"]
    assert [(c.old, c.new) for c in spend_changes] == [
        (Decimal("10000.00"), Decimal("9750.25")), (None, Decimal("10000.00")),
    ]
    assert spend_changes[0].field == "actual spend this quarter"
