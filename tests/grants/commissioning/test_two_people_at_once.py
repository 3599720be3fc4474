"""
Two people acting at once. On every database, an action taken on a copy read before someone
else's change is refused as stale and changes nothing. On PostgreSQL, two threads on two
connections, released together by a barrier, give exactly one success: one release of one
payment, one approval within the programme's ceiling, one release within the allocation.
SQLite lets one writer in at a time, so the threaded tests run on PostgreSQL only.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection

from grants.models import Allocation, Payment, Programme
from grants.services import Invalid, NotAllowed, Stale
from grants.services import commissioning
from grants.services import payments as s
from tests import factories as f
from tests.races import at_once

TODAY = date(2024, 5, 15)


OUTCOMES = ((Stale, "stale"), (Invalid, "invalid"), (NotAllowed, "refused"))


def _race(*calls) -> list[str]:
    """Run each call in its own thread and connection, started together; what each one came to."""
    def outcome(error):
        if error is None:
            return "done"
        return next((name for kind, name in OUTCOMES if isinstance(error, kind)), repr(error))

    return sorted(outcome(error) for error in at_once(*calls))


def _needs_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the row-lock race needs PostgreSQL")


@pytest.fixture
def scheduled(officers):
    Programme.objects.filter(pk=officers.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE)
    officers.allocation_a.refresh_from_db()
    s.payment_schedule_update(actor=officers.finance, allocation=officers.allocation_a, today=TODAY)
    officers.q1 = Payment.objects.get(allocation=officers.allocation_a, quarter=1)
    return officers


def test_a_second_release_from_the_same_page_is_stale_and_releases_nothing_more(scheduled):
    w = scheduled
    seen = Payment.objects.get(pk=w.q1.pk)
    s.payment_release(actor=w.finance, payment=seen, version=seen.version, reference="PAY-1",
                      paid_on=date(2024, 5, 1), today=TODAY)
    with pytest.raises(Stale):
        s.payment_release(actor=w.finance_2, payment=seen, version=seen.version, reference="PAY-2",
                          paid_on=date(2024, 5, 2), today=TODAY)
    w.q1.refresh_from_db()
    assert (w.q1.reference, w.q1.released_by) == ("PAY-1", w.finance)


def test_a_withhold_on_a_payment_released_meanwhile_is_stale(scheduled):
    w = scheduled
    seen = Payment.objects.get(pk=w.q1.pk)
    s.payment_release(actor=w.finance, payment=seen, version=seen.version, reference="PAY-1",
                      paid_on=date(2024, 5, 1), today=TODAY)
    with pytest.raises(Stale):
        s.payment_withhold(actor=w.finance_2, payment=seen, version=seen.version, reason="Return missing.")
    w.q1.refresh_from_db()
    assert (w.q1.status, w.q1.withheld_reason) == ("released", "")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_people_releasing_the_same_payment_at_once_give_exactly_one_release(scheduled):
    _needs_postgresql()
    w = scheduled

    def release(user, reference):
        # Each person loaded the page before either pressed the button.
        seen = Payment.objects.get(pk=w.q1.pk)

        def call():
            s.payment_release(actor=user, payment=seen, version=seen.version, reference=reference,
                              paid_on=date(2024, 5, 1), today=TODAY)
        return call

    assert _race(release(w.finance, "PAY-A"), release(w.finance_2, "PAY-B")) == ["done", "stale"]
    w.q1.refresh_from_db()
    assert w.q1.status == Payment.Status.RELEASED
    assert Payment.history.filter(id=w.q1.pk, status=Payment.Status.RELEASED).count() == 1
    assert sum(Payment.objects.filter(status="released").values_list("amount", flat=True)) == Decimal("25000.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_releases_of_different_payments_at_once_never_pay_more_than_the_allocation(officers):
    _needs_postgresql()
    # A schedule typed in by hand that adds up to more than the £100,000.00 allocation.
    Programme.objects.filter(pk=officers.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE)
    q1 = f.PaymentFactory(allocation=officers.allocation_a, quarter=1, amount=Decimal("60000.00"))
    q2 = f.PaymentFactory(allocation=officers.allocation_a, quarter=2, amount=Decimal("60000.00"))

    def release(user, payment):
        def call():
            seen = Payment.objects.get(pk=payment.pk)
            s.payment_release(actor=user, payment=seen, version=seen.version, reference=f"PAY-{payment.pk}",
                              paid_on=date(2024, 5, 1), today=TODAY)
        return call

    assert _race(release(officers.finance, q1), release(officers.finance_2, q2)) == ["done", "invalid"]
    assert sum(Payment.objects.filter(status="released").values_list("amount", flat=True)) == Decimal("60000.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_approvals_at_once_never_take_a_programme_past_its_ceiling(officers):
    _needs_postgresql()
    # £1,000,000.00 budget, no allowance, £200,000.00 approved: £800,000.00 is left, enough for one of these.
    drafts = [f.AllocationFactory(programme=officers.programme, amount=Decimal("500000.00"), status="draft",
                                  decision_reference="", decision_date=None) for _ in range(2)]

    def approve(user, allocation):
        def call():
            seen = Allocation.objects.get(pk=allocation.pk)
            commissioning.allocation_approve(actor=user, allocation=seen, version=seen.version,
                                             decision_reference=f"DEC-{allocation.pk}", decision_date=date(2023, 3, 1))
        return call

    assert _race(approve(officers.commissioner, drafts[0]), approve(officers.commissioner_2, drafts[1])) == [
        "done", "invalid"]
    assert commissioning.committed_total(officers.programme.pk) == Decimal("700000.00")
