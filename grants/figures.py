"""
Every rule behind a number, in one place: pennies and percentages, variance and its threshold,
spend to date against the profile of the same quarters, targets to date, a measure's figure for a
period, off target, RAG, and the money left to allocate, to pay and paid net.

Pure functions of plain values (no database), so that a page, a chart, a workbook and an open-data
file that show the same figure call the same rule. Where a rule also runs in the database, its SQL
twin stands beside it (`*_sql`), and tests/grants/figures check that the two agree on the same rows.
README.md, "How the figures are worked out", says the same in words.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Iterable, NamedTuple

from django.db.models import Case, CharField, DecimalField, F, Q, Value, When

from .choices import (
    ALLOCATION_LIVE,
    RAG,
    RETURN_AWAITING,
    RETURN_OWED,
    RETURN_REPORTED,
    MeasureAggregation,
    MeasureDirection,
    MeasureUnit,
    ReturnStatus,
)
from .periods import Quarter

ZERO = Decimal("0.00")
PENNY = Decimal("0.01")
TENTH = Decimal("0.1")
WHOLE = Decimal("1")
RAG_TOLERANCE = Decimal("0.10")  # amber: short of target by no more than 10% of it

NOT_STARTED = "not_started"  # a quarter the project runs in, with no return yet
NOT_RATED = "not_rated"
# How returns are counted by status and by rating, in the order pages list them.
STATUS_ORDER = (ReturnStatus.APPROVED, ReturnStatus.SUBMITTED, ReturnStatus.RETURNED, ReturnStatus.DRAFT, NOT_STARTED)
STATUS_LABELS = {**dict(ReturnStatus.choices), NOT_STARTED: "Not started"}
RAG_ORDER = (RAG.RED, RAG.AMBER, RAG.GREEN, NOT_RATED)
RAG_LABELS = {**dict(RAG.choices), NOT_RATED: "Not rated"}

Agg = MeasureAggregation
_EVENTS, _PEOPLE, _RATE = Agg.EVENTS.value, Agg.PEOPLE.value, Agg.RATE.value


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
        """Add another group's figures to these, in place."""
        for name in _SPEND_FIELDS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def __add__(self, other: SpendToDate) -> SpendToDate:
        return SpendToDate().include(self).include(other)


_SPEND_FIELDS = ("plan", "plan_compared", "spent", "awaiting_plan", "awaiting_spent", "approved", "awaiting",
                 "expected")
_APPROVED = ReturnStatus.APPROVED.value


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


# --- Targets -----------------------------------------------------------------------------------


def step_of(unit: str) -> Decimal:
    """The smallest part a target of `unit` is split into: whole people, events or households; pennies."""
    return PENNY if unit == MeasureUnit.MONEY else WHOLE


def split(amount: Decimal, parts: int, step: Decimal) -> list[Decimal]:
    """`amount` in `parts` as even as the step allows, adding up to it exactly: each running total is
    the amount pro rata rounded half up to the step (150 households: 38, 37, 38, 37; £100.01:
    £25.00, £25.01, £25.00, £25.00)."""
    return list(_split(amount, parts, step))


@lru_cache(maxsize=4096)
def _split(amount: Decimal, parts: int, step: Decimal) -> tuple:
    # Remembered: thousands of projects share a handful of annual targets.
    running = [(amount * k / parts).quantize(step, rounding=ROUND_HALF_UP) for k in range(parts + 1)]
    return tuple(running[k + 1] - running[k] for k in range(parts))


def quarter_targets(aggregation: str, unit: str, annual, explicit) -> list:
    """Each quarter's target, Q1 to Q4 (None where there is none), from the annual target and the
    quarterly targets set (`explicit`, None where not set).

    - Events: a quarter's own target; quarters without one share what the set ones leave of the
      annual target, split into whole units (pennies for money) that add up to it exactly.
    - People: the unique people expected by the end of the quarter (year to date): the quarter's
      target, or the annual target pro rata in whole people.
    - Levels, rates and milestones: the quarter's target, or the annual target."""
    return list(_quarter_targets(str(aggregation), str(unit), annual, tuple(explicit)))


@lru_cache(maxsize=8192)
def _quarter_targets(aggregation: str, unit: str, annual, explicit: tuple) -> tuple:
    # Remembered: a large report has thousands of measures with the same few targets.
    if aggregation == _EVENTS:
        missing = [i for i, t in enumerate(explicit) if t is None]
        if annual is None or not missing:
            return explicit
        left = max(annual - sum((t for t in explicit if t is not None), ZERO), ZERO)
        result = list(explicit)
        for i, share in zip(missing, _split(left, len(missing), step_of(unit))):
            result[i] = share
        return tuple(result)
    if aggregation == _PEOPLE:
        if annual is None:
            return explicit
        pro_rata = [(annual * k / 4).quantize(WHOLE, rounding=ROUND_HALF_UP) for k in (1, 2, 3, 4)]
        return tuple(t if t is not None else p for t, p in zip(explicit, pro_rata))
    return tuple(t if t is not None else annual for t in explicit)


def target_to_date(aggregation: str, unit: str, annual, explicit, number: int):
    """The target for Q1 to quarter `number` of the year: the quarters' targets added up for events,
    the quarter's own (year-to-date) target otherwise."""
    targets = quarter_targets(aggregation, unit, annual, explicit)
    if aggregation == Agg.EVENTS:
        chosen = targets[:number]
        return None if any(t is None for t in chosen) else sum(chosen, ZERO)
    return targets[number - 1]


# --- A measure over a period -------------------------------------------------------------------


class MeasureQuarter(NamedTuple):
    """One quarter of a project's measure: whether its figures count (an approved return, or on the
    return page a reported one), the value, a rate's numerator and denominator, and the quarter's
    target (`quarter_targets`). A tuple, for speed."""

    quarter: Quarter
    counts: bool
    value: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    target: Decimal | None = None

    @property
    def reported(self) -> bool:
        return self.counts and self.value is not None


@dataclass(slots=True)
class MeasureFigure:
    """A measure's figure for a period against the target of the same quarters."""

    aggregation: str
    actual: Decimal | None = None
    target: Decimal | None = None
    numerator: Decimal | None = None  # rates: added up over the counted quarters
    denominator: Decimal | None = None
    reported: int = 0  # quarters with a counted value
    expected: int = 0  # quarters of the period the project reports the measure in
    as_of: Quarter | None = None  # the latest quarter with a counted value

    @property
    def percent_of_target(self):
        return percent(self.actual, self.target)


def measure_figure(aggregation: str, quarters: Iterable[MeasureQuarter]) -> MeasureFigure:
    """The figure for a period from its quarters, in order, comparing like with like. Each quarter is
    a MeasureQuarter or any (quarter, counts, value, numerator, denominator, target) tuple.

    - Events add up the counted values against the same quarters' targets added up.
    - People, levels and milestones take the latest counted value against that quarter's target.
    - Rates add up the numerators and denominators of the counted quarters (a pooled rate, not an
      average of percentages) against the targets weighted by the denominators."""
    expected = 0
    counted = []  # (quarter, value, numerator, denominator, target) of the quarters that count
    for quarter, counts, value, numerator, denominator, target in quarters:
        expected += 1
        if counts and value is not None:
            counted.append((quarter, value, numerator, denominator, target))
    figure = MeasureFigure(aggregation, expected=expected, reported=len(counted))
    if not counted:
        return figure
    latest = counted[-1]
    figure.as_of = latest[0]
    if aggregation == _EVENTS:
        figure.actual = sum((q[1] for q in counted), ZERO)
        targets = [q[4] for q in counted]
        figure.target = None if None in targets else sum(targets, ZERO)
    elif aggregation == _RATE:
        pooled = [q for q in counted if q[2] is not None and q[3]]
        if pooled:
            figure.numerator = sum((q[2] for q in pooled), ZERO)
            figure.denominator = sum((q[3] for q in pooled), ZERO)
            figure.actual = rate(figure.numerator, figure.denominator)
            figure.target = weighted_target([(q[4], q[3]) for q in pooled])
        else:  # rates reported as a percentage alone (before rates had their parts): the latest stands
            figure.actual, figure.target = latest[1], latest[4]
    else:
        figure.actual, figure.target = latest[1], latest[4]
    return figure


def weighted_target(pairs) -> Decimal | None:
    """A rate's target over several quarters or projects: each target weighted by its denominator,
    so that it is the rate expected had each met its own target. None if any target is missing."""
    pairs = list(pairs)
    if not pairs or any(t is None for t, _ in pairs):
        return None
    weight = sum((d for _, d in pairs), ZERO)
    if not weight:
        return None
    return shown_percent(sum((t * d for t, d in pairs), ZERO) / weight)


# --- Off target and RAG ------------------------------------------------------------------------


def is_rated(direction: str) -> bool:
    """A measure with no better direction (reports of a crime, where more reporting can be good) is
    context: never off target, never rated."""
    return direction in (MeasureDirection.HIGHER, MeasureDirection.LOWER)


def is_off_target(direction: str, target, actual) -> bool:
    """The figure is on the wrong side of its target for the measure's direction."""
    if actual is None or target is None or not is_rated(direction):
        return False
    return actual < target if direction == MeasureDirection.HIGHER else actual > target


def outcome_rag(direction: str, target, actual) -> str:
    """Green on or better than target; amber short of it by no more than 10% of the target; red
    beyond; "" without both figures or for a context measure."""
    if actual is None or target is None or not is_rated(direction):
        return ""
    if not is_off_target(direction, target, actual):
        return RAG.GREEN
    if direction == MeasureDirection.HIGHER:
        near = actual >= target * (1 - RAG_TOLERANCE)
    else:
        near = actual <= target * (1 + RAG_TOLERANCE)
    return RAG.AMBER if near else RAG.RED


def shortfall(direction: str, target, actual) -> Decimal:
    """How far off target, as a fraction of the target (0 when on target): what ranks measures most
    off target. A target of 0 missed in the wrong direction counts as wholly missed."""
    if not is_off_target(direction, target, actual):
        return ZERO
    if target == 0:
        return Decimal(1)
    return abs(actual - target) / abs(target)


def return_rag(status: str, officer_rag: str, self_rag: str) -> tuple[str, str]:
    """The RAG a return counts as, and whose rating it is ("officer", "provider" or "").

    An approved return counts with the officer's rating (the provider's if the officer gave none).
    A return submitted or sent back for amendment counts with the provider's own rating. A draft
    has not been sent, so it is not rated, like a return not started."""
    if status == ReturnStatus.APPROVED:
        if officer_rag:
            return officer_rag, "officer"
        return (self_rag, "provider") if self_rag else (NOT_RATED, "")
    if status in RETURN_AWAITING and self_rag:
        return self_rag, "provider"
    return NOT_RATED, ""


def return_rag_sql(prefix: str = ""):
    """The SQL twin of `return_rag`: the rating a return counts as, or None when it is not rated."""
    approved = Q(**{f"{prefix}status": ReturnStatus.APPROVED})
    sent = Q(**{f"{prefix}status__in": [ReturnStatus.APPROVED, *RETURN_AWAITING]})
    return Case(
        When(approved & ~Q(**{f"{prefix}officer_rag": ""}), then=F(f"{prefix}officer_rag")),
        When(sent & ~Q(**{f"{prefix}self_rag": ""}), then=F(f"{prefix}self_rag")),
        default=Value(None), output_field=CharField(),
    )


def return_rag_in_sql(rags, prefix: str = "") -> Q:
    """The SQL twin of `return_rag` as a condition: returns that count as one of `rags`."""
    approved = Q(**{f"{prefix}status": ReturnStatus.APPROVED})
    sent = Q(**{f"{prefix}status__in": list(RETURN_AWAITING)})
    return (
        (approved & Q(**{f"{prefix}officer_rag__in": rags}))
        | (approved & Q(**{f"{prefix}officer_rag": ""}) & Q(**{f"{prefix}self_rag__in": rags}))
        | (sent & Q(**{f"{prefix}self_rag__in": rags}))
    )


# --- Across projects ---------------------------------------------------------------------------


@dataclass
class Combined:
    """One measure across several projects' figures for the same period."""

    aggregation: str
    unit: str
    direction: str
    projects: int = 0  # projects reporting the measure in the period
    compared: int = 0  # of them, with both a figure and a target
    on_target: int = 0
    actual: Decimal | None = None  # the combined figure, where the measure can be combined
    target: Decimal | None = None
    numerator: Decimal | None = None
    denominator: Decimal | None = None
    pairs: list = field(default_factory=list, repr=False)

    @property
    def adds_up(self) -> bool:
        """Whether projects' figures make one figure: counts of events, people and money add up,
        rates pool; percentage levels and milestones are counted as projects on target instead."""
        if self.aggregation in (Agg.EVENTS, Agg.PEOPLE, Agg.RATE):
            return True
        return self.aggregation == Agg.LEVEL and self.unit in (MeasureUnit.COUNT, MeasureUnit.MONEY)

    @property
    def percent_of_target(self):
        return percent(self.actual, self.target) if self.adds_up else None

    @property
    def rag(self) -> str:
        if not self.compared or not is_rated(self.direction):
            return ""
        if self.adds_up:
            return outcome_rag(self.direction, self.target, self.actual)
        return outcome_rag(MeasureDirection.HIGHER, Decimal(self.compared), Decimal(self.on_target))


def combine(aggregation: str, unit: str, direction: str, figures: Iterable[MeasureFigure]) -> Combined:
    """Projects' figures for one measure as one: the figures of projects with both a figure and a
    target added up (people: each project's unique people, so someone helped by two projects counts
    in each), rates pooled from their numerators and denominators against the denominator-weighted
    targets; and how many projects are on target. A context measure, never rated, adds up the
    figures of every project that has one, and has a target only if each of them has."""
    result = Combined(aggregation, unit, direction)
    parts = []
    for figure in figures:
        result.projects += 1
        if figure.actual is None:
            continue
        if figure.target is not None:
            result.compared += 1
            if is_rated(direction) and not is_off_target(direction, figure.target, figure.actual):
                result.on_target += 1
            parts.append(figure)
        elif not is_rated(direction):
            parts.append(figure)
    if not parts or not result.adds_up:
        return result
    if aggregation == Agg.RATE:
        pooled = [p for p in parts if p.denominator]
        if pooled:
            result.numerator = sum((p.numerator for p in pooled), ZERO)
            result.denominator = sum((p.denominator for p in pooled), ZERO)
            result.actual = rate(result.numerator, result.denominator)
            result.target = weighted_target([(p.target, p.denominator) for p in pooled])
        return result
    result.actual = sum((p.actual for p in parts), ZERO)
    targets = [p.target for p in parts]
    result.target = None if any(t is None for t in targets) else sum(targets, ZERO)
    return result


# --- Periods and returns -----------------------------------------------------------------------


def latest_ended_quarter(today: date) -> Quarter:
    """The current quarter of the dashboards: the latest quarter that has ended by `today`
    (on 21 November 2026 that is 2026-27 Q2, July to September)."""
    return Quarter.from_date(today).previous()


def runs_in(start: date, end: date, quarter: Quarter) -> bool:
    """A project runs in a quarter when its dates share a day with it (SQL twin:
    ProjectQuerySet.running_in)."""
    return start <= quarter.end and end >= quarter.start


def running_in_sql(quarter: Quarter, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": quarter.end, f"{prefix}end_date__gte": quarter.start})


def is_owed(status: str | None) -> bool:
    """A return the provider still owes: not started, in draft, or sent back for amendment."""
    return status in (None, "", NOT_STARTED, *RETURN_OWED)


def is_overdue(status: str | None, due: date, today: date) -> bool:
    return is_owed(status) and today > due


def quarters_sql(quarters, prefix: str = "") -> Q:
    """Rows whose (financial_year, quarter) is one of `quarters`."""
    by_year: dict[int, list[int]] = {}
    for quarter in quarters:
        by_year.setdefault(quarter.financial_year, []).append(quarter.number)
    condition = Q(pk__in=[])
    for year, numbers in by_year.items():
        condition |= Q(**{f"{prefix}financial_year": year, f"{prefix}quarter__in": numbers})
    return condition


# --- Money of programmes and allocations -------------------------------------------------------


def allocation_ceiling(budget: Decimal, allowance_percent: Decimal) -> Decimal:
    """The most a programme may approve: its budget plus the over-allocation allowance, to the penny."""
    return pennies(budget * (1 + allowance_percent / 100))


def left_to_allocate(budget: Decimal, allowance_percent: Decimal, committed: Decimal) -> Decimal:
    """What more a programme may approve: the budget plus the allowance, less every approved, signed,
    active or closed allocation (drafts and withdrawn allocations commit nothing)."""
    return allocation_ceiling(budget, allowance_percent) - committed


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
