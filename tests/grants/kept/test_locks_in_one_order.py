"""
A return's approval and a change to its project (its budget, its dates) at the same moment, each in its
own database connection: both land, and the kept figures hold both. The approval claims the return's
row alone; when it also locked the project and its allocation (in one statement, the project first)
while a budget or dates change held the allocation and waited for the project, each waited for the
other and PostgreSQL cancelled one as a deadlock. Needs PostgreSQL (SQLite lets one transaction write
at a time).
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from grants.models import BudgetLine, Project, ProjectQuarter, QuarterlyReturn
from grants.periods import Quarter
from grants.services import kept, projects, returns
from tests import worlds
from tests.races import at_once

ROUNDS = 3  # a deadlock, were there one, need not show the first time


def budget_change(w):
    venue = BudgetLine.objects.get(pk=w.venue.pk)
    profile = {f"profile_q{n}": getattr(venue, f"profile_q{n}") for n in (1, 2, 3, 4)}
    profile["profile_q4"] += Decimal("100.00")  # a later quarter's: Q1's return stays within its threshold
    values = {"financial_year": 2023, "category": venue.category, "description": venue.description,
              "amount": sum(profile.values()), **profile}

    def change():
        projects.budget_line_save(actor=w.commissioner, project=w.project_a, line=venue, version=venue.version,
                                  values=values)

    def landed():
        return BudgetLine.objects.get(pk=venue.pk).profile_q4 == profile["profile_q4"]

    return change, landed


def dates_change(w):
    project = Project.objects.get(pk=w.project_a.pk)
    end = date(2024, 3, 31) if project.end_date != date(2024, 3, 31) else date(2024, 3, 30)

    def change():
        projects.project_update(actor=w.commissioner, project=project, version=project.version,
                                values={"end_date": end})

    def landed():
        return Project.objects.get(pk=project.pk).end_date == end

    return change, landed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other_change", [budget_change, dates_change])
def test_an_approval_and_a_change_to_its_project_at_once_both_land(actors, other_change):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    w = worlds.project_a_with_named_people(actors)
    q1 = Quarter(2023, 1)
    ret = returns.return_submit(actor=w.user_a, project=w.project_a, quarter=q1, version=None,
                                data=worlds.complete_input(w))
    for round_ in range(ROUNDS):
        change, landed = other_change(w)

        outcomes = at_once(
            lambda: returns.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="amber"),
            change)

        assert [repr(error) for error in outcomes if error is not None] == [], round_
        assert landed()
        row = ProjectQuarter.objects.get(project=w.project_a, financial_year=2023, quarter=1)
        assert (row.status, row.rag) == ("approved", "amber")
        have = {kept.key(r): kept.values(r) for r in ProjectQuarter.objects.all()}
        assert have == {kept.key(r): kept.values(r) for r in kept.rows_for()}
        # Back to submitted for the next round.
        approved = QuarterlyReturn.objects.get(pk=ret.pk)
        reopened = returns.return_reopen(actor=w.commissioner, ret=approved, version=approved.version,
                                         reason="The venue invoice was wrong.")
        ret = returns.return_submit(actor=w.user_a, project=w.project_a, quarter=q1, version=reopened.version,
                                    data=worlds.complete_input(w))
