"""
A place's trends, by area and theme (the page /places/<ONS code>/<theme>/ and its CSV): each count
series of the theme over time with its rolling average and the change on the same period last year,
the sub-areas with the largest rises, and the theme's survey results with their intervals. The rules
are grants/figures/trends.py's; who sees which values is grants/selectors/places.py's.

Sub-areas. Areas have no parent here, so a series is read as covering one place: the sub-areas of an
area, in a series, are the areas at the nearest finer level for which that same series holds values
(for a police force area its partnerships' and councils' areas, for those their wards). A series kept
by a commissioner for its force area and partnerships, or by a partnership for its district and wards,
reads as people expect.

Reads in a fixed number of queries whatever the number of values, periods and areas: the area, the
theme's series with values for it, the area's values, and the sub-areas' totals summed in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count as CountOf
from django.db.models import Q, Sum

from grants.figures import trends as rules
from grants.figures.places import MONTH, QUARTER, YEAR, parse_month, period_label, survey_interval
from grants.models import Area, Indicator
from grants.selectors.places import indicator_values_for

# Coarse to fine: a police force area; a partnership's or council's district; a ward.
LEVELS = {"PFA": 0, "CSP": 1, "MD": 1, "UA": 1, "NMD": 1, "LONB": 1, "WD": 2}
LEVEL_NAMES = {0: "police force area", 1: "partnership and council areas", 2: "wards"}
PREFERENCE = (MONTH, QUARTER, YEAR)
# How many periods of a series the page shows (three years); earlier ones still feed the rolling figures.
SHOWN = {MONTH: 36, QUARTER: 12, YEAR: 10}


def suppress_below() -> int:
    return getattr(settings, "PLACE_SUPPRESS_BELOW", rules.DEFAULT_SUPPRESS_BELOW)


def theme_name(theme: str) -> str:
    """"hate-crime" -> "Hate crime"."""
    return theme.replace("-", " ").capitalize()


def _label(period_type: str, start: date) -> str:
    return f"{start:%B %Y}" if period_type == MONTH else period_label(period_type, start)


def _is_count(indicator: Indicator) -> bool:
    """Counts are suppressed when small (the rule: grants.figures.trends.is_count)."""
    return rules.is_count(indicator.kind, indicator.unit)


# --- The list of places ---------------------------------------------------------------------------


@dataclass
class ThemeAreas:
    theme: str
    name: str
    areas: list  # (name, code, code type's label), coarse to fine, then by name


def place_themes(user) -> list[ThemeAreas]:
    """The themes and areas (with an ONS code) the user may see values for, in one query."""
    found = (indicator_values_for(user).exclude(area__code="").order_by()
             .values_list("indicator__theme", "area__name", "area__code", "area__code_type").distinct())
    by_theme = defaultdict(set)
    for theme, name, code, code_type in found:
        by_theme[theme].add((LEVELS.get(code_type, 3), name, code, Area.CodeType(code_type).label if code_type else ""))
    return [ThemeAreas(theme, theme_name(theme), [row[1:] for row in sorted(areas)])
            for theme, areas in sorted(by_theme.items())]


# --- One area and theme -----------------------------------------------------------------------------


@dataclass
class SeriesRow:
    start: date
    label: str
    count: rules.Count
    mean: rules.Count
    change: rules.Change
    below: int

    @property
    def count_text(self) -> str:
        return rules.shown_as(self.count, self.below)

    @property
    def mean_text(self) -> str:
        return rules.shown_as(self.mean, self.below, places=1)

    @property
    def change_text(self) -> str:
        return rules.change_text(self.change)


@dataclass
class Series:
    indicator: Indicator
    period_type: str
    below: int
    counted: bool  # small counts hidden
    end: date | None = None  # the last month of the 12 months shown
    rows: list = field(default_factory=list)  # SeriesRow, oldest first
    current: rules.Count = rules.NONE
    previous: rules.Count = rules.NONE
    summary: str = ""
    sub_level: str = ""
    sub_areas: list = field(default_factory=list)  # rules.SubArea, ranked

    @property
    def key(self) -> str:
        return f"series-{self.indicator.pk}"

    @property
    def window(self) -> int | None:
        return rules.WINDOWS[self.period_type]

    @property
    def mean_heading(self) -> str:
        return {MONTH: "12-month rolling average", QUARTER: "4-quarter rolling average"}.get(self.period_type, "")

    @property
    def change(self) -> rules.Change:
        return rules.change(self.current, self.previous)

    @property
    def hotspots(self) -> list:
        return [s for s in self.sub_areas if s.hotspot]

    @property
    def end_label(self) -> str:
        return rules.month_label(self.end) if self.end else ""

    @property
    def previous_label(self) -> str:
        return rules.month_label(rules.add_months(self.end, -12)) if self.end else ""

    def chart(self) -> dict:
        series = [{"label": self.indicator.unit.capitalize() or "Value", "role": "actual",
                   "values": [_text(r.count.value) for r in self.rows]}]
        if self.window:
            series.append({"label": self.mean_heading, "role": "target",
                           "values": [_text(r.mean.value) for r in self.rows]})
        return {"kind": "measure", "unit": "percentage" if "%" in self.indicator.unit else "number",
                "labels": [r.label for r in self.rows], "series": series}

    def sub_area_chart(self) -> dict:
        return {"kind": "spend", "unit": "number", "labels": [s.name for s in self.sub_areas], "series": [
            {"label": f"12 months to {self.previous_label}", "role": "target",
             "values": [_text(s.previous.value) for s in self.sub_areas]},
            {"label": f"12 months to {self.end_label}", "role": "actual",
             "values": [_text(s.current.value) for s in self.sub_areas]},
        ]}

    @property
    def hotspot_summary(self) -> str:
        if not self.sub_areas:
            return ""
        found = self.hotspots
        where = f"Among the {self.sub_level} of this series, in the 12 months to {self.end_label}"
        if not found:
            return f"{where}, none rose against the year before (among those whose counts can be shown)."
        listed = "; ".join(f"{s.name} ({rules.change_text(s.change)})" for s in found)
        return f"{where}, the largest rises on the year before: {listed}."


@dataclass
class SurveyResult:
    indicator: Indicator
    label: str
    value: Decimal
    low: Decimal | None
    high: Decimal | None
    sample_size: int | None
    earlier_label: str | None
    earlier: tuple | None  # (value, low, high)
    verdict: str
    summary: str


@dataclass
class PlaceTrends:
    area: Area
    theme: str
    theme_name: str
    month: date | None
    months: list  # the months one may choose, latest first
    below: int
    series: list  # Series
    surveys: list  # SurveyResult

    @property
    def month_value(self) -> str:
        return f"{self.month:%Y-%m}" if self.month else ""

    @property
    def month_label(self) -> str:
        return rules.month_label(self.month) if self.month else ""


def _text(value) -> str | None:
    return None if value is None else f"{value.normalize():f}"


def _interval(value, low, high, sample_size):
    """The value's 95% interval as given, or worked out from its sample (Wilson), or none."""
    if low is not None and high is not None:
        return low, high
    if sample_size:
        found = survey_interval(value, sample_size)
        return found.low, found.high
    return None, None


def place_trends(user, code: str, theme: str, month_text: str | None = None) -> PlaceTrends | None:
    """The trends page of the area with this ONS code for the theme, to the month asked for ("2024-03";
    the latest month with a figure when not given or not one of them), or None when the user sees no
    value of the theme for the area (a 404)."""
    if not code:
        return None
    area = Area.objects.filter(code=code).first()
    if area is None:
        return None
    visible = indicator_values_for(user)
    indicators = list(Indicator.objects.filter(
        pk__in=visible.filter(area=area, indicator__theme=theme).values("indicator_id")).order_by("kind", "name", "pk"))
    if not indicators:
        return None
    below = suppress_below()
    values = defaultdict(lambda: defaultdict(dict))  # indicator -> period type -> start -> row
    for row in (visible.filter(area=area, indicator__in=[i.pk for i in indicators], breakdown="").order_by()
                .values_list("indicator_id", "period_type", "period_start", "value", "sample_size", "ci_low", "ci_high")):
        values[row[0]][row[1]][row[2]] = row[3:]
    chosen = {}
    for indicator in indicators:
        kept = values.get(indicator.pk, {})
        period_type = next((p for p in PREFERENCE if kept.get(p)), None)
        if period_type:
            chosen[indicator.pk] = period_type
    months = sorted({rules.period_end_month(chosen[i], s) for i in chosen for s in values[i][chosen[i]]}, reverse=True)
    month = None
    if month_text:
        try:
            month = parse_month(month_text).start
        except ValueError:
            month = None
    if month not in months:
        month = months[0] if months else None

    page = PlaceTrends(area, theme, theme_name(theme), month, months, below, [], [])
    for indicator in indicators:
        period_type = chosen.get(indicator.pk)
        if period_type is None or month is None:
            continue
        kept = values[indicator.pk][period_type]
        if indicator.kind == Indicator.Kind.SURVEY:
            result = _survey(indicator, area, period_type, kept, month)
            if result:
                page.surveys.append(result)
        else:
            page.series.append(_series(indicator, area, period_type, kept, month, below))
    _add_sub_areas(visible, area, [s for s in page.series if s.end], below)
    return page


def _series(indicator, area, period_type, kept, month, below) -> Series:
    counted = _is_count(indicator)
    series = Series(indicator, period_type, below, counted)
    last = rules.last_period_to(period_type, kept, month)
    if last is None:
        series.summary = f"{indicator.name} in {area.name}: no figures to {rules.month_label(month)}."
        return series
    series.end = rules.period_end_month(period_type, last)
    starts = rules.periods_between(period_type, min(kept), last)
    counts = [rules.suppress(kept[s][0], below) if counted and s in kept else
              rules.Count(kept[s][0]) if s in kept else rules.NONE for s in starts]
    rolled = rules.rolling(counts, series.window)
    back = 12 // rules.MONTHS_IN[period_type]  # periods in a year
    changes = [rules.change(c, counts[i - back]) if i >= back else rules.Change() for i, c in enumerate(counts)]
    first = max(0, len(starts) - SHOWN[period_type])
    series.rows = [SeriesRow(s, _label(period_type, s), counts[i], rolled[i].mean, changes[i], below)
                   for i, s in enumerate(starts) if i >= first]
    end = len(starts) - 1
    if series.window:
        series.current = rolled[end].total
        series.previous = rolled[end - back].total if end >= back else rules.NONE
    else:
        series.current = counts[end]
        series.previous = counts[end - back] if end >= back else rules.NONE
    series.summary = rules.series_summary(
        name=indicator.name, area=area.name, unit=indicator.unit, period_type=period_type, month=series.end,
        current=series.current, previous=series.previous, below=below if counted else 0)
    return series


def _survey(indicator, area, period_type, kept, month) -> SurveyResult | None:
    last = rules.last_period_to(period_type, kept, month)
    if last is None:
        return None
    value, sample_size, low, high = kept[last]
    low, high = _interval(value, low, high, sample_size)
    before = rules.add_months(last, -12)
    earlier, earlier_label = None, None
    if before in kept:
        e_value, e_sample, e_low, e_high = kept[before]
        earlier = (e_value, *_interval(e_value, e_low, e_high, e_sample))
        earlier_label = period_label(period_type, before)
    verdict = rules.survey_change((value, low, high), earlier)
    label = period_label(period_type, last)
    summary = rules.survey_summary(name=indicator.name, area=area.name, latest_label=label, latest=(value, low, high),
                                   earlier_label=earlier_label, earlier=earlier, verdict=verdict)
    return SurveyResult(indicator, label, value, low, high, sample_size, earlier_label, earlier, verdict, summary)


def _add_sub_areas(visible, area, series_list, below) -> None:
    """The finer areas of each series, with their totals for its 12 months and the 12 before, summed in
    one query for every series; only complete windows count."""
    level = LEVELS.get(area.code_type)
    if level is None or not series_list:
        return
    finer = [t for t, n in LEVELS.items() if n > level]
    if not finer:
        return
    wanted, current_q, previous_q, by_pk = Q(), Q(), Q(), {}
    for s in series_list:
        pk, step = s.indicator.pk, rules.MONTHS_IN[s.period_type]
        last = rules.add_months(s.end, 1 - step)  # the last period's start
        this_from, last_year_to = rules.add_months(s.end, -11), rules.add_months(last, -12)
        before_from = rules.add_months(this_from, -12)
        mine = Q(indicator_id=pk, period_type=s.period_type)
        wanted |= mine & Q(period_start__gte=before_from, period_start__lte=last)
        current_q |= mine & Q(period_start__gte=this_from, period_start__lte=last)
        previous_q |= mine & Q(period_start__gte=before_from, period_start__lte=last_year_to)
        by_pk[pk] = s
    rows = (visible.filter(wanted, breakdown="", area__code_type__in=finer).exclude(area=area).order_by()
            .values("indicator_id", "area__name", "area__code", "area__code_type")
            .annotate(current=Sum("value", filter=current_q), current_n=CountOf("pk", filter=current_q),
                      previous=Sum("value", filter=previous_q), previous_n=CountOf("pk", filter=previous_q)))
    found = defaultdict(list)
    for row in rows:
        found[row["indicator_id"]].append(row)
    for pk, areas in found.items():
        s = by_pk[pk]
        nearest = min(LEVELS[r["area__code_type"]] for r in areas)
        periods = 12 // rules.MONTHS_IN[s.period_type]
        s.sub_level = LEVEL_NAMES[nearest]
        s.sub_areas = rules.sub_areas(
            [(r["area__name"], r["area__code"],
              r["current"] if r["current_n"] == periods else None,
              r["previous"] if r["previous_n"] == periods else None)
             for r in areas if LEVELS[r["area__code_type"]] == nearest],
            below if s.counted else 0)


__all__ = ["PlaceTrends", "Series", "SurveyResult", "ThemeAreas", "place_themes", "place_trends", "theme_name"]
