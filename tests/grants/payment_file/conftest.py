"""
The world of the payment file and the remittance advice: the base actors (tests/conftest.py) with the
finance codes set and payments released through the services, on 3 July 2023 at 09:30.

Programme CSF pays in advance, cost centre CC-100, ledger code 5100 (later CC-200: a payment released
before the codes were carried reads the current one). Provider A (supplier number SUP-A) holds allocation
A of £100,000.03 with purchase order PO-A-1, later PO-A-2; provider B is a partnership with no supplier
number of its own, whose accountable body Testshire Council has a supplier number that looks like a
formula. In the file's range, 1 April to 30 June 2023, paid in this order:

    A Q1   1 April 2023 (the first day)  BACS-A1   £25,000.00  SUP-A, CC-100, 5100, PO-A-1 (carried)
    A Q4   2 May 2023                    BACS-A4   £25,000.03  codes blank on the payment: SUP-A, CC-200,
                                                               5100, PO-A-2 (current)
    A Q3   15 May 2023, paid in part     BACS-A3   £9,999.99   PO-A-2; the other £15,000.01 withheld
                                                               ("Invoice for the venue queried.")
    A Q3   1 June 2023, its balance      BACS-A3B  £15,000.01
    B Q1   30 June 2023 (the last day)   =1+2      £25,000.00  the council's supplier number, the council
                                                               as payee
                                                    total £100,000.03

Outside it: A Q2 paid 1 July 2023 (the day after), B Q2 still scheduled (with a payment date forced on
it), and another funder's payment paid 1 May 2023.
"""

import datetime
from datetime import date
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from grants.models import Allocation, Organisation, Payment, Programme
from grants.services import finance_codes
from grants.services import payments as s
from tests import factories as f
from tests import worlds

LONDON = ZoneInfo("Europe/London")
NOW = datetime.datetime(2023, 7, 3, 9, 30, tzinfo=LONDON)
TODAY = NOW.date()
FIRST, LAST = date(2023, 4, 1), date(2023, 6, 30)
FORMULA = worlds.FORMULA_NAME  # '=HYPERLINK("http://x","click")': 30 characters, a supplier number's most


def release(w, payment, reference, paid_on, **kwargs) -> Payment:
    payment = Payment.objects.get(pk=payment.pk)
    return s.payment_release(actor=w.finance, payment=payment, version=payment.version, reference=reference,
                             paid_on=paid_on, today=TODAY, **kwargs)


def quarter_payment(allocation, number) -> Payment:
    return Payment.objects.get(allocation=allocation, financial_year=2023, quarter=number, balance_of__isnull=True)


def paid_in_range(w):
    """The world described above, built on the base actors."""
    Programme.objects.filter(pk=w.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE,
                                                       cost_centre="CC-100", ledger_code="5100")
    Allocation.objects.filter(pk=w.allocation_a.pk).update(amount=Decimal("100000.03"), purchase_order="PO-A-1")
    Organisation.objects.filter(pk=w.provider_a.pk).update(supplier_number="SUP-A")
    w.council = f.OrganisationFactory(name="Testshire Council", kind=Organisation.Kind.LOCAL_AUTHORITY,
                                      local_authority_code="TST", supplier_number=FORMULA)
    Organisation.objects.filter(pk=w.provider_b.pk).update(accountable_body=w.council)
    for obj in (w.programme, w.allocation_a, w.allocation_b, w.provider_a, w.provider_b):
        obj.refresh_from_db()

    for allocation in (w.allocation_a, w.allocation_b):
        s.payment_schedule_update(actor=w.finance, allocation=allocation, today=FIRST)
    a = w.allocation_a
    w.a_q1 = release(w, quarter_payment(a, 1), "BACS-A1", FIRST)
    a.refresh_from_db()
    finance_codes.allocation_finance_codes_save(actor=w.finance, allocation=a, version=a.version,
                                                purchase_order="PO-A-2")
    w.a_q4 = release(w, quarter_payment(a, 4), "BACS-A4", date(2023, 5, 2))
    # Released before the codes were carried onto payments: the file reads the current ones.
    Payment.objects.filter(pk=w.a_q4.pk).update(supplier_number="", cost_centre="", ledger_code="", purchase_order="")
    w.a_q3 = release(w, quarter_payment(a, 3), "BACS-A3", date(2023, 5, 15), amount=Decimal("9999.99"),
                     withhold_reason="Invoice for the venue queried.")
    w.a_q3_balance = release(w, Payment.objects.get(balance_of=w.a_q3), "BACS-A3B", date(2023, 6, 1))
    w.b_q1 = release(w, quarter_payment(w.allocation_b, 1), "=1+2", LAST)
    w.a_q2 = release(w, quarter_payment(a, 2), "BACS-A2", date(2023, 7, 1))
    w.b_q2 = quarter_payment(w.allocation_b, 2)
    Payment.objects.filter(pk=w.b_q2.pk).update(paid_on=date(2023, 5, 5))  # scheduled: never in the file
    Programme.objects.filter(pk=w.programme.pk).update(cost_centre="CC-200")

    elsewhere = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=w.other_commissioner_org,
                                                                 name="Elsewhere Fund", cost_centre="EL-1"),
                                    recipient=f.OrganisationFactory(name="Elsewhere Provider", supplier_number="EL-9"))
    w.elsewhere = worlds.released_payment(elsewhere, 1, "5000.00")
    Payment.objects.filter(pk=w.elsewhere.pk).update(paid_on=date(2023, 5, 1))
    w.outsider_finance = f.UserFactory(username="outsider-finance", organisation=w.other_commissioner_org,
                                       role="finance")
    for name in ("a_q1", "a_q2", "a_q3", "a_q3_balance", "a_q4", "b_q1", "b_q2", "elsewhere"):
        getattr(w, name).refresh_from_db()
    w.programme.refresh_from_db()
    w.allocation_a.refresh_from_db()
    return w


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def paid(actors, now):
    return paid_in_range(actors)
