"""
Every workbook we write prints as a board-pack document: each sheet A4 landscape, one page wide and as
many tall as needed, its heading row repeated on every page, its print area set, and a header and footer
with the title, the commissioner, the period, page N of M, when and by whom it was made and the
protective marking of the PROTECTIVE_MARKING setting. Read back with openpyxl (not read-only) from the
demo's quarter workbook, the two report workbooks and a list download.
"""

import io

import openpyxl
import pytest
from django.http import QueryDict

from grants.models import Organisation, Programme, Project, QuarterlyReturn, User
from grants.periods import Quarter
from reporting.downloads import LISTS, list_table, write_list
from reporting.reports import Window, performance_report, priority_report, programme_subject
from reporting.spreadsheets.commissioner import commissioner_workbook
from reporting.spreadsheets.reports import performance_workbook, priority_workbook
from reporting.spreadsheets.printing import LINE_HEIGHT, header_footer, text_lines
from tests import worlds
from tests.spreadsheet_tables import filtered_range
from tests.worlds import FORMULA_NAME

QUARTER = Quarter(2019, 3)
demo_once = worlds.built_once_per_module(worlds.the_demo)


@pytest.fixture
def the_demo(demo_once, db):
    return demo_once


def commissioner():
    return User.objects.select_related("organisation").get(username="commissioner")


def quarter_workbook(user=None, quarter=QUARTER) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    commissioner_workbook(buffer, user=user or commissioner(), quarter=quarter)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def report_workbooks() -> list[openpyxl.Workbook]:
    user = commissioner()
    code = Programme.objects.for_user(user).values_list("code", flat=True).first()
    window = Window(QUARTER)
    books = []
    for write, report in ((performance_workbook, performance_report(user, programme_subject(user, code), window)),
                          (priority_workbook, priority_report(user, window))):
        buffer = io.BytesIO()
        write(buffer, report)
        books.append(openpyxl.load_workbook(io.BytesIO(buffer.getvalue())))
    return books


def list_download() -> openpyxl.Workbook:
    spec = LISTS["projects"]
    filterset, _table, _sort, _valid = list_table(spec, commissioner(), QueryDict())
    buffer = io.BytesIO()
    write_list(spec, filterset.qs, "xlsx", buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def printed_text(ws) -> str:
    return " ".join(str(part.text or "") for hf in (ws.oddHeader, ws.oddFooter)
                    for part in (hf.left, hf.center, hf.right))


def assert_prints_as_a_document(ws):
    assert ws.page_setup.orientation == "landscape", ws.title
    assert int(ws.page_setup.paperSize) == 9, ws.title  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
    assert (ws.page_setup.fitToWidth or 1, int(ws.page_setup.fitToHeight)) == (1, 0), ws.title
    assert ws.print_area, ws.title
    assert "&P" in ws.oddFooter.right.text and "&N" in ws.oddFooter.right.text, ws.title


def test_every_sheet_of_the_quarter_workbook_prints_landscape_one_page_wide_with_its_heading_row(the_demo):
    book = quarter_workbook()
    for ws in book.worksheets:
        assert_prints_as_a_document(ws)
        assert ws.print_title_rows.replace("$", "") == "1:1", ws.title  # the heading row, or the cover's title
        text = printed_text(ws)
        for expected in ("Commissioner's quarterly return: 2019-20 Q3", str(commissioner().organisation),
                         "1 October 2019 to 31 December 2019", "OFFICIAL", "Made ", "by "):
            assert expected in text, (ws.title, expected)
        assert ws.oddHeader.left.text == "&BOFFICIAL&B" and ws.oddFooter.left.text == "&BOFFICIAL&B"


def test_the_data_sheets_are_excel_tables_under_their_frozen_heading_row(the_demo):
    book = quarter_workbook()
    names = set()
    for name in ("Summary", "Spend", "Funding", "Outcomes", "Narrative", "Partnerships", "Payments"):
        ws = book[name]
        assert ws.freeze_panes == "A2", name
        assert (filtered_range(ws) or "").startswith("A1:"), name
        rows = [row for row in ws.iter_rows(min_row=2, values_only=True)]
        if any(rows) and rows[0][0] is not None:  # a sheet with rows of data: they are a table
            (table,) = ws.tables.values()
            names.add(table.name)
            last = int(table.ref.split(":")[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            assert all(ws.cell(r, 1).value is not None or ws.cell(r, 2).value is not None
                       for r in range(2, last + 1)), name  # only rows of data: the totals are below it
            assert ws.cell(last + 1, 1).value is None, name
    assert {"Summary", "Spend", "Outcomes"} <= names


def test_the_report_workbooks_and_a_list_download_print_the_same_way(the_demo):
    *reports, download = [*report_workbooks(), list_download()]
    for book in reports:
        for ws in book.worksheets:
            assert_prints_as_a_document(ws)
            assert ws.print_title_rows.replace("$", "") == "1:1", ws.title
            assert "2019" in printed_text(ws) and "OFFICIAL" in printed_text(ws), ws.title
    (ws,) = download.worksheets
    assert_prints_as_a_document(ws)
    assert ws.print_title_rows.replace("$", "") == "1:1"
    assert "Projects" in printed_text(ws)


def test_no_marking_is_printed_when_the_setting_is_empty(the_demo, settings):
    settings.PROTECTIVE_MARKING = ""
    for ws in quarter_workbook().worksheets:
        assert "OFFICIAL" not in printed_text(ws), ws.title
        assert "&P" in ws.oddFooter.right.text


def test_a_commissioners_name_with_an_ampersand_is_printed_as_it_is(the_demo):
    Organisation.objects.filter(pk=commissioner().organisation_id).update(name="Avon & Somerset &P Commissioner")
    book = quarter_workbook()
    right = book["Summary"].oddHeader.right.text
    assert "Avon && Somerset &&P Commissioner" in right  # && is a printed &, not the start of a code
    assert book["Cover"]["B3"].value == "Avon & Somerset &P Commissioner"


def test_a_header_is_cut_to_excels_limit_with_its_codes_whole():
    text = header_footer([("&L&B{}&B", ["OFFICIAL"]), ("&C{}", ["A & B " * 80]), ("&R{}", ["Period"])])
    assert len(text) <= 255
    assert text.startswith("&L&BOFFICIAL&B&C") and text.endswith("&RPeriod")
    assert "…" in text and "&&&" not in text.replace("&&", "")


def test_the_cover_is_label_value_pairs_that_never_overflow_and_its_notes_wrap_in_one_column(the_demo):
    ws = quarter_workbook()["Cover"]
    widths = {}
    for dimension in ws.column_dimensions.values():  # one entry may stand for several columns (min to max)
        for col in range(dimension.min, dimension.max + 1):
            widths[col] = dimension.width
    merged = {r.min_row: r for r in ws.merged_cells.ranges}
    notes_row = next(row for row in range(1, ws.max_row + 1) if ws.cell(row, 1).value == "Notes")
    rows = [*range(3, 11), *range(notes_row, ws.max_row + 1)]
    for row in rows:
        value = ws.cell(row, 2).value
        if value is None:
            continue
        span = merged[row]  # each value is one cell across B to H: the notes in that one column too
        assert (span.min_col, span.max_col) == (2, 8), row
        width = sum(widths[c] for c in range(2, 9))
        assert all(ws.cell(row, c).value is None for c in range(3, 9)), row
        text = value if isinstance(value, str) else str(value)
        if ws.cell(row, 2).alignment.wrap_text:
            height = ws.row_dimensions[row].height or LINE_HEIGHT
            assert height >= LINE_HEIGHT * text_lines(text, width), row
        else:
            assert len(text) <= width, row
    notes = [ws.cell(row, 2).value for row in range(notes_row, ws.max_row + 1)]
    assert len(notes) >= 5 and all(notes)
    assert all(ws.cell(row, 2).alignment.wrap_text for row in range(notes_row, ws.max_row + 1))


def test_columns_of_text_are_as_wide_as_their_text_within_bounds_and_long_text_wraps(the_demo):
    approved = QuarterlyReturn.objects.filter(financial_year=2019, quarter=2, status=QuarterlyReturn.Status.APPROVED)
    QuarterlyReturn.objects.filter(pk=approved.first().pk).update(progress="Sessions ran every week. " * 12)
    ws = quarter_workbook(quarter=Quarter(2019, 2))["Narrative"]
    headings = [c.value for c in ws[1]]
    progress = openpyxl.utils.get_column_letter(headings.index("Progress") + 1)
    reference = openpyxl.utils.get_column_letter(headings.index("Reference") + 1)
    longest = max(len(c.value or "") for c in ws[reference][1:])
    assert 8 <= ws.column_dimensions[reference].width <= max(longest, len("Reference")) + 3
    assert ws.column_dimensions[progress].width <= 90
    long_rows = [c for c in ws[progress][1:] if c.value and text_lines(c.value, 60) > 1]
    assert long_rows
    for cell in long_rows:
        assert cell.alignment.wrap_text
        assert ws.row_dimensions[cell.row].height >= LINE_HEIGHT * 2


def test_a_formula_looking_name_is_still_text_in_a_printed_workbook(the_demo):
    reference = quarter_workbook()["Summary"]["B2"].value
    Project.objects.filter(reference=reference).update(name=FORMULA_NAME)
    ws = quarter_workbook()["Summary"]
    [cell] = [c for c in ws["E"] if c.value == FORMULA_NAME]
    assert cell.data_type == "s"
    assert cell.quotePrefix or cell.style_array.quotePrefix


def _read(write) -> openpyxl.Workbook:
    buffer = io.BytesIO()
    write(buffer)
    return openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))


def test_the_payment_file_open_data_sna_pack_and_year_end_print_the_same_way(the_demo):
    from grants.periods import FinancialYear
    from reporting import opendata, payment_file
    from reporting.spreadsheets.sna_pack import sna_pack
    from reporting.spreadsheets.year_end import year_end_workbook

    finance = User.objects.select_related("organisation").get(username="finance")
    csp = User.objects.select_related("organisation").get(username="csp")
    year = FinancialYear(2019)
    first, last = year.start, year.end
    books = {
        "Payment file: payments released": _read(lambda target: payment_file.write_xlsx(
            payment_file.payments_in_range(finance, first, last), target, first=first, last=last,
            organisation=finance.organisation, made_by="Fran Finance")),
        "Grants in the 360Giving Data Standard": _read(lambda target: opendata.write_xlsx(
            opendata.package(opendata.allocations_for(commissioner()), publisher=commissioner().organisation),
            target)),
        "Strategic Needs Assessment data pack": _read(lambda target: sna_pack(
            target, user=csp, organisation=csp.organisation, year=year)),
        "Year end 2019-20": _read(lambda target: year_end_workbook(target, user=finance, year=year)),
    }
    for title, book in books.items():
        for ws in book.worksheets:
            assert_prints_as_a_document(ws)
            text = printed_text(ws)
            assert title in text and "OFFICIAL" in text, (title, ws.title)
    payment_text = printed_text(books["Payment file: payments released"].worksheets[0])
    assert "1 April 2019 to 31 March 2020" in payment_text and "by Fran Finance" in payment_text
    assert "2019-20" in printed_text(books["Strategic Needs Assessment data pack"].worksheets[0])
    assert str(commissioner().organisation) in printed_text(
        books["Grants in the 360Giving Data Standard"].worksheets[0])
