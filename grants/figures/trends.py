"""
The rules behind a place's trends page (grants.selectors.trends): small counts suppressed, rolling
figures, the change on the same period last year, hotspots among an area's sub-areas, whether a survey
result changed, and the summary in words. Pure Python of plain values, no database.

Suppression, so that nobody can be identified from a small count:

- A count from 1 to `below` − 1 (`below` is the setting PLACE_SUPPRESS_BELOW, 5 unless set) is never
  shown: it reads "fewer than 5". A zero is shown, and so is anything from `below` up.
- Nothing worked out from a hidden count is shown either: a rolling total or average whose window holds
  one, and a change whose either side is one (a shown change beside a shown count would give the other
  count away, and two consecutive 12-month totals differ by exactly one month against its twin a year
  before).
- Among sub-areas listed beside their area's total, one hidden count could be worked back as the total
  minus the others: when exactly one count of a column is hidden for being small, the smallest shown
  count of that column (ties by name) is hidden too ("hidden to protect another figure"), so that only
  the sum of two counts can be worked out, never one of them.

The windows: a 12-month rolling total and mean for a monthly series, a 4-quarter one for a quarterly
series, none for a yearly series. A window with a period missing, or hidden, has no rolling figure:
a month with no figure is not a month with none.

Rounding: a rolling mean and a percentage change are rounded half up to one decimal place; counts are
shown as they are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from .places import MONTH, QUARTER, YEAR, intervals_overlap

DEFAULT_SUPPRESS_BELOW = 5
TENTH = Decimal("0.1")
# Hidden: for being a small count; to protect a small count from being worked back; worked from one.
SMALL = "small"
PROTECTS = "protects"
DERIVED = "derived"
# How many of a period type make up the rolling window (a yearly series has none).
WINDOWS = {MONTH: 12, QUARTER: 4, YEAR: None}
MONTHS_IN = {MONTH: 1, QUARTER: 3, YEAR: 12}
PER = {MONTH: "a month", QUARTER: "a quarter", YEAR: "a year"}
# How many of the largest rises are called hotspots.
HOTSPOTS = 5


def tenth(value: Decimal) -> Decimal:
    """Rounded half up to one decimal place."""
    return Decimal(value).quantize(TENTH, rounding=ROUND_HALF_UP)


def add_months(start: date, months: int) -> date:
    """The first of the month `months` after (or before) `start`'s month."""
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_end_month(period_type: str, start: date) -> date:
    """The first day of the last month of a period."""
    return add_months(start, MONTHS_IN[period_type] - 1)


def periods_between(period_type: str, first: date, last: date) -> list[date]:
    """The starts of every period from `first` to `last`, both included."""
    step = MONTHS_IN[period_type]
    found, current = [], first
    while current <= last:
        found.append(current)
        current = add_months(current, step)
    return found


def last_period_to(period_type: str, starts, month: date) -> date | None:
    """The latest of `starts` whose period has ended by the end of `month` (the 12 months to March 2024
    end, for a quarterly series, with 2023-24 Q4)."""
    ended = [s for s in starts if period_end_month(period_type, s) <= month]
    return max(ended, default=None)


def month_label(month: date) -> str:
    return f"{month:%B %Y}"


@dataclass(frozen=True)
class Count:
    """A figure as it may be shown: `value` is None when there is none or when it is hidden, and then
    `hidden` says why (SMALL, PROTECTS or DERIVED). A hidden count never carries its value."""

    value: Decimal | None
    hidden: str = ""

    @property
    def missing(self) -> bool:
        return self.value is None and not self.hidden


NONE = Count(None)


PERCENT_UNITS = {"%", "percent", "per cent", "percentage"}


def is_count(kind: str, unit: str) -> bool:
    """Whether a series' figures are counts, suppressed when small (`suppress`): recorded crime, and a
    partner's figure whose unit is not a percentage. A survey's figures are percentages with their sample."""
    unit = (unit or "").strip().lower()
    return kind == "crime" or (kind == "other" and unit not in PERCENT_UNITS and "%" not in unit)


def suppress(value, below: int = DEFAULT_SUPPRESS_BELOW) -> Count:
    """A count as it may be shown: hidden (SMALL) from 1 to below − 1."""
    if value is None:
        return NONE
    value = Decimal(value)
    if 0 < value < below:
        return Count(None, SMALL)
    return Count(value)


def shown_as(count: Count, below: int = DEFAULT_SUPPRESS_BELOW, *, places: int = 0) -> str:
    """A count in words and figures, as a page or a file shows it: "1,204", "fewer than 5", "hidden",
    "none"."""
    if count.hidden == SMALL:
        return f"fewer than {below}"
    if count.hidden:
        return "hidden"
    if count.value is None:
        return "none"
    return f"{count.value:,.{places}f}" if places else f"{count.value.normalize():,f}"


@dataclass(frozen=True)
class Rolling:
    total: Count
    mean: Count


def rolling(counts: list[Count], window: int | None) -> list[Rolling]:
    """For each position, the total and the mean (one decimal place) of the `window` periods ending
    there: none where fewer periods than the window come before, or one of them is missing; hidden
    (DERIVED) where one of them is hidden. No window (a yearly series): none anywhere."""
    found = []
    for i in range(len(counts)):
        if window is None or i + 1 < window:
            found.append(Rolling(NONE, NONE))
            continue
        span = counts[i + 1 - window:i + 1]
        if any(c.missing for c in span):
            found.append(Rolling(NONE, NONE))
        elif any(c.hidden for c in span):
            found.append(Rolling(Count(None, DERIVED), Count(None, DERIVED)))
        else:
            total = sum((c.value for c in span), Decimal(0))
            found.append(Rolling(Count(total), Count(tenth(total / window))))
    return found


@dataclass(frozen=True)
class Change:
    """The change from a year before: the difference and the percentage (one decimal place). None
    where either side is missing, the percentage None where last year's is 0; `hidden` where either side
    is hidden."""

    count: Decimal | None = None
    percent: Decimal | None = None
    hidden: bool = False


def change(current: Count, previous: Count) -> Change:
    if current.hidden or previous.hidden:
        return Change(hidden=True)
    if current.value is None or previous.value is None:
        return Change()
    difference = current.value - previous.value
    percent = None if previous.value == 0 else tenth(difference * 100 / previous.value)
    return Change(difference, percent)


def change_text(found: Change) -> str:
    """"+187 (+15.5%)", "−12 (−4.0%)", "+12 (no percentage: none a year before)", "hidden", "none"."""
    if found.hidden:
        return "hidden"
    if found.count is None:
        return "none"
    count = f"{found.count.normalize():+,f}".replace("-", "−")
    if found.percent is None:
        return f"{count} (no percentage: none a year before)"
    return f"{count} ({found.percent:+.1f}%)".replace("-", "−")


# --- Sub-areas and hotspots -------------------------------------------------------------------------


@dataclass
class SubArea:
    name: str
    code: str
    current: Count
    previous: Count
    change: Change = field(default_factory=Change)
    rank: int | None = None  # its place among the sub-areas whose change can be shown, largest rise first
    hotspot: bool = False
    below: int = DEFAULT_SUPPRESS_BELOW

    @property
    def current_text(self) -> str:
        return shown_as(self.current, self.below)

    @property
    def previous_text(self) -> str:
        return shown_as(self.previous, self.below)

    @property
    def change_text(self) -> str:
        return change_text(self.change)


def _protect(rows: list[SubArea], column: str) -> None:
    """Hide the smallest shown count of the column (ties by name) when exactly one is hidden as small."""
    if sum(1 for r in rows if getattr(r, column).hidden == SMALL) != 1:
        return
    shown = [r for r in rows if getattr(r, column).value is not None]
    if shown:
        smallest = min(shown, key=lambda r: (getattr(r, column).value, r.name))
        setattr(smallest, column, Count(None, PROTECTS))


def sub_areas(rows, below: int = DEFAULT_SUPPRESS_BELOW, hotspots: int = HOTSPOTS) -> list[SubArea]:
    """The sub-areas from (name, code, this period's total, the same period's a year before: None where
    incomplete), suppressed and protected as the module says, ranked by the rise in count (largest first,
    ties by name) among those whose change can be shown; the others after, by name. The first `hotspots`
    with a rise above 0 are the hotspots."""
    found = [SubArea(name, code, suppress(current, below), suppress(previous, below), below=below)
             for name, code, current, previous in rows]
    _protect(found, "current")
    _protect(found, "previous")
    for row in found:
        row.change = change(row.current, row.previous)
    ranked = sorted((r for r in found if r.change.count is not None), key=lambda r: (-r.change.count, r.name))
    for i, row in enumerate(ranked, 1):
        row.rank = i
        row.hotspot = i <= hotspots and row.change.count > 0
    rest = sorted((r for r in found if r.change.count is None), key=lambda r: r.name)
    return ranked + rest


# --- Surveys ----------------------------------------------------------------------------------------

ROSE = "rose"
FELL = "fell"
NO_CLEAR_CHANGE = "no clear change"
NO_INTERVAL = "no interval"


def survey_change(latest, earlier) -> str:
    """Whether a survey result changed from `earlier` to `latest`, each (value, low, high) with its 95%
    interval: ROSE or FELL only where the intervals do not overlap, NO_CLEAR_CHANGE where they do, and
    NO_INTERVAL where either lacks one (so no change can be called)."""
    if latest is None or earlier is None or None in (*latest, *earlier):
        return NO_INTERVAL
    if intervals_overlap(latest[1:], earlier[1:]):
        return NO_CLEAR_CHANGE
    return ROSE if Decimal(latest[0]) > Decimal(earlier[0]) else FELL


# --- In words ---------------------------------------------------------------------------------------


def _number(value: Decimal) -> str:
    return f"{value.normalize():,f}"


def series_summary(*, name: str, area: str, unit: str, period_type: str, month: date,
                   current: Count, previous: Count, below: int = DEFAULT_SUPPRESS_BELOW) -> str:
    """The series in one or two sentences, for the 12 months to `month`: "Hate crime in Bristol rose
    from 1,204 to 1,391 crimes in the 12 months to March 2024, 15.5% more than the year before; an average
    of 115.9 crimes a month."""
    span = f"the 12 months to {month_label(month)}"
    subject = f"{name} in {area}"
    if current.hidden or previous.hidden:
        return (f"{subject}: the totals for {span} and the year before are not shown, because a count in them is "
                f"fewer than {below} (small counts are hidden to protect the people they count).")
    if current.value is None:
        return f"{subject}: no complete figures for {span}."
    window = WINDOWS[period_type]
    mean = (f"; an average of {tenth(current.value / window):,.1f} {unit} {PER[period_type]}"
            if window else "")
    if previous.value is None:
        return f"{subject}: {_number(current.value)} {unit} in {span}{mean}. No complete figures for the year before."
    found = change(current, previous)
    if found.count == 0:
        return f"{subject}: {_number(current.value)} {unit} in {span}, the same as the year before{mean}."
    verb = "rose" if found.count > 0 else "fell"
    text = f"{subject} {verb} from {_number(previous.value)} to {_number(current.value)} {unit} in {span}"
    if found.percent is None:
        return text + f" (none the year before, so no percentage){mean}."
    more = "more" if found.count > 0 else "fewer"
    return text + f", {abs(found.percent):.1f}% {more} than the year before{mean}."


def survey_summary(*, name: str, area: str, latest_label: str, latest, earlier_label: str | None, earlier,
                   verdict: str) -> str:
    """A survey result with its interval, against the same period a year before."""
    def with_interval(figure):
        value, low, high = figure
        interval = f" (95% confidence interval {low:.1f}% to {high:.1f}%)" if low is not None else \
            " (no confidence interval given)"
        return f"{Decimal(value):.1f}%{interval}"

    text = f"{name} in {area}: {with_interval(latest)} in {latest_label}"
    if earlier is None:
        return text + "; no result for the same period a year before."
    text += f", against {with_interval(earlier)} in {earlier_label}"
    if verdict in (ROSE, FELL):
        return text + f": it {verdict}, and the intervals do not overlap."
    if verdict == NO_CLEAR_CHANGE:
        return text + ": no clear change, because the intervals overlap."
    return text + ": no change can be called without both intervals."


__all__ = [
    "Change", "Count", "DEFAULT_SUPPRESS_BELOW", "DERIVED", "FELL", "HOTSPOTS", "NO_CLEAR_CHANGE", "NO_INTERVAL",
    "PROTECTS", "ROSE", "Rolling", "SMALL", "SubArea", "WINDOWS", "add_months", "change", "change_text",
    "last_period_to", "month_label", "period_end_month", "periods_between", "rolling", "series_summary",
    "shown_as", "sub_areas", "suppress", "survey_change", "survey_summary", "tenth",
]
