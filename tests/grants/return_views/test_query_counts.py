"""
The number of queries the quarterly return pages make does not grow with the
rows: the lists of returns, the return page and the history page make as many
queries with many projects, lines, measures, events or earlier quarters as with
few.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import BudgetLine, ReturnEvent, SpendLine
from tests import factories as f
from tests.grants.return_views.helpers import Kind, SpendStatus, Status, Unit, client_for, detail, table_rows


# --- Queries do not grow with rows ------------------------------------------------------------


def _grow_projects(w, count):
    """`count` more projects delivered by A, each with returns in several states."""
    for _ in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a)
        project = f.ProjectFactory(allocation=allocation)
        f.QuarterlyReturnFactory(project=project, quarter=1, status=Status.APPROVED)
        f.QuarterlyReturnFactory(project=project, quarter=2, status=Status.SUBMITTED,
                                 spend_status=SpendStatus.QUERIED)
        f.QuarterlyReturnFactory(project=project, quarter=3, status=Status.DRAFT)


@pytest.mark.parametrize("who, path", [("user_a", "/returns/"), ("commissioner", "/review/"), ("finance", "/review/"),
                                       ("viewer", "/review/")])
def test_a_list_of_returns_makes_as_many_queries_for_12_projects_as_for_2(
    actors, django_assert_num_queries, who, path
):
    client = client_for(getattr(actors, who))
    _grow_projects(actors, 1)  # with project A: 2 projects
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        small = client.get(path)
    assert small.status_code == 200

    _grow_projects(actors, 10)  # 12 projects
    with django_assert_num_queries(len(few)):
        large = client.get(path)

    assert large.status_code == 200
    listed = table_rows(large, "my-returns" if path == "/returns/" else "review-queue")
    assert len(listed) > len(table_rows(small, "my-returns" if path == "/returns/" else "review-queue"))


MEASURE_KINDS = [
    (Unit.COUNT, "events", Decimal("12")), (Unit.PERCENTAGE, "level", Decimal("87.5")),
    (Unit.YES_NO, "milestone", Decimal("1")), (Unit.MONEY, "events", Decimal("250.75")),
]


def _grow_lines_and_measures(w, count, returns):
    """`count` more budget lines and measures on project A, with a figure in each of `returns`."""
    for n in range(count):
        line = f.BudgetLineFactory(project=w.project_a)
        unit, aggregation, value = MEASURE_KINDS[n % len(MEASURE_KINDS)]
        pm = f.ProjectMeasureFactory(project=w.project_a, annual_target=Decimal("1") if unit == Unit.YES_NO else None,
                                     measure=f.OutcomeMeasureFactory(unit=unit, aggregation=aggregation))
        for ret in returns:
            f.SpendLineFactory(quarterly_return=ret, budget_line=line, actual=Decimal("9500.00"),
                               variance_explanation="Staff vacancy.")
            f.MeasureValueFactory(quarterly_return=ret, project_measure=pm, value=value)


def _grow_timeline(w, ret, count):
    """`count` more events on the return, by people of each organisation."""
    people = [w.user_a, w.commissioner, w.finance, w.viewer]
    for n in range(count):
        ReturnEvent.objects.create(quarterly_return=ret, kind=Kind.SAVED, actor=people[n % len(people)],
                                   at=ret.created_at, comment=f"Event {n}.")


@pytest.mark.parametrize("who, status", [("user_a", Status.DRAFT), ("user_a", Status.RETURNED),
                                         ("commissioner", Status.SUBMITTED), ("commissioner", Status.APPROVED),
                                         ("finance", Status.SUBMITTED), ("viewer", Status.SUBMITTED)])
def test_the_return_page_makes_as_many_queries_for_8_lines_measures_and_events_as_for_2(
    actors, django_assert_num_queries, who, status
):
    earlier = [f.QuarterlyReturnFactory(project=actors.project_a, quarter=n, status=Status.APPROVED) for n in (1, 2, 3)]
    this = f.QuarterlyReturnFactory(project=actors.project_a, quarter=4, status=status)
    client = client_for(getattr(actors, who))
    page = detail("A-1", 2023, 4)
    _grow_lines_and_measures(actors, 2, [*earlier, this])
    _grow_timeline(actors, this, 2)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200

    _grow_lines_and_measures(actors, 6, [*earlier, this])
    _grow_timeline(actors, this, 6)
    with django_assert_num_queries(len(few)):
        response = client.get(page)

    assert response.status_code == 200
    assert len(table_rows(response, "spend")) >= 8
    assert len(table_rows(response, "measures")) == 8
    assert response.content.decode().count("Event ") == 8


@pytest.mark.parametrize("who", ["user_a", "commissioner"])
def test_the_return_page_makes_as_many_queries_with_three_earlier_quarters_as_with_none(
    actors, django_assert_num_queries, who
):
    returns = [f.QuarterlyReturnFactory(project=actors.project_a, quarter=n, status=Status.APPROVED) for n in (1, 4)]
    _grow_lines_and_measures(actors, 4, returns)
    client = client_for(getattr(actors, who))
    client.get(detail("A-1", 2023, 1))
    with CaptureQueriesContext(connection) as first_quarter:
        assert client.get(detail("A-1", 2023, 1)).status_code == 200

    for n in (2, 3):
        ret = f.QuarterlyReturnFactory(project=actors.project_a, quarter=n, status=Status.APPROVED)
        for line in BudgetLine.objects.filter(project=actors.project_a):
            f.SpendLineFactory(quarterly_return=ret, budget_line=line)
    with django_assert_num_queries(len(first_quarter)):
        response = client.get(detail("A-1", 2023, 4))

    assert response.status_code == 200
    assert [row[1].count("Q") for row in table_rows(response, "measures")] == [3, 3, 3, 3]


@pytest.mark.parametrize("who", ["user_a", "commissioner"])
def test_the_history_page_makes_as_many_queries_for_8_lines_and_measures_as_for_2(
    actors, django_assert_num_queries, who
):
    ret = f.QuarterlyReturnFactory(project=actors.project_a, quarter=1, status=Status.SUBMITTED)
    client = client_for(getattr(actors, who))
    page = detail("A-1", 2023, 1, "history")
    editors = [actors.user_a, f.UserFactory(organisation=actors.provider_a, first_name="Sam", last_name="Reid")]

    def grow(count):
        _grow_lines_and_measures(actors, count, [ret])
        for n, spend in enumerate(SpendLine.objects.filter(quarterly_return=ret)):
            spend.actual += 1
            spend._history_user = editors[n % 2]  # as the request middleware would record it
            spend.save()

    grow(2)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200

    grow(6)
    with django_assert_num_queries(len(few)):
        response = client.get(page)

    assert response.status_code == 200
    rows = table_rows(response, "field-history")
    assert len(rows) > 16
    assert {"Sam Reid", "provider-a"} <= {row[1] for row in rows}
