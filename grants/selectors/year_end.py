"""
The year end: at 31 March, for each allocation of the funder that ran in the financial year, what the
year was charged, the spend verified for it, what was paid for it, what is owed (the accrual) or paid
ahead (the prepayment), the spend still awaiting verification, and what is committed for the next year.

Which allocations: the decided ones (approved, agreement signed, active, closed) whose dates fall in
the year, and those decided that start in the next year (their figures for the year are £0.00; they
count in what is committed for the next year). Drafts and withdrawn allocations commit nothing.

How each figure is read, each from the rows the other pages read:
- the amount for the year: the allocation's part for the year (figures.year_end.amounts_by_year, as
  grants.services.years.allocation_amounts), its whole amount when it runs in one year;
- verified spend: the spend on the year's returns that are approved and verified by finance
  (SpendLine.objects.verified(), as the finance page's "Spend verified for the year"), less spend found
  ineligible and asked back (figures.eligible_spend, as the allocation page's "every pound");
- awaiting verification: the spend on the year's returns sent to the funder (submitted, sent back or
  approved) that is not yet approved and verified (as the allocation page's unverified spend);
- paid: the payments released for the year's quarters, a part-paid quarter's balance included, less
  clawback received (figures.net_paid, as the allocation page's net paid). Payments scheduled or
  withheld are not paid;
- a clawback records no year: it falls on the year that had ended most recently when it was asked
  for, within the allocation's years (figures.year_end.clawback_year);
- accrual and prepayment: figures.year_end.accrual and .prepayment, per allocation, never netted
  against each other across allocations;
- committed for the next year: the allocation's part for the next year.

Five queries, whatever the number of allocations, returns and payments.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Min, Prefetch, Sum

from grants import figures
from grants.choices import ALLOCATION_COMMITTED
from grants.figures.year_end import accrual, amounts_by_year, clawback_year, prepayment, year_just_ended
from grants.models import Allocation, AllocationYear, Clawback, Payment, Programme, QuarterlyReturn, SpendLine
from grants.models.common import ZERO
from grants.periods import FinancialYear


@dataclass
class YearEndRow:
    """One allocation at the end of `year`."""

    allocation: Allocation
    year: FinancialYear
    amount: Decimal = ZERO  # the allocation's amount for the year
    verified_on_returns: Decimal = ZERO  # on the year's approved returns, verified by finance
    ineligible: Decimal = ZERO  # of it, found ineligible and asked back (requested or received)
    awaiting: Decimal = ZERO  # reported on the year's returns, not yet approved and verified
    released: Decimal = ZERO  # payments released for the year's quarters
    clawback_received: Decimal = ZERO
    committed_next: Decimal = ZERO  # the allocation's amount for the next year
    year_amounts: dict = field(default_factory=dict, repr=False)  # {financial year: amount} of every year it runs in

    @property
    def starts_next_year(self) -> bool:
        return self.allocation.start_date > self.year.end

    @property
    def verified(self) -> Decimal:
        return figures.eligible_spend(self.verified_on_returns, self.ineligible)

    @property
    def paid(self) -> Decimal:
        return figures.net_paid(self.released, self.clawback_received)

    @property
    def accrual(self) -> Decimal:
        return accrual(self.verified, self.paid)

    @property
    def prepayment(self) -> Decimal:
        return prepayment(self.verified, self.paid)


# The figures a year end adds up, in the order the page and the workbook show them.
FIGURES = ("amount", "verified", "awaiting", "paid", "accrual", "prepayment", "committed_next")


@dataclass
class YearEndTotals:
    amount: Decimal = ZERO
    verified: Decimal = ZERO
    awaiting: Decimal = ZERO
    paid: Decimal = ZERO
    accrual: Decimal = ZERO
    prepayment: Decimal = ZERO
    committed_next: Decimal = ZERO

    @classmethod
    def of(cls, rows) -> "YearEndTotals":
        totals = cls()
        for row in rows:
            for name in FIGURES:
                setattr(totals, name, getattr(totals, name) + getattr(row, name))
        return totals


@dataclass
class YearEnd:
    year: FinancialYear
    rows: list[YearEndRow] = field(default_factory=list)  # ran in the year
    starting: list[YearEndRow] = field(default_factory=list)  # decided, starting in the next year

    @property
    def next_year(self) -> FinancialYear:
        return self.year.next()

    @property
    def ran(self) -> YearEndTotals:
        """The totals of the allocations that ran in the year."""
        return YearEndTotals.of(self.rows)

    @property
    def totals(self) -> YearEndTotals:
        """The totals of every row: the year's figures and everything committed for the next year."""
        return YearEndTotals.of(self.rows + self.starting)

    @property
    def all_rows(self) -> list[YearEndRow]:
        return self.rows + self.starting

    def summary(self) -> list["SummaryFigure"]:
        """The four figures of the year end, each with what it means, as the page and the workbook say them."""
        year, following, totals = self.year, self.next_year, self.totals
        return [
            SummaryFigure("accrual", "Accruals", totals.accrual,
                          f"Spend verified for {year} that has not been paid: what you owe recipients at the year "
                          "end, allocation by allocation."),
            SummaryFigure("prepayment", "Prepayments", totals.prepayment,
                          f"Paid for {year} beyond the spend verified for it: money recipients hold ahead of "
                          "spending it, or spend still to verify. Kept apart from the accruals, never set against "
                          "them."),
            SummaryFigure("awaiting", "Awaiting verification", totals.awaiting,
                          f"Spend recipients reported on {year}'s returns that is not yet approved with its spend "
                          "verified. Not in the accruals until finance verifies it."),
            SummaryFigure("committed_next", f"Committed for {following}", totals.committed_next,
                          f"The part of each decided allocation charged to {following}'s budget: allocations that "
                          f"run on into {following}, and those approved to start in it."),
        ]


@dataclass(frozen=True)
class SummaryFigure:
    key: str  # the YearEndTotals field
    label: str
    amount: Decimal
    meaning: str


def year_end(user, year: FinancialYear) -> YearEnd:
    """The year end of `year` for the allocations in `user`'s reach. Five queries."""
    following = year.next()
    decided = Allocation.objects.for_user(user).filter(
        status__in=ALLOCATION_COMMITTED, start_date__lte=following.end, end_date__gte=year.start)
    allocations = list(
        decided.select_related("programme", "recipient")
        .prefetch_related(Prefetch("years", queryset=AllocationYear.objects.only(
            "id", "allocation_id", "financial_year", "amount").order_by(), to_attr="year_rows"))
        .order_by("programme__name", "programme__financial_year", "recipient__name", "title", "pk")
    )
    if not allocations:
        return YearEnd(year)
    ids = decided.values("pk")
    rows = {}
    for allocation in allocations:
        amounts = amounts_by_year(allocation.start_date, allocation.amount,
                                  ((r.financial_year, r.amount) for r in allocation.year_rows))
        rows[allocation.pk] = YearEndRow(allocation, year, amount=amounts.get(year.start_year, ZERO),
                                         committed_next=amounts.get(following.start_year, ZERO),
                                         year_amounts=amounts)

    approved, verified = QuarterlyReturn.Status.APPROVED, QuarterlyReturn.SpendStatus.VERIFIED
    for allocation_id, status, spend_status, total in (
        SpendLine.objects.reported()
        .filter(quarterly_return__financial_year=year.start_year, quarterly_return__project__allocation__in=ids)
        .values_list("quarterly_return__project__allocation_id", "quarterly_return__status",
                     "quarterly_return__spend_status")
        .annotate(total=Sum("actual")).order_by()
    ):
        row = rows[allocation_id]
        if status == approved and spend_status == verified:
            row.verified_on_returns += figures.pennies(total)
        else:
            row.awaiting += figures.pennies(total)

    for allocation_id, total in (
        Payment.objects.filter(allocation__in=ids, financial_year=year.start_year, status=Payment.Status.RELEASED)
        .values_list("allocation_id").annotate(total=Sum("amount")).order_by()
    ):
        rows[allocation_id].released += figures.pennies(total)

    for allocation_id, kind, status, amount, requested_on in (
        Clawback.objects.filter(allocation__in=ids).exclude(status=Clawback.Status.WAIVED)
        .values_list("allocation_id", "kind", "status", "amount", "requested_on").order_by()
    ):
        row = rows[allocation_id]
        if clawback_year(requested_on, row.year_amounts) != year.start_year:
            continue
        if status == Clawback.Status.RECEIVED:
            row.clawback_received += amount
        if kind == Clawback.Kind.INELIGIBLE:
            row.ineligible += amount

    result = YearEnd(year)
    for row in rows.values():
        (result.starting if row.starts_next_year else result.rows).append(row)
    return result


def year_end_years(user, today: date) -> list[FinancialYear]:
    """The years a year end can be asked for: from the first year of the user's programmes to this one,
    latest first. One query."""
    this_year = FinancialYear.from_date(today)
    first = Programme.objects.for_user(user).aggregate(first=Min("financial_year"))["first"]
    first = min(first, year_just_ended(today).start_year) if first else year_just_ended(today).start_year
    return list(reversed(list(FinancialYear.range(FinancialYear(first), this_year))))


__all__ = ["FIGURES", "SummaryFigure", "YearEnd", "YearEndRow", "YearEndTotals", "year_end", "year_end_years"]
