"""
What the provider template tests share.

A project of provider A with a budget line of three categories and a measure of
every unit, and its twin (same lines, same measures, same earlier quarter) for
comparing an import with the web form; the template as bytes and as the
workbook a provider opens in a spreadsheet program (openpyxl, normal mode);
the yellow cells a provider fills in, found through the template's own
constants; the figures a provider types, as cells and as the web form; and the
state of every return, spend line, measure value, event and history record,
which a refused file must leave exactly as it was.
"""

import io
import re
import zipfile
from decimal import Decimal
from html import unescape
from html.parser import HTMLParser
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from grants.models import BudgetLine, MeasureValue, OutcomeMeasure, QuarterlyReturn, ReturnEvent, SpendLine
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from reporting.spreadsheets import template as t
from reporting.spreadsheets.importer import TemplateRefused, read_template
from tests import worlds
from tests.worlds import client_for  # noqa: F401  (the tests here import it from here)

Unit = OutcomeMeasure.Unit
Category = BudgetLine.Category
Status = QuarterlyReturn.Status

QUARTER = Quarter(2023, 2)  # the return the tests fill in: Q1 is already submitted
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# --- The project and its twin (tests/worlds/: project_a_and_its_twin_equipped) ---------------------


@pytest.fixture
def equipped_twins(actors):
    """Project A-1 equipped, its Q1 submitted; twin project A-2 of the same provider, equipped the same way."""
    return worlds.project_a_and_its_twin_equipped(actors)


@pytest.fixture
def draft(equipped_twins):
    """World, with A-1's Q2 saved as a draft with some figures: what a refused file must not overwrite."""
    w = equipped_twins
    w.q2 = s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=None, data=ReturnInput(
        progress="Half way through the quarter.", self_rag="amber",
        spend={w.lines["staff"].pk: SpendInput(Decimal("5000.00"))},
        measures={w.measures["engaged"].pk: MeasureInput(Decimal("12"))},
    ))
    return w


# --- The template as a provider handles it ---------------------------------------------------


def template_for(project, quarter=QUARTER):
    """The template's bytes and the layout it was written with."""
    buffer = io.BytesIO()
    layout = t.write_template(project, quarter, buffer)
    return buffer.getvalue(), layout


def open_workbook(content: bytes):
    """The workbook as a spreadsheet program opens it: every cell editable, styles and validation kept."""
    return load_workbook(io.BytesIO(content))


def workbook_bytes(book) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def spend_cell(book, layout, line, col):
    return book[t.SPEND_SHEET].cell(row=layout.spend_rows[line.pk] + 1, column=col + 1)


def outcome_cell(book, layout, pm, col):
    return book[t.OUTCOMES_SHEET].cell(row=layout.measure_rows[pm.pk] + 1, column=col + 1)


def narrative_cell(book, key):
    keys = [field[0] for field in t.NARRATIVE_FIELDS]
    return book[t.NARRATIVE_SHEET].cell(row=t.FIRST_DATA_ROW + keys.index(key) + 1, column=t.NARRATIVE_INPUT_COL + 1)


def where(cell) -> tuple[str, str]:
    return cell.parent.title, cell.coordinate


# What the provider types, cell by cell, and what must then be saved, to the penny.
TYPED_SPEND = {  # line: (actual as typed, explanation)
    "staff": (10250.5, ""),
    "venue": (0, "No hire this quarter: the sessions moved to the school hall."),
    "minibus": (31234.56, "The minibus cost more than quoted; the difference comes from reserves."),
}
SAVED_SPEND = {"staff": Decimal("10250.50"), "venue": Decimal("0.00"), "minibus": Decimal("31234.56")}
TYPED_MEASURES = {  # measure: (value as typed, not collected?, why not)
    "engaged": (35, "No", ""),
    "rate": (96.5, "No", ""),
    "raised": (1250.75, "No", ""),
    "met": ("Yes", "No", ""),
    "repeat": (None, "Yes", "The partner agency's case system was down all quarter."),
}
SAVED_MEASURES = {  # measure: (value, not collected, reason)
    "engaged": (Decimal("35"), False, ""),
    "rate": (Decimal("96.5"), False, ""),
    "raised": (Decimal("1250.75"), False, ""),
    "met": (Decimal("1"), False, ""),
    "repeat": (None, True, "The partner agency's case system was down all quarter."),
}
TYPED_NARRATIVE = {
    "progress": "Ran 24 evening sessions in two youth centres.\nTen young people joined the football league.",
    "challenges": "One youth worker was off sick for three weeks.",
    "case_study": "A young person who had been excluded now volunteers at the Friday session.",
    "risks": "The venue's lease ends in March.",
    "self_rag": "Amber",
}
SAVED_NARRATIVE = {**TYPED_NARRATIVE, "self_rag": "amber"}


def fill_in(book, layout, lines, measures):
    """Type the figures above into the yellow cells, as a provider would."""
    for key, (actual, explanation) in TYPED_SPEND.items():
        spend_cell(book, layout, lines[key], t.SPEND_ACTUAL_COL).value = actual
        spend_cell(book, layout, lines[key], t.SPEND_EXPLANATION_COL).value = explanation or None
    for key, (value, not_collected, reason) in TYPED_MEASURES.items():
        outcome_cell(book, layout, measures[key], t.OUTCOME_VALUE_COL).value = value
        outcome_cell(book, layout, measures[key], t.OUTCOME_NOT_COLLECTED_COL).value = not_collected
        outcome_cell(book, layout, measures[key], t.OUTCOME_REASON_COL).value = reason or None
    for key, text in TYPED_NARRATIVE.items():
        narrative_cell(book, key).value = text
    return book


def filled_template(w, project=None, quarter=QUARTER) -> bytes:
    """A-1's template (or the twin's) filled in with the figures above."""
    project = project or w.project_a
    lines, measures = (w.lines, w.measures) if project == w.project_a else (w.twin_lines, w.twin_measures)
    content, layout = template_for(project, quarter)
    return workbook_bytes(fill_in(open_workbook(content), layout, lines, measures))


def web_form(w, lines, measures, version="") -> dict:
    """The same figures as the provider would type them into the return page's form."""
    data = {"version": version, "action": "save"}
    typed_money = {"staff": "10,250.50", "venue": "0", "minibus": "£31,234.56"}
    for key, (_actual, explanation) in TYPED_SPEND.items():
        data[s.spend_key(lines[key].pk)] = typed_money[key]
        data[s.explanation_key(lines[key].pk)] = explanation
    typed_values = {"engaged": "35", "rate": "96.5%", "raised": "1,250.75", "met": "1", "repeat": ""}
    for key, (_value, not_collected, reason) in TYPED_MEASURES.items():
        data[s.value_key(measures[key].pk)] = typed_values[key]
        if not_collected == "Yes":
            data[s.not_collected_key(measures[key].pk)] = "on"
        data[s.reason_key(measures[key].pk)] = reason
    data.update({key: text for key, text in TYPED_NARRATIVE.items() if key != "self_rag"})
    data["self_rag"] = "amber"
    return data


def saved(ret: QuarterlyReturn) -> dict:
    """What is saved on a return, by budget line description and measure name, comparable across projects."""
    ret.refresh_from_db()
    return {
        "status": ret.status,
        "narrative": {name: getattr(ret, name) for name in (*s.NARRATIVE_FIELDS, "self_rag")},
        "spend": {line.budget_line.description: (line.actual, line.variance_explanation)
                  for line in ret.spend_lines.select_related("budget_line")},
        "measures": {mv.project_measure.measure.name: (mv.value, mv.not_collected, mv.not_collected_reason)
                     for mv in ret.measure_values.select_related("project_measure__measure")},
    }


def return_of(project, quarter=QUARTER) -> QuarterlyReturn | None:
    return QuarterlyReturn.objects.filter(project=project, financial_year=quarter.financial_year,
                                          quarter=quarter.number).first()


# --- Files that are not what they claim ------------------------------------------------------


def rewrite_member(content: bytes, name: str, change) -> bytes:
    """The same zip with member `name` passed through `change(bytes) -> bytes`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    assert name in source.namelist(), f"no {name} in the workbook"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return out.getvalue()


def add_member(content: bytes, name: str, data: bytes) -> bytes:
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target:
        target.writestr(name, data)
    return out.getvalue()


def identity_rows(book) -> list[tuple[str, str]]:
    """The hidden sheet's (key, value) rows, the signature last."""
    rows = []
    for key, value in book[t.IDENTITY_SHEET].iter_rows(max_col=2, values_only=True):
        if key is None:
            break
        rows.append((str(key), "" if value is None else str(value)))
    return rows


def with_identity(content: bytes, change, *, resign: bool) -> bytes:
    """The template with its identity rows passed through `change(dict) -> dict`, signed again with
    the real key (`resign`) or keeping the old signature."""
    book = open_workbook(content)
    rows = identity_rows(book)
    signature = rows[-1]
    assert signature[0] == t.SIGNATURE_KEY
    changed = list(change(dict(rows[:-1])).items())
    sheet = book[t.IDENTITY_SHEET]
    sheet.delete_rows(1, sheet.max_row)
    for i, (key, value) in enumerate(changed + [(t.SIGNATURE_KEY, t.sign(changed) if resign else signature[1])]):
        sheet.cell(row=i + 1, column=1).value = key
        sheet.cell(row=i + 1, column=2).value = value
    return workbook_bytes(book)


# --- The database a refused file must leave alone --------------------------------------------


def database_state() -> dict:
    """Every row a saved return touches: returns, spend lines, measure values, events, and their history."""
    return {
        "returns": list(QuarterlyReturn.objects.order_by("pk").values_list(
            "pk", "status", "version", "progress", "challenges", "case_study", "risks", "self_rag", "spend_status")),
        "spend": list(SpendLine.objects.order_by("pk").values_list("pk", "actual", "variance_explanation")),
        "values": list(MeasureValue.objects.order_by("pk").values_list(
            "pk", "value", "not_collected", "not_collected_reason")),
        "events": list(ReturnEvent.objects.order_by("pk").values_list("pk", "kind")),
        "history": [QuarterlyReturn.history.count(), SpendLine.history.count(), MeasureValue.history.count()],
    }


def import_command(content: bytes, user, tmp_path, *args) -> str:
    """Run import_return on `content` as `user`; its output."""
    path = tmp_path / "filled-in-return.xlsx"
    path.write_bytes(content)
    out = StringIO()
    call_command("import_return", str(path), "--user", user.username, *args, stdout=out)
    return out.getvalue()


def refused(content: bytes, user, tmp_path, *, expected=None, command=True) -> list:
    """The problems the importer lists for `content`, having checked that neither reading it nor the
    import_return command (which saves when a file is good) changes anything in the database."""
    before = database_state()
    with pytest.raises(TemplateRefused) as refusal:
        read_template(content, user, expected=expected)
    problems = refusal.value.problems
    assert problems, "a refusal lists at least one problem"
    if command:
        with pytest.raises(CommandError) as error:
            import_command(content, user, tmp_path)
        assert "nothing was saved" in str(error.value)
        for problem in problems:
            assert str(problem) in str(error.value)
    assert database_state() == before
    return problems


# --- Pages ------------------------------------------------------------------------------------


def url(name, project="A-1", quarter=QUARTER) -> str:
    return reverse(f"reporting:{name}", args=[project, quarter.financial_year, quarter.number])


def return_page(project="A-1", quarter=QUARTER) -> str:
    return reverse("return-detail", args=[project, quarter.financial_year, quarter.number])


def upload_file(content: bytes, name="filled-in-return.xlsx"):
    return SimpleUploadedFile(name, content, content_type=XLSX)


def payload_on(response) -> str:
    match = re.search(r'name="payload" value="([^"]+)"', response.content.decode())
    assert match, "no payload on the preview"
    return match.group(1)


class _Table(HTMLParser):
    def __init__(self, testid):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, testid) -> list[list[str]]:
    """The body rows of the table marked data-testid=`testid`, as cell texts."""
    parser = _Table(testid)
    parser.feed(response.content.decode())
    return parser.rows[1:]


def error_summary_items(response) -> list[str]:
    """The texts of the GOV.UK error summary's links (each pointing at the file field)."""
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    items = re.findall(r'<li><a href="#id_file">(.*?)</a></li>', summary.group(0), re.S)
    return [" ".join(unescape(item).split()) for item in items]
