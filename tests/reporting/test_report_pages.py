"""
A performance report of more projects than one web page lists (REPORT_PAGE_PROJECTS): its sections that
list projects one by one show a page of them at a time, with GOV.UK pagination; every total, the figures
by quarter and the key outcomes stay of every project, page after page; the workbook lists them all.
"""

import re

import pytest

from grants.models import User
from reporting.reports import Window, performance_report, programme_subject
from tests.reporting.dashboard_fixtures import client_for, tables, text
from tests.reporting.report_fixtures import END, years  # noqa: F401
from tests.reporting.test_reports_views import SVF, grow, sheet_rows, workbook

# The sections that list projects one by one, and those of every project.
PER_PROJECT = ("spend-by-project", "outcomes", "risks")
TOTALS = ("spend-by-quarter", "spend-by-kind", "key-outcomes")


def highlights(response) -> list[str]:
    return re.findall(r'<h3 class="govuk-heading-s" id="highlight-([^"]+)"', response.content.decode())


def summary(response) -> str:
    """The approved count and the summary list of the report's figures."""
    content = response.content.decode()
    return content[content.index('data-testid="approved-count"'):content.index("</dl>")]


def funding_total(response) -> list:
    return tables(response)["funding"][-1]


@pytest.fixture
def six(years):
    """The SVF report with six projects: P19, SPAN and P18, and three more."""
    grow(years, 3)
    return years


def whole(client, settings):
    settings.REPORT_PAGE_PROJECTS = 100
    response = client.get(SVF)
    assert response.status_code == 200
    return response


def test_a_report_that_fits_on_a_page_has_no_pagination(years):
    response = client_for(years.commissioner).get(SVF)
    content = response.content.decode()
    assert 'data-testid="projects-shown"' not in content and "govuk-pagination" not in content
    assert len(tables(response)["spend-by-project"]) == 3


def test_the_pages_together_list_every_project_once_in_the_reports_order(six, settings):
    client = client_for(six.commissioner)
    everything = whole(client, settings)
    all_tables = tables(everything)
    assert len(all_tables["spend-by-project"]) == 6

    settings.REPORT_PAGE_PROJECTS = 4
    pages = [client.get(SVF + "&page=1"), client.get(SVF + "&page=2")]
    for response in pages:
        assert response.status_code == 200
    found = [tables(response) for response in pages]
    assert [len(t["spend-by-project"]) for t in found] == [4, 2]
    for section in PER_PROJECT:
        assert found[0][section] + found[1][section] == all_tables[section], section
    assert highlights(pages[0]) + highlights(pages[1]) == highlights(everything)
    assert [r[0] for r in found[0]["funding"][:-1]] + [r[0] for r in found[1]["funding"][:-1]] == [
        r[0] for r in all_tables["funding"][:-1]]


def test_every_page_shows_the_totals_of_every_project(six, settings):
    client = client_for(six.commissioner)
    everything = whole(client, settings)
    settings.REPORT_PAGE_PROJECTS = 2
    for number in (1, 2, 3):
        response = client.get(SVF + f"&page={number}")
        assert summary(response) == summary(everything)
        for section in TOTALS:
            assert tables(response)[section] == tables(everything)[section], (number, section)
        assert funding_total(response) == funding_total(everything)


def test_the_page_says_which_projects_it_lists_and_links_to_the_others(six, settings):
    settings.REPORT_PAGE_PROJECTS = 2
    response = client_for(six.commissioner).get(SVF + "&page=2")
    page = text(response)
    assert "of all 6 projects" in page and "this page shows projects 3 to 4" in page
    assert "By project: projects 3 to 4 of 6" in page
    content = response.content.decode()
    links = re.findall(r'class="govuk-link govuk-pagination__link" href="\?([^"#]+)#projects-shown"', content)
    assert links, "no pagination links"
    for link in links:
        assert "programme=SVF" in link and "end=2019-20+Q2" in link and "subject=programme" in link
    assert {re.search(r"page=(\d+)", link).group(1) for link in links} == {"1", "2", "3"}
    assert 'aria-current="page">2<' in content
    # Above and below, each navigation landmark with a name of its own.
    assert content.count('aria-label="Pages of the report\'s projects"') == 1
    assert content.count('aria-label="Pages of the report\'s projects, at the end"') == 1


@pytest.mark.parametrize("asked, shown", [("abc", "1 to 2"), ("0", "5 to 6"), ("99", "5 to 6"), ("", "1 to 2")])
def test_a_page_number_that_is_not_a_page_shows_the_first_or_the_last(six, settings, asked, shown):
    settings.REPORT_PAGE_PROJECTS = 2
    response = client_for(six.commissioner).get(SVF + f"&page={asked}")
    assert response.status_code == 200
    assert f"this page shows projects {shown}" in text(response)


def test_the_workbook_lists_every_project_however_the_page_is_split(six, settings):
    settings.REPORT_PAGE_PROJECTS = 2
    client = client_for(six.commissioner)
    report = performance_report(User.objects.get(pk=six.commissioner.pk),
                                programme_subject(six.commissioner, "SVF"), Window(END))
    assert len(report.projects) == 6
    book = workbook(client.get(SVF + "&format=xlsx&page=2"))
    rows = sheet_rows(book, "Spend by project")[1:]
    assert [row[1] for row in rows[:6]] == [p.reference for p in report.projects]


def test_each_page_is_kept_apart(six, settings):
    """The kept page of one page of projects is never answered for another (grants/kept_pages.py)."""
    settings.REPORT_PAGE_PROJECTS = 2
    settings.KEPT_PAGES_SECONDS = 600
    client = client_for(six.commissioner)
    first = tables(client.get(SVF + "&page=1"))["spend-by-project"]
    second = tables(client.get(SVF + "&page=2"))["spend-by-project"]
    assert first != second
    assert tables(client.get(SVF + "&page=1"))["spend-by-project"] == first


def test_a_providers_report_pages_hold_its_own_projects_only(six, settings):
    settings.REPORT_PAGE_PROJECTS = 1
    client = client_for(six.user_a)
    seen = []
    for number in (1, 2, 3):
        response = client.get(f"/reports/performance/?end=2019-20+Q2&page={number}")
        assert response.status_code == 200
        seen += [row[0] for row in tables(response)["spend-by-project"]]
    assert seen and all(name.endswith("· Provider A") for name in seen), seen


def test_the_web_page_reads_the_narrative_of_the_projects_it_shows_the_same_as_the_whole_report(six, settings):
    settings.REPORT_PAGE_PROJECTS = 4
    user = User.objects.get(pk=six.commissioner.pk)
    subject = programme_subject(six.commissioner, "SVF")
    whole_report = performance_report(user, subject, Window(END))
    web = performance_report(user, subject, Window(END), narrative=False)
    with pytest.raises(ValueError):
        web.highlights  # gathered without it: only a page of projects can be listed
    shown = [web.shown(1), web.shown(2)]

    def names(rows):
        return [(p.reference, p.latest and p.latest.progress, p.case_studies, p.rag) for p in rows]

    assert names(shown[0].highlights + shown[1].highlights) == names(whole_report.highlights)
    assert names(shown[0].risks + shown[1].risks) == names(whole_report.risks)
    assert whole_report.highlights and whole_report.risks
