"""
The quarterly return's whole cycle through its services (grants/services/returns.py),
with no web request in between: from draft to submitted, returned, approved,
verified and reopened, and the steps the workflow refuses from each status.

Every refusal is checked for what it leaves behind as well as for what it says:
a refused call must not have written a row, an event or a history record.
"""

from decimal import Decimal

import pytest

from grants.services import Invalid, NotAllowed
from grants.services import returns as s
from grants.services.returns import ReturnInput
from tests.grants.return_services.helpers import (
    Kind,
    SpendStatus,
    Status,
    approved,
    complete,
    kinds,
    save_draft,
    snapshot,
    submit,
    submitted,
)


# --- The whole cycle ------------------------------------------------------------------------


def test_a_return_goes_from_draft_to_approved_and_back_through_every_step(project_with_every_unit):
    ret = save_draft(project_with_every_unit, ReturnInput(progress="Started."))
    assert ret.status == Status.DRAFT

    ret = submit(project_with_every_unit, version=ret.version)
    assert (ret.status, ret.spend_status) == (Status.SUBMITTED, SpendStatus.NOT_CHECKED)

    ret = s.return_send_back(actor=project_with_every_unit.commissioner, ret=ret, version=ret.version,
                             comment="  Please split venue hire from staff costs.  ")
    assert ret.status == Status.RETURNED
    assert ret.events.get(kind=Kind.RETURNED).comment == "Please split venue hire from staff costs."

    ret = submit(project_with_every_unit, version=ret.version)
    assert ret.status == Status.SUBMITTED
    assert ret.events.filter(kind=Kind.SUBMITTED).order_by("at", "pk").last().comment == "Resubmitted after amendment."

    ret = s.return_approve(actor=project_with_every_unit.commissioner, ret=ret, version=ret.version, officer_rag="amber")
    assert (ret.status, ret.officer_rag) == (Status.APPROVED, "amber")
    assert ret.approved_at is not None

    ret = s.return_verify_spend(actor=project_with_every_unit.finance, ret=ret, version=ret.version, note="Matches the ledger.")
    assert (ret.status, ret.spend_status, ret.spend_note) == (Status.APPROVED, SpendStatus.VERIFIED, "Matches the ledger.")

    ret = s.return_reopen(actor=project_with_every_unit.commissioner, ret=ret, version=ret.version, reason="Venue invoice was wrong.")
    assert (ret.status, ret.approved_at) == (Status.RETURNED, None)
    assert ret.events.get(kind=Kind.REOPENED).comment == "Venue invoice was wrong."

    corrected = complete(project_with_every_unit)
    corrected.spend[project_with_every_unit.venue.pk].actual = Decimal("950.00")
    ret = submit(project_with_every_unit, corrected, version=ret.version)
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


def test_resubmitting_with_the_same_spend_keeps_the_spend_verified(project_with_every_unit):
    ret = submitted(project_with_every_unit)
    ret = s.return_verify_spend(actor=project_with_every_unit.finance, ret=ret, version=ret.version)
    ret = s.return_send_back(actor=project_with_every_unit.commissioner, ret=ret, version=ret.version, comment="Add a case study.")

    ret = submit(project_with_every_unit, complete(project_with_every_unit, case_study="A young man joined the boxing club."), version=ret.version)

    assert ret.spend_status == SpendStatus.VERIFIED
    assert ret.events.order_by("at", "pk").last().comment == "Resubmitted after amendment."


def test_changed_spend_on_resubmission_needs_verifying_again(project_with_every_unit):
    ret = submitted(project_with_every_unit)
    ret = s.return_query_spend(actor=project_with_every_unit.finance, ret=ret, version=ret.version, note="Venue looks high.")
    assert ret.spend_status == SpendStatus.QUERIED
    ret = s.return_send_back(actor=project_with_every_unit.commissioner, ret=ret, version=ret.version, comment="See finance's note.")
    corrected = complete(project_with_every_unit)
    corrected.spend[project_with_every_unit.venue.pk].actual = Decimal("900.00")

    ret = submit(project_with_every_unit, corrected, version=ret.version)

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
def test_a_review_decision_without_what_it_requires_is_refused_and_changes_nothing(project_with_every_unit, action, key):
    ret = submitted(project_with_every_unit)
    before = snapshot(ret)

    with pytest.raises(Invalid) as refused:
        action(project_with_every_unit, ret)

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
def test_someone_who_may_not_act_is_told_so_before_what_their_form_lacks(project_with_every_unit, action):
    ret = submitted(project_with_every_unit)

    with pytest.raises(NotAllowed):
        action(project_with_every_unit, ret)


def test_reopening_without_a_reason_is_refused_and_changes_nothing(project_with_every_unit):
    ret = approved(project_with_every_unit)
    before = snapshot(ret)

    with pytest.raises(Invalid) as refused:
        s.return_reopen(actor=project_with_every_unit.commissioner, ret=ret, version=ret.version, reason="   ")

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
def test_a_step_the_workflow_does_not_allow_from_the_current_status_is_refused(project_with_every_unit, state, action):
    ret = {"draft": lambda: save_draft(project_with_every_unit), "submitted": lambda: submitted(project_with_every_unit), "approved": lambda: approved(project_with_every_unit)}[state]()
    before = snapshot(ret)

    with pytest.raises(NotAllowed):
        action(project_with_every_unit, ret)

    assert snapshot(ret) == before
