"""The performance report's context section: the indicators of the areas its projects serve, worked out by
the trends rules (12-month totals, suppression, intervals), beside the projects' outcomes, and the board actions
due in its 12 months; on the page and in the workbook, in a fixed number of queries."""

import io
from datetime import date, datetime, timezone
from decimal import Decimal

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.figures import trends
from reporting.reports import Window, organisation_subject, performance_report
from tests import factories as f
from tests.reporting.place_context_world import CRIME, END, a_place_beside_the_grants
from tests.worlds import client_for, fresh

pytestmark = pytest.mark.django_db
WINDOW = Window(END)


@pytest.fixture
def place(actors):
    with time_machine.travel(datetime(2024, 5, 15, 12, tzinfo=timezone.utc), tick=False):
        yield a_place_beside_the_grants(actors)


def report(user, organisation):
    return performance_report(fresh(user), organisation_subject(organisation), WINDOW)


def test_recorded_crime_is_the_trends_rules_12_month_totals_with_small_counts_suppressed(place):
    context = report(place.commissioner, place.provider_b).context
    rows = {r.indicator.name: r for r in context.crime}

    counts = [trends.suppress(v, 5) for v in CRIME]
    rolled = trends.rolling(counts, 12)
    hate = rows["Hate crime"]
    assert hate.previous == rolled[11].total == trends.Count(sum(CRIME[:12]))
    assert hate.current == rolled[23].total == trends.Count(None, trends.DERIVED)  # June's 3 is hidden
    assert (hate.current_text, hate.change_text) == ("hidden", "hidden")

    asb = rows["Anti-social behaviour"]
    assert asb.previous.value == sum(CRIME[:12]) * 10 and asb.current.value == sum(CRIME[12:]) * 10
    assert asb.change == trends.change(asb.current, asb.previous)
    assert asb.change_text == trends.change_text(asb.change) == "+840 (+16.1%)"


def test_survey_results_change_only_where_the_intervals_do_not_overlap(place):
    surveys = {r.breakdown: r for r in report(place.commissioner, place.provider_b).context.surveys}
    assert surveys[""].latest == (Decimal("60.00"), Decimal("55.00"), Decimal("65.00"))
    assert surveys[""].verdict == trends.ROSE
    assert surveys["Most deprived fifth"].verdict == trends.NO_CLEAR_CHANGE


def test_a_partners_small_count_is_suppressed_and_the_latest_shown(place):
    others = report(place.commissioner, place.provider_b).context.others
    assert [(r.period, r.value_text) for r in others] == [("2023-24 Q4", "12")]


def test_the_board_actions_due_in_the_period_are_listed_with_their_status(place):
    context = report(place.manager_b, place.provider_b).context
    assert [a.pk for a in context.actions] == [place.due_in.pk]
    assert [a.name for a in context.areas] == ["Testshire district"]


def test_another_funder_sees_no_figures_and_no_actions(place):
    context = report(place.outsider, place.provider_b).context
    assert (context.crime, context.surveys, context.actions) == ([], [], [])


URL = "/reports/performance/?end=2023-24+Q4&subject=organisation&organisation={}"


def test_the_page_shows_the_context_after_the_outcomes(place):
    content = client_for(place.commissioner).get(URL.format(place.provider_b.pk)).content.decode()
    assert content.index('id="outcomes"') < content.index('id="context"') < content.index('id="highlights"')
    assert "+840 (+16.1%)" in content and "Rose" in content and "No clear change" in content
    assert "Recording practice changed with Crime Data Integrity." in content
    assert "HYPERLINK" in content  # the action's title, as text


def test_the_workbook_holds_the_same_figures_and_formula_looking_text_stays_text(place):
    response = client_for(place.commissioner).get(URL.format(place.provider_b.pk) + "&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames.index("Key outcomes") < book.sheetnames.index("Context") < book.sheetnames.index("Narrative")
    rows = list(book["Context"].iter_rows(values_only=True))
    crime = {r[2]: r for r in rows[1:] if r and r[0] == "Recorded crime"}
    assert crime["Hate crime"][5:9] == (None, "hidden", float(sum(CRIME[:12])), f"{sum(CRIME[:12]):,}")
    assert crime["Anti-social behaviour"][5] == float(sum(CRIME[12:]) * 10)
    survey = [r for r in rows[1:] if r and r[0] == "Survey" and not r[3]][0]
    assert (survey[5], survey[11], survey[12], survey[16]) == (60.0, 55.0, 65.0, "rose")
    actions = list(book["Actions due"].iter_rows(values_only=True))
    assert actions[1][1] == '=HYPERLINK("http://example.org")'
    assert book["Actions due"].cell(2, 2).data_type == "s"
    assert actions[1][0] == datetime(2024, 1, 31)


def grow(w, n, start=0):
    for i in range(start, start + n):
        project = f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_b, area=w.area,
                                   reference=f"B-x{i}")
        f.BudgetLineFactory(project=project)


def test_the_report_reads_as_many_queries_with_many_projects_as_with_few(place):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            report(place.commissioner, place.provider_b)
        return len(captured)

    grow(place, 2)
    few = queries()
    grow(place, 20, start=2)
    assert queries() == few


def test_the_context_section_adds_a_fixed_number_of_queries(place, django_assert_max_num_queries):
    from reporting.reports.context import place_context

    projects = report(place.commissioner, place.provider_b).projects
    with django_assert_max_num_queries(5):
        place_context(fresh(place.commissioner), organisation_subject(place.provider_b), WINDOW, projects)
    assert date(2024, 1, 31) in [a.due_date for a in
                                 place_context(fresh(place.commissioner), organisation_subject(place.provider_b),
                                               WINDOW, projects).actions]
