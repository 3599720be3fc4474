"""
Who sees which rows of the lists, on the page, in the filters' choices and in the downloads.

Every list is open to every role with an organisation (what it holds is the user's reach);
anonymous visitors go to sign-in and an account without an organisation or role is refused
with the reason. A provider never meets another provider's rows or names anywhere, and the
outsider commissioner sees nothing of ours.
"""

import pytest

from tests import factories as f
from tests.reporting.lists_fixtures import URLS, body, client_for, csv_rows, two_years_and_an_outsider, xlsx_rows  # noqa: F401
from tests import worlds

ROLES = ["commissioner", "finance", "viewer", "user_a", "user_b", "outsider"]
PAGES = ["/reports/", *URLS.values()]

# Names only provider B's side (or only provider A's side) may meet, and the outsider's.
OF_A = ["Provider A", "Project of A", "Allocation to A", "A-1", "PAY-A-1", "Street lighting", "Safer streets for A"]
OF_B = ["Provider B", "Project of B", "Allocation to B", "B-1", "PAY-B-1", "The Q1 return was late"]
OF_X = ["Provider X", "Elsewhere", "X-1", "PAY-X-1"]


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
two_years_once = worlds.built_once_per_module(
    lambda: worlds.two_years_with_priorities_and_an_outsider(worlds.two_providers_one_programme()))


@pytest.fixture
def two_years_and_an_outsider(two_years_once, db):
    return worlds.fresh(two_years_once)


def everything(user) -> str:
    """Every list page and both downloads of every list, as the user gets them, as one text."""
    client = client_for(user)
    parts = []
    for url in URLS.values():
        page = client.get(url)
        assert page.status_code == 200
        parts.append(page.content.decode())
        for wanted in ("xlsx", "csv"):
            download = client.get(url, {"format": wanted})
            assert download.status_code == 200
            rows = xlsx_rows(download) if wanted == "xlsx" else csv_rows(download)
            parts.append(repr(rows))
    return "\n".join(parts)


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(client, two_years_and_an_outsider, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={url}"


@pytest.mark.parametrize("url", PAGES)
def test_an_anonymous_download_is_sent_to_sign_in_too(client, two_years_and_an_outsider, url):
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")


@pytest.mark.parametrize("url", PAGES)
def test_an_account_without_an_organisation_or_role_is_refused_with_the_reason(two_years_and_an_outsider, url):
    nobody = f.UserFactory(username="nobody", organisation=None, role="")
    response = client_for(nobody).get(url)
    assert response.status_code == 403
    assert "no organisation or role" in response.content.decode()


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("who", ROLES)
def test_every_role_may_open_every_list(two_years_and_an_outsider, who, url):
    response = client_for(getattr(two_years_and_an_outsider, who)).get(url)
    assert response.status_code == 200


def test_an_unknown_list_is_not_found(two_years_and_an_outsider):
    assert client_for(two_years_and_an_outsider.commissioner).get("/reports/people/").status_code == 404


@pytest.mark.parametrize("who", ["commissioner", "finance", "viewer"])
def test_the_funder_sees_both_providers_and_nothing_of_the_outsider(two_years_and_an_outsider, who):
    seen = everything(getattr(two_years_and_an_outsider, who))
    for name in OF_A + OF_B:
        assert name in seen
    for name in OF_X:
        assert name not in seen


def test_provider_a_never_meets_provider_b_or_the_outsider_on_a_page_in_a_filter_or_in_a_download(two_years_and_an_outsider):
    seen = everything(two_years_and_an_outsider.user_a)
    for name in OF_A:
        assert name in seen
    for name in OF_B + OF_X:
        assert name not in seen


def test_provider_b_never_meets_provider_a_or_the_outsider(two_years_and_an_outsider):
    seen = everything(two_years_and_an_outsider.user_b)
    assert "Project of B" in seen
    for name in OF_A + OF_X:
        assert name not in seen


def test_the_outsider_commissioner_sees_only_their_own(two_years_and_an_outsider):
    seen = everything(two_years_and_an_outsider.outsider)
    for name in OF_X:
        assert name in seen
    for name in OF_A + OF_B + ["Community Safety Fund", "Safer Streets", "Serious violence", "Testshire"]:
        assert name not in seen


@pytest.mark.parametrize("slug", list(URLS))
def test_a_providers_filter_choices_name_only_what_it_reaches(two_years_and_an_outsider, slug):
    page = client_for(two_years_and_an_outsider.user_a).get(URLS[slug])
    choices = {
        name: [label for _, label in field.choices]
        for name, field in page.context["filter"].form.fields.items()
        if hasattr(field, "queryset")
    }
    assert choices  # the list has programme or organisation filters
    for labels in choices.values():
        for label in labels:
            for name in OF_B + OF_X:
                assert name not in str(label)
    if "organisation" in choices:
        assert [str(label) for label in choices["organisation"]] == ["All organisations", "Provider A"]
    if "programme" in choices:
        assert [str(label) for label in choices["programme"]] == [
            "All programmes", "Safer Streets 2024-25", "Community Safety Fund 2023-24"]


def test_the_funders_organisation_choices_list_every_recipient_and_provider_it_funds(two_years_and_an_outsider):
    page = client_for(two_years_and_an_outsider.viewer).get(URLS["projects"])
    labels = [str(label) for _, label in page.context["filter"].form.fields["organisation"].choices]
    assert labels == ["All organisations", "Provider A", "Provider B"]


def test_a_provider_cannot_filter_by_another_providers_organisation_typed_into_the_address(two_years_and_an_outsider):
    response = client_for(two_years_and_an_outsider.user_a).get(URLS["projects"], {"organisation": two_years_and_an_outsider.provider_b.pk})
    assert response.status_code == 400
    text = response.content.decode()
    assert "Choose one of the organisations in the list." in text
    assert "Project of A" not in text  # an invalid filter shows no rows at all
    assert "Provider B" not in text


def test_a_provider_cannot_download_another_funders_programme_by_its_number(two_years_and_an_outsider):
    response = client_for(two_years_and_an_outsider.user_a).get(URLS["returns"], {"programme": two_years_and_an_outsider.allocation_x.programme_id,
                                                              "format": "csv"})
    assert response.status_code == 400
    assert "Choose one of your programmes." in response.content.decode()


def test_a_provider_that_delivers_under_another_recipients_allocation_sees_its_own_project_not_the_payments(two_years_and_an_outsider):
    # Provider A delivers a project under provider B's allocation: A reaches that project and
    # allocation, but what B is paid stays B's.
    shared = f.ProjectFactory(allocation=two_years_and_an_outsider.allocation_b, provider=two_years_and_an_outsider.provider_a, reference="B-2",
                              name="Delivered by A for B")
    client = client_for(two_years_and_an_outsider.user_a)
    assert "Delivered by A for B" in client.get(URLS["projects"]).content.decode()
    allocations = {row["Allocation"]: row for row in csv_rows(client.get(URLS["allocations"], {"format": "csv"}))}
    assert allocations["Allocation to B"]["Paid (released)"] == "0.00"
    assert allocations["Allocation to B"]["Projects"] == "1"
    assert "PAY-B-1" not in body(client.get(URLS["payments"], {"format": "csv"})).decode()
    assert shared.reference == "B-2"


@pytest.mark.parametrize("who", ["commissioner", "finance", "viewer", "user_a"])
def test_the_navigation_offers_reports_to_every_role(two_years_and_an_outsider, who):
    page = client_for(getattr(two_years_and_an_outsider, who)).get("/")
    assert 'href="/reports/"' in page.content.decode()


def test_the_reports_page_links_every_list(two_years_and_an_outsider):
    text = client_for(two_years_and_an_outsider.user_a).get("/reports/").content.decode()
    for url in URLS.values():
        assert f'href="{url}"' in text
    assert "commissioner-workbook" not in text  # the workbook is for the funder's officers


def test_the_reports_page_offers_the_commissioners_workbook_to_its_officers(two_years_and_an_outsider):
    text = client_for(two_years_and_an_outsider.finance).get("/reports/").content.decode()
    assert 'href="/reports/commissioner-workbook/"' in text
