"""
The year end's scenario: the base actors (tests/conftest.py) at the end of 2023-24, each allocation
with one thing to tell, every amount chosen so that each figure says which rule made it.

    allocation A (£100,000, 2023-24, in arrears)  an accrual: Q1 and Q2 verified (£9,000.00 + £11,000.50),
                                                  Q1 paid (£9,000.00) and Q3 part-paid (£1,000.00, then
                                                  its balance of £500.00); Q3's return submitted, not yet
                                                  approved (£5,000.00 awaiting verification)
    allocation B (£100,000, 2023-24)              a prepayment: Q1 and Q2 paid ahead (£25,000.00 each),
                                                  Q1 verified (£10,000.00), £5,000.00 of clawback received
                                                  and £1,000.00 asked for (not received); a withheld Q3
                                                  payment (£25,000.00) and a scheduled Q4 one
    "Two years" to A (£90,000)                    from 1 October 2023 to 31 March 2025: £30,000.00 for
                                                  2023-24 and £60,000.00 for 2024-25; its 2024-25 Q1 spend
                                                  verified and paid (£7,000.00), which is not 2023-24's
    "Starts next year" to B (£20,000, approved)   from 1 April 2024: committed for 2024-25
    a draft and a withdrawn allocation to A       in 2023-24, with spend and a payment: left out
    "Elsewhere" (another funder's)                with verified spend and a payment: never shown
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from grants.models import Allocation, Clawback, Payment, Programme, QuarterlyReturn
from grants.periods import Quarter
from grants.services import commissioning as commissioning_services
from grants.services import years as year_services
from tests import factories as f
from tests.grants.commissioning.helpers import Q, line, verified_return

D = Decimal
YEAR_ENDED = date(2024, 5, 15)  # the day the scenario is read on: 2023-24 has ended


def paid(allocation, quarter, amount, *, year=2023, balance_of=None, on=date(2024, 4, 20)):
    return f.PaymentFactory(allocation=allocation, financial_year=year, quarter=quarter, amount=D(amount),
                            status=Payment.Status.RELEASED, reference=f"BACS-{allocation.pk}-{year}-{quarter}",
                            paid_on=on, balance_of=balance_of)


def a_year_end(w) -> SimpleNamespace:
    # Allocation A: more verified than paid.
    w.staff_a = line(w.project_a, "Youth workers", "40000.00")
    verified_return(w, w.project_a, Q(1), {w.staff_a: "9000.00"})
    verified_return(w, w.project_a, Q(2), {w.staff_a: "11000.50"})
    verified_return(w, w.project_a, Q(3), {w.staff_a: "5000.00"}, approve=False, verify=False)
    paid(w.allocation_a, 1, "9000.00")
    w.part_paid = paid(w.allocation_a, 3, "1000.00")
    w.balance = paid(w.allocation_a, 3, "500.00", balance_of=w.part_paid)

    # Allocation B: paid ahead of its verified spend.
    w.staff_b = line(w.project_b, "Outreach", "40000.00")
    verified_return(w, w.project_b, Q(1), {w.staff_b: "10000.00"})
    paid(w.allocation_b, 1, "25000.00", on=date(2023, 4, 3))
    paid(w.allocation_b, 2, "25000.00", on=date(2023, 7, 3))
    f.PaymentFactory(allocation=w.allocation_b, quarter=3, amount=D("25000.00"), status=Payment.Status.WITHHELD,
                     withheld_reason="Q2 return missing.")
    f.PaymentFactory(allocation=w.allocation_b, quarter=4, amount=D("25000.00"))
    Clawback.objects.create(allocation=w.allocation_b, amount=D("5000.00"), reason="Underspend.",
                            status=Clawback.Status.RECEIVED, requested_on=date(2024, 4, 10),
                            received_on=date(2024, 4, 30), recorded_by=w.finance)
    Clawback.objects.create(allocation=w.allocation_b, amount=D("1000.00"), reason="Underspend.",
                            requested_on=date(2024, 4, 10), recorded_by=w.finance)

    # An allocation over two years.
    programme = Programme.objects.get(pk=w.programme.pk)
    w.programme = year_services.programme_year_save(actor=w.commissioner, programme=programme,
                                                    version=programme.version, financial_year=2024,
                                                    budget=D("1000000.00"))
    draft = commissioning_services.allocation_create(actor=w.commissioner, programme=w.programme, values={
        "recipient": w.provider_a, "title": "Two years", "amount": D("90000.00"),
        "start_date": date(2023, 10, 1), "end_date": date(2025, 3, 31)})
    draft = year_services.allocation_years_save(actor=w.commissioner, allocation=draft, version=draft.version,
                                                amounts={2023: D("30000.00"), 2024: D("60000.00")})
    w.two_years = commissioning_services.allocation_approve(
        actor=w.commissioner, allocation=Allocation.objects.get(pk=draft.pk), version=draft.version,
        decision_reference="DEC-2Y", decision_date=date(2023, 9, 1), today=date(2023, 9, 2))
    w.two_years_project = f.ProjectFactory(allocation=w.two_years, provider=w.provider_a, reference="A-2Y",
                                           name="Two-year service")
    w.two_years_line = line(w.two_years_project, "Staff", "28000.00", year=2024)
    verified_return(w, w.two_years_project, Quarter(2024, 1), {w.two_years_line: "7000.00"})
    paid(w.two_years, 1, "7000.00", year=2024, on=date(2024, 7, 20))

    # Approved to start in the next year.
    w.starts_next_year = f.AllocationFactory(
        programme=w.programme, recipient=w.provider_b, title="Starts next year", amount=D("20000.00"),
        status=Allocation.Status.APPROVED, start_date=date(2024, 4, 1), end_date=date(2025, 3, 31))

    # Left out: a draft and a withdrawn allocation, each with a payment and spend.
    w.draft = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Draft to A",
                                  amount=D("5000.00"), status=Allocation.Status.DRAFT, decision_reference="",
                                  decision_date=None)
    w.withdrawn = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Withdrawn from A",
                                      amount=D("6000.00"), status=Allocation.Status.WITHDRAWN,
                                      withdrawn_reason="No match funding.")
    for allocation in (w.draft, w.withdrawn):
        paid(allocation, 1, "1234.00")
        project = f.ProjectFactory(allocation=allocation, provider=w.provider_a)
        f.SpendLineFactory(quarterly_return=f.QuarterlyReturnFactory(
            project=project, status=QuarterlyReturn.Status.APPROVED,
            spend_status=QuarterlyReturn.SpendStatus.VERIFIED), actual=D("4321.00"))

    # Another funder's allocation.
    elsewhere = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund")
    w.elsewhere = f.AllocationFactory(programme=elsewhere, recipient=w.provider_a, title="Elsewhere")
    project = f.ProjectFactory(allocation=w.elsewhere, provider=w.provider_a)
    f.SpendLineFactory(quarterly_return=f.QuarterlyReturnFactory(
        project=project, status=QuarterlyReturn.Status.APPROVED,
        spend_status=QuarterlyReturn.SpendStatus.VERIFIED), actual=D("777.00"))
    paid(w.elsewhere, 1, "888.00")
    return w


# What each allocation's row says for 2023-24 (amount, verified, awaiting, paid, accrual, prepayment,
# committed for 2024-25).
EXPECTED = {
    "Allocation to A": (D("100000.00"), D("20000.50"), D("5000.00"), D("10500.00"), D("9500.50"), D("0.00"),
                        D("0.00")),
    "Allocation to B": (D("100000.00"), D("10000.00"), D("0.00"), D("45000.00"), D("0.00"), D("35000.00"),
                        D("0.00")),
    "Two years": (D("30000.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("60000.00")),
    "Starts next year": (D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("0.00"), D("20000.00")),
}
