"""A place's trends as CSV (grants.selectors.trends), through the formula-safe writer: the same figures
as the page, small counts hidden in the same way ("fewer than 5" in the note, the value left empty)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header

from grants.figures import trends as rules
from grants.selectors import trends
from reporting.downloads import CSV
from reporting.spreadsheets.csv import safe_csv
from reporting.spreadsheets.writer import Column

COLUMNS = [
    Column("Indicator"), Column("Area"), Column("ONS code"), Column("Period"), Column("Figure"),
    Column("Value", "number"), Column("Note"), Column("Source"),
]


def _value(value):
    """A figure as kept, without trailing zeros (28, not 28.00)."""
    return None if value is None else value.normalize() + 0


def _note(count, below) -> str:
    return rules.shown_as(count, below) if count.hidden else ""


def rows(page):
    """One row per figure: each period's count, rolling average and change on the year before, then each
    sub-area's totals for the 12 months and the 12 before, and each survey result with its interval."""
    below = page.below
    for s in page.series:
        name, source = s.indicator.name, s.indicator.source
        for r in s.rows:
            base = [name, page.area.name, page.area.code, r.label]
            yield [*base, s.indicator.unit or "Value", _value(r.count.value), _note(r.count, below), source]
            if s.window:
                yield [*base, s.mean_heading, _value(r.mean.value), _note(r.mean, below), source]
            yield [*base, "Change on the same period a year before", None if r.change.hidden else _value(r.change.count),
                   "hidden" if r.change.hidden else "", source]
        for sub in s.sub_areas:
            for label, count in ((f"12 months to {s.end_label}", sub.current),
                                 (f"12 months to {s.previous_label}", sub.previous)):
                yield [name, sub.name, sub.code, label, s.indicator.unit or "Value", _value(count.value), _note(count, below),
                       source]
    for v in page.surveys:
        base = [v.indicator.name, page.area.name, page.area.code, v.label]
        yield [*base, "Per cent", v.value, v.verdict, v.indicator.source]
        yield [*base, "95% confidence interval, lower", v.low, "", v.indicator.source]
        yield [*base, "95% confidence interval, upper", v.high, "", v.indicator.source]


@login_required
def place_trends_csv(request, code, theme):
    page = trends.place_trends(request.user, code, theme, request.GET.get("to"))
    if page is None:
        raise Http404("No figures of this theme for this area")
    response = StreamingHttpResponse(safe_csv(COLUMNS, rows(page)), content_type=CSV)
    name = f"{page.area.code}-{page.theme}-to-{page.month_value or 'none'}.csv"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
