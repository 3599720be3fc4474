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


def test_another_provider_cannot_start_a_return_for_a_project_it_does_not_deliver(project_with_every_unit):
    before = row_counts()

    with pytest.raises(NotAllowed):
        save_draft(project_with_every_unit, actor=project_with_every_unit.user_b)

    assert row_counts() == before


def test_another_provider_cannot_save_or_submit_an_existing_return(project_with_every_unit):
    draft = save_draft(project_with_every_unit)
    before = snapshot(draft)

    with pytest.raises(NotAllowed):
        save_draft(project_with_every_unit, complete(project_with_every_unit, progress="B was here."), actor=project_with_every_unit.user_b, version=draft.version)
    with pytest.raises(NotAllowed):
        submit(project_with_every_unit, actor=project_with_every_unit.user_b, version=draft.version)

    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["commissioner", "finance", "viewer", "outsider"])
def test_only_the_delivering_provider_can_save_figures(project_with_every_unit, who):
    draft = save_draft(project_with_every_unit)
    before = snapshot(draft)

    with pytest.raises(NotAllowed):
        save_draft(project_with_every_unit, complete(project_with_every_unit, progress="Edited by the funder."), actor=getattr(project_with_every_unit, who),
                   version=draft.version)

    assert snapshot(draft) == before


@pytest.mark.parametrize("who", ["finance", "viewer", "outsider", "user_a", "user_b"])
@pytest.mark.parametrize("decision", ["approve", "send back"])
def test_only_a_commissioner_officer_of_the_funder_can_approve_or_send_back(project_with_every_unit, who, decision):
    ret = submitted(project_with_every_unit)
    before = snapshot(ret)
    actor = getattr(project_with_every_unit, who)

    with pytest.raises(NotAllowed):
        if decision == "approve":
            s.return_approve(actor=actor, ret=ret, version=ret.version, officer_rag="green")
        else:
            s.return_send_back(actor=actor, ret=ret, version=ret.version, comment="Do it again.")

    assert snapshot(ret) == before


@pytest.mark.parametrize("who", ["finance", "viewer", "outsider", "user_a"])
def test_only_a_commissioner_officer_of_the_funder_can_reopen(project_with_every_unit, who):
    ret = approved(project_with_every_unit)
    before = snapshot(ret)

    with pytest.raises(NotAllowed):
        s.return_reopen(actor=getattr(project_with_every_unit, who), ret=ret, version=ret.version, reason="Wrong figures.")

    assert snapshot(ret) == before


@pytest.mark.parametrize("who", ["commissioner", "viewer", "outsider", "user_a"])
@pytest.mark.parametrize("check", ["verify", "query"])
def test_only_a_finance_officer_of_the_funder_can_verify_or_query_spend(project_with_every_unit, who, check):
    ret = submitted(project_with_every_unit)
    before = snapshot(ret)
    actor = getattr(project_with_every_unit, who)

    with pytest.raises(NotAllowed):
        if check == "verify":
            s.return_verify_spend(actor=actor, ret=ret, version=ret.version)
        else:
            s.return_query_spend(actor=actor, ret=ret, version=ret.version, note="Looks high.")

    assert snapshot(ret) == before


def test_a_viewer_can_do_nothing_to_a_return(project_with_every_unit):
    for make, act in [
        (lambda: None, lambda r: save_draft(project_with_every_unit, actor=project_with_every_unit.viewer)),
        (lambda: save_draft(project_with_every_unit), lambda r: submit(project_with_every_unit, actor=project_with_every_unit.viewer, version=r.version)),
        (lambda: submitted(project_with_every_unit), lambda r: s.return_approve(actor=project_with_every_unit.viewer, ret=r, version=r.version,
                                                              officer_rag="green")),
        (lambda: submitted(project_with_every_unit), lambda r: s.return_send_back(actor=project_with_every_unit.viewer, ret=r, version=r.version,
                                                                comment="No.")),
        (lambda: submitted(project_with_every_unit), lambda r: s.return_verify_spend(actor=project_with_every_unit.viewer, ret=r, version=r.version)),
        (lambda: approved(project_with_every_unit), lambda r: s.return_reopen(actor=project_with_every_unit.viewer, ret=r, version=r.version,
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


def test_a_commissioner_of_another_funder_cannot_approve_even_with_the_right_version(project_with_every_unit):
    ret = submitted(project_with_every_unit)

    with pytest.raises(NotAllowed) as refused:
        s.return_approve(actor=project_with_every_unit.outsider, ret=ret, version=ret.version, officer_rag="green")

    assert "commissioner officer of the funder" in refused.value.message
    assert QuarterlyReturn.objects.get(pk=ret.pk).status == Status.SUBMITTED
