"""
The rules the dashboards and reports share: which quarter is "current", how a return's RAG
is read, how a measure's quarters make a figure for a period, and how sums from the database
become pounds and pence.

Pure functions of plain values, so that a page, a chart and a workbook cannot disagree.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import CharField, Q
from django.db.models.functions import Cast

from grants.models import RAG, Allocation, QuarterlyReturn
from grants.models.common import PENNY, ZERO
from grants.periods import Quarter
from grants.selectors import is_off_target
from grants.services.returns import variance_percent
from reporting.spreadsheets.commissioner import outcome_rag  # noqa: F401  (the workbook's RAG rule, shared)

Status = QuarterlyReturn.Status
APPROVED = Status.APPROVED

# Allocations whose projects the dashboards and reports count: decided ones, not drafts or withdrawn.
COUNTED_ALLOCATIONS = Allocation.COMMITTED_STATUSES
# Allocations whose projects still owe returns (a closed allocation owes nothing more).
OWING_ALLOCATIONS = (Allocation.Status.APPROVED, Allocation.Status.AGREEMENT_SIGNED, Allocation.Status.ACTIVE)

NOT_STARTED = "not_started"
NOT_RATED = "not_rated"
STATUS_ORDER = (Status.APPROVED, Status.SUBMITTED, Status.RETURNED, Status.DRAFT, NOT_STARTED)
STATUS_LABELS = {**dict(Status.choices), NOT_STARTED: "Not started"}
RAG_ORDER = (RAG.RED, RAG.AMBER, RAG.GREEN, NOT_RATED)
RAG_LABELS = {**dict(RAG.choices), NOT_RATED: "Not rated"}


def latest_ended_quarter(today: date) -> Quarter:
    """The current quarter of the dashboards: the latest quarter that has ended by `today`
    (on 21 November 2026 that is 2026-27 Q2, July to September)."""
    return Quarter.from_date(today).previous()


def money(value) -> Decimal:
    """A sum from the database as pounds and pence (£0 for no rows).

    PostgreSQL adds decimals exactly; SQLite adds them as binary floating point, whose error
    for any realistic total is a tiny fraction of a penny, so rounding to the penny is exact."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(PENNY)


def as_text(field: str) -> Cast:
    """A decimal column read as its text, to be made a Decimal in Python (decimal_or_none): exact on
    both databases and, on SQLite, several times quicker than the ORM's conversion of each value."""
    return Cast(field, output_field=CharField())


def decimal_or_none(text) -> Decimal | None:
    return None if text is None else Decimal(text)


def percent(part, whole) -> Decimal | None:
    """`part` as a percentage of `whole`, to one decimal place; None when `whole` is 0 or missing."""
    if part is None or whole is None or whole == 0:
        return None
    return (Decimal(part) / Decimal(whole) * 100).quantize(Decimal("0.1"))


def spend_variance_percent(spent: Decimal, profiled: Decimal) -> Decimal | None:
    """The return page's variance rule (grants.services.returns.variance_percent), to one decimal place."""
    value = variance_percent(spent, profiled)
    return None if value is None else value.quantize(Decimal("0.1"))


def quarters_q(quarters, prefix: str = "") -> Q:
    """A condition matching rows whose (financial_year, quarter) is one of `quarters`."""
    by_year: dict[int, list[int]] = {}
    for quarter in quarters:
        by_year.setdefault(quarter.financial_year, []).append(quarter.number)
    condition = Q(pk__in=[])
    for year, numbers in by_year.items():
        condition |= Q(**{f"{prefix}financial_year": year, f"{prefix}quarter__in": numbers})
    return condition


def runs_in(start: date, end: date, quarter: Quarter) -> bool:
    return start <= quarter.end and end >= quarter.start


# --- RAG -----------------------------------------------------------------------------------


def return_rag(status: str, officer_rag: str, self_rag: str) -> tuple[str, str]:
    """The RAG a return counts as, and whose rating it is ("officer", "provider" or "").

    An approved return counts with the officer's rating (the provider's if the officer gave
    none). A return submitted or sent back for amendment counts with the provider's own rating.
    A draft has not been sent, so it is not rated, like a return not started."""
    if status == APPROVED:
        if officer_rag:
            return officer_rag, "officer"
        return (self_rag, "provider") if self_rag else (NOT_RATED, "")
    if status in (Status.SUBMITTED, Status.RETURNED) and self_rag:
        return self_rag, "provider"
    return NOT_RATED, ""


def rag_condition(rags, prefix: str = "") -> Q:
    """The database form of `return_rag`: returns that count as one of `rags` (red, amber, green)."""
    approved = Q(**{f"{prefix}status": APPROVED})
    sent = Q(**{f"{prefix}status__in": [Status.SUBMITTED, Status.RETURNED]})
    return (
        (approved & Q(**{f"{prefix}officer_rag__in": rags}))
        | (approved & Q(**{f"{prefix}officer_rag": ""}) & Q(**{f"{prefix}self_rag__in": rags}))
        | (sent & Q(**{f"{prefix}self_rag__in": rags}))
    )


# --- Measures over a period ------------------------------------------------------------------


def quarter_targets(cumulative: bool, annual, targets) -> list:
    """Each quarter's own target (Q1 to Q4): the quarter's target where set, otherwise a quarter of
    the annual target for cumulative measures and the annual target itself for point-in-time ones."""
    result = []
    for target in targets:
        if target is not None:
            result.append(target)
        elif annual is None:
            result.append(None)
        else:
            result.append((annual / 4).quantize(PENNY) if cumulative else annual)
    return result


def segment_target(cumulative: bool, annual, targets, numbers: list[int]):
    """The target for some quarters (`numbers`, in order) of one financial year.

    Cumulative measures: the quarters' targets added up when every one is set, otherwise the annual
    target pro rata (the rule of the return page, grants.selectors.target_to_date, for any run of
    quarters). Point-in-time measures: the last quarter's target, or the annual target."""
    if not numbers:
        return None
    if cumulative:
        chosen = [targets[n - 1] for n in numbers]
        if all(t is not None for t in chosen):
            return sum(chosen, ZERO)
        return None if annual is None else (annual * len(numbers) / 4).quantize(PENNY)
    last = targets[numbers[-1] - 1]
    return annual if last is None else last


@dataclass
class PeriodFigure:
    """A measure's figure for a period (a year to date, or twelve months) against its target."""

    actual: Decimal | None
    target: Decimal | None
    quarters_reported: int  # quarters with an approved value
    quarters_expected: int  # quarters of the period the project reports the measure in

    @property
    def percent_of_target(self):
        return percent(self.actual, self.target)


def period_figure(cumulative: bool, segments) -> PeriodFigure:
    """The figure for a period from its segments, one per financial year, in order:
    (annual target, [targets Q1..Q4], [(quarter number, approved value or None), ...]).

    Cumulative measures add up the approved values and the segments' targets (no target if any
    segment has none). Point-in-time measures take the latest approved value and the target of
    its quarter (of the period's last quarter when there is no value)."""
    reported = sum(1 for _, _, values in segments for _, v in values if v is not None)
    expected = sum(len(values) for _, _, values in segments)
    if cumulative:
        known = [v for _, _, values in segments for _, v in values if v is not None]
        actual = sum(known, ZERO) if known else None
        parts = [segment_target(True, annual, targets, [n for n, _ in values]) for annual, targets, values in segments]
        target = sum(parts, ZERO) if parts and all(p is not None for p in parts) else None
        return PeriodFigure(actual, target, reported, expected)
    latest = None
    for annual, targets, values in segments:
        for number, value in values:
            if value is not None:
                latest = (annual, targets, number, value)
    if latest is not None:
        annual, targets, number, value = latest
        return PeriodFigure(value, segment_target(False, annual, targets, [number]), reported, expected)
    if segments and segments[-1][2]:
        annual, targets, values = segments[-1]
        return PeriodFigure(None, segment_target(False, annual, targets, [values[-1][0]]), reported, expected)
    return PeriodFigure(None, None, reported, expected)


def shortfall(direction: str, target, actual) -> Decimal:
    """How far off target, as a fraction of the target (0 when on target): what ranks the measures
    most off target. A target of 0 missed in the wrong direction counts as wholly missed."""
    if actual is None or target is None or not is_off_target(direction, target, actual):
        return ZERO
    if target == 0:
        return Decimal(1)
    return abs(actual - target) / abs(target)
