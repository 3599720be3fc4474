"""
The pages read most keep their content (grants/kept_pages.py, `kept_page`): an allocation, a project, a
return, a programme, the home pages, the lists, the review queue, the dashboards. Kept, a page is
the page worked out from scratch, byte for byte but for each request's own CSRF token; it is kept
for an organisation and role, never shown to anyone outside them, names nobody but the reader, and
any committed change to what it shows makes it worked out again. The changes here are committed, as
in production, so these tests use real transactions.
"""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from grants import kept_pages
from grants.models import QuarterlyReturn, User
from grants.services import kept
from grants.services import returns as return_services
from tests import factories as f
from tests import worlds
from tests.worlds import client_for

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def w(actors):
    w = worlds.a_return_and_a_payment_each_and_a_second_funder(actors)
    for user in (w.commissioner, w.finance, w.user_a, w.user_b, w.outsider):
        kept_pages.tokens(user)  # the tokens of their pages, as a first page would write
    kept.figures_moved()  # outside any transaction: committed at once, as after the fixture's changes
    return w


def return_url(ret) -> str:
    return f"/returns/{ret.project.reference}/{ret.financial_year}/{ret.quarter}/"


# (reader, address) for every page kept whole: each role that reads it.
PAGES = {
    "allocation, funder": ("commissioner", lambda w: f"/allocations/{w.allocation_a.pk}/"),
    "allocation, provider": ("user_a", lambda w: f"/allocations/{w.allocation_a.pk}/"),
    "project, funder": ("commissioner", lambda w: f"/projects/{w.project_a.reference}/"),
    "project, provider": ("user_a", lambda w: f"/projects/{w.project_a.reference}/"),
    "return, funder": ("commissioner", lambda w: return_url(w.return_a)),
    "return, provider": ("user_a", lambda w: return_url(w.return_a)),
    "programme": ("commissioner", lambda w: f"/programmes/{w.programme.pk}/"),
    "programmes": ("commissioner", lambda w: "/programmes/"),
    "home, funder": ("commissioner", lambda w: "/"),
    "home, finance": ("finance", lambda w: "/"),
    "home, provider": ("user_a", lambda w: "/"),
    "my returns": ("user_a", lambda w: "/returns/"),
    "review queue": ("commissioner", lambda w: "/review/"),
    "virements": ("user_a", lambda w: "/virements/"),
    "payments": ("finance", lambda w: "/finance/"),
    "funding": ("user_a", lambda w: "/funding/"),
    "list of returns, funder": ("commissioner", lambda w: "/reports/returns/?sort=-project"),
    "list of returns, provider": ("user_a", lambda w: "/reports/returns/"),
    "funder's dashboard": ("commissioner", lambda w: "/reports/dashboard/"),
    "funder's dashboard, a quarter": ("commissioner", lambda w: "/reports/dashboard/?quarter=2023-24+Q1"),
    "provider's dashboard": ("user_a", lambda w: "/reports/dashboard/"),
}
DETAIL_PAGES = [name for name in PAGES if name.split(",")[0] in ("allocation", "project", "return", "programme")]


def get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode(), len(queries)


def without_tokens(html: str) -> str:
    return TOKEN.sub('name="csrfmiddlewaretoken" value=""', html)


def fresh(user, url) -> str:
    with override_settings(KEPT_PAGES_SECONDS=0):
        return get(client_for(user), url)[0]


@pytest.mark.parametrize("name", PAGES)
def test_a_kept_page_is_the_page_worked_out_afresh(w, name):
    reader, url = PAGES[name]
    user, url = getattr(w, reader), url(w)
    client = client_for(user)
    first, first_queries = get(client, url)
    again, again_queries = get(client, url)

    assert again_queries < first_queries
    assert again_queries <= 6  # the session, the user, the reach or the object, the tokens
    assert without_tokens(again) == without_tokens(first) == without_tokens(fresh(user, url))
    assert kept_pages.CSRF_MARK not in again
    assert "kept-content" not in first and "kept-content" not in again


@pytest.mark.parametrize("name", DETAIL_PAGES)
def test_a_kept_page_is_refused_to_other_organisations(w, name):
    reader, url = PAGES[name]
    url = url(w)
    get(client_for(getattr(w, reader)), url)
    get(client_for(getattr(w, reader)), url)  # kept now

    outsiders = [w.outsider, w.user_b] if reader == "commissioner" else [w.user_b, w.outsider]
    for outsider in outsiders:
        response = client_for(outsider).get(url)
        assert response.status_code in (403, 404), (outsider, url, response.status_code)
        assert w.project_a.name not in response.content.decode()


@pytest.mark.parametrize("name", ["allocation, provider", "return, provider", "home, funder"])
def test_a_kept_page_names_its_own_reader_only(w, name):
    reader, url = PAGES[name]
    first = getattr(w, reader)
    colleague = f.UserFactory(username="colleague", first_name="Carys", last_name="Colleague",
                              organisation=first.organisation, role=first.role)
    User.objects.filter(pk=first.pk).update(first_name="Ffion", last_name="First")
    url = url(w)
    get(client_for(User.objects.get(pk=first.pk)), url)

    html, queries = get(client_for(colleague), url)
    assert queries <= 6  # kept
    assert "Carys Colleague" in html
    assert "Ffion" not in html


def test_a_kept_form_carries_the_readers_own_csrf_token(w):
    url = PAGES["return, funder"][1](w)
    get(client_for(w.commissioner), url)  # worked out and kept by one session
    other = Client(enforce_csrf_checks=True)
    other.force_login(w.commissioner)
    html, queries = get(other, url)
    assert queries <= 6

    tokens = set(TOKEN.findall(html))
    assert tokens and kept_pages.CSRF_MARK not in html
    response = other.post("/sign-out/", {"csrfmiddlewaretoken": tokens.pop()})
    assert response.status_code == 302  # accepted: the token is this session's


def test_a_change_shows_on_every_kept_page_at_once(w):
    ret = QuarterlyReturn.objects.get(pk=w.return_a.pk)
    pages = [PAGES[name][1](w) for name in ("return, provider", "allocation, provider", "project, provider",
                                            "my returns", "home, provider")]
    provider = client_for(w.user_a)
    for url in pages:
        get(provider, url)
    for url in pages:
        assert get(provider, url)[1] <= 6  # kept

    return_services.return_save_draft(actor=w.user_a, project=ret.project, quarter=ret.period, version=ret.version,
                                      data=return_services.ReturnInput(progress="Sessions ran weekly."))
    ret.refresh_from_db()
    assert ret.status == QuarterlyReturn.Status.DRAFT

    for url in pages:
        html, _ = get(provider, url)
        assert without_tokens(html) == without_tokens(fresh(w.user_a, url)), url
    assert "Sessions ran weekly." in get(provider, pages[0])[0]


def test_an_administrators_home_is_not_kept(w):
    administrator = f.UserFactory(username="administrator", organisation=w.commissioner_org,
                                  role=User.Role.ADMINISTRATOR)
    client = client_for(administrator)
    get(client, "/")
    f.UserFactory(username="invited", organisation=w.provider_a, role=User.Role.PROVIDER)  # moves no token
    html, _ = get(client, "/")
    assert without_tokens(html) == without_tokens(fresh(administrator, "/"))


SHARED_ADDRESSES = [name for name in PAGES if name not in DETAIL_PAGES]


@pytest.mark.parametrize("name", SHARED_ADDRESSES)
def test_the_same_address_is_kept_apart_for_each_organisation(w, name):
    reader, url = PAGES[name]
    url = url(w)
    other = {"commissioner": w.outsider, "finance": None, "user_a": w.user_b}[reader]
    if other is None:  # a finance officer of the second funder
        other = f.UserFactory(username="finance-elsewhere", organisation=w.other_commissioner_org,
                              role=User.Role.FINANCE)
    get(client_for(getattr(w, reader)), url)
    get(client_for(getattr(w, reader)), url)  # kept for the first organisation

    html, _ = get(client_for(other), url)
    assert without_tokens(html) == without_tokens(fresh(other, url))
    assert w.project_a.name not in html and w.allocation_a.title not in html


def test_an_address_with_parameters_the_page_does_not_read_is_not_kept(w):
    from django.core.cache import cache

    client = client_for(w.commissioner)
    get(client, "/reports/returns/?sort=-project")
    _, kept_queries = get(client, "/reports/returns/?sort=-project")
    entries = len(cache._cache)  # the local-memory cache of the tests

    for n in range(3):
        _, queries = get(client, f"/reports/returns/?sort=-project&made-up={n}")
        assert queries > kept_queries  # worked out, not kept
    assert len(cache._cache) == entries


def test_a_persons_new_name_moves_the_tokens_and_signing_in_or_an_invitation_does_not(w):
    before = kept_pages.tokens(w.user_a)
    person = User.objects.get(pk=w.user_b.pk)
    person.save(update_fields=["last_login"])
    person.set_password("a new password for B")
    person.save(update_fields=["password"])
    f.UserFactory(username="invited", organisation=w.provider_b, role=User.Role.PROVIDER)  # on no page yet
    assert kept_pages.tokens(w.user_a) == before

    person.first_name = "Bethan"
    person.save()
    assert kept_pages.tokens(w.user_a) != before


def test_a_providers_pages_are_kept_under_its_own_funders_tokens(w):
    pages = [PAGES[name][1](w) for name in ("home, provider", "allocation, provider", "list of returns, provider",
                                            "funding")]
    provider = client_for(w.user_a)
    for url in pages:
        get(provider, url)

    # A change under the other funder, which funds nothing of A's: A's pages stay kept.
    kept.figures_moved(row=w.elsewhere_project)
    for url in pages:
        assert get(provider, url)[1] <= 6, url

    # An allocation to A from the other funder: A's pages show it at once, and then its changes too.
    allocation = f.AllocationFactory(programme=w.elsewhere_programme, recipient=w.provider_a, title="Now from elsewhere")
    assert "Now from elsewhere" in get(provider, "/funding/")[0]
    assert get(provider, "/funding/")[1] <= 6  # kept, now under both funders' tokens
    allocation.title = "Renamed from elsewhere"
    allocation.save()
    html, _ = get(provider, "/funding/")
    assert "Renamed from elsewhere" in html
    assert without_tokens(html) == without_tokens(fresh(w.user_a, "/funding/"))


def test_what_is_worked_out_while_a_new_funder_comes_is_not_kept_under_the_funders_before(w):
    from django.core.cache import cache

    parts = ("a provider's part",)
    key_before, _ = kept_pages._key(w.user_a, parts)

    def work_out():  # an allocation from the other funder commits while the part is read
        f.AllocationFactory(programme=w.elsewhere_programme, recipient=w.provider_a)
        return "read with the new allocation"

    assert kept_pages.kept_value(w.user_a, parts, work_out) == "read with the new allocation"
    assert cache.get(key_before) is None
