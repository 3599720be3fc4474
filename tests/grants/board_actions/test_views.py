"""The board action pages for every actor: the partnership sees its own actions, the funder its own and those
of the organisations it funds; another partnership, a provider without a role in it and another funder get
404; a viewer reads but cannot change. And the overdue actions on the work lists."""

import re
from datetime import date, datetime, timezone
from html import unescape

import pytest
import time_machine

from grants.models import BoardAction
from grants.services import board_actions as services
from tests.dates import date_boxes
from tests.grants.board_actions.conftest import TODAY, record
from tests.worlds import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime(2024, 5, 15, 12, tzinfo=timezone.utc), tick=False):
        yield


@pytest.fixture
def world(people):
    w = people
    w.action_b = record(w.manager_b, projects=[w.project_b], title="B's needs assessment to come back")
    w.action_funder = record(w.commissioner, projects=[w.project_a], title="The panel's review of A-1",
                             due_date=date(2024, 6, 30))
    return w


def page(user, path):
    response = client_for(user).get(path)
    return response.status_code, unescape(response.content.decode())


@pytest.mark.parametrize("actor, sees", [
    ("manager_b", ["B's needs assessment to come back"]),
    ("user_b", ["B's needs assessment to come back"]),
    ("user_a", []),
    ("viewer", ["B's needs assessment to come back", "The panel's review of A-1"]),
    ("commissioner", ["B's needs assessment to come back", "The panel's review of A-1"]),
    ("finance", ["B's needs assessment to come back", "The panel's review of A-1"]),
    ("outsider", []),
])
def test_the_list_holds_what_each_actor_reaches(world, actor, sees):
    status, content = page(getattr(world, actor), "/actions/")
    assert status == 200
    assert [t for t in ("B's needs assessment to come back", "The panel's review of A-1") if t in content] == sees


def test_the_overdue_filter_shows_open_actions_past_their_due_date(world):
    _, content = page(world.commissioner, "/actions/?show=overdue")
    assert "B's needs assessment to come back" in content and "The panel's review of A-1" not in content
    assert content.count(">Overdue</strong>") == 1


@pytest.mark.parametrize("actor, status", [("manager_b", 200), ("user_b", 200), ("viewer", 200), ("commissioner", 200),
                                           ("finance", 200), ("user_a", 404), ("outsider", 404)])
def test_the_partnerships_action_page(world, actor, status):
    code, content = page(getattr(world, actor), f"/actions/{world.action_b.pk}/")
    assert code == status
    if status == 200:
        assert "That the assessment come back." in content and "Project of B" in content
        assert ("Change the action" in content) == (actor == "manager_b")


@pytest.mark.parametrize("actor, status", [("manager_b", 200), ("user_b", 403), ("viewer", 403), ("commissioner", 403),
                                           ("user_a", 404), ("outsider", 404)])
def test_only_the_partnerships_manager_changes_its_action(world, actor, status):
    assert page(getattr(world, actor), f"/actions/{world.action_b.pk}/edit/")[0] == status
    assert page(getattr(world, actor), f"/actions/{world.action_b.pk}/close/")[0] == status


def test_another_partnership_gets_404(world):
    from grants.models import User
    from tests import factories as f

    other = f.OrganisationFactory(name="Another partnership", kind="csp")
    manager = f.UserFactory(organisation=other, role=User.Role.PARTNERSHIP)
    assert page(manager, f"/actions/{world.action_b.pk}/")[0] == 404
    assert page(manager, "/actions/new/")[0] == 200


def form_data(**changes):
    data = {"board": "Communities Scrutiny Commission", **date_boxes(resolved_on="20/7/2023"),
            "title": "A report back", "resolution": "That a report come back.", "action_owner": "Manager",
            **date_boxes(due_date="30/9/2024"), "version": ""}
    data.update(changes)
    return data


def test_the_manager_records_changes_and_closes_an_action_on_the_web(world):
    client = client_for(world.manager_b)
    response = client.post("/actions/new/", {**form_data(), "projects": [world.project_b.pk]})
    assert response.status_code == 302
    action = BoardAction.objects.get(title="A report back")
    assert response["Location"] == f"/actions/{action.pk}/"
    assert list(action.projects.all()) == [world.project_b]

    response = client.post(f"/actions/{action.pk}/edit/", form_data(title="A report back in Autumn", version=0))
    assert response.status_code == 302
    response = client.post(f"/actions/{action.pk}/close/", {"status": "done", "outcome": "Reported.", "version": 1,
                                                            **date_boxes(closed_on="1/5/2024")})
    assert response.status_code == 302
    action.refresh_from_db()
    assert (action.title, action.status, action.closed_on) == ("A report back in Autumn", "done", date(2024, 5, 1))
    _, content = page(world.manager_b, f"/actions/{action.pk}/")
    assert "Closed: done" in content and "Reopen the action" in content


def test_a_due_date_before_the_resolution_is_shown_on_its_field(world):
    response = client_for(world.manager_b).post("/actions/new/", form_data(**date_boxes(due_date="1/1/2023")))
    assert response.status_code == 400
    assert "The due date cannot be before the board resolved it (20 July 2023)" in unescape(response.content.decode())


def test_a_stale_edit_says_it_changed(world):
    client = client_for(world.manager_b)
    assert client.post(f"/actions/{world.action_b.pk}/edit/", form_data(version=0)).status_code == 302
    response = client.post(f"/actions/{world.action_b.pk}/edit/", form_data(title="Late", version=0))
    assert response.status_code == 400
    assert services.STALE in unescape(response.content.decode())
    assert BoardAction.objects.get(pk=world.action_b.pk).title == "A report back"


def test_closing_without_an_outcome_is_refused_with_its_message(world):
    response = client_for(world.manager_b).post(f"/actions/{world.action_b.pk}/close/", {
        "status": "done", "outcome": "", "version": 0, **date_boxes(closed_on="1/5/2024")})
    assert response.status_code == 400
    assert "Enter the outcome" in unescape(response.content.decode())


# --- The work lists -----------------------------------------------------------------------------------


def work(user) -> dict:
    content = unescape(client_for(user).get("/").content.decode())
    rows = {}
    for key, body in re.findall(r'data-work="([\w-]+)">(.*?)</div>', content, re.DOTALL):
        rows[key] = (int(re.search(r"data-count>(\d+)<", body).group(1)), re.search(r'href="([^"]+)"', body).group(1))
    return rows


def test_overdue_actions_are_on_the_partnership_managers_and_the_commissioners_work_lists(world):
    assert work(world.manager_b)["board-actions-overdue"] == (1, "/actions/?show=overdue")
    assert work(world.commissioner)["board-actions-overdue"] == (1, "/actions/?show=overdue")
    assert "board-actions-overdue" not in work(world.outsider)
    assert "board-actions-overdue" not in work(world.user_a)


def test_an_action_done_or_not_yet_due_is_not_overdue(world):
    services.board_action_close(actor=world.manager_b, action=world.action_b, version=0, status="done",
                                outcome="Reported.", closed_on=date(2024, 5, 1))
    assert "board-actions-overdue" not in work(world.commissioner)
    assert "board-actions-overdue" not in work(world.manager_b)


def test_the_work_list_counts_overdue_actions_in_the_same_number_of_queries(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grants import selectors

    def queries():
        with CaptureQueriesContext(connection) as captured:
            selectors.work_list(world.commissioner, TODAY)
        return len(captured)

    few = queries()
    for n in range(6):
        record(world.manager_b, title=f"Action {n}", due_date=date(2024, 2, n + 1))
    assert queries() == few
    items = {i.key: i for i in selectors.work_list(world.commissioner, TODAY)}
    assert (items["board-actions-overdue"].count, items["board-actions-overdue"].oldest) == (7, date(2024, 1, 31))
