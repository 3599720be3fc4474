"""
The year end makes as many queries with many allocations, returns, payments and clawbacks as with few:
the selector, the page and the workbook, each measured at two sizes.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Allocation, AllocationYear, Clawback
from grants.periods import FinancialYear
from grants.selectors.year_end import year_end
from tests import factories as f
from tests.grants.commissioning.helpers import Q, client_for, line, verified_return
from tests.grants.year_end.world import YEAR_ENDED, paid

D = Decimal
Y = FinancialYear(2023)


def _grow(w, count):
    """`count` more of each kind of allocation: one of 2023-24 with a verified return, a return awaiting
    approval, a part-paid quarter and a clawback; one over two years with its rows for each; and one
    approved to start in 2024-25."""
    for _ in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, amount=D("50000.00"))
        project = f.ProjectFactory(allocation=allocation, provider=w.provider_a)
        staff = line(project, "Staff", "20000.00")
        verified_return(w, project, Q(1), {staff: "5000.00"})
        verified_return(w, project, Q(2), {staff: "4000.00"}, approve=False, verify=False)
        part = paid(allocation, 1, "3000.00")
        paid(allocation, 1, "1000.00", balance_of=part)
        f.PaymentFactory(allocation=allocation, quarter=2, amount=D("5000.00"))
        Clawback.objects.create(allocation=allocation, amount=D("10.00"), reason="Underspend.",
                                status=Clawback.Status.RECEIVED, requested_on=date(2024, 4, 10),
                                received_on=date(2024, 4, 11), recorded_by=w.finance)
        two_years = f.AllocationFactory(programme=w.programme, recipient=w.provider_b, amount=D("30000.00"),
                                        start_date=date(2023, 10, 1), end_date=date(2025, 3, 31))
        AllocationYear.objects.create(allocation=two_years, financial_year=2023, amount=D("10000.00"))
        AllocationYear.objects.create(allocation=two_years, financial_year=2024, amount=D("20000.00"))
        f.AllocationFactory(programme=w.programme, recipient=w.provider_b, amount=D("7000.00"),
                            status=Allocation.Status.APPROVED, start_date=date(2024, 4, 1),
                            end_date=date(2025, 3, 31))


@pytest.fixture
def w(actors):
    with time_machine.travel(YEAR_ENDED, tick=False):
        yield actors


def test_the_selector_makes_five_queries_however_many_allocations(w, django_assert_num_queries):
    _grow(w, 1)
    with django_assert_num_queries(5):
        few = year_end(w.finance, Y)
    _grow(w, 5)
    with django_assert_num_queries(5):
        many = year_end(w.finance, Y)
    assert (len(few.all_rows), len(many.all_rows)) == (2 + 3, 2 + 18)
    assert many.totals.committed_next == 6 * (D("20000.00") + D("7000.00"))


@pytest.mark.parametrize("who, url", [
    ("finance", "/finance/year-end/"),
    ("viewer", "/finance/year-end/?year=2024-25"),
    ("commissioner", "/reports/year-end.xlsx?year=2023-24"),
])
def test_the_page_and_the_workbook_make_as_many_queries_with_many_rows_as_with_few(
        w, django_assert_num_queries, who, url):
    client = client_for(getattr(w, who))
    _grow(w, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    assert small.status_code == 200
    assert len(few) <= 12, [q["sql"] for q in few.captured_queries]

    _grow(w, 6)
    with django_assert_num_queries(len(few)):
        large = client.get(url)
    assert large.status_code == 200
    if "xlsx" in url:
        assert len(b"".join(large.streaming_content)) > len(b"".join(small.streaming_content))
    else:
        assert large.content.count(b"data-allocation=") > small.content.count(b"data-allocation=")
