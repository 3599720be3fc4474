"""
Every programme, allocation, project, return and payment named on a page links to its page where the
reader may open it; the project page lists its quarterly returns and shows them (and its charts)
before its budget, with its change history last and folded.
"""

import re
from datetime import datetime, timezone
from html import unescape

import pytest
import time_machine

from grants.models import QuarterlyReturn
from tests import factories as f

pytestmark = pytest.mark.django_db


def page(client, user, url):
    client.force_login(user)
    with time_machine.travel(datetime(2023, 11, 20, 12, tzinfo=timezone.utc)):
        response = client.get(url)
    assert response.status_code == 200, url
    return unescape(response.content.decode())


def test_the_project_page_links_to_each_of_its_quarters_returns(client, actors):
    f.QuarterlyReturnFactory(project=actors.project_a, quarter=1, status=QuarterlyReturn.Status.APPROVED)

    html = page(client, actors.user_a, "/projects/A-1/")

    table = re.search(r'<table[^>]*data-testid="project-returns".*?</table>', html, re.DOTALL).group(0)
    # Q1 to Q3 of 2023-24 have begun by 20 November 2023, newest first.
    assert re.findall(r'href="/returns/A-1/(\d+/\d)/"', table) == ["2023/3", "2023/2", "2023/1"]
    assert "Approved" in table and table.count(">Overdue</strong>") == 1  # Q2, due 30 October


def test_the_project_page_shows_returns_before_budget_and_history_last_folded(client, actors):
    html = page(client, actors.commissioner, "/projects/A-1/")

    returns, budget = html.index('id="returns"'), html.index('id="budget"')
    history = html.index('data-testid="project-history-details"')
    assert returns < budget < history
    assert re.search(r'<details class="govuk-details[^"]*" data-testid="project-history-details">', html)
    assert html.index("<footer") > history > html.index('id="virements"')


def test_a_page_names_its_programme_and_allocation_as_links_for_the_funder(client, actors):
    html = page(client, actors.commissioner, "/projects/A-1/")

    assert f'href="/allocations/{actors.allocation_a.pk}/"' in html
    assert f'href="/programmes/{actors.programme.pk}/"' in html


def test_lists_link_programmes_for_the_funder_only(client, actors):
    html = page(client, actors.commissioner, "/reports/allocations/")
    assert f'href="/programmes/{actors.programme.pk}/">Community Safety Fund 2023-24</a>' in html

    html = page(client, actors.user_a, "/reports/allocations/")
    assert "Community Safety Fund 2023-24" in html and "/programmes/" not in html


def test_the_funder_dashboard_links_the_programme_of_an_overdue_return(client, actors):
    html = page(client, actors.commissioner, "/reports/dashboard/")
    table = re.search(r'<table[^>]*data-testid="overdue".*?</table>', html, re.DOTALL).group(0)
    assert f'href="/programmes/{actors.programme.pk}/">Community Safety Fund</a>' in table


def test_the_provider_dashboard_links_its_payments_and_allocations(client, actors):
    payment = f.PaymentFactory(allocation=actors.allocation_a, quarter=1)
    html = page(client, actors.user_a, "/reports/dashboard/")
    assert f'href="/payments/{payment.pk}/"' in html
    assert f'href="/allocations/{actors.allocation_a.pk}/">Allocation to A</a>' in html


def test_a_return_page_links_its_project(client, actors):
    html = page(client, actors.user_a, "/returns/A-1/2023/1/")
    assert '<a class="govuk-link" href="/projects/A-1/">Project of A</a>' in html


def test_organisations_link_to_their_page_where_the_reader_may_open_it(client, actors):
    html = page(client, actors.commissioner, f"/allocations/{actors.allocation_a.pk}/")
    assert f'href="/organisations/{actors.provider_a.pk}/">Provider A</a>' in html
    assert client.get(f"/organisations/{actors.provider_a.pk}/").status_code == 200

    html = page(client, actors.user_a, "/")
    assert f'href="/organisations/{actors.provider_a.pk}/">Provider A</a>' in html
    assert client.get(f"/organisations/{actors.provider_b.pk}/").status_code == 404


def test_a_provider_sees_another_organisation_named_without_a_link(client, actors):
    # B delivers a project under A's allocation: A's people see B named, but may not open B's page.
    f.ProjectFactory(allocation=actors.allocation_a, reference="A-2", name="Delivered by B",
                     provider=actors.provider_b)
    html = page(client, actors.user_a, f"/allocations/{actors.allocation_a.pk}/")
    assert "Provider B" in html
    assert f'href="/organisations/{actors.provider_b.pk}/"' not in html


@pytest.mark.parametrize("path", ["/reports/allocations/", "/reports/projects/", "/reports/returns/",
                                  "/reports/payments/"])
def test_lists_link_organisations_where_the_reader_may_open_their_page(client, actors, path):
    f.QuarterlyReturnFactory(project=actors.project_a, quarter=1, status=QuarterlyReturn.Status.SUBMITTED)
    f.PaymentFactory(allocation=actors.allocation_a, quarter=1)
    f.ProjectFactory(allocation=actors.allocation_a, reference="A-2", name="Delivered by B", provider=actors.provider_b)

    html = page(client, actors.commissioner, path)
    assert f'href="/organisations/{actors.provider_a.pk}/">Provider A</a>' in html

    html = page(client, actors.user_a, path)
    assert f'href="/organisations/{actors.provider_a.pk}/">Provider A</a>' in html
    assert f'href="/organisations/{actors.provider_b.pk}/"' not in html
