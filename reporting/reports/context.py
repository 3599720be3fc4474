"""
The context of a performance report's place and period, set beside its funded projects' outcomes: the
indicators of the areas its projects serve, and the board actions due in its twelve months.

The rules (each figure's own rule is in grants.figures.trends and grants.figures.places, as the trends
page uses them; nothing here is a second copy):

- The areas are those of the report's projects (Project.area); the figures are those the reader may see
  (grants.selectors.places.indicator_values_for), for everyone (no breakdown) unless a survey gives one.
- Recorded crime, and any other count: the total of the report's 12 months and of the 12 months before,
  from a monthly series (12-month rolling total) or a quarterly one (4 quarters), or a yearly one when the
  report's 12 months are a financial year; a period without a figure leaves the total empty, never a
  smaller one. Small counts are suppressed by the trends rule (trends.suppress, the setting
  PLACE_SUPPRESS_BELOW): a total holding a hidden month is hidden, and so is a change with a hidden side.
- A survey result: the latest period that ends within the 12 months, with its 95% interval, against the
  same period a year before; "rose" or "fell" only where the intervals do not overlap
  (trends.survey_change).
- Other figures (those a partner provides): the latest in the 12 months, a count suppressed as above, a
  percentage as it is.
- Board actions due in the period: the actions the reader reaches, due within the 12 months, linked to one
  of the report's projects or to a programme funding them (or, for an organisation's report, the
  organisation's own), with their status.

A fixed number of queries whatever the number of projects or figures: the areas (one), the figures (one)
and the actions with their links (three).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Q

from grants.figures import trends
from grants.figures.places import MONTH, QUARTER, YEAR, period_label
from grants.models import Indicator
from grants.selectors.board_actions import board_actions_due
from grants.selectors.places import indicator_values_for

from .subjects import ORGANISATION, Subject, Window

PREFERENCE = {MONTH: 0, QUARTER: 1, YEAR: 2}


def suppress_below() -> int:
    return settings.PLACE_SUPPRESS_BELOW


@dataclass
class AreaProjects:
    """An area the report's projects serve, and those projects' references."""

    pk: int
    name: str
    references: list = field(default_factory=list)


@dataclass
class CountRow:
    """A count for the report's 12 months and the 12 months before, suppressed, with the change."""

    indicator: Indicator
    area: str
    period_type: str
    current: trends.Count
    previous: trends.Count
    change: trends.Change
    below: int

    @property
    def current_text(self) -> str:
        return trends.shown_as(self.current, self.below)

    @property
    def previous_text(self) -> str:
        return trends.shown_as(self.previous, self.below)

    @property
    def change_text(self) -> str:
        return trends.change_text(self.change)


@dataclass
class SurveyRow:
    indicator: Indicator
    area: str
    breakdown: str
    latest_label: str
    latest: tuple  # (value, low, high)
    sample_size: int | None
    earlier_label: str
    earlier: tuple | None
    verdict: str


@dataclass
class OtherRow:
    indicator: Indicator
    area: str
    breakdown: str
    period: str
    value: trends.Count
    below: int

    @property
    def value_text(self) -> str:
        return trends.shown_as(self.value, self.below, places=2 if self.value.value is not None
                               and self.value.value != self.value.value.to_integral_value() else 0)


@dataclass
class PlaceContext:
    window: Window
    areas: list
    crime: list
    surveys: list
    others: list
    indicators: list  # each indicator shown, with its source and caveats
    actions: list
    below: int

    @property
    def has_figures(self) -> bool:
        return bool(self.crime or self.surveys or self.others)


def _month(day: date) -> date:
    return date(day.year, day.month, 1)


def shown_count(indicator, value) -> trends.Count:
    """A figure as it may be shown: a percentage as it is, any other figure suppressed as a count."""
    if value is None:
        return trends.NONE
    if not trends.is_count(indicator.kind, indicator.unit):
        return trends.Count(value)
    return trends.suppress(value, suppress_below())


def _totals(period_type: str, series: dict, window: Window) -> tuple[trends.Count, trends.Count]:
    """(the 12 months', the 12 months before's) totals of one series {period start: value}, by the
    trends rules."""
    below = suppress_below()
    start = window.first.start
    before = trends.add_months(start, -12)
    last = _month(window.end.end)
    if period_type == YEAR:
        if start.month != 4 or start.day != 1 or window.end.number != 4:
            return trends.NONE, trends.NONE
        return trends.suppress(series.get(start), below), trends.suppress(series.get(before), below)
    window_size = trends.WINDOWS[period_type]
    first = before
    last_start = last if period_type == MONTH else trends.add_months(last, -2)
    starts = trends.periods_between(period_type, first, last_start)
    counts = [trends.suppress(series.get(s), below) for s in starts]
    rolled = trends.rolling(counts, window_size)
    if len(rolled) < 2 * window_size:
        return trends.NONE, trends.NONE
    return rolled[-1].total, rolled[-1 - window_size].total


def _period_end(period_type: str, start: date) -> date:
    return trends.period_end_month(period_type, start)


def place_context(user, subject: Subject, window: Window, projects: list) -> PlaceContext:
    """The context section of a performance report over `projects` (its ProjectRows)."""
    below = suppress_below()
    ids = [p.pk for p in projects]
    areas: dict[int, AreaProjects] = {}
    for p in sorted((p for p in projects if p.area_id is not None), key=lambda p: p.reference):
        areas.setdefault(p.area_id, AreaProjects(p.area_id, p.area_name)).references.append(p.reference)
    start, end = window.first.start, window.end.end
    before = trends.add_months(start, -12)
    values = (indicator_values_for(user).filter(area_id__in=list(areas), period_start__gte=before,
                                                period_start__lte=end)
              .select_related("indicator").order_by("indicator__theme", "indicator__name", "indicator__category",
                                                     "indicator_id", "area_id", "breakdown", "period_start"))
    series = defaultdict(dict)  # (indicator, area, breakdown, period type) -> {start: value row}
    indicators = {}
    for v in values:
        indicators[v.indicator_id] = v.indicator
        series[v.indicator_id, v.area_id, v.breakdown, v.period_type][v.period_start] = v

    crime, surveys, others = [], [], []
    chosen = {}  # one period type per count series: months first, then quarters, then years
    for (indicator_id, area_id, breakdown, period_type), rows in series.items():
        indicator = indicators[indicator_id]
        if indicator.kind == Indicator.Kind.SURVEY:
            continue
        key = (indicator_id, area_id, breakdown)
        if key not in chosen or PREFERENCE[period_type] < PREFERENCE[chosen[key]]:
            chosen[key] = period_type
    last_month = _month(end)
    for (indicator_id, area_id, breakdown, period_type), rows in series.items():
        indicator = indicators[indicator_id]
        area = areas[area_id].name
        if indicator.kind == Indicator.Kind.SURVEY:
            ended = [s for s in rows if s >= start and _period_end(period_type, s) <= last_month]
            if not ended:
                continue
            latest = rows[max(ended)]
            earlier_start = trends.add_months(latest.period_start, -12)
            earlier = rows.get(earlier_start)
            latest_figure = (latest.value, latest.ci_low, latest.ci_high)
            earlier_figure = None if earlier is None else (earlier.value, earlier.ci_low, earlier.ci_high)
            surveys.append(SurveyRow(
                indicator, area, breakdown, period_label(period_type, latest.period_start), latest_figure,
                latest.sample_size, period_label(period_type, earlier_start) if earlier else "", earlier_figure,
                trends.survey_change(latest_figure, earlier_figure)))
        elif chosen.get((indicator_id, area_id, breakdown)) != period_type:
            continue
        elif indicator.kind == Indicator.Kind.CRIME and not breakdown:
            current, previous = _totals(period_type, {s: r.value for s, r in rows.items()}, window)
            crime.append(CountRow(indicator, area, period_type, current, previous, trends.change(current, previous),
                                  below))
        else:
            ended = [s for s in rows if s >= start and _period_end(period_type, s) <= last_month]
            if ended:
                latest = rows[max(ended)]
                label = period_label(period_type, latest.period_start)
                others.append(OtherRow(indicator, area, breakdown, label, shown_count(indicator, latest.value), below))

    programme_ids = sorted({p.programme_id for p in projects})
    linked = Q(projects__in=ids) | Q(programmes__in=programme_ids)
    if subject.kind == ORGANISATION:
        linked |= Q(owner_id=int(subject.key))
    actions = list(board_actions_due(user, start, end, linked))
    shown = [i for i in indicators.values()]
    return PlaceContext(window, sorted(areas.values(), key=lambda a: a.name), crime, surveys, others, shown, actions,
                        below)


__all__ = ["AreaProjects", "CountRow", "OtherRow", "PlaceContext", "SurveyRow", "place_context", "shown_count",
           "suppress_below"]
