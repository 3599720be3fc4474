"""
Payments as the grant's rules have them, through the services and the payment page:

- advances follow the projects' profiled spend (or equal instalments where the programme says so,
  or where nothing is profiled yet), each financial year's amount shared between its own quarters;
- a programme can hold each advance until every return of the quarter before it is approved: the
  release is refused naming the returns it waits for;
- the undisputed part of a quarter can be paid, the rest withheld with a reason as the payment's
  balance and released later; never more than the quarter, nor than the allocation;
- the finance codes are carried onto the payment as it is released.
Money to the penny.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants import selectors
from grants.models import Allocation, AllocationYear, Organisation, Payment, Programme, ProgrammeYear
from grants.services import Invalid
from grants.services import payments as s
from grants.services import returns as return_services
from tests.dates import date_boxes
from tests.grants.commissioning.helpers import Q, client_for, line, table_rows, verified_return

D = Decimal
Status = Payment.Status
AFTER_YEAR_END = date(2024, 5, 15)


def schedule(w, allocation=None, today=AFTER_YEAR_END):
    return s.payment_schedule_update(actor=w.finance, allocation=allocation or w.allocation_a, today=today)


def payments_of(allocation):
    return [(p.period.label, p.amount, p.status) for p in Payment.objects.filter(allocation=allocation)
            .order_by("financial_year", "quarter", "pk")]


def release(w, payment, reference="PAY-001", paid_on=date(2024, 5, 1), **kwargs):
    payment = Payment.objects.get(pk=payment.pk)
    return s.payment_release(actor=w.finance, payment=payment, version=payment.version, reference=reference,
                             paid_on=paid_on, today=AFTER_YEAR_END, **kwargs)


def quarter_payment(allocation, number, year=2023):
    return Payment.objects.get(allocation=allocation, financial_year=year, quarter=number, balance_of__isnull=True)


@pytest.fixture
def advance(officers):
    """Allocation A (£100,000.01, 2023-24) paid in advance."""
    Programme.objects.filter(pk=officers.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE)
    Allocation.objects.filter(pk=officers.allocation_a.pk).update(amount=D("100000.01"))
    officers.allocation_a.refresh_from_db()
    officers.programme.refresh_from_db()
    return officers


# --- Advances follow the profile --------------------------------------------------------------------


def test_advances_follow_the_profiled_spend_to_the_penny(advance):
    w = advance
    # A capital-heavy first quarter: £50,000 of £100,000 profiled in Q1.
    line(w.project_a, "Target hardening", "60000.00", ["45000", "5000", "5000", "5000"])
    line(w.project_a, "Caseworker", "40000.00", ["5000", "5000", "15000", "15000"])
    schedule(w, today=date(2023, 4, 1))
    assert payments_of(w.allocation_a) == [
        ("2023-24 Q1", D("50000.00"), "scheduled"), ("2023-24 Q2", D("10000.00"), "scheduled"),
        ("2023-24 Q3", D("20000.00"), "scheduled"), ("2023-24 Q4", D("20000.01"), "scheduled"),
    ]
    assert sum(p.amount for p in Payment.objects.filter(allocation=w.allocation_a)) == w.allocation_a.amount


def test_the_programme_can_ask_for_equal_instalments_and_nothing_profiled_means_equal(advance):
    w = advance
    line(w.project_a, "Target hardening", "100000.00", ["50000", "10000", "20000", "20000"])
    Programme.objects.filter(pk=w.programme.pk).update(advance_split=Programme.AdvanceSplit.EQUAL)
    w.allocation_a.programme.refresh_from_db()
    schedule(w, today=date(2023, 4, 1))
    assert [amount for _, amount, _ in payments_of(w.allocation_a)] == [D("25000.00")] * 3 + [D("25000.01")]
    # Allocation B has no budget lines yet: equal shares, whatever the programme says.
    Programme.objects.filter(pk=w.programme.pk).update(advance_split=Programme.AdvanceSplit.PROFILE)
    schedule(w, allocation=Allocation.objects.get(pk=w.allocation_b.pk), today=date(2023, 4, 1))
    assert [amount for _, amount, _ in payments_of(w.allocation_b)] == [D("25000.00")] * 4


def test_profile_split_with_odd_pennies_adds_up_exactly():
    from grants import figures
    parts = figures.split_by_weights(D("100.00"), {1: D("1"), 2: D("1"), 3: D("1")})
    assert list(parts.values()) == [D("33.33"), D("33.33"), D("33.34")]
    parts = figures.split_by_weights(D("10.00"), {1: D("3"), 2: D("0"), 3: D("7"), 4: D("0")})
    assert parts == {1: D("3.00"), 2: D("0.00"), 3: D("7.00"), 4: D("0.00")}  # the last weighted takes the rest
    parts = figures.split_by_weights(D("0.05"), {1: D("0"), 2: D("0")})
    assert parts == {1: D("0.02"), 2: D("0.03")}
    assert figures.split_by_weights(D("1.00"), {}) == {}


def test_each_year_of_an_allocation_over_two_years_is_shared_between_its_own_quarters(advance):
    w = advance
    programme = Programme.objects.get(pk=w.programme.pk)
    ProgrammeYear.objects.create(programme=programme, financial_year=2023, budget=D("1000000.00"))
    ProgrammeYear.objects.create(programme=programme, financial_year=2024, budget=D("1000000.00"))
    Allocation.objects.filter(pk=w.allocation_a.pk).update(amount=D("150000.00"), end_date=date(2025, 3, 31))
    AllocationYear.objects.create(allocation=w.allocation_a, financial_year=2023, amount=D("100000.00"))
    AllocationYear.objects.create(allocation=w.allocation_a, financial_year=2024, amount=D("50000.00"))
    line(w.project_a, "Youth workers", "100000.00", ["40000", "20000", "20000", "20000"])
    line(w.project_a, "Youth workers", "50000.00", ["0", "0", "25000", "25000"], year=2024)
    allocation = Allocation.objects.get(pk=w.allocation_a.pk)
    schedule(w, allocation=allocation, today=date(2023, 4, 1))
    assert [amount for _, amount, _ in payments_of(allocation)] == [
        D("40000.00"), D("20000.00"), D("20000.00"), D("20000.00"),
        D("0.00"), D("0.00"), D("25000.00"), D("25000.00")]


# --- Held until the previous quarter's returns are approved ---------------------------------------------


def test_an_advance_is_held_until_every_return_of_the_quarter_before_is_approved(advance):
    w = advance
    staff = line(w.project_a, "Youth workers", "100000.01")
    Programme.objects.filter(pk=w.programme.pk).update(hold_advance_for_returns=True)
    schedule(w, today=date(2023, 4, 1))
    # Q1 has no quarter before it in the allocation: it goes.
    release(w, quarter_payment(w.allocation_a, 1), paid_on=date(2023, 4, 14))
    q2 = quarter_payment(w.allocation_a, 2)
    assert s.check_release_payment(q2) == (
        "The programme holds each advance until the previous quarter's returns are approved: 2023-24 Q2 waits for "
        "2023-24 Q1 (Project of A: no return yet).")
    submitted = verified_return(w, w.project_a, Q(1), {staff: "20000.00"}, approve=False, verify=False)
    with pytest.raises(Invalid) as refused:
        release(w, q2, reference="PAY-002")
    assert refused.value.errors == {"__all__": (
        "The programme holds each advance until the previous quarter's returns are approved: 2023-24 Q2 waits for "
        "2023-24 Q1 (Project of A: return submitted).")}
    assert quarter_payment(w.allocation_a, 2).status == Status.SCHEDULED
    return_services.return_approve(actor=w.commissioner, ret=submitted, version=submitted.version,
                                   officer_rag="green")  # approved; its spend not yet verified
    assert release(w, q2, reference="PAY-002").status == Status.RELEASED


def test_without_the_hold_an_advance_goes_whatever_the_returns(advance):
    w = advance
    schedule(w, today=date(2023, 4, 1))
    assert s.check_release_payment(quarter_payment(w.allocation_a, 3)) == ""


# --- Part payments --------------------------------------------------------------------------------------


def test_the_undisputed_part_is_paid_and_the_rest_withheld_then_released(advance):
    w = advance
    schedule(w, today=date(2023, 4, 1))
    q1 = quarter_payment(w.allocation_a, 1)  # £25,000.00
    paid = release(w, q1, amount=D("18000.00"), withhold_reason="Invoices for £7,000 of equipment are queried.",
                   paid_on=date(2023, 4, 14))
    balance = Payment.objects.get(balance_of=paid)
    assert (paid.status, paid.amount) == (Status.RELEASED, D("18000.00"))
    assert (balance.status, balance.amount, balance.withheld_reason, balance.period) == (
        Status.WITHHELD, D("7000.00"), "Invoices for £7,000 of equipment are queried.", Q(1))
    assert paid.history.latest().history_change_reason == "Released in part: PAY-001, £7,000.00 withheld"
    assert balance.history.latest().history_change_reason == (
        "Balance of a part payment withheld: Invoices for £7,000 of equipment are queried.")
    # The quarter still adds up to its instalment, and the schedule leaves both alone.
    assert sum(p.amount for p in Payment.objects.filter(allocation=w.allocation_a, quarter=1)) == D("25000.00")
    assert str(schedule(w, today=date(2023, 4, 20))) == "The payment schedule is up to date: nothing changed."
    # The query is settled: the balance is released with its own reference.
    done = release(w, balance, reference="PAY-001B", paid_on=date(2023, 5, 2))
    assert (done.status, done.amount, done.reference) == (Status.RELEASED, D("7000.00"), "PAY-001B")
    released = sum(p.amount for p in Payment.objects.filter(allocation=w.allocation_a, status=Status.RELEASED))
    assert released == D("25000.00")


@pytest.mark.parametrize("amount, reason, errors", [
    (D("25000.01"), "x", {"amount": "The payment is £25,000.00: no more than that can be paid now. Leave it empty "
                                    "to pay it all."}),
    (D("0.00"), "x", None),
    (D("10000.00"), "  ", {"withhold_reason": "Say why the other £15,000.00 is withheld, for example which spend "
                                              "is queried."}),
])
def test_a_part_payment_is_refused_with_what_is_wrong(advance, amount, reason, errors):
    w = advance
    schedule(w, today=date(2023, 4, 1))
    q1 = quarter_payment(w.allocation_a, 1)
    with pytest.raises(Invalid) as refused:
        release(w, q1, amount=amount, withhold_reason=reason)
    assert list(refused.value.errors) == ["amount"] if errors is None else refused.value.errors == errors
    assert payments_of(w.allocation_a)[0] == ("2023-24 Q1", D("25000.00"), "scheduled")
    assert Payment.objects.filter(allocation=w.allocation_a).count() == 4


def test_in_arrears_a_part_paid_quarter_keeps_its_balance_up_to_date_with_the_verified_spend(officers):
    w = officers
    staff = line(w.project_a, "Youth workers", "40000.00")
    verified_return(w, w.project_a, Q(1), {staff: "9000.00"})
    schedule(w)
    q1 = quarter_payment(w.allocation_a, 1)
    paid = release(w, q1, amount=D("6000.00"), withhold_reason="£3,000 of invoices queried.")
    balance = Payment.objects.get(balance_of=paid)
    assert balance.amount == D("3000.00")
    assert s.check_release_payment(balance) == ""
    # Finance reopens the spend and verifies £8,000 instead: the balance follows.
    ret = paid.returns.get()
    ret = return_services.return_reopen(actor=w.commissioner, ret=ret, version=ret.version,
                                        reason="Spend corrected.")
    verified_return(w, w.project_a, Q(1), {staff: "8000.00"})
    assert s.check_release_payment(Payment.objects.get(pk=balance.pk)).startswith(
        "The verified spend for 2023-24 Q1 now makes £2,000.00 due, not the £3,000.00 scheduled")
    schedule(w)
    assert Payment.objects.get(pk=balance.pk).amount == D("2000.00")
    release(w, balance, reference="PAY-002")
    assert sum(p.amount for p in Payment.objects.filter(allocation=w.allocation_a, status=Status.RELEASED)) == D(
        "8000.00")


# --- Finance codes ---------------------------------------------------------------------------------------


def test_the_finance_codes_are_carried_onto_the_payment_when_it_is_released(advance):
    w = advance
    Organisation.objects.filter(pk=w.provider_a.pk).update(supplier_number="SUP-00417")
    Programme.objects.filter(pk=w.programme.pk).update(cost_centre="CC-4410", ledger_code="5120")
    Allocation.objects.filter(pk=w.allocation_a.pk).update(purchase_order="PO-77812")
    schedule(w, today=date(2023, 4, 1))
    q1 = quarter_payment(w.allocation_a, 1)
    assert (q1.supplier_number, q1.cost_centre, q1.ledger_code, q1.purchase_order) == ("", "", "", "")
    paid = release(w, q1, paid_on=date(2023, 4, 14))
    paid = Payment.objects.get(pk=paid.pk)
    assert (paid.supplier_number, paid.cost_centre, paid.ledger_code, paid.purchase_order) == (
        "SUP-00417", "CC-4410", "5120", "PO-77812")
    # A later change of code leaves the payment as it was paid.
    Programme.objects.filter(pk=w.programme.pk).update(cost_centre="CC-9999")
    assert Payment.objects.get(pk=paid.pk).cost_centre == "CC-4410"


# --- The page ----------------------------------------------------------------------------------------------


def test_finance_pays_part_of_a_payment_on_its_page(advance):
    w = advance
    schedule(w, today=date(2023, 4, 1))
    q1 = quarter_payment(w.allocation_a, 1)
    finance = client_for(w.finance)
    page = finance.get(f"/payments/{q1.pk}/").content.decode()
    assert "Pay only the undisputed part" in page and "Amount paid now" in page
    refused = finance.post(f"/payments/{q1.pk}/release/", {
        "version": q1.version, "reference": "PAY-1", **date_boxes(paid_on="14/4/2023"),
        "amount": "£20,000"})
    assert refused.status_code == 400 and "Say why the other £5,000.00 is withheld" in refused.content.decode()
    done = finance.post(f"/payments/{q1.pk}/release/", {
        "version": q1.version, "reference": "PAY-1", **date_boxes(paid_on="14/4/2023"),
        "amount": "£20,000", "withhold_reason": "Equipment invoices queried."}, follow=True)
    text = done.content.decode()
    assert "£20,000.00 of the payment for 2023-24 Q1 released: the other £5,000.00 is withheld" in text
    balance = Payment.objects.get(balance_of=q1)
    assert f"/payments/{balance.pk}/" in text
    # The allocation's schedule lists the part paid and the balance, each on its row.
    rows = table_rows(finance.get(f"/allocations/{w.allocation_a.pk}/"), "payment-schedule")
    q1_rows = [row for row in rows if row[0].startswith("2023-24 Q1")]
    assert [(row[0], row[-1]) for row in q1_rows] == [("2023-24 Q1", "£20,000.00"), ("2023-24 Q1 balance", "£5,000.00")]
    assert "Equipment invoices queried." in client_for(w.user_a).get(f"/payments/{balance.pk}/").content.decode()


def test_the_finance_page_and_work_list_say_what_a_held_advance_waits_for(advance):
    w = advance
    line(w.project_a, "Youth workers", "100000.01")
    Programme.objects.filter(pk=w.programme.pk).update(hold_advance_for_returns=True,
                                                       safeguarding_before_payment=True)
    schedule(w, today=date(2023, 4, 1))
    release_q1 = quarter_payment(w.allocation_a, 1)
    finance = client_for(w.finance)
    rows = {row.payment.quarter: row for row in selectors.payments_due(w.finance)
            if row.payment.allocation_id == w.allocation_a.pk}
    assert rows[1].waiting == [s.check_release_payment(release_q1)]  # the documents, as the release says
    assert rows[2].waiting == ["2023-24 Q1 Project of A: no return yet",
                               s.check_release_payment(release_q1)]
    assert not rows[1].ready and not rows[2].ready
    page = finance.get("/finance/").content.decode()
    assert "2023-24 Q1 Project of A: no return yet" in page
