"""
The documented layouts of an indicator file, and reading a file's rows against one.

Each layout is a fixed set of column headings, matched without regard to case or surrounding spaces, in
any order. A column the layout does not name is ignored (the preview lists it), so that a file can keep
a readable "Area name" beside its codes; a missing heading, or one given twice, refuses the file.

    crime   Month, Area code, Crime type, Count
            recorded crime by month and category, as police.uk publishes it: one series per crime type
    survey  Period, Area code, Question, Percentage, Sample size
            [Breakdown, Response rate, CI lower, CI upper]
            one series per question; the 95% interval is worked out from the sample (Wilson) when both
            ends are empty, refused when only one is given or when it does not hold the percentage
    other   Period, Area code, Measure, Value, Unit
            anything else a partner provides (MARAC referrals, ASB incidents): one series per measure

A Period is a month (2019-09), a financial quarter (2019-20 Q2) or a financial year (2019-20).
Figures are rounded half up to 2 decimal places; counts are whole numbers; nothing is negative.
"""

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.text import slugify

from grants.figures.places import interval_holds, parse_month, parse_period, survey_interval
from grants.forms import parse_number
from grants.models import Area, Indicator
from grants.services.places import Series, ValueRow
from reporting.spreadsheets.bounds import column_letters
from reporting.spreadsheets.cell_text import looks_like_formula

from .files import Problem, Table

HUNDREDTH = Decimal("0.01")
MAX_VALUE = Decimal("999999999999.99")
RECORDED_CRIME_CAVEAT = ("Recorded crime does not always reflect actual crime; recording practice changed with "
                         "Crime Data Integrity.")


@dataclass(frozen=True)
class Layout:
    slug: str
    label: str
    kind: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    default_source: str = ""
    default_unit: str = ""
    example: tuple[tuple[str, ...], ...] = ()

    @property
    def headings(self) -> tuple[str, ...]:
        return self.required + self.optional


LAYOUTS = {
    "crime": Layout(
        "crime", "Recorded crime by month and category", Indicator.Kind.CRIME,
        ("Month", "Area code", "Crime type", "Count"),
        default_source="police.uk recorded crime", default_unit="crimes",
        example=(("Month", "Area code", "Crime type", "Count"), ("2019-09", "E08000032", "Violence and sexual offences", "1523"))),
    "survey": Layout(
        "survey", "Survey results", Indicator.Kind.SURVEY,
        ("Period", "Area code", "Question", "Percentage", "Sample size"),
        ("Breakdown", "Response rate", "CI lower", "CI upper"),
        default_source="Survey", default_unit="%",
        example=(("Period", "Area code", "Question", "Breakdown", "Percentage", "Sample size", "Response rate",
                  "CI lower", "CI upper"),
                 ("2019-20 Q2", "E08000032", "Feel safe outside after dark", "", "62.0", "3500", "15", "", ""))),
    "other": Layout(
        "other", "Other figures a partner provides", Indicator.Kind.OTHER,
        ("Period", "Area code", "Measure", "Value", "Unit"), default_source="Partner data",
        example=(("Period", "Area code", "Measure", "Value", "Unit"),
                 ("2019-09", "E08000032", "Referrals to MARAC", "41", "referrals"))),
}
LAYOUT_CHOICES = [(layout.slug, layout.label) for layout in LAYOUTS.values()]


@dataclass
class Options:
    """What the form (or the command line) adds to a file: a theme for every series it creates (derived from
    each series' name when empty) and a source (the layout's default when empty)."""

    theme: str = ""
    source: str = ""


@dataclass
class Reading:
    rows: list[ValueRow] = field(default_factory=list)
    places: list[int] = field(default_factory=list)  # the file's row number of each of `rows`
    problems: list[Problem] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)  # headings of columns the layout does not name
    areas: dict[int, Area] = field(default_factory=dict)


_FORMULA = object()  # a cell already refused for holding a formula


class _Row:
    """One row's cells by heading, collecting problems with their place."""

    def __init__(self, reading: Reading, table: Table, number: int, cells, columns: dict[str, int]):
        self.reading, self.table, self.row_number, self.cells, self.columns = reading, table, number, cells, columns
        self.failed = False

    def place(self, heading: str) -> str:
        return f"{column_letters(self.columns[heading] + 1)} ({heading})"

    def problem(self, heading: str, message: str):
        self.failed = True
        self.reading.problems.append(Problem(message, self.row_number, self.place(heading) if heading else "",
                                             self.table.sheet))

    def raw(self, heading: str):
        index = self.columns.get(heading)
        if index is None or index >= len(self.cells):
            return None
        cell = self.cells[index]
        if cell.formula:
            self.problem(heading, "This cell holds a formula. Copy the column and paste it as values.")
            return _FORMULA
        value = cell.value
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    def text(self, heading: str, *, limit: int, required=True) -> str:
        value = self.raw(heading)
        if value is _FORMULA:
            return ""
        if value is None:
            if required:
                self.problem(heading, f"Enter the {heading.lower()}.")
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value)
        if len(text) > limit:
            self.problem(heading, f"This is longer than {limit} characters.")
        elif any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
            self.problem(heading, "This text holds a line break or another control character.")
        elif looks_like_formula(text):
            self.problem(heading, "This text starts like a formula (=, +, -, @). Type it without that character.")
        else:
            return text
        return ""

    def number(self, heading: str, what: str, *, required=True, whole=False, percent=False) -> Decimal | None:
        value = self.raw(heading)
        if value is _FORMULA:
            return None
        if value is None:
            if required:
                self.problem(heading, f"Enter {what}.")
            return None
        if isinstance(value, bool) or isinstance(value, (datetime.date, datetime.time)):
            self.problem(heading, f"This is not a number. Enter {what}.")
            return None
        try:
            if isinstance(value, str):
                number = parse_number(value, percent=percent)
            else:
                number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except (ValueError, InvalidOperation):
            self.problem(heading, f"“{str(value)[:40]}” is not a number. Enter {what}.")
            return None
        if not number.is_finite():
            self.problem(heading, f"This is not a number. Enter {what}.")
            return None
        if number < 0:
            self.problem(heading, f"{what[:1].upper()}{what[1:]} cannot be negative.")
            return None
        if whole and number != number.to_integral_value():
            self.problem(heading, f"{what[:1].upper()}{what[1:]} is a whole number.")
            return None
        if number > MAX_VALUE:
            self.problem(heading, "This figure is too large.")
            return None
        if percent and number > 100:
            self.problem(heading, f"{what[:1].upper()}{what[1:]} is at most 100.")
            return None
        return number.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)

    def period(self, heading: str, *, month_only=False):
        value = self.raw(heading)
        if value is _FORMULA:
            return None
        if value is None:
            self.problem(heading, "Enter the " + ("month, like 2019-09." if month_only else
                                                  "period: a month (2019-09), a quarter (2019-20 Q2) or a year (2019-20)."))
            return None
        if isinstance(value, datetime.datetime):
            value = value.date()
        if isinstance(value, datetime.date):
            if value.day != 1:
                self.problem(heading, "A month is its first day, or written like 2019-09.")
                return None
            value = f"{value.year:04d}-{value.month:02d}"
        try:
            return (parse_month if month_only else parse_period)(str(value))
        except ValueError as error:
            self.problem(heading, str(error))
            return None


def _columns(table: Table, layout: Layout, reading: Reading) -> dict[str, int] | None:
    by_name = {}
    wanted = {heading.lower(): heading for heading in layout.headings}
    for index, heading in enumerate(table.headings):
        key = " ".join(heading.lower().split())
        if key in wanted:
            if wanted[key] in by_name:
                reading.problems.append(Problem(f"The heading “{wanted[key]}” is given twice.", None,
                                                column_letters(index + 1), table.sheet))
            by_name[wanted[key]] = index
        elif heading:
            reading.ignored.append(heading)
    missing = [heading for heading in layout.required if heading not in by_name]
    if missing:
        reading.problems.append(Problem(
            f"This is not the {layout.slug} layout: its first row must have the headings "
            f"{', '.join(layout.required)} (missing: {', '.join(missing)}). Choose the layout that fits the file, "
            "or rename the columns.", None, "", table.sheet))
    return None if reading.problems else by_name


def _theme(options: Options, name: str) -> str:
    return slugify(options.theme)[:40] or slugify(name)[:40].strip("-") or "figures"


def read_rows(table: Table, layout_slug: str, options: Options) -> Reading:
    """Every row of the table as a ValueRow, and every problem with its row and column."""
    layout = LAYOUTS[layout_slug]
    reading = Reading()
    columns = _columns(table, layout, reading)
    if columns is None:
        return reading
    if not table.rows:
        reading.problems.append(Problem("The file has its headings but no rows of figures.", None, "", table.sheet))
        return reading
    code_heading = "Area code"
    codes = set()
    for number, cells in table.rows:
        index = columns[code_heading]
        if index < len(cells) and isinstance(cells[index].value, str):
            codes.add(cells[index].value.strip().upper())
    areas = {area.code: area for area in Area.objects.filter(code__in=codes)} if codes else {}
    source = options.source.strip()[:200] or layout.default_source
    seen: dict[tuple, int] = {}
    series_seen: dict[tuple, tuple[Series, int]] = {}
    for number, cells in table.rows:
        row = _Row(reading, table, number, cells, columns)
        code = row.text(code_heading, limit=9).upper()
        area = areas.get(code)
        if code and area is None:
            row.problem(code_heading, f"No area has the ONS code “{code}”. Ask an administrator to add it, "
                                      "or correct the code.")
        built = _READERS[layout.slug](row, layout, options, source)
        if row.failed or built is None or area is None:
            continue
        value_row = ValueRow(area_id=area.pk, **built)
        first = series_seen.setdefault(value_row.series.key, (value_row.series, number))
        if first[0] != value_row.series:
            row.problem("Unit", f"Row {first[1]} gives this measure in “{first[0].unit}”: one measure has one unit.")
            continue
        duplicate = seen.get(value_row.key)
        if duplicate is not None:
            row.problem("", f"This row repeats row {duplicate}: the same series, area, period"
                            f"{' and breakdown' if value_row.breakdown else ''}.")
            continue
        seen[value_row.key] = number
        reading.areas[area.pk] = area
        reading.rows.append(value_row)
        reading.places.append(number)
    return reading


def _crime(row: _Row, layout: Layout, options: Options, source: str):
    period = row.period("Month", month_only=True)
    category = row.text("Crime type", limit=200)
    count = row.number("Count", "the count", whole=True)
    if row.failed:
        return None
    series = Series(kind=layout.kind, name=category, category=category, theme=_theme(options, category),
                    unit=layout.default_unit, source=source,
                    definition=f"Crimes recorded by the police in the month, in the category “{category}”.",
                    caveats=RECORDED_CRIME_CAVEAT)
    return {"series": series, "period_type": period.period_type, "period_start": period.start, "value": count}


def _survey(row: _Row, layout: Layout, options: Options, source: str):
    period = row.period("Period")
    question = row.text("Question", limit=200)
    breakdown = row.text("Breakdown", limit=100, required=False)
    percentage = row.number("Percentage", "the percentage", percent=True)
    low = row.number("CI lower", "the lower end of the 95% interval", required=False, percent=True)
    high = row.number("CI upper", "the upper end of the 95% interval", required=False, percent=True)
    sample = row.number("Sample size", "the number who answered", whole=True,
                        required=low is None or high is None)
    response_rate = row.number("Response rate", "the response rate", required=False, percent=True)
    if sample is not None and sample < 1:
        row.problem("Sample size", "The number who answered is at least 1.")
    if row.failed:
        return None
    if (low is None) != (high is None):
        row.problem("CI upper" if high is None else "CI lower",
                    "Give both ends of the 95% interval, or neither (it is then worked out from the sample).")
        return None
    if low is None:
        low, high = survey_interval(percentage, int(sample))
    elif not interval_holds(percentage, low, high):
        row.problem("CI lower", f"The interval {low}–{high} does not hold the percentage {percentage}.")
        return None
    series = Series(kind=layout.kind, name=question, theme=_theme(options, question), unit=layout.default_unit,
                    source=source, definition=f"The percentage of respondents: “{question}”.",
                    caveats="A survey result: read it with its 95% confidence interval and its sample.")
    return {"series": series, "period_type": period.period_type, "period_start": period.start,
            "breakdown": breakdown, "value": percentage, "sample_size": None if sample is None else int(sample),
            "response_rate": response_rate, "ci_low": low, "ci_high": high}


def _other(row: _Row, layout: Layout, options: Options, source: str):
    period = row.period("Period")
    measure = row.text("Measure", limit=200)
    value = row.number("Value", "the figure")
    unit = row.text("Unit", limit=40)
    if row.failed:
        return None
    series = Series(kind=layout.kind, name=measure, theme=_theme(options, measure), unit=unit, source=source,
                    definition=f"{measure}, as the partner that provides it counts it.")
    return {"series": series, "period_type": period.period_type, "period_start": period.start, "value": value}


_READERS = {"crime": _crime, "survey": _survey, "other": _other}

__all__ = ["LAYOUTS", "LAYOUT_CHOICES", "Layout", "Options", "RECORDED_CRIME_CAVEAT", "Reading", "read_rows"]
