"""
Who may do what to a quarterly return through its services
(grants/services/returns.py): only the delivering provider saves and submits,
only a commissioner officer of the funder approves, sends back and reopens, only
a finance officer of the funder checks the spend, and a viewer does nothing.

Every refusal is checked for what it leaves behind as well as for what it says:
a refused call must not have written a row, an event or a history record.
"""

import pytest

from grants.models import MeasureValue, QuarterlyReturn, ReturnEvent, SpendLine
from grants.services import NotAllowed
from grants.services import returns as s
from tests.grants.return_services.helpers import (
    Status,
    approved,
    complete,
    row_counts,
    save_draft,
    snapshot,
    submit,
    submitted,
)


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
        # A fresh start for each case (a return's lines and timeline are PROTECTed: they go first).
        for model in (ReturnEvent, SpendLine, MeasureValue, QuarterlyReturn):
            model.objects.all().delete()
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
