"""
A world for the list tests, and how to fetch a list page or a download and read it back.

The `actors` (a commissioner with programme CSF 2023-24 funding provider A's project A-1 and
provider B's project B-1) plus:

    priorities   Serious violence (A-1, B-1), Anti-social behaviour (B-1, A-2)
    SSF 2024-25  Safer Streets: an allocation to provider A with project A-2
    returns      A-1 2023-24 Q1 approved (officer green), spend £9,500.25, verified
                 A-1 2023-24 Q2 submitted (provider amber), spend £10,000.00
                 B-1 2023-24 Q1 approved (officer red), spend £8,000.10
                 A-2 2024-25 Q1 draft, spend £1,234.56
    payments     to A: Q1 released £25,000.00 (PAY-A-1), Q2 scheduled £25,000.00
                 to B: Q1 released £20,000.50 (PAY-B-1), Q2 withheld £20,000.50
    elsewhere    the outsider commissioner's programme, allocation to Provider X, project X-1
                 with an approved return and a released payment

Returns are made through the services, as a provider and an officer would make them.
"""

import csv
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.test import Client

from grants.models import BudgetLine, Payment, User
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import ReturnInput, SpendInput
from tests import factories as f

URLS = {
    "programmes": "/reports/programmes/",
    "allocations": "/reports/allocations/",
    "projects": "/reports/projects/",
    "returns": "/reports/returns/",
    "payments": "/reports/payments/",
}
FORMULA_NAME = '=HYPERLINK("http://x","click")'


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def line(project, amount="40000.00", description="Staff"):
    quarter = (Decimal(amount) / 4).quantize(Decimal("0.01"))
    return f.BudgetLineFactory(
        project=project, description=description, category=BudgetLine.Category.STAFF, amount=Decimal(amount),
        profile_q1=quarter, profile_q2=quarter, profile_q3=quarter, profile_q4=Decimal(amount) - 3 * quarter,
    )


def report(user, project, quarter: Quarter, spend: dict, *, submit=True, self_rag="green"):
    data = ReturnInput(
        spend={ln.pk: SpendInput(actual=Decimal(a), explanation="Invoices fell in another quarter.")
               for ln, a in spend.items()},
        progress="Sessions ran as planned.", self_rag=self_rag, personal_data_checked=True,
    )
    act = s.return_submit if submit else s.return_save_draft
    return act(actor=user, project=project, quarter=quarter, version=None, data=data)


def approve(officer, ret, rag):
    return s.return_approve(actor=officer, ret=ret, version=ret.version, officer_rag=rag)


def pay(allocation, quarter, amount, status=Payment.Status.SCHEDULED, **fields):
    if status == Payment.Status.RELEASED:
        fields.setdefault("paid_on", Quarter(allocation.programme.financial_year, quarter).end)
    return f.PaymentFactory(allocation=allocation, quarter=quarter, amount=Decimal(amount), status=status, **fields)


@pytest.fixture
def world(actors):
    w = actors
    w.violence = f.PriorityFactory(commissioner=w.commissioner_org, code="violence", name="Serious violence")
    w.asb = f.PriorityFactory(commissioner=w.commissioner_org, code="asb", name="Anti-social behaviour")
    w.project_a.priorities.set([w.violence])
    w.project_b.priorities.set([w.violence, w.asb])

    w.streets = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Safer Streets", code="SSF",
                                   financial_year=2024, total_budget=Decimal("500000.00"))
    w.allocation_a2 = f.AllocationFactory(programme=w.streets, recipient=w.provider_a, title="Safer streets for A",
                                          amount=Decimal("50000.00"))
    w.project_a2 = f.ProjectFactory(allocation=w.allocation_a2, reference="A-2", name="Street lighting")
    w.project_a2.priorities.set([w.asb])

    w.provider_x = f.OrganisationFactory(name="Provider X")
    elsewhere = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="EF")
    w.allocation_x = f.AllocationFactory(programme=elsewhere, recipient=w.provider_x, title="Elsewhere allocation")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Elsewhere project")
    w.user_x = f.UserFactory(username="provider-x", organisation=w.provider_x, role=User.Role.PROVIDER)

    a_line, b_line, a2_line, x_line = line(w.project_a), line(w.project_b), line(w.project_a2), line(w.project_x)
    q1, q2 = Quarter(2023, 1), Quarter(2023, 2)
    w.a1 = approve(w.commissioner, report(w.user_a, w.project_a, q1, {a_line: "9500.25"}), "green")
    w.a1 = s.return_verify_spend(actor=w.finance, ret=w.a1, version=w.a1.version)
    w.a2 = report(w.user_a, w.project_a, q2, {a_line: "10000.00"}, self_rag="amber")
    w.b1 = approve(w.commissioner, report(w.user_b, w.project_b, q1, {b_line: "8000.10"}), "red")
    w.a2_q1 = report(w.user_a, w.project_a2, Quarter(2024, 1), {a2_line: "1234.56"}, submit=False)
    w.x1 = approve(w.outsider, report(w.user_x, w.project_x, q1, {x_line: "7777.77"}), "green")

    pay(w.allocation_a, 1, "25000.00", Payment.Status.RELEASED, reference="PAY-A-1")
    pay(w.allocation_a, 2, "25000.00")
    pay(w.allocation_b, 1, "20000.50", Payment.Status.RELEASED, reference="PAY-B-1")
    pay(w.allocation_b, 2, "20000.50", Payment.Status.WITHHELD, withheld_reason="The Q1 return was late.")
    pay(w.allocation_x, 1, "999.99", Payment.Status.RELEASED, reference="PAY-X-1")
    return w


def grow(w, count: int):
    """`count` more allocations to provider A under CSF, each with a project (with a priority), a budget
    line, an approved Q1 return with spend and a released payment."""
    for _ in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a)
        project = f.ProjectFactory(allocation=allocation)
        project.priorities.add(w.violence)
        budget = f.BudgetLineFactory(project=project)
        ret = f.QuarterlyReturnFactory(project=project, quarter=1, status="approved", officer_rag="green")
        f.SpendLineFactory(quarterly_return=ret, budget_line=budget)
        pay(allocation, 1, "1000.00", Payment.Status.RELEASED, reference="PAY")


# --- Reading what came back --------------------------------------------------------------------


def body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def xlsx_rows(response) -> list[dict]:
    """The data rows of the download's one sheet, as dicts by heading."""
    book = openpyxl.load_workbook(io.BytesIO(body(response)))
    (sheet,) = book.worksheets
    rows = sheet.iter_rows(values_only=True)
    headings = next(rows)
    return [dict(zip(headings, row)) for row in rows]


def csv_rows(response) -> list[dict]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def penny(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
