"""A partnership's Strategic Needs Assessment data pack: who may take it (404 outside reach, 403 inside it
but not allowed), every sheet read back with openpyxl and equal to the figures the report reads, small counts
suppressed as everywhere, formula-looking text kept as text, and a fixed number of queries."""

import io
from datetime import datetime, timezone

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import IndicatorValue
from reporting.reports import Window, gather_projects
from tests import factories as f
from tests.reporting.place_context_world import END, a_place_beside_the_grants
from tests.worlds import client_for, fresh

pytestmark = pytest.mark.django_db


@pytest.fixture
def place(actors):
    with time_machine.travel(datetime(2024, 5, 15, 12, tzinfo=timezone.utc), tick=False):
        w = a_place_beside_the_grants(actors)
        f.BudgetLineFactory(project=w.project_b)
        yield w


def url(organisation, year="2023-24"):
    return f"/reports/places/sna-pack/{organisation.pk}/{year}.xlsx"


def book(user, organisation):
    response = client_for(user).get(url(organisation))
    assert response.status_code == 200
    return openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))


@pytest.mark.parametrize("actor, status", [("manager_b", 200), ("commissioner", 200), ("finance", 200),
                                           ("viewer", 403), ("user_b", 403), ("user_a", 404), ("outsider", 404)])
def test_who_may_take_the_pack(place, actor, status):
    assert client_for(getattr(place, actor)).get(url(place.provider_b)).status_code == status


def test_a_provider_that_is_not_a_partnership_or_a_year_that_is_not_one_is_not_found(place):
    assert client_for(place.commissioner).get(url(place.provider_a)).status_code == 404
    assert client_for(place.commissioner).get(url(place.provider_b, "2023-25")).status_code == 404


def test_the_sheets_and_the_indicators_of_the_year_and_the_year_before(place):
    pack = book(place.commissioner, place.provider_b)
    assert pack.sheetnames == ["Contents", "Indicators", "Projects", "Board actions"]
    rows = list(pack["Indicators"].iter_rows(values_only=True))
    assert len(rows) - 1 == IndicatorValue.objects.count()  # every value of 2022-23 and 2023-24
    june = [r for r in rows if r[0] == "Hate crime" and r[7] == "2023-06"][0]
    assert (june[10], june[11]) == (None, "fewer than 5")
    august = [r for r in rows if r[0] == "Hate crime" and r[7] == "2023-08"][0]
    assert (august[8], august[10], august[11]) == (datetime(2023, 8, 1), 49.0, "49")
    survey = [r for r in rows if r[0] == "Feel safe after dark" and r[7] == "2023-24" and not r[9]][0]
    assert (survey[10], survey[13], survey[15], survey[16]) == (60.0, 3500, 55.0, 65.0)
    contents = [r[0] for r in pack["Contents"].iter_rows(values_only=True)]
    assert "Hate crime" in contents and "Indicators" in contents
    # Each list with rows is an Excel table; the outcomes (none approved here) a filter on their headings.
    projects = pack["Projects"]
    (table,) = projects.tables.values()
    assert (table.name, table.ref, table.tableColumns[0].name) == ("Projects", "A1:L2", projects["A1"].value)
    assert projects["A4"].value == "Reference" and projects.auto_filter.ref == "A4:G4"
    assert pack["Indicators"].tables and pack["Board actions"].freeze_panes == "A2"


def test_the_projects_are_the_reports_figures(place):
    pack = book(place.commissioner, place.provider_b)
    expected = gather_projects(fresh(place.commissioner), Window(END), narrative=False)
    b = [p for p in expected if p.reference == "B-1"][0]
    row = [r for r in pack["Projects"].iter_rows(values_only=True) if r[1] == "B-1"][0]
    assert row[6] == float(b.plan_total) and row[8] == (None if b.spent_total is None else float(b.spent_total))


def test_the_board_actions_and_formula_looking_text_stays_text(place):
    sheet = book(place.manager_b, place.provider_b)["Board actions"]
    assert [r[1] for r in sheet.iter_rows(min_row=2, values_only=True)] == [
        '=HYPERLINK("http://example.org")']
    assert sheet.cell(2, 2).data_type == "s"


def test_the_pack_reads_as_many_queries_with_many_projects_as_with_few(place):
    client = client_for(place.commissioner)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url(place.provider_b))
            b"".join(response.streaming_content)
        return len(captured)

    few = queries()
    for i in range(15):
        project = f.ProjectFactory(allocation=place.allocation_b, reference=f"B-y{i}", area=place.area)
        f.BudgetLineFactory(project=project)
    assert queries() == few
