"""
The number of queries each commissioning and finance page makes does not grow with its rows:
every list and page makes as many queries with many programmes, allocations, projects, lines,
measures, virements, payments, clawbacks or history records as with few.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Clawback, Payment, Virement
from tests import factories as f
from tests.grants.commissioning.helpers import Q, client_for, line, table_rows, verified_return


def _grow(w, count):
    """`count` more of everything under the programme: an allocation to A with a project, two lines, a
    measure, a virement, an approved and verified return, a payment of each status and a clawback."""
    for n in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, amount=Decimal("50000.00"))
        project = f.ProjectFactory(allocation=allocation, provider=w.provider_a, end_date=date(2024, 3, 31))
        project.priorities.add(f.PriorityFactory(commissioner=w.commissioner_org))
        staff, venue = line(project, "Staff", "20000.00"), line(project, "Venue", "4000.00")
        Virement.objects.create(from_line=staff, to_line=venue, amount=Decimal("10.00"), quarter=1,
                                reason="More venue.", requested_by=w.user_a)
        verified_return(w, project, Q(1), {staff: "5000.00", venue: "1200.00"})
        verified_return(w, project, Q(2), {staff: "5000.00", venue: "1000.00"}, verify=False)
        f.ProjectMeasureFactory(project=project)
        for quarter, status in [(1, "released"), (2, "withheld"), (3, "scheduled")]:
            f.PaymentFactory(allocation=allocation, quarter=quarter, amount=Decimal("1000.00"), status=status,
                             reference="PAY" if status == "released" else "", paid_on=date(2024, 4, 2),
                             withheld_reason="Missing return." if status == "withheld" else "")
        Clawback.objects.create(allocation=allocation, amount=Decimal("5.00"), reason="Underspend.",
                                requested_on=date(2024, 5, 1), recorded_by=w.finance)
        # Rows on allocation A and project A too, for their own pages.
        under_a = f.ProjectFactory(allocation=w.allocation_a, provider=w.provider_b)
        under_a.priorities.add(f.PriorityFactory(commissioner=w.commissioner_org))
        f.PaymentFactory(allocation=w.allocation_a, quarter=4,
                         financial_year=2024 + Payment.objects.filter(allocation=w.allocation_a).count())
        extra = line(w.project_a, f"Line {Virement.objects.count()}", "100.00")
        Virement.objects.create(from_line=w.staff, to_line=extra, amount=Decimal("1.00"), quarter=2,
                                reason="Shift.", requested_by=w.user_a)
        f.ProjectMeasureFactory(project=w.project_a)
        Clawback.objects.create(allocation=w.allocation_a, amount=Decimal("1.00"), reason="More.",
                                requested_on=date(2024, 5, 2), recorded_by=w.finance)
        q1 = Payment.objects.get(pk=w.q1.pk)
        q1.amount += 1  # another record in the payment's history
        q1.save()


PAGES = [
    ("commissioner", lambda w: "/programmes/", "programmes"),
    ("viewer", lambda w: f"/programmes/{w.programme.pk}/", "programme-allocations"),
    ("commissioner", lambda w: f"/allocations/{w.allocation_a.pk}/", "allocation-history"),
    ("finance", lambda w: f"/allocations/{w.allocation_a.pk}/", "payment-schedule"),
    ("user_a", lambda w: f"/allocations/{w.allocation_a.pk}/", "clawbacks"),
    ("commissioner", lambda w: "/projects/A-1/", "project-history"),
    ("user_a", lambda w: "/projects/A-1/", "virements"),
    ("commissioner", lambda w: "/virements/", "virements"),
    ("user_a", lambda w: "/virements/", "virements"),
    ("finance", lambda w: "/finance/", "payments-due"),
    ("user_a", lambda w: "/funding/", "funding-ending"),
    ("viewer", lambda w: "/measures/", "measures"),
    ("finance", lambda w: f"/payments/{w.q1.pk}/", "payment-history"),
]


@pytest.mark.parametrize("who, path, table", PAGES, ids=[f"{p[0]} {i}" for i, p in enumerate(PAGES)])
def test_a_page_makes_as_many_queries_with_many_rows_as_with_few(pages, django_assert_num_queries, who, path, table):
    client = client_for(getattr(pages, who))
    url = path(pages)
    _grow(pages, 1)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    assert small.status_code == 200

    _grow(pages, 6)
    with django_assert_num_queries(len(few)):
        large = client.get(url)
    assert large.status_code == 200
    assert len(table_rows(large, table)) >= len(table_rows(small, table))


def test_the_finance_page_lists_more_when_there_is_more(pages):
    client = client_for(pages.finance)
    before = {name: len(table_rows(client.get("/finance/"), name))
              for name in ("payments-due", "payments-withheld", "spend-to-verify")}
    _grow(pages, 3)
    after = {name: len(table_rows(client.get("/finance/"), name))
             for name in ("payments-due", "payments-withheld", "spend-to-verify")}
    assert after["payments-due"] > before["payments-due"]
    assert after["payments-withheld"] > before["payments-withheld"]
