"""
The review queue is filtered with the lists' filter components: drop-downs whose empty choice says
"All …" (never "---------"), the financial years present in the queue to choose from rather than a
box to type a year in, choices only from the officer's reach, a choice outside them refused as on the
lists, and the one button every filtered page has, "Apply filters".
"""

import re

import pytest
from django.utils import timezone

from tests import factories as f
from tests import worlds
from tests.grants.return_views.helpers import client_for, table_rows

returns_once = worlds.built_once_per_module(
    lambda: worlds.a_return_in_every_state(worlds.project_a_with_named_people(worlds.two_providers_one_programme())))


@pytest.fixture
def returns_in_every_state(returns_once, db):
    return worlds.fresh(returns_once)


@pytest.fixture
def queue(returns_in_every_state):
    """The world with a return of the next year submitted too, under a 2024-25 programme."""
    w = returns_in_every_state
    programme = f.ProgrammeFactory(commissioner=w.commissioner_org, financial_year=2024, code="CSF-2024",
                                   name="Community Safety Fund 2024")
    allocation = f.AllocationFactory(programme=programme, recipient=w.provider_a)
    w.next_year = f.QuarterlyReturnFactory(
        project=f.ProjectFactory(allocation=allocation, provider=w.provider_a, reference="A-24", name="Next year of A"),
        quarter=1, status="submitted", submitted_at=timezone.now())
    return w


def drop_downs(response) -> dict[str, list[tuple[str, str]]]:
    """Each select of the filter form, by name: its options as (value, text)."""
    form = re.search(r'<form method="get"[^>]*data-testid="filters".*?</form>', response.content.decode(), re.S)
    assert form, "no filter form"
    return {name: re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', options)
            for name, options in re.findall(r'<select [^>]*name="([^"]+)"[^>]*>(.*?)</select>', form.group(0), re.S)}


def test_every_filter_starts_with_all_and_the_year_is_chosen_from_those_in_the_queue(queue):
    response = client_for(queue.commissioner).get("/review/")

    html = response.content.decode()
    assert "---------" not in html
    assert not re.search(r'<input [^>]*name="financial_year"', html)
    fields = drop_downs(response)
    assert list(fields) == ["financial_year", "quarter", "programme", "provider"]
    assert fields["financial_year"] == [("", "All years"), ("2024", "2024-25"), ("2023", "2023-24")]
    assert fields["quarter"][0] == ("", "All quarters")
    assert fields["programme"][0] == ("", "All programmes")
    assert [label for _, label in fields["provider"]] == ["All providers", "Provider A", "Provider B"]


def test_filtering_by_year_lists_only_that_years_returns(queue):
    rows = table_rows(client_for(queue.commissioner).get("/review/?financial_year=2024"), "review-queue")

    assert [row[1] for row in rows] == ["Next year of A A-24"]


def test_filtering_by_provider_lists_only_its_returns_and_offers_to_clear(queue):
    response = client_for(queue.commissioner).get(f"/review/?provider={queue.provider_b.pk}")

    assert [row[1] for row in table_rows(response, "review-queue")] == ["Project of B B-1"]
    assert '<a class="govuk-link" href="/review/">Clear filters</a>' in response.content.decode()


def test_a_provider_outside_the_queue_is_refused_as_on_the_lists(queue):
    outsider_org = queue.outsider.organisation
    response = client_for(queue.commissioner).get(f"/review/?provider={outsider_org.pk}")

    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_provider">Choose one of the providers in the list.</a>' in html
    assert "<title>Error: Returns to review" in html
    assert table_rows(response, "review-queue") == [["Nothing is waiting."]]


def test_another_funders_officer_is_offered_no_provider_of_ours(queue):
    fields = drop_downs(client_for(queue.outsider).get("/review/"))

    assert fields["provider"] == [("", "All providers")]
    assert fields["financial_year"] == [("", "All years")]


@pytest.mark.parametrize("path", ["/review/", "/reports/returns/", "/reports/projects/", "/reports/dashboard/"])
def test_every_filter_button_says_apply_filters(queue, path):
    html = client_for(queue.commissioner).get(path).content.decode()

    form = re.search(r'<form method="get".*?</form>', html, re.S).group(0)
    assert re.findall(r"<button [^>]*>([^<]*)</button>", form) == ["Apply filters"]
