"""
Payments, closing and clawback through their services: the schedule drawn up from the
programme's terms (equal instalments in advance once signed; verified spend in arrears,
capped by what is left), releasing with a reference and date, withholding with a reason,
never paying more than the allocation, the underspend and its clawback. Money to the penny.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants import selectors
from grants.models import Allocation, Clawback, Payment, Programme, QuarterlyReturn
from grants.periods import Quarter
from grants.services import Invalid, NotAllowed, Stale
from grants.services import commissioning, returns
from grants.services import payments as s
from tests import factories as f
from tests.grants.commissioning.helpers import Q, line, verified_return

Status = Payment.Status
AFTER_YEAR_END = date(2024, 5, 15)


def schedule(w, allocation=None, today=AFTER_YEAR_END, actor=None):
    return s.payment_schedule_update(actor=actor or w.finance, allocation=allocation or w.allocation_a, today=today)


def payments_of(allocation):
    return [(p.period.label, p.amount, p.status) for p in Payment.objects.filter(allocation=allocation)
            .order_by("financial_year", "quarter")]


def release(w, payment, reference="PAY-001", paid_on=date(2024, 5, 1), actor=None, today=AFTER_YEAR_END):
    payment = Payment.objects.get(pk=payment.pk)
    return s.payment_release(actor=actor or w.finance, payment=payment, version=payment.version, reference=reference,
                             paid_on=paid_on, today=today)


@pytest.fixture
def advance(officers):
    """Allocation A paid in advance: £100,000.01 over four quarters."""
    Programme.objects.filter(pk=officers.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE)
    Allocation.objects.filter(pk=officers.allocation_a.pk).update(amount=Decimal("100000.01"))
    officers.allocation_a.refresh_from_db()
    officers.programme.refresh_from_db()
    return officers


@pytest.fixture
def arrears(officers):
    """Allocation A paid in arrears, with project A's one line of £40,000.00 and a second project's of £60,000.00."""
    w = officers
    w.staff = line(w.project_a, "Youth workers", "40000.00")
    w.second = f.ProjectFactory(allocation=w.allocation_a, provider=w.provider_a, reference="A-2", name="Second")
    w.outreach = line(w.second, "Outreach", "60000.00")
    return w


# --- In advance -------------------------------------------------------------------------------


def test_in_advance_the_schedule_is_equal_instalments_to_the_penny(advance):
    change = schedule(advance, today=date(2023, 4, 1))
    assert payments_of(advance.allocation_a) == [
        ("2023-24 Q1", Decimal("25000.00"), "scheduled"), ("2023-24 Q2", Decimal("25000.00"), "scheduled"),
        ("2023-24 Q3", Decimal("25000.00"), "scheduled"), ("2023-24 Q4", Decimal("25000.01"), "scheduled"),
    ]
    assert str(change) == "Payment schedule updated: 4 payments scheduled."
    assert str(schedule(advance)) == "The payment schedule is up to date: nothing changed."
    assert Payment.history.filter(allocation_id=advance.allocation_a.pk).first().history_user == advance.finance


@pytest.mark.parametrize("status", [Allocation.Status.DRAFT, Allocation.Status.APPROVED, Allocation.Status.CLOSED])
def test_no_schedule_before_the_agreement_is_signed_or_after_closing(advance, status):
    Allocation.objects.filter(pk=advance.allocation_a.pk).update(status=status)
    advance.allocation_a.refresh_from_db()
    with pytest.raises(NotAllowed):
        schedule(advance)
    assert not Payment.objects.exists()


def test_instalments_add_up_to_the_allocation_whatever_the_number_of_quarters():
    quarters = list(Quarter.range(Q(2), Q(2, 2024)))  # five quarters
    shares = s.instalments(Decimal("1000.00"), quarters)
    assert list(shares.values()) == [Decimal("200.00")] * 5
    shares = s.instalments(Decimal("0.03"), quarters)
    assert list(shares.values()) == [Decimal("0.00")] * 4 + [Decimal("0.03")]
    assert sum(s.instalments(Decimal("99999.99"), quarters[:3]).values()) == Decimal("99999.99")


def test_a_payment_is_released_with_its_reference_and_date_and_who_did_it(advance):
    schedule(advance)
    q1 = Payment.objects.get(allocation=advance.allocation_a, quarter=1)
    released = release(advance, q1, reference=" BACS-4471 ", paid_on=date(2023, 4, 14))
    assert (released.status, released.reference, released.paid_on, released.released_by) == (
        Status.RELEASED, "BACS-4471", date(2023, 4, 14), advance.finance)
    record = released.history.order_by("-history_date").first()
    assert (record.history_user, record.history_change_reason) == (advance.finance, "Released: BACS-4471")


@pytest.mark.parametrize("reference, paid_on, errors", [
    ("", None, {"reference": "Enter the payment reference from the finance system.",
                "paid_on": "Enter the date the payment was made."}),
    ("PAY-1", date(2024, 5, 16), {"paid_on": "The payment date cannot be in the future: release it on the day it is paid."}),
])
def test_a_release_needs_a_reference_and_a_date_that_has_come(advance, reference, paid_on, errors):
    schedule(advance)
    q1 = Payment.objects.get(allocation=advance.allocation_a, quarter=1)
    with pytest.raises(Invalid) as refused:
        release(advance, q1, reference=reference, paid_on=paid_on)
    assert refused.value.errors == errors
    q1.refresh_from_db()
    assert (q1.status, q1.version) == (Status.SCHEDULED, 0)


def test_never_more_than_the_allocation_in_total(officers):
    # A schedule typed in by hand that adds up to more than the allocation of £100,000.00.
    Programme.objects.filter(pk=officers.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE)
    q1 = f.PaymentFactory(allocation=officers.allocation_a, quarter=1, amount=Decimal("60000.00"))
    q2 = f.PaymentFactory(allocation=officers.allocation_a, quarter=2, amount=Decimal("40000.01"))
    release(officers, q1)
    with pytest.raises(Invalid) as refused:
        release(officers, q2, reference="PAY-002")
    assert refused.value.errors == {"__all__": (
        "£60,000.00 has already been released against an allocation of £100,000.00: releasing £40,000.01 would "
        "pay more than the allocation.")}
    assert Payment.objects.filter(status=Status.RELEASED).count() == 1


def test_a_withheld_payment_has_its_reason_and_can_be_released_later(advance):
    schedule(advance)
    q2 = Payment.objects.get(allocation=advance.allocation_a, quarter=2)
    with pytest.raises(Invalid) as refused:
        s.payment_withhold(actor=advance.finance, payment=q2, version=q2.version, reason=" ")
    assert refused.value.errors == {"reason": "Say why the payment is withheld, for example which return is missing."}

    q2 = s.payment_withhold(actor=advance.finance, payment=q2, version=q2.version,
                            reason="The Q1 return is missing.")
    assert (q2.status, q2.withheld_reason) == (Status.WITHHELD, "The Q1 return is missing.")
    with pytest.raises(NotAllowed):
        s.payment_withhold(actor=advance.finance, payment=q2, version=q2.version, reason="Again.")
    assert release(advance, q2).status == Status.RELEASED


@pytest.mark.parametrize("actor", ["commissioner", "viewer", "user_a", "outsider_finance"])
def test_only_the_funders_finance_officers_schedule_release_and_withhold(advance, actor):
    user = getattr(advance, actor)
    with pytest.raises(NotAllowed):
        schedule(advance, actor=user)
    schedule(advance)
    q1 = Payment.objects.get(allocation=advance.allocation_a, quarter=1)
    with pytest.raises(NotAllowed):
        release(advance, q1, actor=user)
    with pytest.raises(NotAllowed):
        s.payment_withhold(actor=user, payment=q1, version=q1.version, reason="No.")
    q1.refresh_from_db()
    assert (q1.status, q1.version) == (Status.SCHEDULED, 0)


def test_a_release_on_an_old_copy_is_stale(advance):
    schedule(advance)
    seen = Payment.objects.get(allocation=advance.allocation_a, quarter=1)
    release(advance, seen, actor=advance.finance_2)
    with pytest.raises(Stale):
        s.payment_release(actor=advance.finance, payment=seen, version=seen.version, reference="PAY-2",
                          paid_on=date(2024, 5, 1), today=AFTER_YEAR_END)
    assert Payment.history.filter(id=seen.pk, status=Status.RELEASED).count() == 1


# --- In arrears -------------------------------------------------------------------------------


def test_in_arrears_each_ended_quarter_pays_its_verified_spend_once_every_return_is_in(arrears):
    w = arrears
    verified_return(w, w.project_a, Q(1), {w.staff: "9876.54"})
    verified_return(w, w.second, Q(1), {w.outreach: "15000.01"})
    verified_return(w, w.project_a, Q(2), {w.staff: "10000.00"})  # the second project's Q2 is missing

    change = schedule(w, today=date(2023, 10, 1))  # Q1 and Q2 have ended
    assert payments_of(w.allocation_a) == [("2023-24 Q1", Decimal("24876.55"), "scheduled")]
    assert str(change) == ("Payment schedule updated: 1 payment scheduled. 2023-24 Q2 is worked out when its returns "
                           "are approved with verified spend.")
    spend = s.quarter_spend([w.allocation_a.pk], {w.allocation_a.pk: [Q(1), Q(2)]})
    assert spend[w.allocation_a.pk, Q(1)].ready
    assert spend[w.allocation_a.pk, Q(2)].waiting == ["Second: no return yet"]


def test_quarters_whose_returns_are_not_in_are_not_payments_of_nothing(arrears):
    w = arrears
    change = schedule(w, today=date(2024, 1, 2))  # Q1 to Q3 have ended; no return is in
    assert payments_of(w.allocation_a) == []
    assert str(change) == (
        "The payment schedule is up to date: nothing changed. 2023-24 Q1, 2023-24 Q2 and 2023-24 Q3 are worked out "
        "when their returns are approved with verified spend.")
    rows = selectors.payment_schedule(w.finance, w.allocation_a, date(2024, 1, 2))
    assert [(row.quarter.label, row.payment, row.not_yet) for row in rows] == [
        (f"2023-24 Q{n}", None, f"Worked out when the 2023-24 Q{n} returns are approved") for n in (1, 2, 3, 4)]


def test_an_arrears_payment_waits_for_every_return_approved_with_verified_spend(arrears):
    w = arrears
    verified_return(w, w.project_a, Q(1), {w.staff: "10000.00"})
    verified_return(w, w.second, Q(1), {w.outreach: "15000.00"}, verify=False)
    schedule(w, today=date(2023, 7, 1))
    assert payments_of(w.allocation_a) == []
    [row, *_] = selectors.payment_schedule(w.finance, w.allocation_a, date(2023, 7, 1))
    assert (row.not_yet, row.waiting) == ("Worked out when the 2023-24 Q1 returns are approved",
                                          ["Second: spend not checked"])

    # Finance verifies: the quarter is ready and updating the schedule makes its payment.
    ret = QuarterlyReturn.objects.get(project=w.second, quarter=1)
    returns.return_verify_spend(actor=w.finance, ret=ret, version=ret.version)
    [row, *_] = selectors.payment_schedule(w.finance, w.allocation_a, date(2023, 7, 1))
    assert row.not_yet == "Returns approved with verified spend: the payment is scheduled next"
    assert str(schedule(w, today=date(2023, 7, 1))) == "Payment schedule updated: 1 payment scheduled."
    q1 = Payment.objects.get(allocation=w.allocation_a, quarter=1)
    assert (q1.amount, s.check_release_payment(q1)) == (Decimal("25000.00"), "")

    # A return reopened and approved again with other figures: the payment waits, then its amount is out of date.
    ret = QuarterlyReturn.objects.get(project=w.second, quarter=1)
    returns.return_reopen(actor=w.commissioner, ret=ret, version=ret.version, reason="Invoice was wrong.")
    waiting = "2023-24 Q1 cannot be paid in arrears yet: Second: return returned for amendment."
    assert s.check_release_payment(q1) == waiting
    with pytest.raises(Invalid) as refused:
        release(w, q1)
    assert refused.value.errors == {"__all__": waiting}
    verified_return(w, w.second, Q(1), {w.outreach: "14000.00"})
    out_of_date = ("The verified spend for 2023-24 Q1 now makes £24,000.00 due, not the £25,000.00 scheduled: update "
                   "the schedule, check the amount and release it again.")
    assert s.check_release_payment(q1) == out_of_date
    with pytest.raises(Invalid) as refused:
        release(w, q1)
    assert refused.value.errors == {"__all__": out_of_date}

    assert str(schedule(w, today=date(2023, 7, 1))) == (
        "Payment schedule updated: 1 amount brought up to date with the verified spend.")
    released = release(w, q1)
    assert (released.status, released.amount) == (Status.RELEASED, Decimal("24000.00"))


def test_an_arrears_payment_is_capped_by_what_is_left_of_the_allocation(arrears):
    w = arrears
    for quarter, spend in [(1, "30000.00"), (2, "30000.00"), (3, "30000.00"), (4, "10000.01")]:
        verified_return(w, w.project_a, Q(quarter), {w.staff: "0.00"})
        verified_return(w, w.second, Q(quarter), {w.outreach: spend})
    schedule(w)
    assert [amount for _, amount, _ in payments_of(w.allocation_a)] == [
        Decimal("30000.00"), Decimal("30000.00"), Decimal("30000.00"), Decimal("10000.00")]
    for number in (1, 2, 3, 4):
        release(w, Payment.objects.get(allocation=w.allocation_a, quarter=number), reference=f"PAY-{number}")
    assert sum(Payment.objects.filter(status=Status.RELEASED).values_list("amount", flat=True)) == Decimal("100000.00")


def test_a_released_arrears_payment_is_never_changed_by_a_later_update(arrears):
    w = arrears
    verified_return(w, w.project_a, Q(1), {w.staff: "10000.00"})
    verified_return(w, w.second, Q(1), {w.outreach: "15000.00"})
    schedule(w, today=date(2023, 7, 1))
    release(w, Payment.objects.get(quarter=1))
    ret = QuarterlyReturn.objects.get(project=w.second, quarter=1)
    returns.return_reopen(actor=w.commissioner, ret=ret, version=ret.version, reason="Invoice was wrong.")
    assert str(schedule(w, today=date(2023, 7, 1))) == "The payment schedule is up to date: nothing changed."
    assert Payment.objects.get(quarter=1).amount == Decimal("25000.00")


# --- Closing, underspend and clawback ---------------------------------------------------------


@pytest.fixture
def paid_in_advance(advance):
    """A's £100,000.01 released in four instalments; £90,000.50 of spend verified."""
    w = advance
    w.staff = line(w.project_a, "Youth workers", "100000.00")
    schedule(w)
    for number in (1, 2, 3, 4):
        release(w, Payment.objects.get(allocation=w.allocation_a, quarter=number), reference=f"ADV-{number}")
    for number, spend in [(1, "25000.00"), (2, "25000.00"), (3, "25000.00"), (4, "15000.50")]:
        verified_return(w, w.project_a, Q(number), {w.staff: spend})
    return w


def test_the_underspend_comes_from_verified_spend_and_released_payments(paid_in_advance):
    money = s.underspend(paid_in_advance.allocation_a)
    assert (money.amount, money.released, money.verified_spend) == (
        Decimal("100000.01"), Decimal("100000.01"), Decimal("90000.50"))
    assert (money.not_spent, money.paid_not_spent, money.to_recover, money.not_paid) == (
        Decimal("9999.51"), Decimal("9999.51"), Decimal("9999.51"), Decimal("0.00"))


def test_finance_recovers_the_underspend_and_every_pound_is_accounted_for(paid_in_advance):
    w = paid_in_advance
    allocation = s.allocation_close(actor=w.finance, allocation=w.allocation_a, version=w.allocation_a.version,
                                    today=AFTER_YEAR_END)
    assert allocation.status == Allocation.Status.CLOSED

    clawback = s.clawback_request(actor=w.finance, allocation=allocation, amount=Decimal("9999.51"),
                                  reason="Underspend at year end.", requested_on=date(2024, 5, 2), today=AFTER_YEAR_END)
    assert s.underspend(allocation).to_recover == Decimal("0.00")
    clawback = s.clawback_receive(actor=w.finance, clawback=clawback, version=clawback.version,
                                  received_on=date(2024, 5, 10), today=AFTER_YEAR_END)
    money = s.underspend(allocation)
    assert (clawback.status, money.clawback_received, money.net_paid) == (
        Clawback.Status.RECEIVED, Decimal("9999.51"), Decimal("90000.50"))
    assert money.net_paid == money.verified_spend


def test_a_clawback_is_more_than_nothing_and_no_more_than_was_paid_and_not_asked_back(paid_in_advance):
    w = paid_in_advance
    request = lambda amount: s.clawback_request(  # noqa: E731
        actor=w.finance, allocation=w.allocation_a, amount=Decimal(amount), reason="Misspent on catering.",
        requested_on=date(2024, 5, 2), today=AFTER_YEAR_END)
    with pytest.raises(Invalid) as refused:
        request("0")
    assert refused.value.errors == {"amount": "The amount to recover must be more than £0."}
    request("100000.00")
    with pytest.raises(Invalid) as refused:
        request("0.02")
    assert refused.value.errors == {"amount": (
        "Only £0.01 has been released and not already asked back: no more than that can be recovered.")}
    assert request("0.01").amount == Decimal("0.01")


def test_a_waived_clawback_says_why_and_a_received_one_when(paid_in_advance):
    w = paid_in_advance
    clawback = s.clawback_request(actor=w.finance, allocation=w.allocation_a, amount=Decimal("500.00"),
                                  reason="Underspend.", requested_on=date(2024, 5, 2), today=AFTER_YEAR_END)
    with pytest.raises(Invalid) as refused:
        s.clawback_waive(actor=w.finance, clawback=clawback, version=clawback.version, reason="")
    assert refused.value.errors == {"waived_reason": "Say why the money will not be recovered."}
    with pytest.raises(Invalid) as refused:
        s.clawback_receive(actor=w.finance, clawback=clawback, version=clawback.version,
                           received_on=date(2024, 5, 1), today=AFTER_YEAR_END)
    assert refused.value.errors == {"received_on": "The money cannot arrive before it was asked for (2 May 2024)."}

    waived = s.clawback_waive(actor=w.finance, clawback=clawback, version=clawback.version,
                              reason="Committed to a contract before year end.", today=AFTER_YEAR_END)
    assert (waived.status, waived.waived_reason, waived.waived_on) == (
        Clawback.Status.WAIVED, "Committed to a contract before year end.", AFTER_YEAR_END)
    assert s.underspend(w.allocation_a).clawback_waived == Decimal("500.00")
    with pytest.raises(NotAllowed):
        s.clawback_receive(actor=w.finance, clawback=waived, version=waived.version, received_on=AFTER_YEAR_END,
                           today=AFTER_YEAR_END)


@pytest.mark.parametrize("actor", ["commissioner", "viewer", "user_a", "outsider_finance"])
def test_only_the_funders_finance_officers_close_and_claw_back(paid_in_advance, actor):
    w, user = paid_in_advance, getattr(paid_in_advance, actor)
    with pytest.raises(NotAllowed):
        s.allocation_close(actor=user, allocation=w.allocation_a, version=w.allocation_a.version, today=AFTER_YEAR_END)
    with pytest.raises(NotAllowed):
        s.clawback_request(actor=user, allocation=w.allocation_a, amount=Decimal("1.00"), reason="x",
                           requested_on=AFTER_YEAR_END, today=AFTER_YEAR_END)
    w.allocation_a.refresh_from_db()
    assert (w.allocation_a.status, Clawback.objects.count()) == (Allocation.Status.ACTIVE, 0)


def test_an_allocation_closes_only_with_its_payments_settled(advance):
    w = advance
    schedule(w)
    with pytest.raises(Invalid) as refused:
        s.allocation_close(actor=w.finance, allocation=w.allocation_a, version=w.allocation_a.version,
                           today=AFTER_YEAR_END)
    assert refused.value.errors == {"__all__": (
        "Release or withhold the scheduled payments before closing: 2023-24 Q1 (£25,000.00), 2023-24 Q2 "
        "(£25,000.00), 2023-24 Q3 (£25,000.00), 2023-24 Q4 (£25,000.01).")}
    for payment in Payment.objects.filter(allocation=w.allocation_a):
        s.payment_withhold(actor=w.finance, payment=payment, version=payment.version, reason="Project stopped.")
    closed = s.allocation_close(actor=w.finance, allocation=w.allocation_a, version=w.allocation_a.version,
                                today=AFTER_YEAR_END)
    assert closed.status == Allocation.Status.CLOSED
    with pytest.raises(NotAllowed):
        release(w, Payment.objects.get(allocation=w.allocation_a, quarter=1))


def test_in_arrears_an_allocation_does_not_close_with_verified_spend_unpaid(arrears):
    w = arrears
    verified_return(w, w.project_a, Q(1), {w.staff: "10.00"})
    verified_return(w, w.second, Q(1), {w.outreach: "10.00"})
    with pytest.raises(Invalid) as refused:
        s.allocation_close(actor=w.finance, allocation=w.allocation_a, version=w.allocation_a.version,
                           today=AFTER_YEAR_END)
    assert refused.value.errors == {"__all__": (
        "Verified spend has no payment yet for 2023-24 Q1: update the payment schedule first.")}


def test_in_arrears_verified_spend_waiting_for_other_returns_says_what_it_waits_for_before_closing(arrears):
    w = arrears
    verified_return(w, w.project_a, Q(1), {w.staff: "10.00"})  # the second project's Q1 is missing
    reason = ("Verified spend is waiting to be paid for 2023-24 Q1 (Second: no return yet): its payment is worked "
              "out once every return for the quarter is approved with verified spend, then update the payment "
              "schedule.")
    assert s.check_close_allocation(w.allocation_a, AFTER_YEAR_END) == reason
    with pytest.raises(Invalid) as refused:
        s.allocation_close(actor=w.finance, allocation=w.allocation_a, version=w.allocation_a.version,
                           today=AFTER_YEAR_END)
    assert refused.value.errors == {"__all__": reason}


def test_withdrawing_a_signed_allocation_holds_back_its_scheduled_payments_saying_why(advance):
    w = advance
    Allocation.objects.filter(pk=w.allocation_a.pk).update(status=Allocation.Status.AGREEMENT_SIGNED)
    w.allocation_a.refresh_from_db()
    schedule(w)
    commissioning.allocation_withdraw(actor=w.commissioner, allocation=w.allocation_a, version=w.allocation_a.version,
                                      reason="The partnership dissolved.")
    assert set(Payment.objects.filter(allocation=w.allocation_a).values_list("status", "withheld_reason")) == {
        ("withheld", "The allocation was withdrawn: The partnership dissolved.")}
    record = Payment.history.filter(allocation_id=w.allocation_a.pk, status="withheld").first()
    assert (record.history_user, record.history_change_reason) == (w.commissioner, "Allocation withdrawn")
