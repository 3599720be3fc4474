"""
The project page's charts: spend against profile and each measure against target, quarter by
quarter, from approved returns only; the chart's data is the table's; every chart has a text
alternative; and the queries do not grow with the quarters, lines, measures or returns.
"""

import json
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import QuarterlyReturn, User
from reporting.dashboards import project_charts
from tests import factories as f
from tests.reporting.dashboard_fixtures import board, client_for, line, ret, tables  # noqa: F401

D = Decimal
Status = QuarterlyReturn.Status


def chart_data(content: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', content, re.S)
    assert match, element_id
    return json.loads(match.group(1))


def figure_table(content: str, testid: str) -> list:
    """The rows of the table inside one chart's figure."""
    figure = re.search(rf'<figure class="app-chart" data-testid="{testid}".*?</figure>', content, re.S).group(0)
    return tables(SimpleNamespace(content=figure.encode()))["chart-table"]


def money_text(value) -> str:
    return "–" if value is None else f"£{D(value):,.2f}"


def test_spend_by_quarter_counts_approved_returns_only(board):
    charts = project_charts(board.commissioner, board.project_b)
    assert [(q.quarter.label, q.profiled, q.spent, q.status) for q in charts.spend] == [
        ("2023-24 Q1", D("7500.00"), D("7000.01"), "approved"),
        ("2023-24 Q2", D("7500.00"), None, "submitted"),  # submitted: its £7,600 does not count
        ("2023-24 Q3", D("7500.00"), None, "not_started"),
        ("2023-24 Q4", D("7500.00"), None, "not_started"),
    ]


def test_the_spend_charts_data_is_its_tables(board):
    response = client_for(board.commissioner).get("/projects/A-1/")
    assert response.status_code == 200
    content = response.content.decode()
    data = chart_data(content, "chart-spend-data")
    assert data["labels"] == ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]
    profiled, spent = data["series"]
    assert profiled["values"] == ["11200.43", "11200.28", "11200.33", "11200.28"]
    assert spent["values"] == ["11076.54", "11323.44", "99999.99", None]
    rows = figure_table(content, "chart-spend")
    assert [r[0] for r in rows] == data["labels"]
    assert [r[1] for r in rows] == [money_text(v) for v in profiled["values"]]
    assert [r[2] for r in rows] == [money_text(v) for v in spent["values"]]


def test_each_measures_chart_data_is_its_table(board):
    content = client_for(board.user_a).get("/projects/A-1/").content.decode()
    for pm, unit in ((board.a_people, ""), (board.a_rate, "%")):
        key = f"chart-measure-{pm.measure_id}"
        data = chart_data(content, f"{key}-data")
        rows = figure_table(content, key)
        target, value = data["series"]
        assert [r[0] for r in rows] == data["labels"]
        shown = lambda v: "–" if v is None else f"{D(v).normalize():f}{unit}"  # noqa: E731
        assert [r[1] for r in rows] == [shown(v) for v in target["values"]]
        assert [r[2] for r in rows] == [shown(v) for v in value["values"]]
    people = chart_data(content, f"chart-measure-{board.a_people.measure_id}-data")
    # A quarter of the annual 100 each quarter, in whole people; Q3's approved 1; no Q4 return.
    assert people["series"][0]["values"] == ["25", "25", "25", "25"]
    assert people["series"][1]["values"] == ["20", "15", "1", None]
    rate = chart_data(content, f"chart-measure-{board.a_rate.measure_id}-data")
    assert rate["series"][0]["values"] == ["85", "90", "85", "85"]  # Q2's own target, else the annual


def test_every_chart_has_a_text_alternative_and_a_table(board):
    content = client_for(board.commissioner).get("/projects/A-1/").content.decode()
    canvases = re.findall(r"<canvas [^>]*>", content)
    assert len(canvases) == 1 + 3  # spend and three measures
    for canvas in canvases:
        assert 'role="img"' in canvas and 'aria-label="' in canvas
        described = re.search(r'aria-describedby="([^"]+)"', canvas).group(1)
        assert f'id="{described}"' in content
    assert ("Spend against profile by quarter from 2023-24 Q1 to 2023-24 Q4: £44,801.32 profiled in all. "
            "3 of 4 quarters have an approved return: £122,399.97 spent against £33,601.04 profiled for them, "
            "£88,798.93 over profile.") in content
    assert ("Voluntary engagement rate, value against target by quarter from 2023-24 Q1 to 2023-24 Q4. "
            "2 of 4 quarters have an approved value; 1 of them met the target. "
            "Latest, 2023-24 Q2: 81% against a target of 90%.") in content
    assert content.count('data-testid="chart-table"') == 4


def test_the_charts_load_our_module_and_chartjs_and_no_inline_script(board):
    content = client_for(board.commissioner).get("/projects/A-1/").content.decode()
    assert '<script src="/static/chartjs/chart.umd.min.js" defer></script>' in content
    assert '<script type="module" src="/static/js/charts.mjs"></script>' in content
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", content, re.S)
    for attributes, body in scripts:
        assert 'type="application/json"' in attributes or not body.strip(), attributes


def test_a_name_that_looks_like_markup_stays_text_in_the_chart_data(board):
    board.a_people.measure.name = '</script><script>alert("x")</script>'
    board.a_people.measure.save()
    content = client_for(board.commissioner).get("/projects/A-1/").content.decode()
    assert '<script>alert("x")' not in content


@pytest.mark.parametrize("who, status", [
    ("commissioner", 200), ("finance", 200), ("viewer", 200), ("user_a", 200), ("user_b", 404), ("outsider", 404),
])
def test_who_sees_the_charts(board, who, status):
    response = client_for(getattr(board, who)).get("/projects/A-1/")
    assert response.status_code == status
    if status == 200:
        assert 'data-testid="project-charts"' in response.content.decode()


def test_the_charts_make_as_many_queries_however_many_quarters_measures_and_returns(board):
    user = User.objects.get(pk=board.commissioner.pk)

    def queries(project) -> int:
        with CaptureQueriesContext(connection) as captured:
            charts = project_charts(user, project)
            charts.spend_chart(), [m.chart() for m in charts.measures], charts.spend_summary
        return len(captured.captured_queries)

    small = queries(board.project_b)
    allocation = f.AllocationFactory(programme=board.programme, recipient=board.provider_a,
                                     end_date=board.allocation_a.end_date.replace(year=2026))
    big = f.ProjectFactory(allocation=allocation, end_date=allocation.end_date)
    for year in (2023, 2024, 2025):
        budget = line(big, ["10", "20", "30", "40"], f"Line {year}", year=year)
        pms = [f.ProjectMeasureFactory(project=big, financial_year=year, measure=m)
               for m in (board.a_people.measure, board.a_rate.measure, board.a_incidents.measure)]
        for number in (1, 2, 3, 4):
            ret(big, number, Status.APPROVED, year=year, spend=[(budget, "5")], values=[(pm, 1) for pm in pms])
    charts = project_charts(user, big)
    assert len(charts.spend) == 12 and len(charts.measures) == 3
    assert queries(big) == small
