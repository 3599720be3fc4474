"""
The payment file and the remittance advice make as many queries with many payments as with few: the file
(page, CSV and xlsx) reads its rows in one query whatever their number, and the remittance advice reads a
payment with every return it pays in a fixed number.
"""

import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Organisation, Payment
from tests import factories as f
from tests.grants.commissioning.helpers import table_rows
from tests.worlds import client_for

from .test_payment_file import URL, body, query


def _more_payments(w, count):
    """`count` more allocations under the programme, each to a partnership paid through its council (each
    with its supplier number), with a released Q1 paid in the range, and a Q2 paid in part whose balance
    is released too."""
    for n in range(count):
        council = f.OrganisationFactory(kind=Organisation.Kind.LOCAL_AUTHORITY, supplier_number=f"SUP-C{n}")
        partnership = f.OrganisationFactory(kind=Organisation.Kind.CSP, accountable_body=council)
        allocation = f.AllocationFactory(programme=w.programme, recipient=partnership, purchase_order=f"PO-{n}")
        released = dict(status=Payment.Status.RELEASED, released_by=w.finance, paid_on=date(2023, 5, 10))
        f.PaymentFactory(allocation=allocation, quarter=1, reference=f"Q1-{n}", **released)
        part = f.PaymentFactory(allocation=allocation, quarter=2, amount=Decimal("100.00"), reference=f"Q2-{n}",
                                **released)
        f.PaymentFactory(allocation=allocation, quarter=2, amount=Decimal("0.01"), reference=f"Q2B-{n}",
                         balance_of=part, **released)


def _count(client, path, data=None) -> tuple[int, object, bytes]:
    """The queries of a request, counted while its response is read to the end (a streamed file reads its
    rows as it is sent); the response and what it held."""
    body(client.get(path, data))  # the session and anything else a first request reads
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, data)
        content = body(response)
    return len(queries), response, content


@pytest.mark.parametrize("fmt", ["", "csv", "xlsx"])
def test_the_payment_file_makes_as_many_queries_with_many_payments_as_with_few(paid, fmt):
    client = client_for(paid.finance)
    data = query(**({"format": fmt} if fmt else {}))
    few, small, small_file = _count(client, URL, data)
    _more_payments(paid, 8)
    many, large, large_file = _count(client, URL, data)

    # The session, the user, the user's reach and the rows; the page also adds up the count and the total
    # and names the user's organisation, as the workbook's printed header does.
    assert many == few <= {"": 6, "csv": 4, "xlsx": 5}[fmt]
    if fmt == "csv":
        assert large_file.count(b"\r\n") == small_file.count(b"\r\n") + 8 * 3
        assert b"SUP-C7" in large_file
    elif fmt == "xlsx":
        rows = lambda content: openpyxl.load_workbook(io.BytesIO(content))["Payments"].max_row  # noqa: E731
        assert rows(large_file) == rows(small_file) + 8 * 3
    elif not fmt:
        assert len(table_rows(large, "payment-file-preview")) == len(table_rows(small, "payment-file-preview")) + 24


def test_the_preview_stops_at_its_limit_and_says_so(paid):
    _more_payments(paid, 20)  # 60 more rows
    response = client_for(paid.finance).get(URL, query())
    assert len(table_rows(response, "payment-file-preview")) == 50
    assert "The first 50 of 65 rows: the files hold every one" in response.content.decode()


def _more_returns(w, payment, count):
    for n in range(count):
        project = f.ProjectFactory(allocation=payment.allocation, provider=w.provider_a)
        spend = f.SpendLineFactory(quarterly_return=f.QuarterlyReturnFactory(project=project), actual=Decimal("10.00"))
        payment.returns.add(spend.quarterly_return)


@pytest.mark.parametrize("who", ["finance", "user_a"])
def test_the_remittance_advice_makes_as_many_queries_with_many_returns_as_with_few(paid, who):
    client = client_for(getattr(paid, who))
    path = f"/payments/{paid.a_q3.pk}/remittance/"
    _more_returns(paid, paid.a_q3, 1)
    few, small, _ = _count(client, path)
    _more_returns(paid, paid.a_q3, 7)
    many, large, _ = _count(client, path)

    assert small.status_code == large.status_code == 200
    assert many == few
    assert len(table_rows(large, "remittance-returns")) == 8
