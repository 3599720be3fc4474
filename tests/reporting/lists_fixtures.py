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

import openpyxl
import pytest

from grants.models import Payment
from tests import factories as f
from tests import worlds
from tests.worlds import FORMULA_NAME, client_for, pay, penny, report  # noqa: F401  (the tests here import them from here)

URLS = {
    "programmes": "/reports/programmes/",
    "allocations": "/reports/allocations/",
    "projects": "/reports/projects/",
    "returns": "/reports/returns/",
    "payments": "/reports/payments/",
}


@pytest.fixture
def two_years_and_an_outsider(actors):
    return worlds.two_years_with_priorities_and_an_outsider(actors)


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


def today() -> date:
    from django.utils import timezone

    return timezone.localdate()
