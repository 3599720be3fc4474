"""
A funder's world for the dashboard tests, on top of the `actors` fixture (programme CSF
2023-24, allocations to A and B, projects A-1 and B-1). The quarter looked at is 2023-24 Q2.

    project  provider  Q1                      Q2                                  Q3
    A-1      A         approved                approved, officer amber (self green) approved (after the quarter)
    B-1      B         approved                submitted, self red (spend not counted)
    C-1      A         not started             returned for amendment, self amber
    D-1      A         not started             draft, self red (a draft is not rated)
    E-1      A         not started             not started
    F-1      A         starts in Q3
    G-1      A         a later programme's project whose funding ends within 6 months of today

Also: a draft and a withdrawn allocation in CSF (not counted), payments released, withheld
and for later quarters, and another commissioner's programme with approved figures that must
never appear.
"""

import html
import re
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from grants.models import Allocation, OutcomeMeasure, Payment, QuarterlyReturn, ReturnEvent
from grants.periods import Quarter
from tests import factories as f
from tests.worlds import client_for  # noqa: F401  (the tests here import it from here)

QUARTER = Quarter(2023, 2)
Status = QuarterlyReturn.Status
D = Decimal


def line(project, profile, description=None, year=2023):
    profile = [D(p) for p in profile]
    kwargs = {"description": description} if description else {}
    return f.BudgetLineFactory(project=project, financial_year=year, amount=sum(profile), profile_q1=profile[0],
                               profile_q2=profile[1], profile_q3=profile[2], profile_q4=profile[3], **kwargs)


def ret(project, number, status, year=2023, spend=(), values=(), **fields):
    """A return with its spend lines [(line, actual)] and measure values [(project measure, value)]."""
    r = f.QuarterlyReturnFactory(project=project, financial_year=year, quarter=number, status=status, **fields)
    for budget_line, actual in spend:
        f.SpendLineFactory(quarterly_return=r, budget_line=budget_line, actual=None if actual is None else D(actual))
    for pm, value in values:
        f.MeasureValueFactory(quarterly_return=r, project_measure=pm, value=D(value))
    return r


def pay(allocation, number, amount, status=Payment.Status.RELEASED, year=2023):
    extra = {}
    if status == Payment.Status.RELEASED:
        extra = {"reference": f"PAY-{allocation.pk}-{number}", "paid_on": Quarter(year, number).start}
    elif status == Payment.Status.WITHHELD:
        extra = {"withheld_reason": "Waiting for the return."}
    return f.PaymentFactory(allocation=allocation, financial_year=year, quarter=number, amount=D(amount),
                            status=status, **extra)


def count_queries(client, url) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries.captured_queries), response


@pytest.fixture
def board(actors):
    w = actors
    a, b = w.project_a, w.project_b

    f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Draft", amount=D("50000"),
                        status=Allocation.Status.DRAFT)
    f.AllocationFactory(programme=w.programme, recipient=w.provider_b, title="Withdrawn", amount=D("70000"),
                        status=Allocation.Status.WITHDRAWN, withdrawn_reason="Replaced.")

    w.a_staff = line(a, ["10000.10", "9999.95", "10000.00", "9999.95"], "Staff")
    w.a_running = line(a, ["1200.33", "1200.33", "1200.33", "1200.33"], "Running costs")
    w.b_staff = line(b, ["7500.00", "7500.00", "7500.00", "7500.00"], "Staff")

    people = f.OutcomeMeasureFactory(name="Young people engaged", unit=OutcomeMeasure.Unit.COUNT, aggregation="events")
    rate = f.OutcomeMeasureFactory(name="Voluntary engagement rate", unit=OutcomeMeasure.Unit.PERCENTAGE,
                                   aggregation="level")
    incidents = f.OutcomeMeasureFactory(name="Incidents", unit=OutcomeMeasure.Unit.COUNT, aggregation="events",
                                        direction=OutcomeMeasure.Direction.LOWER)
    w.a_people = f.ProjectMeasureFactory(project=a, measure=people, annual_target=D("100"))
    w.a_rate = f.ProjectMeasureFactory(project=a, measure=rate, annual_target=D("85"), target_q2=D("90"))
    w.a_incidents = f.ProjectMeasureFactory(project=a, measure=incidents, annual_target=D("40"))
    w.b_people = f.ProjectMeasureFactory(project=b, measure=people, annual_target=D("400"))

    ret(a, 1, Status.APPROVED, spend=[(w.a_staff, "9876.54"), (w.a_running, "1200.00")],
        values=[(w.a_people, 20), (w.a_rate, 88), (w.a_incidents, 5)], officer_rag="green")
    w.a_q2 = ret(a, 2, Status.APPROVED, spend=[(w.a_staff, "10123.45"), (w.a_running, "1199.99")],
                 values=[(w.a_people, 15), (w.a_rate, 81), (w.a_incidents, 6)], officer_rag="amber", self_rag="green",
                 progress="Two new youth workers started.", risks="A practitioner post is vacant.")
    ret(a, 3, Status.APPROVED, spend=[(w.a_staff, "99999.99")], values=[(w.a_people, 1)], officer_rag="red")
    ret(b, 1, Status.APPROVED, spend=[(w.b_staff, "7000.01")], values=[(w.b_people, 90)], officer_rag="green")
    w.b_q2 = ret(b, 2, Status.SUBMITTED, spend=[(w.b_staff, "7600.00")], values=[(w.b_people, 1)], self_rag="red")

    def project(reference, **kwargs):
        return f.ProjectFactory(allocation=w.allocation_a, reference=reference, name=f"Project {reference}", **kwargs)

    w.project_c, w.project_d, w.project_e = project("C-1"), project("D-1"), project("E-1")
    w.project_f = project("F-1", start_date=date(2023, 10, 1))
    w.c_q2 = ret(w.project_c, 2, Status.RETURNED, self_rag="amber")
    ReturnEvent.objects.create(quarterly_return=w.c_q2, kind=ReturnEvent.Kind.RETURNED, actor=w.commissioner,
                               at=timezone.now() - timedelta(days=2), comment="An older comment.")
    ReturnEvent.objects.create(quarterly_return=w.c_q2, kind=ReturnEvent.Kind.RETURNED, actor=w.commissioner,
                               at=timezone.now(), comment="The case study names a street: please anonymise it.")
    w.d_q2 = ret(w.project_d, 2, Status.DRAFT, self_rag="red")

    pay(w.allocation_a, 1, "25000.00")
    pay(w.allocation_a, 2, "24999.99")
    pay(w.allocation_a, 3, "25000.00")  # after the quarter
    pay(w.allocation_b, 1, "12345.67")
    pay(w.allocation_b, 2, "25000.00", Payment.Status.WITHHELD)
    pay(w.allocation_b, 4, "25000.00", Payment.Status.SCHEDULED)

    # A later programme whose project's funding ends soon.
    # It starts this quarter, so it owes no return yet whatever day the tests run.
    today = timezone.localdate()
    this_quarter = Quarter.from_date(today)
    later = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Safer Streets", code="SSF",
                               financial_year=this_quarter.financial_year)
    w.allocation_g = f.AllocationFactory(programme=later, recipient=w.provider_a, title="Safer streets for A",
                                         start_date=this_quarter.start, end_date=today + timedelta(days=150))
    w.project_g = f.ProjectFactory(allocation=w.allocation_g, reference="G-1", name="Project G-1",
                                   start_date=this_quarter.start, end_date=today + timedelta(days=90))

    # Another commissioner's programme, with approved figures that must never show.
    other = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="CSF")
    allocation_x = f.AllocationFactory(programme=other, recipient=w.provider_b, title="Elsewhere for B",
                                       amount=D("999999.00"))
    w.project_x = f.ProjectFactory(allocation=allocation_x, reference="X-1", name="Project elsewhere")
    x_line = line(w.project_x, ["5555.55", "5555.55", "5555.55", "5555.55"])
    ret(w.project_x, 2, Status.APPROVED, spend=[(x_line, "4444.44")], officer_rag="red")
    pay(allocation_x, 2, "77777.77")
    return w


# --- Reading a page ------------------------------------------------------------------------------

class _Tables(HTMLParser):
    """Every <table> with a data-testid: its body and foot rows as lists of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables, self.current, self.row, self.cell, self.in_head, self.depth = {}, None, None, None, False, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and "data-testid" in attrs and self.current is None:
            self.current = self.tables.setdefault(attrs["data-testid"], [])
        elif self.current is None:
            return
        elif tag == "thead":
            self.in_head = True
        elif tag == "tr" and not self.in_head:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if self.current is None:
            return
        if tag == "thead":
            self.in_head = False
        elif tag in ("td", "th") and self.cell is not None and self.row is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.current.append(self.row)
            self.row = None
        elif tag == "table":
            self.current = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def tables(response) -> dict:
    parser = _Tables()
    parser.feed(response.content.decode())
    return parser.tables


def text(response) -> str:
    """The page's main content as plain text, whitespace collapsed."""
    content = response.content.decode()
    main = content[content.find("<main"):content.find("</main>")]
    main = re.sub(r"<script.*?</script>", " ", main, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", main)).split())
