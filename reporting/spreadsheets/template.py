"""
The provider's return as a workbook to fill in.

Four visible sheets: **Return** (what the file is for and how to fill it),
**Spend** (one row per budget line), **Outcomes** (one row per measure) and
**Narrative**. Only the yellow input cells are unlocked; the sheets are
protected so rows cannot be inserted or moved; input cells carry data
validation. The workbook is pre-filled with the profile, the targets, the
earlier quarters and whatever is already saved.

A very hidden sheet, `Identity`, names the template version, the project, the
quarter and the row of every budget line and measure, and ends with an HMAC of
those rows made with the secret key. The importer trusts nothing else about
the file's layout, and refuses a file whose identity does not verify.
"""

import hashlib
import hmac
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from grants import selectors
from grants.models import OutcomeMeasure, Project, QuarterlyReturn
from grants.models.common import MONEY_MAX
from grants.periods import Quarter
from grants.services import returns as return_services

from .writer import MONEY_FORMAT, SafeWorkbook

TEMPLATE_VERSION = "2"
IDENTITY_SHEET = "Identity"
SIGNATURE_KEY = "signature"

# Where things are. Rows and columns are 0-based here, as XlsxWriter counts.
SPEND_SHEET, OUTCOMES_SHEET, NARRATIVE_SHEET = "Spend", "Outcomes", "Narrative"
FIRST_DATA_ROW = 4  # row 5 in the spreadsheet: a title, a note, a blank row and the headings come first
SPEND_COLUMNS = ["Budget line", "Category", "Annual budget", "Profile this quarter", "Spent in earlier quarters sent",
                 "Profile of those quarters", "Actual spend this quarter (£)", "Variance explanation"]
SPEND_LABEL_COL, SPEND_ACTUAL_COL, SPEND_EXPLANATION_COL = 0, 6, 7
OUTCOME_COLUMNS = ["Measure", "Unit", "Better when", "How it adds up", "Baseline", "Annual target",
                   "Target this quarter", "Earlier quarters", "This quarter (a rate: how many)",
                   "Out of how many (rates only)", "Not collected this quarter?", "Why not collected"]
OUTCOME_LABEL_COL, OUTCOME_VALUE_COL, OUTCOME_DENOMINATOR_COL = 0, 8, 9
OUTCOME_NOT_COLLECTED_COL, OUTCOME_REASON_COL = 10, 11
DIRECTION_WORDS = {"higher": "Higher", "lower": "Lower", "none": "Context only"}
NARRATIVE_FIELDS = [  # (input key, label, hint), one row each from FIRST_DATA_ROW
    ("progress", "Progress this quarter", "What was delivered, against the plan."),
    ("challenges", "Challenges", "What got in the way, and what you are doing about it."),
    ("case_study", "Case study", "Anonymised: no names, addresses, dates of birth or anything else that identifies a person."),
    ("risks", "Risks and issues", "New or changed risks, and issues the commissioner should know about."),
    ("self_rag", "Your RAG rating for the project this quarter", "Red, Amber or Green."),
]
NARRATIVE_LABEL_COL, NARRATIVE_INPUT_COL = 0, 1
YES, NO = "Yes", "No"
RAG_NAMES = ["Red", "Amber", "Green"]


def sign(rows: list[tuple[str, str]]) -> str:
    """The HMAC of the identity rows, keyed with the secret key."""
    message = "\n".join(f"{key}={value}" for key, value in rows).encode()
    key = hashlib.sha256(f"reporting.template:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@dataclass
class TemplateLayout:
    """The identity a template carries: what it is for and where each input is."""

    project_id: int
    reference: str
    quarter: Quarter
    return_version: int | None
    spend_rows: dict[int, int]  # budget line id -> 0-based row on the Spend sheet
    measure_rows: dict[int, int]  # project measure id -> 0-based row on the Outcomes sheet

    def used_ranges(self) -> dict[str, tuple[int, int]]:
        """The last row and column (1-based) each sheet the importer reads was written to."""
        return {
            SPEND_SHEET: (FIRST_DATA_ROW + len(self.spend_rows), len(SPEND_COLUMNS)),
            OUTCOMES_SHEET: (FIRST_DATA_ROW + len(self.measure_rows), len(OUTCOME_COLUMNS)),
            NARRATIVE_SHEET: (FIRST_DATA_ROW + len(NARRATIVE_FIELDS), 3),
            IDENTITY_SHEET: (len(self.rows()) + 1, 2),
        }

    def rows(self) -> list[tuple[str, str]]:
        rows = [
            ("template_version", TEMPLATE_VERSION),
            ("project_id", str(self.project_id)),
            ("project", self.reference),
            ("financial_year", str(self.quarter.financial_year)),
            ("quarter", str(self.quarter.number)),
            ("return_version", "" if self.return_version is None else str(self.return_version)),
        ]
        rows += [(f"spend:{line_id}", str(row)) for line_id, row in self.spend_rows.items()]
        rows += [(f"measure:{pm_id}", str(row)) for pm_id, row in self.measure_rows.items()]
        return rows


def _value_for_cell(pm, value):
    """A saved measure value as the template shows it: Yes/No for yes/no measures."""
    if value is None:
        return None
    if pm.unit == OutcomeMeasure.Unit.YES_NO:
        return YES if value == 1 else NO
    return value


def _measure_text(pm, value) -> str:
    if value is None:
        return ""
    shown = _value_for_cell(pm, value)
    return shown if isinstance(shown, str) else f"{shown.normalize():f}"


def _earlier_text(pm, earlier) -> str:
    """An earlier quarter as the Outcomes sheet shows it: "Q1: 24 of 25 (96%)", "Q2: 31 (draft: not counted)"."""
    if earlier.not_collected:
        shown = "not collected"
    elif earlier.numerator is not None:
        shown = f"{earlier.numerator} of {earlier.denominator} ({_measure_text(pm, earlier.value)}%)"
    else:
        shown = _measure_text(pm, earlier.value) or "–"
    if not earlier.counts:
        status = "not started" if earlier.status == "not_started" else earlier.status
        shown += f" ({status}: not counted)"
    return f"Q{earlier.quarter.number}: {shown}"


def write_template(project: Project, quarter: Quarter, target) -> TemplateLayout:
    """Write the template for `project`'s return for `quarter` to `target` (a path or binary file)."""
    page = selectors.return_page(project, quarter)
    ret: QuarterlyReturn | None = page.ret
    saved = return_services.input_from_return(ret)
    book = SafeWorkbook(target, constant_memory=False)
    input_props = {"locked": False, "bg_color": "#FFF7BF", "border": 1, "border_color": "#B1B4B6", "valign": "top"}
    book.add_format("input", input_props)
    book.add_format("input_wrap", {**input_props, "text_wrap": True})
    book.add_format("input_money", {**input_props, "num_format": MONEY_FORMAT})
    book.add_format("input_number", {**input_props, "num_format": "#,##0.##"})
    book.add_format("hint", {"italic": True, "font_color": "#505A5F", "text_wrap": True, "valign": "top"})

    spend_rows = {row.line.pk: FIRST_DATA_ROW + i for i, row in enumerate(page.spend_rows)}
    measure_rows = {row.project_measure.pk: FIRST_DATA_ROW + i for i, row in enumerate(page.measure_rows)}
    layout = TemplateLayout(project.pk, project.reference, quarter, ret.version if ret else None, spend_rows, measure_rows)

    _cover(book, page)
    _spend(book, page, saved)
    _outcomes(book, page, saved)
    _narrative(book, saved)
    _identity(book, layout)
    book.close()
    return layout


def _protect(sheet):
    sheet.ws.protect("", {"format_columns": True, "format_rows": True})


def _heading(sheet, title: str, note: str, width: int):
    sheet.write(0, 0, title, fmt="title")
    sheet.ws.merge_range(1, 0, 1, width - 1, "", sheet.formats["hint"])
    sheet.write(1, 0, note, fmt="hint")
    sheet.ws.set_row(1, 30)


def _cover(book, page):
    project, quarter, ret = page.project, page.quarter, page.ret
    sheet = book.sheet("Return")
    sheet.ws.set_column(0, 0, 28)
    sheet.ws.set_column(1, 1, 70)
    sheet.write(0, 0, f"Quarterly return: {project.name}", fmt="title")
    facts = [
        ("Project", f"{project.name} ({project.reference})"),
        ("Provider", project.provider.name),
        ("Programme", project.allocation.programme.name),
        ("Commissioner", project.allocation.programme.commissioner.name),
        ("Quarter", f"{quarter.label} ({quarter.start:%-d %B %Y} to {quarter.end:%-d %B %Y})"),
        ("Due", f"{page.due:%-d %B %Y}"),
        ("Status when downloaded", ret.get_status_display() if ret else "Not started"),
        ("Downloaded", f"{timezone.localtime():%-d %B %Y %H:%M}"),
    ]
    for i, (label, value) in enumerate(facts, start=2):
        sheet.label(i, 0, label)
        sheet.write(i, 1, value)
    row = len(facts) + 3
    steps = [
        "Fill in the yellow cells on the Spend, Outcomes and Narrative sheets. The other cells are locked.",
        "Spend: the actual spend this quarter in pounds and pence, 0 if nothing was spent. Explain any line "
        "whose spend to date is more than "
        f"{page.threshold.normalize():f}% away from its profile.",
        "Outcomes: a number for each measure (a whole number for counts, 0 to 100 for percentages, Yes or No "
        "for yes/no measures), or Yes under 'Not collected this quarter?' with the reason. A rate is two whole "
        "numbers: how many (under 'This quarter') out of how many (in the next column).",
        "People measures are the unique people so far this year, not this quarter's alone: someone helped in "
        "an earlier quarter is not counted again.",
        "Type figures, not formulas. Do not add, delete or move rows or sheets.",
        "Upload the file on the return's page. You will see every change before anything is saved, and the "
        "return is saved as a draft for you to check and submit.",
        "Monitoring returns must not identify anyone: no names, addresses, phone numbers or other personal details.",
    ]
    sheet.label(row, 0, "How to fill it in")
    for i, step in enumerate(steps):
        sheet.write(row + i, 1, f"{i + 1}. {step}", fmt="wrap")
    _protect(sheet)


def _spend(book, page, saved):
    sheet = book.sheet(SPEND_SHEET)
    _heading(sheet, f"Spend: {page.quarter.label}", "Enter the actual spend this quarter for every budget line "
             "(0 if nothing was spent), and explain any variance over the threshold.", len(SPEND_COLUMNS))
    widths = [34, 22, 14, 14, 14, 14, 18, 50]
    for col, (heading, width) in enumerate(zip(SPEND_COLUMNS, widths)):
        sheet.ws.set_column(col, col, width)
        sheet.write(FIRST_DATA_ROW - 1, col, heading, fmt="header")
    sheet.ws.freeze_panes(FIRST_DATA_ROW, 1)
    for i, row in enumerate(page.spend_rows):
        r = FIRST_DATA_ROW + i
        entry = saved.spend.get(row.line.pk)
        sheet.write(r, 0, row.line.description, "wrap")
        sheet.write(r, 1, row.line.get_category_display())
        sheet.write(r, 2, row.line.amount, "money")
        sheet.write(r, 3, row.profile, "money")
        sheet.write(r, 4, row.earlier_reported, "money")
        sheet.write(r, 5, row.earlier_plan, "money")
        sheet.write(r, SPEND_ACTUAL_COL, entry.actual if entry else None, "money", fmt="input_money")
        sheet.write(r, SPEND_EXPLANATION_COL, entry.explanation if entry else None, "wrap", fmt="input_wrap")
    if page.spend_rows:
        last = FIRST_DATA_ROW + len(page.spend_rows) - 1
        sheet.ws.data_validation(FIRST_DATA_ROW, SPEND_ACTUAL_COL, last, SPEND_ACTUAL_COL, {
            "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(MONEY_MAX),
            "error_title": "Spend", "error_message": "Enter the amount in pounds and pence, £0 or more.",
        })
    _protect(sheet)


def _outcomes(book, page, saved):
    sheet = book.sheet(OUTCOMES_SHEET)
    _heading(sheet, f"Outcomes: {page.quarter.label}", "Enter this quarter's value for every measure, or say it "
             "was not collected and why.", len(OUTCOME_COLUMNS))
    widths = [34, 12, 12, 18, 10, 12, 12, 26, 16, 14, 14, 40]
    for col, (heading, width) in enumerate(zip(OUTCOME_COLUMNS, widths)):
        sheet.ws.set_column(col, col, width)
        sheet.write(FIRST_DATA_ROW - 1, col, heading, fmt="header")
    sheet.ws.freeze_panes(FIRST_DATA_ROW, 1)
    Unit = OutcomeMeasure.Unit
    for i, row in enumerate(page.measure_rows):
        r, pm = FIRST_DATA_ROW + i, row.project_measure
        entry = saved.measures.get(pm.pk)
        sheet.write(r, 0, pm.measure.name, "wrap")
        sheet.write(r, 1, pm.measure.get_unit_display())
        sheet.write(r, 2, DIRECTION_WORDS.get(pm.measure.direction, ""))
        sheet.write(r, 3, pm.measure.get_aggregation_display())
        sheet.write(r, 4, _measure_text(pm, pm.baseline))
        sheet.write(r, 5, _measure_text(pm, pm.annual_target))
        sheet.write(r, 6, _measure_text(pm, row.quarter_target))
        sheet.write(r, 7, "; ".join(_earlier_text(pm, e) for e in row.earlier), "wrap")
        if pm.measure.is_rate:
            numerator = entry.numerator if entry else None
            denominator = entry.denominator if entry else None
            sheet.write(r, OUTCOME_VALUE_COL, numerator, "number" if numerator is not None else "text",
                        fmt="input_number" if numerator is not None else "input")
            sheet.write(r, OUTCOME_DENOMINATOR_COL, denominator, "number" if denominator is not None else "text",
                        fmt="input_number" if denominator is not None else "input")
            for col, what in ((OUTCOME_VALUE_COL, "How many"), (OUTCOME_DENOMINATOR_COL, "Out of how many")):
                sheet.ws.data_validation(r, col, r, col, {
                    "validate": "integer", "criteria": ">=", "value": 0, "error_title": pm.measure.name[:32],
                    "error_message": f"{what} is a whole number, 0 or more."})
        else:
            value = _value_for_cell(pm, entry.value) if entry else None
            if isinstance(value, str) or value is None:
                sheet.write(r, OUTCOME_VALUE_COL, value, fmt="input")
            else:
                sheet.write(r, OUTCOME_VALUE_COL, value, "number", fmt="input_number")
        sheet.write(r, OUTCOME_NOT_COLLECTED_COL, (YES if entry.not_collected else NO) if entry else None, fmt="input")
        sheet.write(r, OUTCOME_REASON_COL, entry.reason if entry else None, "wrap", fmt="input_wrap")
        rule = {
            Unit.COUNT: {"validate": "integer", "criteria": ">=", "value": 0,
                         "error_message": "A count is a whole number, 0 or more."},
            Unit.PERCENTAGE: {"validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                              "error_message": "A percentage is a number from 0 to 100."},
            Unit.MONEY: {"validate": "decimal", "criteria": ">=", "value": 0,
                         "error_message": "An amount in pounds and pence, 0 or more."},
            Unit.YES_NO: {"validate": "list", "source": [YES, NO], "error_message": "Choose Yes or No."},
        }.get(pm.unit)
        if rule and not pm.measure.is_rate:
            sheet.ws.data_validation(r, OUTCOME_VALUE_COL, r, OUTCOME_VALUE_COL, {"error_title": pm.measure.name[:32], **rule})
    if page.measure_rows:
        last = FIRST_DATA_ROW + len(page.measure_rows) - 1
        sheet.ws.data_validation(FIRST_DATA_ROW, OUTCOME_NOT_COLLECTED_COL, last, OUTCOME_NOT_COLLECTED_COL,
                                 {"validate": "list", "source": [YES, NO], "error_message": "Choose Yes or No."})
    _protect(sheet)


def _narrative(book, saved):
    sheet = book.sheet(NARRATIVE_SHEET)
    _heading(sheet, "Narrative", "Write in plain English. The commissioner's officers read this; it must not "
             "identify anyone.", 3)
    sheet.ws.set_column(0, 0, 30)
    sheet.ws.set_column(1, 1, 90)
    sheet.ws.set_column(2, 2, 40)
    sheet.write(FIRST_DATA_ROW - 1, 0, "Question", fmt="header")
    sheet.write(FIRST_DATA_ROW - 1, 1, "Your answer", fmt="header")
    sheet.write(FIRST_DATA_ROW - 1, 2, "Guidance", fmt="header")
    for i, (key, label, hint) in enumerate(NARRATIVE_FIELDS):
        r = FIRST_DATA_ROW + i
        sheet.label(r, 0, label)
        value = getattr(saved, key)
        if key == "self_rag":
            value = value.capitalize() if value else None
            sheet.write(r, NARRATIVE_INPUT_COL, value, fmt="input")
            sheet.ws.data_validation(r, NARRATIVE_INPUT_COL, r, NARRATIVE_INPUT_COL, {
                "validate": "list", "source": RAG_NAMES, "error_message": "Choose Red, Amber or Green."})
        else:
            sheet.write(r, NARRATIVE_INPUT_COL, value, "wrap", fmt="input_wrap")
            sheet.ws.set_row(r, 90)
        sheet.write(r, 2, hint, fmt="hint")
    _protect(sheet)


def _identity(book, layout: TemplateLayout):
    sheet = book.sheet(IDENTITY_SHEET)
    rows = layout.rows()
    for i, (key, value) in enumerate(rows + [(SIGNATURE_KEY, sign(rows))]):
        sheet.write(i, 0, key)
        sheet.write(i, 1, value)
    sheet.ws.very_hidden()
    _protect(sheet)
