"""
The formula-safe writer: every cell we write comes back as what we meant.

Text that a spreadsheet would take for a formula stays text (a string cell with
Excel's quote prefix, never a <f> element), characters the file format cannot
hold are removed, numbers, percentages and dates are typed, and the only
formulas are the totals we write on purpose, each with its value cached.
Every file is read back with openpyxl, the way a reader of our exports sees it.
"""

import datetime
import io
import re
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.utils import timezone

from reporting.spreadsheets.cell_text import EXCEL_CELL_LIMIT
from reporting.spreadsheets.excel_tables import table_name
from reporting.spreadsheets.writer import (
    MONEY_FORMAT,
    PERCENT_FORMAT,
    Column,
    SafeWorkbook,
    clean_text,
)
from tests.spreadsheet_tables import filtered_range

HYPERLINK = '=HYPERLINK("http://x","click")'
FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n"]


def build(write, *, constant_memory=True) -> bytes:
    """The bytes of a workbook whose one sheet, "Data", `write(sheet)` fills."""
    target = io.BytesIO()
    book = SafeWorkbook(target, constant_memory=constant_memory)
    write(book.sheet("Data"))
    book.close()
    return target.getvalue()


def sheet_of(content: bytes, *, data_only=False):
    return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)["Data"]


def text_of(cell) -> str:
    """A string cell's text as Excel shows it. The file format stores control characters as
    _xHHHH_ (and a literal "_x000D_" as _x005F_x000D_); openpyxl leaves those escapes as they are."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), cell.value)


def as_written(text: str) -> str:
    """Line breaks as a spreadsheet writes them: LF (a carriage return, alone or before LF, becomes LF)."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


# --- Text that looks like a formula ------------------------------------------------------


@pytest.mark.parametrize("constant_memory", [True, False])
def test_a_project_named_like_a_hyperlink_formula_comes_out_as_that_text(constant_memory):
    content = build(lambda sheet: sheet.write(0, 0, HYPERLINK), constant_memory=constant_memory)

    cell = sheet_of(content)["A1"]
    assert cell.value == HYPERLINK
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert "<f>" not in sheet_xml(content)
    assert sheet_of(content, data_only=True)["A1"].value == HYPERLINK


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "cr", "lf"])
@pytest.mark.parametrize("kind", ["text", "wrap"])
def test_text_starting_with_a_formula_character_is_a_quoted_string(start, kind):
    text = f'{start}SUM(1,2)+cmd|"/c calc"!A1'
    content = build(lambda sheet: sheet.write(0, 0, text, kind))

    cell = sheet_of(content)["A1"]
    assert text_of(cell) == as_written(text)
    assert cell.data_type == "s"
    assert cell.quotePrefix is True
    assert "<f>" not in sheet_xml(content)


@pytest.mark.parametrize("start", FORMULA_STARTS, ids=["equals", "plus", "minus", "at", "tab", "cr", "lf"])
def test_formula_text_in_a_table_row_is_a_quoted_string(start):
    columns = [Column("Project"), Column("Budget", "money")]
    content = build(lambda sheet: sheet.table(columns, [(f"{start}1+1", Decimal("10.00"))]))

    cell = sheet_of(content)["A2"]
    assert (text_of(cell), cell.data_type, cell.quotePrefix) == (as_written(f"{start}1+1"), "s", True)
    assert "<f>" not in sheet_xml(content)


def test_formula_text_in_a_named_format_gets_the_quoted_twin():
    def write(sheet):
        sheet.workbook.add_format("input", {"locked": False})
        sheet.write(0, 0, "=1+1", fmt="input")
        sheet.write(1, 0, "1+1", fmt="input")

    ws = sheet_of(build(write))
    assert (ws["A1"].value, ws["A1"].data_type, ws["A1"].quotePrefix) == ("=1+1", "s", True)
    assert ws["A1"].protection.locked is False
    assert (ws["A2"].value, ws["A2"].quotePrefix) == ("1+1", False)


def test_ordinary_text_is_not_quoted():
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, "Breaking the Cycle")))
    assert (ws["A1"].value, ws["A1"].data_type, ws["A1"].quotePrefix) == ("Breaking the Cycle", "s", False)


def test_text_that_looks_like_a_number_or_a_link_stays_text():
    def write(sheet):
        sheet.write(0, 0, "0123")
        sheet.write(1, 0, "http://example.org")
        sheet.write(2, 0, "1e5")

    ws = sheet_of(build(write))
    assert [(ws[c].value, ws[c].data_type) for c in ("A1", "A2", "A3")] == [
        ("0123", "s"), ("http://example.org", "s"), ("1e5", "s")
    ]
    assert ws["A2"].hyperlink is None


# --- Characters a cell cannot hold ---------------------------------------------------------


def test_characters_xml_cannot_hold_are_removed():
    text = "Bad\x00 bytes\x01\x08\x0b\x0c\x0e\x1f here\ufffe\uffff"
    content = build(lambda sheet: sheet.write(0, 0, text))
    assert sheet_of(content)["A1"].value == "Bad bytes here"


def test_tabs_and_line_breaks_inside_text_are_kept_with_line_breaks_as_lf():
    text = "Line one\r\nLine two\rLine three\tand a tab, and _x000D_ as typed"
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, text, "wrap")))
    assert text_of(ws["A1"]) == "Line one\nLine two\nLine three\tand a tab, and _x000D_ as typed"
    assert ws["A1"].quotePrefix is False


def test_removing_illegal_characters_cannot_unmask_a_formula():
    # "\x01=1+1" is not a formula until the control character goes; it must still be quoted.
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, "\x01=1+1")))
    assert (ws["A1"].value, ws["A1"].data_type, ws["A1"].quotePrefix) == ("=1+1", "s", True)


def test_text_made_only_of_illegal_characters_leaves_the_cell_empty():
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, "\x00\x01")))
    assert ws["A1"].value is None


def test_text_is_cut_at_excels_limit():
    assert len(clean_text("x" * (EXCEL_CELL_LIMIT + 10))) == EXCEL_CELL_LIMIT
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, "y" * (EXCEL_CELL_LIMIT + 10))))
    assert len(ws["A1"].value) == EXCEL_CELL_LIMIT


# --- Typed values --------------------------------------------------------------------------


def test_money_is_a_number_with_a_pound_format():
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, Decimal("9999999999.99"), "money")))
    assert ws["A1"].data_type == "n"
    assert Decimal(str(ws["A1"].value)) == Decimal("9999999999.99")
    assert ws["A1"].number_format == MONEY_FORMAT


def test_a_percentage_is_a_fraction_with_a_percent_format():
    ws = sheet_of(build(lambda sheet: sheet.write(0, 0, Decimal("96"), "percent")))
    assert ws["A1"].value == pytest.approx(0.96)
    assert ws["A1"].number_format == PERCENT_FORMAT


def test_numbers_dates_and_datetimes_are_typed():
    moment = timezone.make_aware(datetime.datetime(2023, 7, 14, 9, 30), datetime.timezone.utc)

    def write(sheet):
        sheet.write(0, 0, 42, "number")
        sheet.write(0, 1, 2.5, "number")
        sheet.write(0, 2, True, "number")
        sheet.write(0, 3, datetime.date(2023, 9, 30), "date")
        sheet.write(0, 4, moment, "datetime")

    ws = sheet_of(build(write))
    assert [ws.cell(1, c).data_type for c in range(1, 6)] == ["n", "n", "n", "d", "d"]
    assert (ws["A1"].value, ws["B1"].value, ws["C1"].value) == (42, 2.5, 1)
    assert ws["D1"].value == datetime.datetime(2023, 9, 30)
    assert ws["D1"].is_date
    # Written as the clock reads in London (BST in July), not in UTC.
    assert ws["E1"].value == datetime.datetime(2023, 7, 14, 10, 30)


def test_a_number_cell_refuses_text():
    with pytest.raises(TypeError):
        build(lambda sheet: sheet.write(0, 0, "12", "money"))


def test_a_date_cell_refuses_text():
    with pytest.raises(TypeError):
        build(lambda sheet: sheet.write(0, 0, "2023-09-30", "date"))


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        build(lambda sheet: sheet.write(0, 0, "x", "formula"))
    with pytest.raises(ValueError):
        build(lambda sheet: sheet.row_writer(["text", "formula"]))


def test_none_and_empty_text_leave_cells_empty():
    columns = [Column("A"), Column("B", "money"), Column("C", "date")]
    ws = sheet_of(build(lambda sheet: sheet.table(columns, [("", None, None)])))
    assert [ws.cell(2, c).value for c in (1, 2, 3)] == [None, None, None]


def test_rows_of_mixed_kinds_are_written_in_each_rows_own_kinds():
    def write(sheet):
        sheet.write_row(0, ["Rate", Decimal("96")], ["text", "percent"])
        sheet.write_row(1, ["Spend", Decimal("12.34")], ["text", "money"])

    ws = sheet_of(build(write))
    assert (ws["B1"].value, ws["B1"].number_format) == (pytest.approx(0.96), PERCENT_FORMAT)
    assert (ws["B2"].value, ws["B2"].number_format) == (12.34, MONEY_FORMAT)


AWKWARD_AMOUNTS = ["0.10", "0.01", "-0.01", "1234567.89", "-999999999999.99", "33.33", "0.005", "1E+3", "96.7",
                   "123456789012.34", "0.000001"]


def test_a_rows_decimals_are_the_very_numbers_float_gives():
    """The row writer turns a Decimal into the cell's number by its exact fraction; the file holds the
    same number as for float() of it, money, numbers and percentages alike."""
    amounts = [Decimal(text) for text in AWKWARD_AMOUNTS]
    kinds = ["money", "number", "percent"]

    def write(sheet):
        for row, amount in enumerate(amounts):
            sheet.write_row(row, [amount] * 3 + [float(amount)] * 3, kinds + kinds)

    ws = sheet_of(build(write))
    for row, amount in enumerate(amounts, start=1):
        from_decimal = [ws.cell(row, col).value for col in (1, 2, 3)]
        from_float = [ws.cell(row, col).value for col in (4, 5, 6)]
        assert from_decimal == from_float, amount
        assert from_decimal[0] == float(amount), amount


# --- Tables and totals ---------------------------------------------------------------------


def test_a_table_has_its_header_frozen_filtered_and_sized():
    columns = [Column("Project", "text", 40), Column("Budget", "money", 16)]
    name = "Youth outreach in the three northern districts"  # 46 characters
    ws = sheet_of(build(lambda sheet: sheet.table(columns, [("One", Decimal("1")), (name, Decimal("2"))])))
    assert [ws["A1"].value, ws["B1"].value] == ["Project", "Budget"]
    assert ws["A1"].font.b
    assert ws.freeze_panes == "A2"
    assert filtered_range(ws) == "A1:B3"
    # Text is as wide as its widest text (within 8 and 60 characters); money keeps its column's width.
    assert ws.column_dimensions["A"].width == pytest.approx(len(name) + 2, abs=1)
    assert ws.column_dimensions["B"].width == pytest.approx(16, abs=1)


@pytest.mark.parametrize("constant_memory", [True, False])
def test_a_table_is_an_excel_table_over_its_rows_with_our_heading_cells(constant_memory):
    columns = [Column("Project", "text", 30), Column("Budget", "money", 14), Column("Share", "percent", 10)]
    rows = [(f"Project {n}", Decimal(n), Decimal(n)) for n in range(1, 2001)]
    content = build(lambda sheet: sheet.table(columns, rows), constant_memory=constant_memory)
    ws = sheet_of(content)
    (table,) = ws.tables.values()
    assert table.ref == "A1:C2001" and table.autoFilter.ref == "A1:C2001"
    assert [c.name for c in table.tableColumns] == ["Project", "Budget", "Share"]
    assert table.name == "Data" and table.tableStyleInfo.name == "TableStyleLight1"
    assert table.tableStyleInfo.showRowStripes
    # The heading cells are ours, in our heading format, and written once; the rows are all there.
    assert ws["A1"].value == "Project" and ws["A1"].font.b and ws["A1"].fill.fgColor.rgb.endswith("F3F2F1")
    assert ws["A2001"].value == "Project 2000" and ws["B2001"].number_format == MONEY_FORMAT
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert sheet_xml.count('<row r="1"') == 1 and sheet_xml.count('<row r="2001"') == 1
    assert "<autoFilter" not in sheet_xml  # the table's own filter, not a second one on the sheet


def test_a_table_with_no_rows_or_headings_a_table_cannot_take_gets_a_plain_filter():
    ws = sheet_of(build(lambda sheet: sheet.table([Column("Project"), Column("Budget", "money")], [])))
    assert not ws.tables and ws.auto_filter.ref == "A1:B1"
    twice = [Column("Amount", "money"), Column("amount", "money")]  # a table's column names are unique, case aside
    ws = sheet_of(build(lambda sheet: sheet.table(twice, [(Decimal(1), Decimal(2))])))
    assert not ws.tables and ws.auto_filter.ref == "A1:B2"


def test_two_tables_on_one_sheet_a_row_apart():
    columns = [Column("Project"), Column("Budget", "money")]

    def write(sheet):
        end = sheet.table(columns, [("One", Decimal(1)), ("Two", Decimal(2))])
        sheet.header(end + 1, [Column("Measure"), Column("Figure", "number")], freeze=False)
        last = sheet.rows(end + 2, [Column("Measure"), Column("Figure", "number")], [("Sessions", 4)])
        sheet.filtered(end + 1, last - 1)

    ws = sheet_of(build(write))
    assert sorted((t.name, t.ref) for t in ws.tables.values()) == [("Data", "A1:B3"), ("Data_2", "A5:B6")]
    assert ws["A5"].value == "Measure" and ws.freeze_panes == "A2"


def test_tables_are_named_from_their_sheets_uniquely_and_never_like_a_cell():
    taken = set()
    assert [table_name(name, taken) for name in ("Spend", "Key outcomes", "spend", "Q1", "2023-24", "R1C1", "£")] == [
        "Spend", "Key_outcomes", "spend_2", "Table_Q1", "Table_2023_24", "Table_R1C1", "Table"]


def test_our_worksheet_adds_tables_only_over_cells_written_through_the_safe_writer():
    book = SafeWorkbook(io.BytesIO())
    ws = book.sheet("Data").ws
    for options in ({"data": [["=HYPERLINK(1)"]]}, {"total_row": True}, {"columns": [{"header": "A", "formula": "=1"}]},
                    {"header_row": False}):
        with pytest.raises(ValueError):
            ws.add_table(0, 0, 3, 0, options)
    with pytest.raises(ValueError):
        ws.add_table(0, 0, 0, 0, {"columns": [{"header": "A"}]})
    book.close()


def test_totals_are_sum_formulas_with_their_values_cached():
    amounts = [Decimal("0.10"), Decimal("0.20"), Decimal("1234567.89")]
    total = sum(amounts)

    def write(sheet):
        end = sheet.table([Column("Amount", "money")], [(a,) for a in amounts])
        sheet.write_total(end, 0, 1, end - 1, total)
        sheet.write_total(end + 1, 0, 5, 4, Decimal("0"))  # an empty range

    content = build(write)
    ws = sheet_of(content)
    assert (ws["A5"].value, ws["A5"].data_type) == ("=SUM(A2:A4)", "f")
    assert ws["A5"].number_format == MONEY_FORMAT
    assert ws["A6"].value == "=0"
    cached = sheet_of(content, data_only=True)
    assert Decimal(str(cached["A5"].value)).quantize(Decimal("0.01")) == total
    assert re.search(r"<f>SUM\(A2:A4\)</f><v>1234568.19</v>", sheet_xml(content))


def test_a_ratio_is_a_guarded_division_formula_with_its_value_cached():
    def write(sheet):
        sheet.write_row(0, [Decimal("50"), Decimal("200")], ["money", "money"])
        sheet.write_ratio(0, 2, 0, 1, Decimal("25"))
        sheet.write_row(1, [Decimal("0"), Decimal("0")], ["money", "money"])
        sheet.write_ratio(1, 2, 0, 1, None)

    content = build(write)
    ws = sheet_of(content)
    assert ws["C1"].value == '=IF(B1=0,"",A1/B1)'
    assert ws["C1"].number_format == PERCENT_FORMAT
    cached = sheet_of(content, data_only=True)
    assert cached["C1"].value == pytest.approx(0.25)
    assert cached["C2"].value in (None, "")


def test_the_only_formulas_in_a_file_are_the_totals():
    def write(sheet):
        end = sheet.table([Column("Name"), Column("Amount", "money")],
                          [(start + "1", Decimal("1")) for start in FORMULA_STARTS])
        sheet.write_total(end, 1, 1, end - 1, Decimal("7"))

    xml = sheet_xml(build(write))
    assert re.findall(r"<f>(.*?)</f>", xml) == ["SUM(B2:B8)"]


def test_a_repeated_text_is_made_safe_every_time_it_is_written():
    columns = [Column("Project"), Column("Note", "wrap")]
    rows = [(HYPERLINK, "plain"), ("plain", HYPERLINK), (HYPERLINK, "bad\x00")] * 3
    ws = sheet_of(build(lambda sheet: sheet.table(columns, rows)))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if cell.value == HYPERLINK:
                assert cell.data_type == "s" and cell.quotePrefix is True
            else:
                assert cell.value in ("plain", "bad") and cell.quotePrefix is False


@pytest.mark.parametrize("text", [" =1+1", "  +44 20", "\u00a0@SUM(A1:A2)", " -2+3"])
def test_a_formula_behind_leading_spaces_is_a_quoted_string_too(text):
    content = build(lambda sheet: sheet.write(0, 0, text))

    cell = sheet_of(content)["A1"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (text, "s", True)
