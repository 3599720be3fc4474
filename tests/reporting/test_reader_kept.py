"""
reporting.quarters.read reads each quarter's status, ratings, plan and spend from the kept quarter
figures when it is not asked for the budget lines (the reports, the project page's charts), and from
the lines themselves when it is (the commissioner's workbook). The two must be the same figures, project
by project and quarter by quarter: returns in every status, a return sent with no spend entered, capital
and revenue lines, a window over two financial years, a project that runs in part of it.
"""

from decimal import Decimal

import pytest

from grants.choices import RETURN_REPORTED
from grants.models import Project, SpendLine
from grants.periods import Quarter
from grants.services import kept
from reporting import quarters as reader
from reporting.reports import Window
from tests.reporting.report_fixtures import END, years  # noqa: F401
from tests.reporting.workbook_fixtures import two_programmes  # noqa: F401

PER_QUARTER = ("runs", "statuses", "officer_rags", "self_rags", "spend_statuses", "plan", "spent", "capital_plan",
               "capital_spent")


def figures(rows) -> dict:
    return {row.reference: {name: getattr(row, name) for name in PER_QUARTER} for row in rows}


def both_ways(user, window) -> tuple[dict, dict]:
    return (figures(reader.read(user, window, measures=False)),
            figures(reader.read(user, window, lines=True, measures=False)))


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_the_kept_figures_are_the_lines_figures_in_every_status(two_programmes, number):
    kept_way, lines_way = both_ways(two_programmes.commissioner, Quarter(2023, number).year_to_date())
    assert kept_way and kept_way == lines_way
    capital = [q for f in kept_way.values() for q in f["capital_plan"] if q]
    assert capital, "the world should hold a capital line, so that the capital part is compared"


def test_over_two_financial_years_and_a_project_that_runs_in_part_of_them(years):
    window = Window(END).quarters
    kept_way, lines_way = both_ways(years.commissioner, window)
    assert kept_way == lines_way
    assert any(not all(f["runs"]) for f in kept_way.values()), "a project should run in part of the window"


def test_a_return_sent_with_no_spend_entered_holds_nought_both_ways(two_programmes):
    line = (SpendLine.objects.filter(quarterly_return__status__in=RETURN_REPORTED, actual__gt=0,
                                     quarterly_return__project__allocation__programme__commissioner=
                                     two_programmes.commissioner_org)
            .select_related("quarterly_return").first())
    assert line is not None, "the world should hold a reported return with spend"
    ret = line.quarterly_return
    SpendLine.objects.filter(quarterly_return=ret).update(actual=None)
    kept.refresh([ret.project_id])  # as every service that changes spend does, in its transaction
    kept_way, lines_way = both_ways(two_programmes.commissioner, Quarter(ret.financial_year, 4).year_to_date())
    assert kept_way == lines_way
    reference = Project.objects.get(pk=ret.project_id).reference
    assert kept_way[reference]["statuses"][ret.quarter - 1] == ret.status
    assert kept_way[reference]["spent"][ret.quarter - 1] == Decimal("0")
