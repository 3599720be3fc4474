"""
Removing a budget line or a measure from a project asks first: the project page links to a page that
asks "Are you sure…?", its GET changes nothing, its POST removes. A line or measure that cannot be
removed says why in place of the button. Another organisation's provider finds nothing (404); a role
that may not change the project is refused with the reason (403).
"""

import re

import pytest

from grants.models import BudgetLine, ProjectMeasure
from tests.grants.commissioning.helpers import client_for, version_in
from tests.grants.commissioning.views_world import state

LINE = "/projects/A-1/budget/{pk}/remove/"
MEASURE = "/projects/A-1/measures/{pk}/remove/"


def text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_the_project_page_links_to_the_confirmation_rather_than_removing_at_once(pages):
    html = client_for(pages.commissioner).get("/projects/A-1/").content.decode()
    for path in (LINE.format(pk=pages.spare.pk), MEASURE.format(pk=pages.project_measure.pk)):
        assert f'href="{path}"' in html
        assert f'action="{path}"' not in html


def test_asking_to_remove_a_budget_line_shows_the_question_and_changes_nothing(pages):
    before = state()
    response = client_for(pages.commissioner).get(LINE.format(pk=pages.spare.pk))

    assert response.status_code == 200
    page = text(response)
    assert "Are you sure you want to remove the budget line Contingency from Project of A?" in page
    assert "Financial year 2023-24 Category Other Budget for the year £400.00" in page
    html = response.content.decode()
    assert re.search(r'<button type="submit" class="govuk-button govuk-button--warning"[^>]*>Remove budget line</button>',
                     html)
    assert '<a class="govuk-link" href="/projects/A-1/#budget">Cancel</a>' in html
    assert state() == before


def test_confirming_removes_the_budget_line_and_goes_back_to_the_budget(pages):
    client = client_for(pages.commissioner)
    page = client.get(LINE.format(pk=pages.spare.pk))

    response = client.post(LINE.format(pk=pages.spare.pk), {"version": version_in(page)})

    assert response.status_code == 302
    assert response["Location"] == "/projects/A-1/#budget"
    assert not BudgetLine.objects.filter(pk=pages.spare.pk).exists()
    assert "Budget line removed." in text(client.get("/projects/A-1/"))


def test_a_line_that_cannot_be_removed_says_why_in_place_of_the_button(pages):
    response = client_for(pages.commissioner).get(LINE.format(pk=pages.venue.pk))

    assert response.status_code == 200
    page = text(response)
    assert "The budget line Venue hire cannot be removed" in page
    assert "Virements name this line: it cannot be removed. Set its budget to £0 instead." in page
    assert "Remove budget line" not in page
    assert "<form" not in response.content.decode().split('id="main-content"')[-1]


def test_asking_to_remove_a_measure_shows_the_question_and_changes_nothing(pages):
    before = state()
    response = client_for(pages.commissioner).get(MEASURE.format(pk=pages.project_measure.pk))

    assert response.status_code == 200
    assert "Are you sure you want to remove the measure Young people engaged from Project of A?" in text(response)
    assert re.search(r'<button [^>]*govuk-button--warning[^>]*>Remove measure</button>', response.content.decode())
    assert state() == before


def test_confirming_removes_the_measure_and_goes_back_to_the_measures(pages):
    client = client_for(pages.commissioner)
    page = client.get(MEASURE.format(pk=pages.project_measure.pk))

    response = client.post(MEASURE.format(pk=pages.project_measure.pk), {"version": version_in(page)})

    assert response["Location"] == "/projects/A-1/#measures"
    assert not ProjectMeasure.objects.filter(pk=pages.project_measure.pk).exists()


@pytest.mark.parametrize("path", [LINE, MEASURE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_provider_of_another_organisation_finds_nothing_to_remove(pages, path, method):
    before = state()
    target = pages.spare if path == LINE else pages.project_measure
    response = getattr(client_for(pages.user_b), method)(path.format(pk=target.pk), {"version": target.version})

    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("actor", ["user_a", "viewer", "finance"])
@pytest.mark.parametrize("path", [LINE, MEASURE])
@pytest.mark.parametrize("method", ["get", "post"])
def test_a_role_that_may_not_change_the_project_is_refused_with_the_reason(pages, actor, path, method):
    before = state()
    target = pages.spare if path == LINE else pages.project_measure
    response = getattr(client_for(getattr(pages, actor)), method)(path.format(pk=target.pk),
                                                                   {"version": target.version})

    assert response.status_code == 403
    assert "Only a commissioner officer of the funder can change a project" in text(response)
    assert state() == before
