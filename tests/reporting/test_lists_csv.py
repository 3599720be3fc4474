"""
The CSV writer the lists download through: the same rule as the workbooks for text that a
spreadsheet would take for a formula, typed values written plainly, one line at a time.
"""

import csv
import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from reporting.spreadsheets.csv import BYTE_ORDER_MARK, safe_csv, safe_text
from reporting.spreadsheets.writer import Column, clean_text

FORMULA_STARTS = ["=", "+", "-", "@", "\t", "\r", "\n"]


def read(columns, rows) -> list[list[str]]:
    text = "".join(safe_csv(columns, rows))
    assert text.startswith(BYTE_ORDER_MARK)
    return list(csv.reader(io.StringIO(text[1:], newline="")))


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(start):
    assert safe_text(f"{start}1+1") == "'" + clean_text(f"{start}1+1")  # cleaned as in a workbook


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","click")', "-2+3", "+44 20", "@SUM(A1:A2)"])
def test_a_hostile_name_reads_back_with_its_apostrophe(text):
    assert read([Column("Name")], [[text]]) == [["Name"], ["'" + text]]


@pytest.mark.parametrize("text", ["Breaking the Cycle", "1+1", "a=b", "Bradford – West", "'quoted"])
def test_ordinary_text_is_left_alone(text):
    assert read([Column("Name")], [[text]]) == [["Name"], [text]]


def test_characters_a_spreadsheet_cannot_hold_are_removed_before_the_check():
    assert safe_text("\x00=1+1") == "'=1+1"
    assert safe_text("Bell\x07 and\x1f unit") == "Bell and unit"


def test_commas_quotes_and_line_breaks_inside_a_value_stay_inside_it():
    rows = read([Column("Name"), Column("Note", "wrap")], [["Smith, Jones & \"Co\"", "Line one\nline two"]])
    assert rows[1] == ["Smith, Jones & \"Co\"", "Line one\nline two"]


def test_money_is_a_plain_number_with_pence_even_when_negative():
    rows = read([Column("Amount", "money")], [[Decimal("1234.5")], [Decimal("-1999.90")], [Decimal("0")], [3]])
    assert [r[0] for r in rows[1:]] == ["1234.50", "-1999.90", "0.00", "3"]


def test_numbers_dates_and_times_are_written_plainly():
    london = ZoneInfo("Europe/London")
    columns = [Column("Count", "number"), Column("Day", "date"), Column("At", "datetime"), Column("Rate", "percent")]
    at = datetime.datetime(2023, 7, 1, 8, 30, tzinfo=datetime.timezone.utc)  # 09:30 in London
    rows = read(columns, [[12, datetime.date(2023, 4, 1), at, Decimal("96.5")]])
    assert rows[1] == ["12", "2023-04-01", "2023-07-01 09:30", "96.5"]
    assert at.astimezone(london).hour == 9


def test_nothing_is_an_empty_field():
    assert read([Column("A"), Column("B", "money"), Column("C", "date")], [[None, None, ""]])[1] == ["", "", ""]


def test_headings_are_made_safe_too():
    assert read([Column("=Total")], [])[0] == ["'=Total"]


def test_a_number_or_date_column_refuses_text():
    with pytest.raises(TypeError):
        "".join(safe_csv([Column("Amount", "money")], [["=1+1"]]))
    with pytest.raises(TypeError):
        "".join(safe_csv([Column("Day", "date")], [["2023-04-01"]]))


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="Unknown cell kind 'formula'"):
        next(safe_csv([Column("X", "formula")], []))


def test_it_yields_one_line_at_a_time():
    lines = safe_csv([Column("N", "number")], ([n] for n in range(3)))
    assert next(lines) == BYTE_ORDER_MARK + "N\r\n"
    assert list(lines) == ["0\r\n", "1\r\n", "2\r\n"]


@pytest.mark.parametrize("text", [" =1+1", "   +44 20 7946 0000", "\u00a0@SUM(A1:A2)", " -2+3", "  \t=1+1"])
def test_a_formula_behind_leading_spaces_gets_an_apostrophe(text):
    """Opened with "trim spaces", " =1+1" would be the formula =1+1: the apostrophe keeps it text."""
    assert read([Column("Name")], [[text]]) == [["Name"], ["'" + clean_text(text)]]


@pytest.mark.parametrize("text", [" 1+1", "  a = b", " Bradford"])
def test_ordinary_text_behind_spaces_is_left_alone(text):
    assert read([Column("Name")], [[text]]) == [["Name"], [text]]
