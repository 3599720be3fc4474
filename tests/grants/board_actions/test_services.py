"""Recording, changing, closing and reopening a board action: who may, the rules with their messages, the
stale refusal and the audit history."""

from datetime import date

import pytest
import time_machine

from grants.models import BoardAction
from grants.services import NotAllowed
from grants.services import board_actions as services
from grants.services.base import Invalid, Stale
from tests.grants.board_actions.conftest import TODAY, record, values

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(TODAY, tick=False):
        yield


def test_a_partnership_manager_records_an_action_of_its_board_linked_to_its_project(people):
    w = people
    action = record(w.manager_b, projects=[w.project_b], programmes=[w.programme], assignee=w.manager_b)

    assert (action.owner, action.status, action.version) == (w.provider_b, "open", 0)
    assert list(action.projects.all()) == [w.project_b] and list(action.programmes.all()) == [w.programme]
    first = action.history.get()
    assert (first.history_user, first.history_type) == (w.manager_b, "+")
    assert first.history_change_reason == "Recorded. Linked to CSF, B-1"


def test_the_commissioner_records_its_own_organisations_actions_and_the_administrator_reads_only(people):
    w = people
    assert record(w.commissioner, projects=[w.project_a, w.project_b]).owner == w.commissioner_org
    with pytest.raises(NotAllowed, match="record their own organisation's board actions"):
        record(w.administrator)


@pytest.mark.parametrize("actor", ["user_b", "viewer", "finance", "user_a"])
def test_others_may_not_record_an_action(people, actor):
    with pytest.raises(NotAllowed, match="record their own organisation's board actions"):
        record(getattr(people, actor))


def test_the_commissioner_does_not_record_in_a_partnerships_name(people):
    w = people
    with pytest.raises(NotAllowed):
        services.board_action_save(actor=w.commissioner, owner=w.provider_b, values=values())
    assert not BoardAction.objects.exists()


def test_the_due_date_cannot_be_before_the_resolution(people):
    with pytest.raises(Invalid) as refused:
        record(people.manager_b, due_date=date(2023, 7, 19))
    assert refused.value.errors == {"due_date": "The due date cannot be before the board resolved it (20 July 2023): "
                                                "choose a later date."}


def test_a_project_outside_the_owners_reach_is_refused(people):
    w = people
    with pytest.raises(Invalid) as refused:
        record(w.manager_b, projects=[w.project_a])
    assert refused.value.errors["projects"] == ("A-1 is not a project Provider B funds or delivers: link only "
                                                "projects within its reach.")


def test_a_programme_of_another_funder_is_refused(people):
    w = people
    with pytest.raises(Invalid) as refused:
        record(w.commissioner, programmes=[w.other_programme])
    assert "is not a programme of" in refused.value.errors["programmes"]


def test_the_assignee_belongs_to_the_owner(people):
    with pytest.raises(Invalid) as refused:
        record(people.manager_b, assignee=people.user_a)
    assert refused.value.errors["assignee"] == "Choose someone of Provider B who can sign in, or leave it empty."


def test_a_change_at_an_old_version_is_refused_and_saves_nothing(people):
    w = people
    action = record(w.manager_b)
    services.board_action_save(actor=w.manager_b, owner=w.provider_b, values=values(title="First change"),
                               action=action, version=0)
    with pytest.raises(Stale, match="changed since you opened it"):
        services.board_action_save(actor=w.manager_b, owner=w.provider_b, values=values(title="Second change"),
                                   action=action, version=0)
    assert BoardAction.objects.get().title == "First change"


def test_closing_needs_an_outcome_and_a_date_after_the_resolution(people):
    w = people
    action = record(w.manager_b)
    with pytest.raises(Invalid) as refused:
        services.board_action_close(actor=w.manager_b, action=action, version=0, status="done", outcome=" ",
                                    closed_on=date(2023, 7, 1))
    assert refused.value.errors == {
        "outcome": "Say what was done, or why the action is no longer needed: an action is closed with its outcome.",
        "closed_on": "The action cannot be closed before the board resolved it (20 July 2023).",
    }
    assert BoardAction.objects.get().status == "open"


def test_closing_and_reopening_are_in_the_history(people):
    w = people
    action = record(w.manager_b)
    closed = services.board_action_close(actor=w.manager_b, action=action, version=0, status="done",
                                         outcome="Reported on 24 January.", closed_on=date(2024, 1, 24))
    assert (closed.status, closed.closed_on, closed.version) == ("done", date(2024, 1, 24), 1)
    with pytest.raises(NotAllowed, match="reopen it before changing it"):
        services.board_action_save(actor=w.manager_b, owner=w.provider_b, values=values(), action=closed, version=1)
    with pytest.raises(Invalid, match="problem"):
        services.board_action_reopen(actor=w.manager_b, action=closed, version=1, reason="")
    reopened = services.board_action_reopen(actor=w.manager_b, action=closed, version=1, reason="The board asked again")

    assert (reopened.status, reopened.closed_on, reopened.outcome) == ("open", None, "")
    reasons = list(BoardAction.history.filter(id=action.pk).order_by("history_id")
                   .values_list("history_change_reason", flat=True))
    assert reasons == ["Recorded. No links", "Closed: done", "Reopened: The board asked again"]


def test_a_viewer_of_the_funder_may_not_close_a_partnerships_action(people):
    w = people
    action = record(w.manager_b)
    for actor in (w.viewer, w.commissioner, w.user_b):
        with pytest.raises(NotAllowed):
            services.board_action_close(actor=actor, action=action, version=0, status="done", outcome="Done.",
                                        closed_on=date(2024, 1, 24))
