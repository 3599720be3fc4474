"""
Open data on the web: the page and the two downloads, for every actor.

The pages have no object in their URL, so there is no 404 for another provider's object:
reach is what the download holds (a commissioner gets only their own organisation's grants),
anyone signed out is sent to sign in, and every role but commissioner officer gets 403.
"""

import html
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import Allocation, User
from reporting import opendata
from tests import factories as f
from tests.reporting.test_opendata import (  # noqa: F401
    grow,
    path_of,
    publisher_settings,
    read_xlsx,
    schema_errors,
)
from tests.worlds import client_for

PAGE = "/reports/open-data/"
JSON = "/reports/open-data/grants.json"
XLSX = "/reports/open-data/grants.xlsx"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text(response) -> str:
    return html.unescape(response.content.decode())


def grant_id(allocation) -> str:
    return opendata.grant_identifier("360G-test", allocation.pk)


# --- Who gets what ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE, JSON, XLSX])
def test_anyone_signed_out_is_sent_to_sign_in(actors, url):
    response = client_for(None).get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/sign-in/?next={url}"


@pytest.mark.parametrize("url", [PAGE, JSON, XLSX])
@pytest.mark.parametrize("who", ["user_a", "user_b", "finance", "viewer"])
def test_every_role_but_commissioner_officer_is_refused_with_the_reason(actors, url, who):
    response = client_for(getattr(actors, who)).get(url)
    assert response.status_code == 403
    assert "Open data is published by the funder&#x27;s commissioner officers." in response.content.decode()


def test_a_user_without_an_organisation_is_refused(actors):
    nobody = f.UserFactory(organisation=None, role="")
    assert client_for(nobody).get(JSON).status_code == 403


@pytest.mark.parametrize("url", [PAGE, JSON, XLSX])
def test_a_commissioner_officer_gets_the_page_and_both_downloads(actors, url):
    assert client_for(actors.commissioner).get(url).status_code == 200


def test_an_unknown_format_is_not_found(actors):
    assert client_for(actors.commissioner).get("/reports/open-data/grants.csv").status_code == 404


# --- The downloads ------------------------------------------------------------------------------


def test_the_json_download_is_a_valid_package_of_the_organisations_grants(actors):
    theirs = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=actors.other_commissioner_org))
    response = client_for(actors.commissioner).get(JSON)
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="360G-test-grants-{timezone.localdate().isoformat()}.json"'
    )
    data = json.loads(body(response), parse_float=Decimal)
    assert schema_errors(data) == []
    assert sorted(g["id"] for g in data["grants"]) == sorted([grant_id(actors.allocation_a), grant_id(actors.allocation_b)])
    assert grant_id(theirs) not in body(response).decode()
    assert data["publisher"]["name"] == actors.commissioner_org.name


def test_the_other_commissioner_downloads_only_their_own(actors):
    theirs = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=actors.other_commissioner_org))
    data = json.loads(body(client_for(actors.outsider).get(JSON)))
    assert [g["id"] for g in data["grants"]] == [grant_id(theirs)]
    _, rows, _ = read_xlsx(body(client_for(actors.outsider).get(XLSX)))
    assert [row["Identifier"] for row in rows] == [grant_id(theirs)]


def test_the_spreadsheet_download_has_the_standards_columns(actors):
    response = client_for(actors.commissioner).get(XLSX)
    assert response["Content-Type"] == XLSX_TYPE
    assert response["Content-Disposition"] == (
        f'attachment; filename="360G-test-grants-{timezone.localdate().isoformat()}.xlsx"'
    )
    headings, rows, _ = read_xlsx(body(response))
    assert headings[:2] == ["Identifier", "Title"] and "Recipient Org:Identifier" in headings
    for heading in headings:
        path_of(heading)
    assert sorted(row["Identifier"] for row in rows) == sorted([grant_id(actors.allocation_a), grant_id(actors.allocation_b)])


def test_an_allocation_marked_do_not_publish_is_in_neither_download(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(do_not_publish=True, do_not_publish_reason="A refuge.")
    client = client_for(actors.commissioner)
    assert [g["id"] for g in json.loads(body(client.get(JSON)))["grants"]] == [grant_id(actors.allocation_b)]
    assert [row["Identifier"] for row in read_xlsx(body(client.get(XLSX)))[1]] == [grant_id(actors.allocation_b)]


def test_with_nothing_to_publish_the_downloads_are_not_found_and_the_page_says_so(actors):
    Allocation.objects.update(status=Allocation.Status.DRAFT)
    client = client_for(actors.commissioner)
    assert client.get(JSON).status_code == 404
    assert client.get(XLSX).status_code == 404
    page = client.get(PAGE)
    assert "There is nothing to publish yet" in text(page)
    assert JSON not in text(page) and XLSX not in text(page)


def test_the_downloads_make_the_same_number_of_queries_as_grants_grow(actors):
    user = User.objects.get(pk=actors.commissioner.pk)
    client = client_for(user)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert body(client.get(url))
        return len(captured.captured_queries)

    grow(actors, 2)
    small = queries(JSON), queries(XLSX), queries(PAGE)
    grow(actors, 12)
    assert (queries(JSON), queries(XLSX), queries(PAGE)) == small


# --- The page -----------------------------------------------------------------------------------


def test_the_page_says_what_is_published_and_offers_both_downloads(actors):
    page = text(client_for(actors.commissioner).get(PAGE))
    assert "<h1 class=\"govuk-heading-l\">Open data</h1>" in page
    assert "2 grants will be published." in page
    assert f'href="{JSON}"' in page and f'href="{XLSX}"' in page
    assert "360G-test" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
    assert "No allocation is withheld." in page


def test_the_page_lists_what_is_withheld_and_why_for_the_commissioner_only(actors):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(
        do_not_publish=True, do_not_publish_reason="A refuge whose location must stay private."
    )
    Allocation.objects.filter(pk=actors.allocation_b.pk).update(purpose="Contact manager@provider-b.org.uk")
    page = text(client_for(actors.commissioner).get(PAGE))
    assert "There is nothing to publish yet" in page
    assert "Allocation to A" in page and "Marked do not publish: A refuge whose location must stay private." in page
    assert "Allocation to B" in page and "looks like it holds an e-mail address" in page
    # Another commissioner sees none of it.
    other = text(client_for(actors.outsider).get(PAGE))
    assert "A refuge whose location must stay private." not in other and "Allocation to A" not in other
