"""
Every file the importer must refuse, each with its message (naming the sheet and
cell where there is one), and the database left exactly as it was: returns,
spend lines, measure values, events and their history. Each refusal is checked
twice, by read_template and by the import_return command, which would save a
good file. Then what must be accepted: percentages typed as 96%, numbers typed
as text with commas and a pound sign.

The base file of most tests is a valid filled-in template (the first test
proves it imports), broken in one way.
"""

import io
import zipfile
from decimal import Decimal

import pytest
from openpyxl import Workbook

from grants.periods import Quarter
from grants.services import returns as s
from reporting.spreadsheets import template as t
from reporting.spreadsheets.importer import read_template
from tests import factories as f
from tests import worlds
from tests.reporting.template_helpers import (  # noqa: F401 - fixtures
    QUARTER,
    add_member,
    database_state,
    draft,
    fill_in,
    import_command,
    narrative_cell,
    open_workbook,
    outcome_cell,
    refused,
    return_of,
    rewrite_member,
    saved,
    spend_cell,
    template_for,
    where,
    with_identity,
    workbook_bytes,
    equipped_twins,
)

NOT_XLSX = "not an Excel workbook (.xlsx)"
DAMAGED = "damaged or incomplete"
UNREADABLE = "could not be read as an Excel workbook"
TOO_BIG_UNPACKED = "unpacks to far more data than a return template holds"
TAMPERED = "hidden identity has been changed"


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
equipped_twins_once = worlds.built_once_per_module(
    lambda: worlds.project_a_and_its_twin_equipped(worlds.two_providers_one_programme()))


@pytest.fixture
def equipped_twins(equipped_twins_once, db):
    return worlds.fresh(equipped_twins_once)


def good_workbook(w):
    """A-1's Q2 template filled in correctly, as an open workbook, with its layout."""
    content, layout = template_for(w.project_a)
    return fill_in(open_workbook(content), layout, w.lines, w.measures), layout


def good_file(w) -> bytes:
    return workbook_bytes(good_workbook(w)[0])


def only(problems):
    assert len(problems) == 1, problems
    return problems[0]


def test_the_base_file_of_these_tests_imports(draft, tmp_path):
    w = draft
    before = database_state()

    output = import_command(good_file(w), w.user_a, tmp_path)

    assert "Saved" in output
    assert database_state() != before
    assert saved(return_of(w.project_a))["spend"]["Youth workers"] == (Decimal("10250.50"), "")


# --- Not a workbook of ours --------------------------------------------------------------------


@pytest.mark.parametrize("content", [
    b"Spend,Youth workers,10250.50\n",
    b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n",
    b"",
], ids=["text", "a PDF", "empty"])
def test_a_file_that_is_not_an_xlsx_workbook_is_refused(draft, tmp_path, content):
    problem = only(refused(content, draft.user_a, tmp_path))

    assert NOT_XLSX in problem.message
    assert (problem.sheet, problem.cell) == ("", "")


def test_an_old_xls_workbook_is_refused_with_how_to_save_it_as_xlsx(draft, tmp_path):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

    problem = only(refused(content, draft.user_a, tmp_path))

    assert "older Excel file (.xls)" in problem.message
    assert "Save it as an Excel Workbook (.xlsx)" in problem.message


def test_a_password_protected_workbook_is_called_that_not_an_old_xls_file(draft, tmp_path):
    from tests.reporting.hostile_files import encrypted_workbook

    problem = only(refused(encrypted_workbook(), draft.user_a, tmp_path))

    assert "protected with a password" in problem.message
    assert "remove the password" in problem.message
    assert ".xls" not in problem.message


@pytest.mark.parametrize("keep", [0.5, 0.9], ids=["half", "all but the end"])
def test_a_truncated_workbook_is_refused_as_damaged(draft, tmp_path, keep):
    content = good_file(draft)

    problem = only(refused(content[: int(len(content) * keep)], draft.user_a, tmp_path))

    assert DAMAGED in problem.message


def test_a_workbook_whose_insides_are_corrupt_is_refused(draft, tmp_path):
    content = rewrite_member(good_file(draft), "xl/workbook.xml", lambda data: data[: len(data) // 2])

    problem = only(refused(content, draft.user_a, tmp_path))

    assert UNREADABLE in problem.message


@pytest.mark.parametrize("member", ["xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml"], ids=["Spend", "Identity"])
def test_a_workbook_whose_sheet_xml_is_cut_short_is_refused(draft, tmp_path, member):
    content = rewrite_member(template_for(draft.project_a)[0], member, lambda data: data[: int(len(data) * 0.7)])

    problem = only(refused(content, draft.user_a, tmp_path))

    assert UNREADABLE in problem.message


def test_a_zip_that_holds_no_workbook_is_refused(draft, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<document/>")

    problem = only(refused(buffer.getvalue(), draft.user_a, tmp_path))

    assert "no workbook inside" in problem.message


def test_a_workbook_that_is_not_our_template_is_refused(draft, tmp_path):
    book = Workbook()
    book.active.title = "Spend"
    book.active["G5"] = 100

    problem = only(refused(workbook_bytes(book), draft.user_a, tmp_path))

    assert "not a return template from this service" in problem.message


def test_a_template_whose_identity_sheet_was_deleted_is_refused(draft, tmp_path):
    book, _layout = good_workbook(draft)
    del book[t.IDENTITY_SHEET]

    problem = only(refused(workbook_bytes(book), draft.user_a, tmp_path))

    assert "not a return template from this service" in problem.message


# --- Size and zip bombs --------------------------------------------------------------------------


def test_a_file_over_the_size_limit_is_refused(draft, tmp_path, settings):
    content = good_file(draft)
    settings.UPLOAD_MAX_BYTES = len(content) - 1

    problem = only(refused(content, draft.user_a, tmp_path))

    assert "the largest file you can upload is" in problem.message


def test_a_file_exactly_at_the_size_limit_is_read(draft, settings):
    content = good_file(draft)
    settings.UPLOAD_MAX_BYTES = len(content)

    assert read_template(content, draft.user_a).changes


def test_a_zip_bomb_is_refused_before_it_is_inflated(draft, tmp_path):
    zeros = b"\0" * (60 * 1024 * 1024)
    content = add_member(good_file(draft), "xl/media/image1.bin", zeros)
    del zeros
    assert len(content) < 1024 * 1024, "the bomb is small on disk"

    problem = only(refused(content, draft.user_a, tmp_path))

    assert TOO_BIG_UNPACKED in problem.message


def test_a_member_out_of_all_proportion_to_its_compressed_size_is_refused_within_the_total(draft, tmp_path, settings):
    content = add_member(good_file(draft), "xl/media/image1.bin", b"\0" * (2 * 1024 * 1024))
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist()) \
        < settings.UPLOAD_MAX_UNCOMPRESSED_BYTES

    problem = only(refused(content, draft.user_a, tmp_path))

    assert TOO_BIG_UNPACKED in problem.message


def test_a_workbook_that_unpacks_to_more_than_the_setting_is_refused(draft, tmp_path, settings):
    content = good_file(draft)
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(content)).infolist())
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = unpacked - 1

    problem = only(refused(content, draft.user_a, tmp_path))

    assert TOO_BIG_UNPACKED in problem.message
    settings.UPLOAD_MAX_UNCOMPRESSED_BYTES = unpacked
    assert read_template(content, draft.user_a).changes


def test_a_zip_with_thousands_of_members_is_refused(draft, tmp_path):
    buffer = io.BytesIO(good_file(draft))
    with zipfile.ZipFile(buffer, "a") as archive:
        for n in range(300):
            archive.writestr(f"xl/media/part{n}.bin", b"x")

    problem = only(refused(buffer.getvalue(), draft.user_a, tmp_path))

    assert TOO_BIG_UNPACKED in problem.message


# --- XML entity tricks ---------------------------------------------------------------------------

LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{n} "{("&lol" + (str(n - 1) if n > 1 else "") + ";") * 10}">' for n in range(1, 7))
    + "]>"
)
EXTERNAL = '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'


def with_doctype(doctype: str, use: str):
    """Put `doctype` before the root element and `use` in place of the first text or value."""
    def change(data: bytes) -> bytes:
        text = data.decode()
        declaration, rest = text.split("?>", 1) if text.startswith("<?xml") else ("", text)
        for tag in ("<t>", "<v>"):
            if tag in rest:
                start = rest.index(tag) + len(tag)
                rest = rest[:start] + use + rest[rest.index("<", start):]
                break
        return ((declaration + "?>" if declaration else "") + doctype + rest).encode()
    return change


@pytest.mark.parametrize("member", ["xl/sharedStrings.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml",
                                    "xl/workbook.xml"])
@pytest.mark.parametrize("doctype,use", [(LAUGHS, "&lol6;"), (EXTERNAL, "&e;")], ids=["billion laughs", "external"])
def test_entity_declarations_in_the_xml_are_refused_not_expanded(draft, tmp_path, member, doctype, use):
    content = rewrite_member(template_for(draft.project_a)[0], member, with_doctype(doctype, use))

    problem = only(refused(content, draft.user_a, tmp_path))

    assert UNREADABLE in problem.message
    assert "lol" not in problem.message and "root:" not in problem.message


def test_a_doctype_without_entities_is_not_what_is_refused(draft):
    """The control for the test above: the same rewrite, with no entities declared, reads."""
    for member in ("xl/sharedStrings.xml", "xl/worksheets/sheet2.xml", "xl/worksheets/sheet5.xml", "xl/workbook.xml"):
        content = rewrite_member(template_for(draft.project_a)[0], member,
                                 lambda data: data.replace(b"?>", b"?><!DOCTYPE x>", 1))

        assert read_template(content, draft.user_a).changes == [], member


# --- The identity ----------------------------------------------------------------------------------


def test_a_template_of_another_version_is_refused(draft, tmp_path):
    content = with_identity(good_file(draft), lambda rows: {**rows, "template_version": "1"}, resign=True)

    problem = only(refused(content, draft.user_a, tmp_path))

    assert "This is a version 1 template; this service reads version 2" in problem.message
    assert problem.sheet == t.IDENTITY_SHEET


def test_a_template_of_another_version_with_a_signature_that_does_not_verify_is_refused(draft, tmp_path):
    content = with_identity(good_file(draft), lambda rows: {**rows, "template_version": "0"}, resign=False)

    problem = only(refused(content, draft.user_a, tmp_path))

    assert problem.sheet == t.IDENTITY_SHEET
    assert "version 0 template" in problem.message or TAMPERED in problem.message


@pytest.mark.parametrize("change", [
    lambda w: {"project_id": str(w.project_b.pk), "project": "B-1"},
    lambda w: {"project_id": str(w.twin.pk), "project": "A-2"},
    lambda w: {"quarter": "3"},
    lambda w: {"financial_year": "2024"},
    lambda w: {f"spend:{w.lines['staff'].pk}": "5"},
    lambda w: {"return_version": "99"},
], ids=["another provider's project", "another project of ours", "another quarter", "another year",
        "a budget line's row", "the return's version"])
def test_an_identity_changed_without_the_key_is_refused_as_tampered(draft, tmp_path, change):
    w = draft
    content = with_identity(good_file(w), lambda rows: {**rows, **change(w)}, resign=False)

    problem = only(refused(content, w.user_a, tmp_path))

    assert TAMPERED in problem.message
    assert problem.sheet == t.IDENTITY_SHEET


def test_an_identity_signed_with_another_key_is_refused_as_tampered(draft, tmp_path, settings):
    w = draft
    settings.SECRET_KEY = "the-key-of-another-installation"
    content = with_identity(good_file(w), lambda rows: rows, resign=True)
    settings.SECRET_KEY = "a-key-that-is-not-the-one-above"

    problem = only(refused(content, w.user_a, tmp_path))

    assert TAMPERED in problem.message


def test_an_identity_without_its_signature_is_refused(draft, tmp_path):
    book, _layout = good_workbook(draft)
    sheet = book[t.IDENTITY_SHEET]
    last = max(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=1).value)
    sheet.cell(row=last, column=1).value = None
    sheet.cell(row=last, column=2).value = None

    problem = only(refused(workbook_bytes(book), draft.user_a, tmp_path))

    assert TAMPERED in problem.message


# --- Who and which return --------------------------------------------------------------------------


def test_a_template_for_a_project_the_user_may_not_see_is_refused(draft, tmp_path):
    w = draft

    problem = only(refused(good_file(w), w.user_b, tmp_path))

    assert "This template is for project A-1, which you cannot see" in problem.message


@pytest.mark.parametrize("who", ["commissioner", "finance", "viewer"])
def test_the_funders_people_cannot_import_a_providers_return(draft, tmp_path, who):
    problem = only(refused(good_file(draft), getattr(draft, who), tmp_path))

    assert "Only the provider that delivers this project can change its return." in problem.message


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_a_return_that_is_not_editable_is_refused(draft, tmp_path, status):
    w = draft
    content = good_file(w)
    ret = s.return_submit(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=w.q2.version,
                          data=read_template(content, w.user_a).data)
    if status == "approved":
        s.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")

    problem = only(refused(content, w.user_a, tmp_path))

    assert problem.message == f"This return is {status} and cannot be changed."


def test_a_template_uploaded_on_another_returns_page_is_refused(draft, tmp_path):
    w = draft

    problem = only(refused(good_file(w), w.user_a, tmp_path, expected=(w.project_a, Quarter(2023, 1)),
                           command=False))
    assert "This file is the template for A-1 2023-24 Q2, not for this return." in problem.message
    problem = only(refused(good_file(w), w.user_a, tmp_path, expected=(w.twin, QUARTER), command=False))
    assert "not for this return" in problem.message


def test_a_template_made_before_the_budget_lines_changed_is_refused(draft, tmp_path):
    w = draft
    content = good_file(w)
    f.BudgetLineFactory(project=w.project_a, description="Sessional staff")

    problem = only(refused(content, w.user_a, tmp_path))

    assert "budget lines or measures have changed since this template was downloaded" in problem.message


# --- Cells -----------------------------------------------------------------------------------------


def refused_cell(w, tmp_path, change) -> tuple:
    """Break one cell of the good workbook with `change(book, layout) -> cell`; the one problem, and the
    (sheet, cell) it should name."""
    book, layout = good_workbook(w)
    cell = change(book, layout)
    problem = only(refused(workbook_bytes(book), w.user_a, tmp_path))
    assert (problem.sheet, problem.cell) == where(cell), problem
    return problem


def staff_spend(w, value):
    def change(book, layout):
        cell = spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL)
        cell.value = value
        return cell
    return change


def measure_value(w, key, value, col=t.OUTCOME_VALUE_COL):
    def change(book, layout):
        cell = outcome_cell(book, layout, w.measures[key], col)
        cell.value = value
        return cell
    return change


def test_text_in_a_number_cell_is_refused(draft, tmp_path):
    problem = refused_cell(draft, tmp_path, staff_spend(draft, "about ten thousand"))

    assert problem.message.startswith("“about ten thousand” is not a number.")
    assert "Youth workers" in problem.message


def test_a_negative_amount_is_refused(draft, tmp_path):
    problem = refused_cell(draft, tmp_path, staff_spend(draft, -250))

    assert problem.message == "Spend on Youth workers must be £0 or more."


@pytest.mark.parametrize("value", [10250.555, "10,250.555"], ids=["number", "text"])
def test_an_amount_with_more_than_pence_is_refused(draft, tmp_path, value):
    problem = refused_cell(draft, tmp_path, staff_spend(draft, value))

    assert problem.message == "Spend on Youth workers can have at most 2 decimal places (pence)."


def test_an_amount_too_large_for_the_database_is_refused(draft, tmp_path):
    problem = refused_cell(draft, tmp_path, staff_spend(draft, 10_000_000_000))

    assert "Spend on Youth workers is too large" in problem.message


@pytest.mark.parametrize("value", [True, "=TRUE()"], ids=["a true/false", "a formula"])
def test_a_value_that_is_not_a_number_at_all_is_refused(draft, tmp_path, value):
    problem = refused_cell(draft, tmp_path, staff_spend(draft, value))

    assert problem.message


def test_a_percentage_over_100_is_refused(draft, tmp_path):
    problem = refused_cell(draft, tmp_path, measure_value(draft, "rate", 101))

    assert problem.message == "Voluntary engagement rate is a percentage: enter a number from 0 to 100."


def test_a_count_with_a_fraction_is_refused(draft, tmp_path):
    problem = refused_cell(draft, tmp_path, measure_value(draft, "engaged", 35.5))

    assert problem.message == "Young people engaged is a count: enter a whole number."


@pytest.mark.parametrize("value", ["Maybe", 2], ids=["text", "a number other than 0 or 1"])
def test_a_yes_or_no_that_is_neither_is_refused(draft, tmp_path, value):
    problem = refused_cell(draft, tmp_path, measure_value(draft, "met", value))

    assert "Steering group met" in problem.message
    if value == "Maybe":
        assert "“Maybe” is not one of the choices" in problem.message


def test_a_not_collected_answer_that_is_neither_yes_nor_no_is_refused(draft, tmp_path):
    problem = refused_cell(draft, tmp_path, measure_value(draft, "engaged", "Sometimes",
                                                          col=t.OUTCOME_NOT_COLLECTED_COL))

    assert "“Sometimes” is not one of the choices" in problem.message


def test_a_value_and_not_collected_together_are_refused(draft, tmp_path):
    w = draft

    def change(book, layout):
        outcome_cell(book, layout, w.measures["engaged"], t.OUTCOME_NOT_COLLECTED_COL).value = "Yes"
        outcome_cell(book, layout, w.measures["engaged"], t.OUTCOME_REASON_COL).value = "Lost the register."
        return outcome_cell(book, layout, w.measures["engaged"], t.OUTCOME_VALUE_COL)

    problem = refused_cell(w, tmp_path, change)

    assert "enter a value or say it was not collected, not both" in problem.message


def test_a_rag_rating_that_is_not_red_amber_or_green_is_refused(draft, tmp_path):
    def change(book, layout):
        cell = narrative_cell(book, "self_rag")
        cell.value = "Purple"
        return cell

    problem = refused_cell(draft, tmp_path, change)

    assert "“Purple” is not one of the choices. Choose Red, Amber or Green." in problem.message


@pytest.mark.parametrize("place", ["spend", "measure", "narrative"])
def test_a_formula_where_a_value_belongs_is_refused(draft, tmp_path, place):
    w = draft

    def change(book, layout):
        cell = {
            "spend": lambda: spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL),
            "measure": lambda: outcome_cell(book, layout, w.measures["engaged"], t.OUTCOME_VALUE_COL),
            "narrative": lambda: narrative_cell(book, "progress"),
        }[place]()
        cell.value = "=1+1"
        assert cell.data_type == "f"
        return cell

    problem = refused_cell(w, tmp_path, change)

    assert problem.message == "This cell holds a formula. Type the figure or text itself."


def test_rows_moved_are_refused_naming_both_rows(draft, tmp_path):
    w = draft
    book, layout = good_workbook(w)
    staff = spend_cell(book, layout, w.lines["staff"], t.SPEND_LABEL_COL)
    venue = spend_cell(book, layout, w.lines["venue"], t.SPEND_LABEL_COL)
    staff.value, venue.value = venue.value, staff.value

    problems = refused(workbook_bytes(book), w.user_a, tmp_path)

    assert {(p.sheet, p.cell) for p in problems} == {where(staff), where(venue)}
    assert all("rows have been moved, added or deleted" in p.message for p in problems)
    messages = {p.cell: p.message for p in problems}
    assert messages[staff.coordinate].startswith("This row should be “Youth workers” but is “Venue hire”")


def test_every_problem_in_a_file_is_listed_at_once_in_reading_order(draft, tmp_path):
    w = draft
    book, layout = good_workbook(w)
    bad = [
        narrative_cell(book, "self_rag"),
        outcome_cell(book, layout, w.measures["rate"], t.OUTCOME_VALUE_COL),
        spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL),
        outcome_cell(book, layout, w.measures["engaged"], t.OUTCOME_VALUE_COL),
    ]
    for cell, value in zip(bad, ["Purple", 140, "lots", "=1+1"]):
        cell.value = value

    problems = refused(workbook_bytes(book), w.user_a, tmp_path)

    sheets = [t.SPEND_SHEET, t.OUTCOMES_SHEET, t.NARRATIVE_SHEET]
    in_order = sorted(bad, key=lambda cell: (sheets.index(cell.parent.title), cell.row, cell.column))
    assert [(p.sheet, p.cell) for p in problems] == [where(cell) for cell in in_order]
    assert [str(p).split(":")[0] for p in problems] == [f"Sheet {cell.parent.title}, cell {cell.coordinate}"
                                                        for cell in in_order]


# --- What must be accepted -------------------------------------------------------------------------


def test_a_percentage_typed_with_a_percent_sign_is_read_as_a_percentage(draft):
    w = draft
    book, layout = good_workbook(w)
    cell = outcome_cell(book, layout, w.measures["rate"], t.OUTCOME_VALUE_COL)
    cell.value = 0.96
    cell.number_format = "0%"

    reading = read_template(workbook_bytes(book), w.user_a)

    assert reading.data.measures[w.measures["rate"].pk].value == Decimal("96")


def test_a_percentage_with_a_decimal_typed_with_a_percent_sign_is_read(draft):
    w = draft
    book, layout = good_workbook(w)
    cell = outcome_cell(book, layout, w.measures["rate"], t.OUTCOME_VALUE_COL)
    cell.value = 0.925
    cell.number_format = "0.0%"

    reading = read_template(workbook_bytes(book), w.user_a)

    assert reading.data.measures[w.measures["rate"].pk].value == Decimal("92.5")


@pytest.mark.parametrize("typed,expected", [
    ("1,250.50", Decimal("1250.50")), ("£1,250.50", Decimal("1250.50")), (" 1250.5 ", Decimal("1250.50")),
    ("0", Decimal("0")),
])
def test_numbers_typed_as_text_are_read(draft, tmp_path, typed, expected):
    w = draft
    book, layout = good_workbook(w)
    spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL).value = typed
    outcome_cell(book, layout, w.measures["rate"], t.OUTCOME_VALUE_COL).value = "96%"

    import_command(workbook_bytes(book), w.user_a, tmp_path)

    ret = return_of(w.project_a)
    assert saved(ret)["spend"]["Youth workers"][0] == expected
    assert saved(ret)["measures"]["Voluntary engagement rate"][0] == Decimal("96")
