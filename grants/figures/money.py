"""Pennies and percentages, variance and its threshold, spend to date like for like, and the money of
programmes and allocations (grants.figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Iterable, NamedTuple

from django.db.models import Case, DecimalField, F, Q, Value, When

from grants.choices import (
    ALLOCATION_LIVE, CAPITAL_CATEGORIES, RETURN_AWAITING, RETURN_REPORTED, AllocationStatus, FundingStatus, ReturnStatus,
    SpendKind,
)

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
WHOLE = Decimal("1")

# --- Pennies and percentages -------------------------------------------------------------------


def pennies(value) -> Decimal:
    """An amount in pounds and pence, rounded half up to the penny; £0.00 for nothing (a sum of no rows).

    PostgreSQL adds decimals exactly; SQLite adds them as binary floating point, whose error for any
    realistic total is a tiny fraction of a penny, so rounding to the penny is exact."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP)


def percent(part, whole) -> Decimal | None:
    """`part` as an exact percentage of `whole`; None when either is missing or `whole` is 0.
    Compare this unrounded; round it only to show it (`shown_percent`)."""
    if part is None or whole is None or whole == 0:
        return None
    return Decimal(part) / Decimal(whole) * 100


def shown_percent(value) -> Decimal | None:
    """A percentage as pages and files show it: to one decimal place, half up."""
    return None if value is None else Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def rate(numerator, denominator) -> Decimal | None:
    """A rate as a percentage to one decimal place (half up), from its numerator and denominator:
    what is shown, stored and rated, so a rate reads the same everywhere."""
    return shown_percent(percent(numerator, denominator))


# --- Variance ----------------------------------------------------------------------------------


def variance(actual: Decimal, plan: Decimal) -> Decimal:
    return actual - plan


def variance_percent(actual: Decimal, plan: Decimal) -> Decimal | None:
    """How far actual is from plan, as an exact percentage of plan; None when nothing was planned
    (a percentage of nothing means nothing: the pages say "not profiled")."""
    return percent(actual - plan, plan)


def over_threshold(actual: Decimal | None, plan: Decimal, threshold: Decimal) -> bool:
    """Spend that needs an explanation: more than `threshold` % away from plan, compared unrounded;
    any spend at all against a plan of £0."""
    if actual is None:
        return False
    if plan == 0:
        return actual != 0
    return abs(variance_percent(actual, plan)) > threshold


def variance_sql(actual: str, plan: str):
    """The SQL twin of `variance`: spend less plan, for sorting a list by it."""
    return F(actual) - F(plan)


# --- Spend to date, like for like --------------------------------------------------------------


class SpendQuarter(NamedTuple):
    """One quarter of a project or budget line: its plan (the profile), its return's status
    (NOT_STARTED for none) and the spend the return holds (None when nothing was entered).
    A tuple, since a large workbook makes tens of thousands of them."""

    plan: Decimal
    status: str
    spent: Decimal | None = None


@dataclass(slots=True)
class SpendToDate:
    """Spend over some quarters against the plan of the same quarters.

    `spent` counts approved quarters only, against `plan_compared`, the plan of those quarters; a
    quarter reported but not yet approved is "awaiting approval", its figures kept apart; a quarter
    not reported adds to `plan` alone. Nothing unapproved ever reads as under-spending."""

    plan: Decimal = ZERO  # every quarter's plan
    plan_compared: Decimal = ZERO  # the plan of the approved quarters
    spent: Decimal = ZERO  # approved spend
    awaiting_plan: Decimal = ZERO
    awaiting_spent: Decimal = ZERO
    approved: int = 0  # quarters approved
    awaiting: int = 0  # quarters reported, awaiting approval
    expected: int = 0  # quarters in all

    @property
    def variance(self) -> Decimal:
        return variance(self.spent, self.plan_compared)

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(self.spent, self.plan_compared)

    @property
    def not_reported(self) -> int:
        return self.expected - self.approved - self.awaiting

    def add(self, quarter: SpendQuarter) -> SpendToDate:
        """Count one more quarter in: its plan always, its spend if approved, apart if awaiting. The
        quarter is a SpendQuarter or any (plan, status, spent) tuple."""
        plan, status, spent = quarter
        self.expected += 1
        self.plan += plan
        if status == _APPROVED:
            self.approved += 1
            self.plan_compared += plan
            self.spent += spent or ZERO
        elif status in RETURN_AWAITING:
            self.awaiting += 1
            self.awaiting_plan += plan
            self.awaiting_spent += spent or ZERO
        return self

    def include(self, other: SpendToDate) -> SpendToDate:
        """Add another group's figures to these, in place: every field, written out (a national report
        adds thousands; tests/grants/figures/test_spend_include.py holds it to the fields)."""
        self.plan += other.plan
        self.plan_compared += other.plan_compared
        self.spent += other.spent
        self.awaiting_plan += other.awaiting_plan
        self.awaiting_spent += other.awaiting_spent
        self.approved += other.approved
        self.awaiting += other.awaiting
        self.expected += other.expected
        return self

    def __add__(self, other: SpendToDate) -> SpendToDate:
        return SpendToDate().include(self).include(other)


_APPROVED = ReturnStatus.APPROVED.value


def _of_spend(name: str, doc: str = "") -> property:
    return property(lambda row: getattr(row.spend, name), doc=doc or f"The row's spend to date: {name}.")


class ShowsSpend:
    """A row (a project, a programme, a group) that shows its `spend` (a SpendToDate) under the names
    the pages and files use, so that every surface reads the same figure from the same place."""

    __slots__ = ()
    plan_compared = _of_spend("plan_compared")
    awaiting_spent = _of_spend("awaiting_spent")
    variance = _of_spend("variance")
    variance_percent = _of_spend("variance_percent")
    approved = _of_spend("approved")
    awaiting = _of_spend("awaiting")
    expected = _of_spend("expected")


def spend_to_date(quarters: Iterable[SpendQuarter]) -> SpendToDate:
    total = SpendToDate()
    for quarter in quarters:
        total.add(quarter)
    return total


def total_spend(figures: Iterable[SpendToDate]) -> SpendToDate:
    result = SpendToDate()
    for f in figures:
        result.include(f)
    return result


# --- Capital and revenue -------------------------------------------------------------------------

CAPITAL, REVENUE = SpendKind.CAPITAL.value, SpendKind.REVENUE.value


def spend_kind(category: str) -> str:
    """Whether a budget line of `category` is capital or revenue: the Capital category is capital,
    every other category revenue."""
    return CAPITAL if category in CAPITAL_CATEGORIES else REVENUE


def spend_kind_sql(category: str = "category"):
    """The SQL twin of spend_kind, over the column `category`."""
    return Case(When(**{f"{category}__in": list(CAPITAL_CATEGORIES)}, then=Value(CAPITAL)), default=Value(REVENUE))


def crosses_capital_revenue(from_category: str, to_category: str) -> bool:
    """Whether moving money from a line of one category to one of the other crosses between capital
    and revenue (a virement the commissioner approves explicitly, and a programme may forbid)."""
    return spend_kind(from_category) != spend_kind(to_category)


@dataclass(slots=True)
class KindTotals:
    """A project's budget lines of one kind, capital or revenue, for a year, added up: the budget, the
    profile of each quarter, the approved spend and the spend awaiting approval."""

    kind: str
    budget: Decimal = ZERO
    profile: list = None
    spent: Decimal = ZERO
    awaiting: Decimal = ZERO

    @property
    def label(self) -> str:
        return SpendKind(self.kind).label


def capital_and_revenue(lines: Iterable[tuple]) -> tuple[KindTotals, KindTotals]:
    """Budget lines added up by kind, capital first: each line a (category, budget, profile Q1–Q4,
    approved spend, spend awaiting approval) tuple, spend None for none."""
    totals = {kind: KindTotals(kind, profile=[ZERO] * 4) for kind in (CAPITAL, REVENUE)}
    for category, budget, profile, spent, awaiting in lines:
        kind = totals[spend_kind(category)]
        kind.budget += budget
        kind.profile = [a + b for a, b in zip(kind.profile, profile)]
        kind.spent += spent or ZERO
        kind.awaiting += awaiting or ZERO
    return totals[CAPITAL], totals[REVENUE]


# --- Co-funding ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Funding:
    """A project's funding for some years: the commissioner's budget (its budget lines) beside what other
    funders give, confirmed or expected. The total cost counts both; the share is the commissioner's."""

    commissioner: Decimal = ZERO
    confirmed: Decimal = ZERO
    expected: Decimal = ZERO

    @property
    def others(self) -> Decimal:
        return self.confirmed + self.expected

    @property
    def total_cost(self) -> Decimal:
        return self.commissioner + self.others

    @property
    def share(self) -> Decimal | None:
        """The commissioner's part of the total cost, as a percentage (None for a cost of £0)."""
        return percent(self.commissioner, self.total_cost)

    def include(self, other: Funding) -> Funding:
        self.commissioner += other.commissioner
        self.confirmed += other.confirmed
        self.expected += other.expected
        return self


def funding(commissioner: Decimal, others: Iterable[tuple]) -> Funding:
    """The funding of a project whose budget lines add up to `commissioner`, with `others` as (status,
    amount) pairs, status "confirmed" or "expected"."""
    result = Funding(commissioner=commissioner)
    for status, amount in others:
        if status == FundingStatus.CONFIRMED:
            result.confirmed += amount
        else:
            result.expected += amount
    return result


@dataclass(frozen=True)
class EntrySpend:
    """The return page's spend to date: the quarter being filled in, plus the earlier quarters of the
    year that have been reported (submitted, sent back or approved; never drafts), against the plan
    of those same quarters. A quarter with nothing entered yet is not compared."""

    plan: Decimal
    actual: Decimal
    quarters: int  # how many quarters are compared

    @property
    def variance(self) -> Decimal:
        return variance(self.actual, self.plan)

    @property
    def variance_percent(self) -> Decimal | None:
        return variance_percent(self.actual, self.plan)

    def over_threshold(self, threshold: Decimal) -> bool:
        return self.quarters > 0 and over_threshold(self.actual, self.plan, threshold)


def entry_spend(this_plan: Decimal, this_actual: Decimal | None, earlier: Iterable[SpendQuarter]) -> EntrySpend:
    plan = actual = ZERO
    quarters = 0
    for q in earlier:
        if q.status in RETURN_REPORTED and q.spent is not None:
            plan += q.plan
            actual += q.spent
            quarters += 1
    if this_actual is not None:
        plan += this_plan
        actual += this_actual
        quarters += 1
    return EntrySpend(plan, actual, quarters)


# --- Money of programmes and allocations -------------------------------------------------------


def allocation_ceiling(budget: Decimal, allowance_percent: Decimal) -> Decimal:
    """The most a programme may approve: its budget plus the over-allocation allowance, to the penny."""
    return pennies(budget * (1 + allowance_percent / 100))


def left_to_allocate(budget: Decimal, allowance_percent: Decimal, committed: Decimal) -> Decimal:
    """What more a programme may approve: the budget plus the allowance, less every approved, signed,
    active or closed allocation (drafts and withdrawn allocations commit nothing)."""
    return allocation_ceiling(budget, allowance_percent) - committed


def months_by_year(start: date, end: date) -> list[tuple[int, int]]:
    """(financial year, months) for each financial year from `start` to `end`: whole months, a part
    month counting as a month, so 1 April 2018 to 31 March 2020 is [(2018, 12), (2019, 12)]."""
    years = []
    year = start.year if start.month >= 4 else start.year - 1
    while True:
        first, last = max(start, date(year, 4, 1)), min(end, date(year + 1, 3, 31))
        if first > last:
            break
        months = (last.year - first.year) * 12 + last.month - first.month + 1
        years.append((year, months))
        year += 1
    return years


def split_by_year(amount: Decimal, start: date, end: date) -> dict[int, Decimal]:
    """An amount shared between the financial years from `start` to `end` by their months, to the
    penny; the last year takes what rounding leaves, so the parts add up to the amount exactly."""
    years = months_by_year(start, end)
    total = sum(months for _, months in years)
    parts, given = {}, ZERO
    for index, (year, months) in enumerate(years):
        part = amount - given if index == len(years) - 1 else pennies(amount * months / total)
        parts[year] = part
        given += part
    return parts


def split_by_weights(amount: Decimal, weights: dict) -> dict:
    """An amount shared between the keys of `weights` (for example quarters, by their profiled spend) in
    proportion, to the penny: the last key with any weight takes what rounding leaves, so the parts add
    up to the amount exactly. Keys without weight get £0.00; with no weight at all, every part is equal
    but for the pennies, which fall on the last key."""
    keys = list(weights)
    if not keys:
        return {}
    total = sum((Decimal(w) for w in weights.values() if w > 0), ZERO)
    if total <= 0:
        weights, total = {key: Decimal(1) for key in keys}, Decimal(len(keys))
    last = max(index for index, key in enumerate(keys) if weights[key] > 0)
    parts, given = {}, ZERO
    for index, key in enumerate(keys):
        weight = max(Decimal(weights[key]), ZERO)
        if index == last:
            part = amount - given
        else:
            part = (amount * weight / total).quantize(Decimal("0.01"), rounding=ROUND_DOWN) if weight else ZERO
        parts[key] = part
        given += part
    return parts


def left_to_pay(status: str, amount: Decimal, released: Decimal) -> Decimal | None:
    """What is still to be paid on an allocation that is still funding work (approved, signed or
    active): its amount less what is released. None for drafts, and for closed and withdrawn
    allocations, which will pay nothing more."""
    if status not in ALLOCATION_LIVE:
        return None
    return amount - released


def left_to_pay_sql(amount: str = "amount", released: str = "released", status: str = "status"):
    """The SQL twin of `left_to_pay`, over an allocation row annotated with what is released."""
    return Case(When(Q(**{f"{status}__in": list(ALLOCATION_LIVE)}), then=F(amount) - F(released)),
                default=Value(None), output_field=DecimalField(max_digits=14, decimal_places=2))


def net_paid(released: Decimal, clawback_received: Decimal) -> Decimal:
    """Money that went out and stayed out: released payments less clawback received (the 360Giving
    amount disbursed)."""
    return released - clawback_received


def eligible_spend(verified: Decimal, ineligible_recovered: Decimal) -> Decimal:
    """Verified spend, less spend found ineligible and asked back (requested or received)."""
    return verified - ineligible_recovered


def underspend_known(status: str, end: date, today: date) -> bool:
    """Whether an allocation's underspend can be told yet: once it has ended, or been closed. Until
    then the part not yet verified as spent is still to be spent (a just-signed allocation has spent
    nothing, which is no underspend); how spend compares with the plan so far is the variance of the
    quarters whose returns are approved."""
    return status == AllocationStatus.CLOSED or today > end


def final_underspend(amount: Decimal, verified_spend: Decimal, known: bool) -> Decimal | None:
    """The part of an allocation not verified as spent, once it is known (`underspend_known`); None
    before then, shown as "not yet known"."""
    return amount - verified_spend if known else None


__all__ = [
    "CAPITAL",
    "REVENUE",
    "spend_kind",
    "spend_kind_sql",
    "crosses_capital_revenue",
    "KindTotals",
    "Funding",
    "funding",
    "capital_and_revenue",
    "ZERO",
    "PENNY",
    "TENTH",
    "WHOLE",
    "pennies",
    "percent",
    "shown_percent",
    "rate",
    "variance",
    "variance_percent",
    "over_threshold",
    "variance_sql",
    "SpendQuarter",
    "SpendToDate",
    "ShowsSpend",
    "spend_to_date",
    "total_spend",
    "EntrySpend",
    "entry_spend",
    "allocation_ceiling",
    "left_to_allocate",
    "months_by_year",
    "split_by_year",
    "split_by_weights",
    "left_to_pay",
    "left_to_pay_sql",
    "net_paid",
    "eligible_spend",
    "underspend_known",
    "final_underspend",
]
