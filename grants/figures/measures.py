"""Targets, a measure's figure for a period, off target and RAG, and several projects' figures combined
(grants.figures)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from typing import Iterable, NamedTuple

from grants.choices import RAG, MeasureAggregation, MeasureDirection, MeasureUnit
from grants.periods import Quarter

from .money import PENNY, WHOLE, ZERO, percent, rate, shown_percent

RAG_TOLERANCE = Decimal("0.10")  # amber: short of target by no more than 10% of it
_AMBER_BELOW, _AMBER_ABOVE = 1 - RAG_TOLERANCE, 1 + RAG_TOLERANCE
Agg = MeasureAggregation
_EVENTS, _PEOPLE, _RATE = Agg.EVENTS.value, Agg.PEOPLE.value, Agg.RATE.value
# Plain strings: a large workbook rates tens of thousands of figures, and reading an enum's member costs
# several times a name's look-up.
_HIGHER, _LOWER = MeasureDirection.HIGHER.value, MeasureDirection.LOWER.value

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
    return direction == _HIGHER or direction == _LOWER


def is_off_target(direction: str, target, actual) -> bool:
    """The figure is on the wrong side of its target for the measure's direction."""
    if actual is None or target is None or not is_rated(direction):
        return False
    return actual < target if direction == _HIGHER else actual > target


def outcome_rag(direction: str, target, actual) -> str:
    """Green on or better than target; amber short of it by no more than 10% of the target; red
    beyond; "" without both figures or for a context measure."""
    if actual is None or target is None or not is_rated(direction):
        return ""
    if not is_off_target(direction, target, actual):
        return RAG.GREEN
    if direction == _HIGHER:
        near = actual >= target * _AMBER_BELOW
    else:
        near = actual <= target * _AMBER_ABOVE
    return RAG.AMBER if near else RAG.RED


def shortfall(direction: str, target, actual) -> Decimal:
    """How far off target, as a fraction of the target (0 when on target): what ranks measures most
    off target. A target of 0 missed in the wrong direction counts as wholly missed."""
    if not is_off_target(direction, target, actual):
        return ZERO
    if target == 0:
        return Decimal(1)
    return abs(actual - target) / abs(target)


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


__all__ = [
    "RAG_TOLERANCE",
    "Agg",
    "step_of",
    "split",
    "quarter_targets",
    "target_to_date",
    "MeasureQuarter",
    "MeasureFigure",
    "measure_figure",
    "weighted_target",
    "is_rated",
    "is_off_target",
    "outcome_rag",
    "shortfall",
    "Combined",
    "combine",
]
