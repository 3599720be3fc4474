"""
Reading a filled-in provider template back.

An upload is hostile until proven otherwise: reporting.spreadsheets.upload opens it (size, zip,
central directory, openpyxl, our template with an identity that verifies) or refuses it. Then,
here: a project the user may see and a return they may edit; every input cell is read, and every
problem with every cell is listed at once, with its sheet and cell. Nothing is saved here:
`read_template` returns what the file says and what it would change; saving is
`return_save_draft`, exactly as for the web form, from the signed payload of the preview.
"""

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core import signing
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

from grants import permissions
from grants.forms import parse_number
from grants.models import OutcomeMeasure, Project, QuarterlyReturn
from grants.periods import Quarter
from grants.services import returns as return_services
from grants.services.returns import MeasureInput, ReturnInput, SpendInput

from . import bounds
from . import template as t
from .upload import (
    MAX_RATIO,
    Problem,
    TemplateRefused,
    cell_name,
    identity,
    layout_of,
    open_workbook,
    sheet_cells,
    unless_unreadable,
)

__all__ = [
    "MAX_RATIO", "PAYLOAD_MAX_AGE", "PAYLOAD_SALT", "Change", "Confirmed", "Problem", "TemplateReading",
    "TemplateRefused", "from_payload", "read_template", "to_payload",
]


@dataclass(frozen=True)
class Change:
    where: str
    what: str
    old: str
    new: str


@dataclass
class TemplateReading:
    """What a valid template says, and what saving it would change."""

    project: Project
    quarter: Quarter
    ret: QuarterlyReturn | None
    data: ReturnInput
    changes: list[Change] = field(default_factory=list)
    changed_since_download: bool = False
    # The quarter's budget lines and project measures the file was read against (for return_save_draft).
    lines_and_measures: tuple = ((), ())

    @property
    def version(self) -> int | None:
        return self.ret.version if self.ret else None


# --- Who and what ---------------------------------------------------------------------------


def _project_and_return(user, layout: t.TemplateLayout, expected: tuple[Project, Quarter] | None):
    project = (
        Project.objects.for_user(user).select_related("allocation__programme", "provider")
        .filter(pk=layout.project_id, reference=layout.reference).first()
    )
    if project is None:
        raise TemplateRefused([Problem(
            f"This template is for project {layout.reference}, which you cannot see. Check you chose the right file.")])
    if expected is not None and (project, layout.quarter) != expected:
        raise TemplateRefused([Problem(
            f"This file is the template for {project.reference} {layout.quarter.label}, not for this return. "
            "Upload it on that return's page, or choose the right file.")])
    ret = QuarterlyReturn.objects.filter(
        project=project, financial_year=layout.quarter.financial_year, quarter=layout.quarter.number
    ).prefetch_related("spend_lines", "measure_values").first()
    allowed, reason = permissions.can_edit_return(user, project, ret)
    if not allowed:
        raise TemplateRefused([Problem(reason)])
    lines, measures = return_services.lines_and_measures(project, layout.quarter)
    if {line.pk for line in lines} != set(layout.spend_rows) or {pm.pk for pm in measures} != set(layout.measure_rows):
        raise TemplateRefused([Problem(
            "The project's budget lines or measures have changed since this template was downloaded. Download a "
            "new template from the return page and copy your figures into it.")])
    return project, ret, lines, measures


# --- The cells ------------------------------------------------------------------------------


def _plain(number: Decimal) -> Decimal:
    """Without trailing zeros (92.500 is 92.5) and never in exponent form (100, not 1E+2)."""
    return number.quantize(Decimal(1)) if number == number.to_integral_value() else number.normalize()


class _Reader:
    """Reads input cells, collecting a Problem for every cell that cannot be used."""

    def __init__(self):
        self.problems: list[Problem] = []
        self.places: dict[str, tuple[str, str]] = {}  # input key -> (sheet, cell)

    def _value(self, sheet, cells, row, col, key):
        cell = cells.get((row, col))
        self.places[key] = (sheet, cell_name(row, col))
        if cell is None or cell.value is None:
            return None
        if cell.data_type == "f":
            self.problem(key, "This cell holds a formula. Type the figure or text itself.")
            return None
        return cell

    def problem(self, key, message):
        sheet, cell = self.places[key]
        self.problems.append(Problem(message, sheet, cell))

    def text(self, sheet, cells, row, col, key) -> str:
        cell = self._value(sheet, cells, row, col, key)
        if cell is None:
            return ""
        value = cell.value
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def number(self, sheet, cells, row, col, key, what: str, *, pound=False, percent=False) -> Decimal | None:
        """A figure: a number cell, or text of ASCII digits (with a £ sign where `pound`, a % sign where
        `percent`); a cell formatted as a percentage only where a percentage belongs."""
        cell = self._value(sheet, cells, row, col, key)
        if cell is None:
            return None
        value = cell.value
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            self.problem(key, f"Enter {what}.")
            return None
        if isinstance(value, str):
            if not value.strip():
                return None
            try:
                number = parse_number(value, pound=pound, percent=percent)
            except ValueError:
                self.problem(key, f"“{value.strip()[:40]}” is not a number. Enter {what}.")
                return None
        else:
            try:
                number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
            except InvalidOperation:
                self.problem(key, f"Enter {what}.")
                return None
            if "%" in (cell.number_format or ""):
                if not percent:
                    self.problem(key, f"This cell holds a percentage ({_plain(number * 100):f}%). Enter {what}.")
                    return None
                number = _plain(number * 100)  # typed as 92.5%, stored as 0.925
        return number

    def choice(self, sheet, cells, row, col, key, options: dict[str, object], message: str):
        """One of `options` (by lower-case name), or None for a blank cell."""
        text = self.text(sheet, cells, row, col, key)
        if not text:
            return None
        if text.lower() not in options:
            self.problem(key, f"“{text[:40]}” is not one of the choices. {message}")
            return None
        return options[text.lower()]


def _read_inputs(book, layout, lines, measures) -> tuple[ReturnInput, _Reader]:
    reader = _Reader()
    data = ReturnInput()
    s = return_services
    spend_cells = sheet_cells(book, t.SPEND_SHEET, max(layout.spend_rows.values(), default=0) + 1, len(t.SPEND_COLUMNS))
    for line in lines:
        row = layout.spend_rows[line.pk]
        _check_label(reader, t.SPEND_SHEET, spend_cells, row, t.SPEND_LABEL_COL, line.description)
        actual = reader.number(t.SPEND_SHEET, spend_cells, row, t.SPEND_ACTUAL_COL, s.spend_key(line.pk),
                               f"the spend on {line.description} as an amount, like 1250.50", pound=True)
        explanation = reader.text(t.SPEND_SHEET, spend_cells, row, t.SPEND_EXPLANATION_COL, s.explanation_key(line.pk))
        data.spend[line.pk] = SpendInput(actual, explanation)

    outcome_cells = sheet_cells(book, t.OUTCOMES_SHEET, max(layout.measure_rows.values(), default=0) + 1,
                           len(t.OUTCOME_COLUMNS))
    yes_no = {"yes": True, "no": False}
    for pm in measures:
        row = layout.measure_rows[pm.pk]
        name = pm.measure.name
        _check_label(reader, t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_LABEL_COL, name)
        key = s.value_key(pm.pk)
        numerator = denominator = None
        if pm.measure.is_rate:
            value = None
            numerator = reader.number(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_VALUE_COL,
                                      s.numerator_key(pm.pk), f"how many for {name}, as a whole number")
            denominator = reader.number(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_DENOMINATOR_COL,
                                        s.denominator_key(pm.pk), f"out of how many for {name}, as a whole number")
        elif pm.unit == OutcomeMeasure.Unit.YES_NO:
            cell = outcome_cells.get((row, t.OUTCOME_VALUE_COL))
            if cell is not None and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                value = reader.number(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_VALUE_COL, key,
                                      f"{name} as Yes or No")
            else:
                answer = reader.choice(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_VALUE_COL, key, yes_no,
                                       f"{name} is Yes or No.")
                value = None if answer is None else Decimal(int(answer))
        else:
            value = reader.number(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_VALUE_COL, key,
                                  f"{name} as a number", pound=pm.unit == OutcomeMeasure.Unit.MONEY,
                                  percent=pm.unit == OutcomeMeasure.Unit.PERCENTAGE)
        not_collected = reader.choice(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_NOT_COLLECTED_COL,
                                      s.not_collected_key(pm.pk), yes_no, "Choose Yes or No, or leave it blank.")
        reason = reader.text(t.OUTCOMES_SHEET, outcome_cells, row, t.OUTCOME_REASON_COL, s.reason_key(pm.pk))
        data.measures[pm.pk] = MeasureInput(value, bool(not_collected), reason if not_collected else "", numerator,
                                            denominator)

    narrative_cells = sheet_cells(book, t.NARRATIVE_SHEET, t.FIRST_DATA_ROW + len(t.NARRATIVE_FIELDS), 2)
    rags = {name.lower(): name.lower() for name in t.RAG_NAMES}
    for i, (key, label, _hint) in enumerate(t.NARRATIVE_FIELDS):
        row = t.FIRST_DATA_ROW + i
        _check_label(reader, t.NARRATIVE_SHEET, narrative_cells, row, t.NARRATIVE_LABEL_COL, label)
        if key == "self_rag":
            data.self_rag = reader.choice(t.NARRATIVE_SHEET, narrative_cells, row, t.NARRATIVE_INPUT_COL, key, rags,
                                          "Choose Red, Amber or Green.") or ""
        else:
            setattr(data, key, reader.text(t.NARRATIVE_SHEET, narrative_cells, row, t.NARRATIVE_INPUT_COL, key))
    return data, reader


def _check_label(reader, sheet, cells, row, col, expected):
    """A row's label must be the one we wrote: otherwise rows were moved and figures would land on the wrong line."""
    cell = cells.get((row, col))
    found = "" if cell is None or cell.value is None else str(cell.value)
    if found.strip() != expected.strip():
        reader.problems.append(Problem(
            f"This row should be “{expected}” but is “{found[:40]}”: rows have been moved, added or deleted. "
            "Download a new template and copy your figures into it.", sheet, cell_name(row, col)))


# --- Changes --------------------------------------------------------------------------------


def _shown(value) -> str:
    if value is None or value == "":
        return "(blank)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, Decimal):
        return f"{_plain(value):,f}"  # a count saved as 12.00 reads as 12, beside the 35 typed
    return str(value)


def _blank(value):
    """Blank text and no value are the same to a reader, as are line breaks however they were typed;
    0 is not blank."""
    if isinstance(value, str):
        value = return_services.clean_text(value)
    return None if value is None or value == "" else value


def _changes(old: ReturnInput, new: ReturnInput, lines, measures, places) -> list[Change]:
    s = return_services
    changes = []

    def compare(key, what, before, after, money=False):
        if _blank(before) != _blank(after):
            sheet, cell = places.get(key, ("", ""))
            shown = [_shown(v) if v is None or not money else f"£{v:,.2f}" for v in (before, after)]
            changes.append(Change(f"{sheet}!{cell}" if sheet else "", what, *shown))

    for line in lines:
        before, after = old.spend.get(line.pk, SpendInput()), new.spend[line.pk]
        compare(s.spend_key(line.pk), f"Spend: {line.description}", before.actual, after.actual, money=True)
        compare(s.explanation_key(line.pk), f"Variance explanation: {line.description}", before.explanation,
                after.explanation)
    for pm in measures:
        before, after = old.measures.get(pm.pk, MeasureInput()), new.measures[pm.pk]
        name = pm.measure.name
        if pm.measure.is_rate:
            compare(s.numerator_key(pm.pk), f"{name}: how many", before.numerator, after.numerator)
            compare(s.denominator_key(pm.pk), f"{name}: out of how many", before.denominator, after.denominator)
        else:
            compare(s.value_key(pm.pk), name, before.value, after.value)
        compare(s.not_collected_key(pm.pk), f"{name}: not collected", before.not_collected, after.not_collected)
        compare(s.reason_key(pm.pk), f"{name}: why not collected", before.reason, after.reason)
    for key, label, _hint in t.NARRATIVE_FIELDS:
        compare(key, label, getattr(old, key), getattr(new, key))
    return changes


def _reading_order(problem: Problem):
    """Sheet by sheet as the workbook is laid out, then row by row, left to right."""
    sheets = [t.SPEND_SHEET, t.OUTCOMES_SHEET, t.NARRATIVE_SHEET]
    column, row = coordinate_from_string(problem.cell) if problem.cell else ("A", 0)
    return (sheets.index(problem.sheet) if problem.sheet in sheets else -1, row, column_index_from_string(column))


# --- The whole reading ----------------------------------------------------------------------


def read_template(content: bytes, user, expected: tuple[Project, Quarter] | None = None) -> TemplateReading:
    """Read a filled-in template as `user` would save it; raise TemplateRefused listing every problem.

    `expected` is the (project, quarter) of the page the file was uploaded on, if any."""
    book, scan = open_workbook(content)
    try:
        layout = layout_of(unless_unreadable(identity, book))
        # Now that the signed identity says which template this is, hold each sheet to its used range.
        try:
            for sheet, (rows, columns) in layout.used_ranges().items():
                bounds.check_sheet(scan, sheet, rows, columns)
        except bounds.Unbounded as error:
            raise TemplateRefused([Problem(error.message, error.sheet)])
        project, ret, lines, measures = _project_and_return(user, layout, expected)
        data, reader = unless_unreadable(_read_inputs, book, layout, lines, measures)
    finally:
        book.close()
    problems = list(reader.problems)
    failed = {(p.sheet, p.cell) for p in problems}
    for key, message in return_services.check_draft(project, layout.quarter, data, lines, measures).items():
        sheet, cell = reader.places.get(key, ("", ""))
        if (sheet, cell) not in failed:
            problems.append(Problem(message, sheet, cell))
    if problems:
        raise TemplateRefused(sorted(problems, key=_reading_order))
    old = return_services.input_from_return(ret)
    return TemplateReading(
        project=project, quarter=layout.quarter, ret=ret, data=data,
        changes=_changes(old, data, lines, measures, reader.places),
        changed_since_download=(ret.version if ret else None) != layout.return_version,
        lines_and_measures=(lines, measures),
    )


# --- Between the preview and the confirmation -----------------------------------------------

PAYLOAD_SALT = "reporting.return-import"
PAYLOAD_MAX_AGE = 60 * 60  # seconds a preview stays valid


def _text(value) -> str | None:
    return None if value is None else str(value)


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def to_payload(reading: TemplateReading, user) -> str:
    """The reading, signed, so that the confirmation saves exactly what was previewed and nothing else."""
    data = reading.data
    return signing.dumps({
        "user": user.pk, "project": reading.project.pk, "year": reading.quarter.financial_year,
        "quarter": reading.quarter.number, "version": reading.version,
        "narrative": {name: getattr(data, name) for name in (*return_services.NARRATIVE_FIELDS, "self_rag")},
        "spend": {str(k): [_text(v.actual), v.explanation] for k, v in data.spend.items()},
        "measures": {str(k): [_text(v.value), v.not_collected, v.reason, _text(v.numerator), _text(v.denominator)]
                     for k, v in data.measures.items()},
    }, salt=PAYLOAD_SALT, compress=True)


@dataclass
class Confirmed:
    version: int | None
    data: ReturnInput


def from_payload(payload: str, user, project: Project, quarter: Quarter) -> Confirmed:
    """The previewed input, if the payload is ours, recent, and for this user and return; else ValueError."""
    try:
        raw = signing.loads(payload, salt=PAYLOAD_SALT, max_age=PAYLOAD_MAX_AGE)
    except signing.SignatureExpired:
        raise ValueError("The preview is more than an hour old. Upload the file again to see the changes it makes.")
    except signing.BadSignature:
        raise ValueError("The preview could not be confirmed. Upload the file again.")
    if (raw["user"], raw["project"], raw["year"], raw["quarter"]) != (
        user.pk, project.pk, quarter.financial_year, quarter.number
    ):
        raise ValueError("The preview is for another return. Upload the file on this return's page.")
    data = ReturnInput(
        **raw["narrative"],
        spend={int(k): SpendInput(_decimal(actual), explanation) for k, (actual, explanation) in raw["spend"].items()},
        measures={int(k): MeasureInput(_decimal(value), not_collected, reason, _decimal(numerator), _decimal(denominator))
                  for k, (value, not_collected, reason, numerator, denominator) in raw["measures"].items()},
    )
    return Confirmed(raw["version"], data)
