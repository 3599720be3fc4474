"""
The funders' dashboards worked out ahead of their readers (reporting/ahead.py, `manage.py
keep_dashboards_ahead`): once a funder's figures move, its dashboard is worked out again and kept, so
that its readers' first request finds it kept, the page a reader's own request would have worked out;
another funder's dashboards, and providers', are left alone. The changes are committed, as in
production, so these tests use real transactions.
"""

import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
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
    assert ahead.moved_funders(seen)[0] is None


def test_readers_are_one_of_each_kind_the_kept_page_is_keyed_by_and_no_provider(w):
    f.UserFactory(organisation=w.commissioner.organisation, role=w.commissioner.role)  # a colleague: same key
    f.UserFactory(organisation=w.commissioner.organisation, role="viewer", is_active=False)

    kinds = [(u.organisation_id, u.role, u.is_staff, u.is_superuser) for u in ahead.readers()]
    assert len(kinds) == len(set(kinds))
    assert (w.commissioner.organisation_id, "commissioner", False, False) in kinds
    assert (w.outsider.organisation_id, w.outsider.role, False, False) in kinds
    assert all(role not in ("provider", "partnership") for _, role, _, _ in kinds)
    assert all(u.organisation_id == w.outsider.organisation_id
               for u in ahead.readers({w.outsider.organisation_id}))


def test_the_loop_works_out_every_dashboard_then_those_a_change_moved(w):
    changes = iter([lambda: a_change_under(w, w.commissioner.organisation), lambda: None])

    ahead.keep_ahead(1, rounds=2, sleep=lambda seconds: next(changes)())

    # The second round worked out the changed funder's dashboards again; the other's are still kept
    # from the first.
    for reader in (w.commissioner, w.outsider):
        html, queries = dashboard(reader)
        assert queries <= 6, reader.role
        assert html == afresh(reader)


def test_the_command_needs_a_cache_the_server_processes_share(w, tmp_path):
    with pytest.raises(CommandError, match="CACHE_DIRECTORY"):
        call_command("keep_dashboards_ahead", "--once")
    with override_settings(KEPT_PAGES_SECONDS=0), pytest.raises(CommandError, match="KEPT_PAGES_SECONDS"):
        call_command("keep_dashboards_ahead", "--once")

    shared = {"default": {"BACKEND": "config.cache.KeptPagesCache", "LOCATION": str(tmp_path)}}
    with override_settings(CACHES=shared):  # Django's test signals give the cache handler these
        call_command("keep_dashboards_ahead", "--once")
    assert list(tmp_path.glob("*.djcache"))
