"""
Two people acting on the same version of a quarterly return through its services
(grants/services/returns.py): the second is refused as stale. The last test races
two approvals on separate database connections and needs PostgreSQL.

Every refusal is checked for what it leaves behind as well as for what it says:
a refused call must not have written a row, an event or a history record.
"""

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections

from grants.models import QuarterlyReturn, ReturnEvent, User
from grants.services import Stale
from grants.services import returns as s
from grants.services.returns import ReturnInput
from tests import factories as f
from tests.grants.return_services.helpers import (
    Q1,
    Kind,
    Status,
    complete,
    save_draft,
    snapshot,
    submit,
    submitted,
)


# --- Two people at once ----------------------------------------------------------------------


def test_two_approvals_of_the_same_version_give_one_approval_and_one_stale_refusal(project_with_every_unit):
    ret = submitted(project_with_every_unit)
    seen_by_first, seen_by_second = QuarterlyReturn.objects.get(pk=ret.pk), QuarterlyReturn.objects.get(pk=ret.pk)

    s.return_approve(actor=project_with_every_unit.commissioner, ret=seen_by_first, version=seen_by_first.version, officer_rag="green")
    with pytest.raises(Stale) as refused:
        s.return_approve(actor=project_with_every_unit.other_commissioner, ret=seen_by_second, version=seen_by_second.version,
                         officer_rag="red")

    assert "This return changed since you opened it" in refused.value.message
    assert ret.events.filter(kind=Kind.APPROVED).count() == 1
    ret.refresh_from_db()
    assert (ret.status, ret.officer_rag) == (Status.APPROVED, "green")


def test_an_approval_and_a_send_back_of_the_same_version_cannot_both_happen(project_with_every_unit):
    ret = submitted(project_with_every_unit)
    seen_by_first, seen_by_second = QuarterlyReturn.objects.get(pk=ret.pk), QuarterlyReturn.objects.get(pk=ret.pk)

    s.return_send_back(actor=project_with_every_unit.commissioner, ret=seen_by_first, version=seen_by_first.version, comment="Fix it.")
    with pytest.raises(Stale):
        s.return_approve(actor=project_with_every_unit.other_commissioner, ret=seen_by_second, version=seen_by_second.version,
                         officer_rag="green")

    ret.refresh_from_db()
    assert ret.status == Status.RETURNED
    assert not ret.events.filter(kind=Kind.APPROVED).exists()


def test_a_review_of_a_version_that_finance_has_moved_on_is_stale(project_with_every_unit):
    ret = submitted(project_with_every_unit)
    opened = QuarterlyReturn.objects.get(pk=ret.pk)
    s.return_verify_spend(actor=project_with_every_unit.finance, ret=ret, version=ret.version)
    before = snapshot(ret)

    with pytest.raises(Stale):
        s.return_approve(actor=project_with_every_unit.commissioner, ret=opened, version=opened.version, officer_rag="green")

    assert snapshot(ret) == before


def test_saving_over_a_version_someone_else_has_saved_is_refused_and_changes_nothing(project_with_every_unit):
    draft = save_draft(project_with_every_unit, complete(project_with_every_unit, progress="First version."))
    opened_version = draft.version
    save_draft(project_with_every_unit, complete(project_with_every_unit, progress="Colleague's version."), actor=project_with_every_unit.colleague_a, version=opened_version)
    before = snapshot(draft)

    stale_edit = complete(project_with_every_unit, progress="My version.")
    stale_edit.spend[project_with_every_unit.staff.pk].actual = Decimal("1.00")
    with pytest.raises(Stale) as refused:
        save_draft(project_with_every_unit, stale_edit, version=opened_version)

    assert "Nothing was saved" in refused.value.message
    assert snapshot(draft) == before
    assert QuarterlyReturn.objects.get(pk=draft.pk).progress == "Colleague's version."


def test_submitting_a_version_someone_else_has_saved_is_refused(project_with_every_unit):
    draft = save_draft(project_with_every_unit)
    save_draft(project_with_every_unit, actor=project_with_every_unit.colleague_a, version=draft.version)
    before = snapshot(draft)

    with pytest.raises(Stale):
        submit(project_with_every_unit, version=draft.version)

    assert snapshot(draft) == before


def test_starting_a_return_that_someone_else_started_meanwhile_is_stale(project_with_every_unit):
    started = save_draft(project_with_every_unit, complete(project_with_every_unit, progress="Colleague started it."), actor=project_with_every_unit.colleague_a)
    before = snapshot(started)

    with pytest.raises(Stale):
        save_draft(project_with_every_unit, complete(project_with_every_unit, progress="I thought it was new."), version=None)

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
