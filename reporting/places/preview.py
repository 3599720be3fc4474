"""
An indicator file's preview, and what carries it to the confirmation.

`read_indicator_file` reads a file (files.read_table, bounded) against a layout (layouts.read_rows) and
compares every row with the figures already held: created, changed or unchanged. Nothing is saved. The
preview's rows go to the confirming request in a signed, compressed payload (`to_payload`), bound to the
user, the owner and the file's hash, so that the confirmation saves exactly what was previewed and no
re-posted or edited rows are ever trusted (`from_payload`); saving is grants.services.places.
"""

import hashlib
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core import signing

from grants.figures.places import period_label
from grants.models import Indicator, IndicatorValue, Organisation
from grants.services.places import VALUE_FIELDS, Series, ValueRow

from .files import FileRefused, Problem, read_table
from .layouts import LAYOUTS, Options, read_rows

PAYLOAD_SALT = "reporting.indicator-import"
PAYLOAD_MAX_AGE = 60 * 60  # seconds a preview stays valid
SHOWN = 200  # rows listed on the preview page of each kind; every row is imported


@dataclass(frozen=True)
class Line:
    """A row of the preview: where it is in the file, what it sets and what it held before."""

    row: int
    series: str
    area: str
    period: str
    breakdown: str
    new: Decimal
    old: Decimal | None
    interval: str = ""


@dataclass
class Preview:
    layout: str
    file_name: str
    sha256: str
    rows: list[ValueRow]
    created: list[Line] = field(default_factory=list)
    changed: list[Line] = field(default_factory=list)
    created_count: int = 0
    changed_count: int = 0
    unchanged_count: int = 0
    new_series: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)


def _order(problem: Problem):
    return (problem.row or 0, problem.column)


def read_indicator_file(content: bytes, *, layout: str, owner: Organisation, file_name: str,
                        options: Options | None = None) -> Preview:
    """What importing the file for `owner` would do, or FileRefused listing every problem with its place."""
    if layout not in LAYOUTS:
        raise FileRefused([Problem("Choose a layout: crime, survey or other.")])
    table = read_table(content)
    reading = read_rows(table, layout, options or Options())
    if reading.problems:
        raise FileRefused(sorted(reading.problems, key=_order))
    preview = Preview(layout=layout, file_name=file_name, sha256=hashlib.sha256(content).hexdigest(),
                      rows=reading.rows, ignored=reading.ignored)
    _compare(preview, owner, reading)
    return preview


def _compare(preview: Preview, owner, reading) -> None:
    """Sort the rows into created, changed and unchanged against what the owner's series hold (two queries)."""
    rows = preview.rows
    keys = {row.series.key for row in rows}
    held = {(i.kind, i.name, i.category): i for i in Indicator.objects.filter(
        owner=owner, kind__in={k for k, _, _ in keys}, name__in={n for _, n, _ in keys})}
    problems = []
    for key in keys:
        series = next(row.series for row in rows if row.series.key == key) if key not in held else None
        if series is not None:
            preview.new_series.append(series.name)
    for number, row in zip(reading.places, rows):
        indicator = held.get(row.series.key)
        if indicator and row.series.kind == Indicator.Kind.OTHER and indicator.unit != row.series.unit:
            problems.append(Problem(f"“{indicator.name}” is counted in {indicator.unit}, not {row.series.unit}.",
                                    number, "Unit"))
    if problems:
        raise FileRefused(sorted(problems, key=_order)[:1000])
    preview.new_series.sort()
    dates = [row.period_start for row in rows]
    existing = {}
    if held:
        existing = {
            (v.indicator_id, v.area_id, v.period_type, v.period_start, v.breakdown): v
            for v in IndicatorValue.objects.filter(
                indicator__in=list(held.values()), area_id__in=set(reading.areas),
                period_start__gte=min(dates), period_start__lte=max(dates)).only(
                    "indicator_id", "area_id", "period_type", "period_start", "breakdown", *VALUE_FIELDS)
        }
    for number, row in zip(reading.places, rows):
        indicator = held.get(row.series.key)
        value = existing.get((indicator.pk, row.area_id, row.period_type, row.period_start, row.breakdown)) \
            if indicator else None
        line = None
        if value is None:
            preview.created_count += 1
            if len(preview.created) < SHOWN:
                line = preview.created
        elif any(_differs(getattr(value, name), getattr(row, name)) for name in VALUE_FIELDS):
            preview.changed_count += 1
            if len(preview.changed) < SHOWN:
                line = preview.changed
        else:
            preview.unchanged_count += 1
        if line is not None:
            line.append(Line(
                row=number, series=row.series.name, area=reading.areas[row.area_id].name,
                period=period_label(row.period_type, row.period_start), breakdown=row.breakdown, new=row.value,
                old=value.value if value else None,
                interval=f"{row.ci_low}–{row.ci_high}" if row.ci_low is not None else ""))


def _differs(held, figure) -> bool:
    if held is None or figure is None:
        return held is not figure
    return Decimal(held) != Decimal(figure)


# --- Between the preview and the confirmation ---------------------------------------------------


def _text(value) -> str | None:
    return None if value is None else str(value)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def to_payload(preview: Preview, user, owner) -> str:
    """The previewed rows, signed and compressed: series once each, then a short list per row."""
    series = list({row.series.key: row.series for row in preview.rows}.values())
    index = {s.key: i for i, s in enumerate(series)}
    return signing.dumps({
        "user": user.pk, "owner": owner.pk, "layout": preview.layout, "file": preview.file_name,
        "sha256": preview.sha256,
        "series": [[s.kind, s.name, s.category, s.theme, s.unit, s.source, s.definition, s.caveats] for s in series],
        "rows": [[index[r.series.key], r.area_id, r.period_type, r.period_start.isoformat(), r.breakdown,
                  str(r.value), r.sample_size, _text(r.response_rate), _text(r.ci_low), _text(r.ci_high)]
                 for r in preview.rows],
    }, salt=PAYLOAD_SALT, compress=True)


@dataclass
class Confirmed:
    owner_id: int
    layout: str
    file_name: str
    sha256: str
    rows: list[ValueRow]


def from_payload(payload: str, user) -> Confirmed:
    """The previewed rows, if the payload is ours, recent and this user's; else ValueError saying why."""
    try:
        raw = signing.loads(payload or "", salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise ValueError("The preview is more than an hour old. Upload the file again to see what it changes.")
    except signing.BadSignature:
        raise ValueError("The preview could not be confirmed. Upload the file again.")
    if raw.get("user") != user.pk:
        raise ValueError("The preview is another person's. Upload the file again.")
    series = [Series(*fields) for fields in raw["series"]]
    rows = [ValueRow(series=series[s], area_id=area, period_type=period_type,
                     period_start=date.fromisoformat(start), breakdown=breakdown, value=Decimal(value),
                     sample_size=sample, response_rate=_decimal(rate), ci_low=_decimal(low), ci_high=_decimal(high))
            for s, area, period_type, start, breakdown, value, sample, rate, low, high in raw["rows"]]
    return Confirmed(raw["owner"], raw["layout"], raw["file"], raw["sha256"], rows)


__all__ = ["Confirmed", "Line", "PAYLOAD_MAX_AGE", "PAYLOAD_SALT", "Preview", "from_payload",
           "read_indicator_file", "to_payload"]
