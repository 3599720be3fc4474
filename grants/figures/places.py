"""The figures of a place (grants.models.places): a survey percentage's 95% confidence interval,
whether two intervals overlap, and the periods an indicator's values are kept for.

Pure Python, no database: the import, the pages and the report's context section call the same rules.

    survey_interval(percentage, sample_size)   the Wilson score interval, to 2 decimal places
    intervals_overlap(a, b)                    do two intervals share any point?
    interval_holds(value, low, high)           does an interval hold its own value?
    parse_period("2019-09" | "2019-20 Q2" | "2019-20")  -> Period(period_type, start)
    parse_month("2019-09")                     a month only (the crime layout's Month column)
    period_label(period_type, start)           the label people write, the reverse of parse_period
"""

from __future__ import annotations

import re
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NamedTuple

from grants.periods import FinancialYear, Quarter

# The two-sided 95% point of the standard normal distribution.
Z_95 = Decimal("1.959963984540054")
HUNDREDTH = Decimal("0.01")

# Period types, spelt as grants.models.places.PeriodType stores them.
MONTH = "month"
QUARTER = "quarter"
YEAR = "year"

_MONTH = re.compile(r"^\s*(\d{4})-(\d{2})\s*$")


class Interval(NamedTuple):
    """A 95% confidence interval of a percentage, in per cent (0–100)."""

    low: Decimal
    high: Decimal


class Period(NamedTuple):
    period_type: str
    start: date


def _hundredths(value: Decimal) -> Decimal:
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def survey_interval(percentage, sample_size) -> Interval:
    """The 95% confidence interval of a survey percentage from the number who answered, by the
    **Wilson score interval** (Wilson, 1927):

        centre = (p + z²/2n) / (1 + z²/n)
        half   = z · √(p(1−p)/n + z²/4n²) / (1 + z²/n)

    with p the proportion (percentage / 100), n the sample size and z = 1.96 (the 95% point). Unlike the
    simple "p ± 1.96·√(p(1−p)/n)" it never runs below 0% or above 100%, and it stays honest for small
    samples and for percentages near 0 or 100. It assumes a simple random sample: a survey weighted to its
    population has a wider interval (its design effect), which only the survey's publisher can give.

    Rounded half up to 2 decimal places of a per cent: p = 50%, n = 100 gives 40.38–59.62.
    Raises ValueError for a percentage outside 0–100 or a sample that is not a whole number above 0."""
    try:
        p = Decimal(str(percentage))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(f"{percentage!r} is not a percentage") from None
    if not p.is_finite() or not 0 <= p <= 100:
        raise ValueError("A percentage is between 0 and 100.")
    if isinstance(sample_size, bool) or not isinstance(sample_size, int) or sample_size < 1:
        raise ValueError("A sample size is a whole number of at least 1.")
    n = sample_size
    # In decimals throughout (28 significant digits), so the rounding to the hundredth is exact.
    proportion = p / 100
    z2 = Z_95 * Z_95
    denominator = 1 + z2 / n
    centre = (proportion + z2 / (2 * n)) / denominator
    half = Z_95 * (proportion * (1 - proportion) / n + z2 / (4 * n * n)).sqrt() / denominator
    low = max(Decimal(0), centre - half) * 100
    high = min(Decimal(1), centre + half) * 100
    return Interval(_hundredths(low), _hundredths(high))


def interval_holds(value, low, high) -> bool:
    """Whether the interval [low, high] holds the value (both ends included); False when an end is
    missing or the ends are the wrong way round."""
    if value is None or low is None or high is None:
        return False
    return Decimal(str(low)) <= Decimal(str(value)) <= Decimal(str(high))


def intervals_overlap(a, b) -> bool:
    """Whether two intervals (low, high) share any point, touching ends included. Two survey results
    whose 95% intervals overlap cannot be called different from these figures alone; intervals that
    do not overlap are a difference worth reporting (the usual, conservative reading)."""
    (a_low, a_high), (b_low, b_high) = a, b
    if None in (a_low, a_high, b_low, b_high):
        raise ValueError("An interval needs both ends.")
    return Decimal(str(a_low)) <= Decimal(str(b_high)) and Decimal(str(b_low)) <= Decimal(str(a_high))


def parse_month(text) -> Period:
    """A calendar month written YYYY-MM ("2019-09", as police.uk writes it) as a Period of type month
    starting on its first day."""
    match = _MONTH.match(str(text or ""))
    if not match:
        raise ValueError(f"“{text}” is not a month: write it like 2019-09")
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"“{text}” is not a month: the month is 01 to 12")
    if not 1900 <= year <= 2999:
        raise ValueError(f"“{text}” is not a month: the year is out of range")
    return Period(MONTH, date(year, month, 1))


def parse_period(text) -> Period:
    """A period as people write it:

    - a month, YYYY-MM ("2019-09") → month, its first day;
    - a financial quarter ("2019-20 Q2") → quarter, its first day (1 July 2019);
    - a financial year ("2019-20", "2019/20" or "2019-2020") → year, 1 April of its first year.

    "2011-12" is read as December 2011: a month wins wherever a label could be either, so write the
    financial years 2000-01 to 2011-12 as "2011/12" or "2011-2012"."""
    label = str(text or "").strip()
    if not label:
        raise ValueError("The period is empty: write a month (2019-09), a quarter (2019-20 Q2) or a year (2019-20)")
    match = _MONTH.match(label)
    if match and 1 <= int(match.group(2)) <= 12:
        return parse_month(label)
    if re.search(r"q", label, re.IGNORECASE):
        try:
            return Period(QUARTER, Quarter.from_label(label).start)
        except ValueError:
            raise ValueError(f"“{label}” is not a quarter: write it like 2019-20 Q2") from None
    try:
        return Period(YEAR, FinancialYear.from_label(label).start)
    except ValueError:
        raise ValueError(
            f"“{label}” is not a period: write a month (2019-09), a quarter (2019-20 Q2) or a year (2019-20)"
        ) from None


def period_label(period_type: str, start: date) -> str:
    """The label of a period, as parse_period reads it back ("2019-09", "2019-20 Q2", "2019-20")."""
    if period_type == MONTH:
        return f"{start.year:04d}-{start.month:02d}"
    if period_type == QUARTER:
        return Quarter.from_date(start).label
    if period_type == YEAR:
        return FinancialYear.from_date(start).label
    raise ValueError(f"{period_type!r} is not a period type")


__all__ = [
    "Interval", "MONTH", "Period", "QUARTER", "YEAR", "Z_95", "interval_holds", "intervals_overlap",
    "parse_month", "parse_period", "period_label", "survey_interval",
]
