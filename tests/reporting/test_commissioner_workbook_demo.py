"""
The commissioner's workbook of the demo data (fixtures/demo.json) for each of its funders' people:
every project's approved spend to date equals the database's, to the penny.
"""

from decimal import Decimal

import pytest
from django.db.models import Sum

from grants.models import QuarterlyReturn, SpendLine, User
from grants.periods import Quarter
from tests import worlds
from tests.reporting.workbook_fixtures import export, penny

Status = QuarterlyReturn.Status
ZERO = Decimal("0.00")

# The demo is loaded once for this module (tests/worlds/: built_once_per_module); the tests only read.
demo_once = worlds.built_once_per_module(worlds.the_demo)


@pytest.fixture
def the_demo(demo_once, db):
    return demo_once


@pytest.mark.parametrize("username, year", [
    ("commissioner", 2018), ("commissioner", 2019), ("finance", 2019), ("avon-commissioner", 2023), ("avon-finance", 2023),
])
def test_the_demo_data_exports_with_the_databases_figures(the_demo, username, year):
    user = User.objects.get(username=username)
    for number in (2, 4):
        rows = export(user, quarter=Quarter(year, number)).rows("Summary")
        assert rows
        for row in rows:
            expected = SpendLine.objects.filter(
                budget_line__project__reference=row["Reference"], quarterly_return__financial_year=year,
                quarterly_return__quarter__lte=number, quarterly_return__status=Status.APPROVED,
            ).aggregate(total=Sum("actual"))["total"] or ZERO
            assert penny(row["Actual spend to date (approved)"]) == expected


def test_the_partnerships_returns_are_in_the_workbook_with_their_report_once_approved(the_demo):
    from grants.models import PartnershipReturn

    user = User.objects.get(username="commissioner")
    [approved] = export(user, quarter=Quarter(2019, 2)).rows("Partnerships")
    report = PartnershipReturn.objects.get(allocation__recipient__name=approved["Partnership"], financial_year=2019,
                                           quarter=2)
    assert (approved["Partnership"], approved["Partnership return"]) == (
        "Bradford District Safer Communities Partnership", "Approved")
    assert approved["The partnership's report"] == report.narrative
    # Breaking the Cycle's Q3 return waits for the partnership's review: nothing reported yet.
    [waiting] = export(user, quarter=Quarter(2019, 3)).rows("Partnerships")
    assert (waiting["Partnership return"], waiting["The partnership's report"]) == ("Not started", None)
