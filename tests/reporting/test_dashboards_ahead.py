"""
The funders' dashboards worked out ahead of their readers (reporting/ahead.py, `manage.py
keep_dashboards_ahead`): once a funder's figures move, its dashboard is worked out again and kept, so
that its readers' first request finds it kept, the page a reader's own request would have worked out;
another funder's dashboards, and providers', are left alone. The changes are committed, as in
production, so these tests use real transactions.
"""

import re
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext, override_settings

from grants import kept_pages
from grants.services import kept
from reporting import ahead
from tests import factories as f
from tests import worlds
from tests.worlds import client_for

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DASHBOARD = "/reports/dashboard/"


@pytest.fixture
def w(actors):
    w = worlds.a_return_and_a_payment_each_and_a_second_funder(actors)
    for user in (w.commissioner, w.finance, w.viewer, w.user_a, w.outsider):
        kept_pages.tokens(user)
    kept.figures_moved()
    return w


def dashboard(user) -> tuple[str, int]:
    client = client_for(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(DASHBOARD)
    assert response.status_code == 200
    return TOKEN.sub("", response.content.decode()), len(queries)


def afresh(user) -> str:
    with override_settings(KEPT_PAGES_SECONDS=0):
        return dashboard(user)[0]


def a_change_under(w, funder_org) -> None:
    """A change to a row of `funder_org`'s, committed: its tokens move."""
    programme = w.programme if funder_org == w.commissioner.organisation else w.elsewhere_programme
    kept.figures_moved(row=programme)


def test_worked_out_ahead_a_readers_first_request_finds_the_dashboard_kept_as_it_would_have_worked_it_out(w):
    _, worked_out_queries = dashboard(w.commissioner)  # what the first request costs
    a_change_under(w, w.commissioner.organisation)

    assert ahead.work_out({w.commissioner.organisation_id}) >= 3  # commissioner, finance, viewer

    for reader in (w.commissioner, w.finance, w.viewer):
        html, queries = dashboard(reader)
        assert queries <= 6 < worked_out_queries, reader.role
        assert html == afresh(reader)


def test_a_change_worked_out_ahead_shows_on_the_kept_dashboard(w):
    dashboard(w.commissioner)
    w.programme.name = "Renamed Safer Streets Fund"
    w.programme.save()  # moves the funder's tokens as it commits
    ahead.work_out({w.commissioner.organisation_id})

    html, queries = dashboard(w.commissioner)
    assert queries <= 6
    assert "Renamed Safer Streets Fund" in html


def test_another_funders_dashboard_is_left_to_its_readers(w):
    a_change_under(w, w.outsider.organisation)
    a_change_under(w, w.commissioner.organisation)
    ahead.work_out({w.commissioner.organisation_id})

    _, queries = dashboard(w.outsider)
    assert queries > 6  # worked out at its reader's request


def test_only_the_funders_whose_figures_moved_are_worked_out_again(w):
    funders, seen = ahead.moved_funders({})
    assert funders is None  # at the start: every funder

    assert ahead.moved_funders(seen)[0] == set()
    a_change_under(w, w.outsider.organisation)
    funders, seen = ahead.moved_funders(seen)
    assert funders == {w.outsider.organisation_id}

    kept.figures_moved(row=f.OrganisationFactory.build())  # a shared row: every funder's pages show it
    funders, seen = ahead.moved_funders(seen)
    assert funders is None

    assert ahead.moved_funders({**seen, "date": "2023-04-01"})[0] is None  # a new day: what is overdue moves
    new_funder = f"funder:{w.outsider.organisation_id}"
    assert ahead.moved_funders({k: v for k, v in seen.items() if k != new_funder})[0] == {
        w.outsider.organisation_id}  # a funder whose token was not there before


def test_readers_are_one_of_each_kind_the_kept_page_is_keyed_by_and_no_provider(w):
    f.UserFactory(organisation=w.commissioner.organisation, role=w.commissioner.role)  # a colleague: same key
    f.UserFactory(organisation=w.commissioner.organisation, role="viewer", is_active=False)
    f.UserFactory(organisation=w.commissioner.organisation, role=w.commissioner.role, is_staff=True)

    kinds = [(u.organisation_id, u.role, u.is_staff, u.is_superuser) for u in ahead.readers()]
    assert len(kinds) == len(set(kinds))
    assert (w.commissioner.organisation_id, "commissioner", False, False) in kinds
    assert (w.commissioner.organisation_id, "commissioner", True, False) in kinds  # staff: a key of its own
    assert (w.outsider.organisation_id, w.outsider.role, False, False) in kinds
    assert all(role not in ("provider", "partnership") for _, role, _, _ in kinds)
    assert all(u.organisation_id == w.outsider.organisation_id
               for u in ahead.readers({w.outsider.organisation_id}))


def test_the_loop_works_out_every_dashboard_then_those_a_change_moved(w):
    changes = iter([lambda: a_change_under(w, w.commissioner.organisation), lambda: None])

    rounds = ahead.keep_ahead(1, rounds=3, sleep=lambda seconds: next(changes)())

    assert rounds == [len(ahead.readers()), len(ahead.readers({w.commissioner.organisation_id})), 0]
    # The second round worked out the changed funder's dashboards again; the other's are still kept
    # from the first.
    for reader in (w.commissioner, w.outsider):
        html, queries = dashboard(reader)
        assert queries <= 6, reader.role
        assert html == afresh(reader)


def test_the_loop_works_every_dashboard_out_again_before_what_it_kept_expires(w):
    everyone = len(ahead.readers())
    assert ahead.keep_ahead(1, rounds=2, sleep=lambda seconds: time.sleep(1.1)) == [everyone, 0]
    with override_settings(KEPT_PAGES_SECONDS=61):  # kept a minute and a second: worked out again after 1 s
        assert ahead.keep_ahead(1, rounds=2, sleep=lambda seconds: time.sleep(1.1)) == [everyone, everyone]


def test_a_round_the_database_failed_is_tried_again_whole_after_a_longer_pause(w):
    away = [True]
    pauses = []

    def database(execute, sql, params, many, context):
        if away[0]:
            raise OperationalError("the database is away")
        return execute(sql, params, many, context)

    def pause(seconds):
        pauses.append(seconds)
        away[0] = False

    with connection.execute_wrapper(database):
        rounds = ahead.keep_ahead(1, rounds=2, sleep=pause)

    assert rounds == [0, len(ahead.readers())]
    assert pauses == [2]  # doubled after the failure
    html, queries = dashboard(w.commissioner)
    assert queries <= 6


def test_the_command_needs_a_cache_the_server_processes_share(w, tmp_path):
    with pytest.raises(CommandError, match="CACHE_DIRECTORY"):
        call_command("keep_dashboards_ahead", "--once")
    with override_settings(KEPT_PAGES_SECONDS=0), pytest.raises(CommandError, match="KEPT_PAGES_SECONDS"):
        call_command("keep_dashboards_ahead", "--once")

    shared = {"default": {"BACKEND": "config.cache.KeptPagesCache", "LOCATION": str(tmp_path)}}
    with override_settings(CACHES=shared):  # Django's test signals give the cache handler these
        call_command("keep_dashboards_ahead", "--once")
    assert list(tmp_path.glob("*.djcache"))
