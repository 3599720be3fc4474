"""
Excel tables over rows already written.

Each data sheet's rows are an Excel table under its frozen heading row (`SafeSheet.filtered` in
reporting.spreadsheets.writer): filters on the headings, banded rows, and structured references by
heading (`Spend[Profile Q1]`). XlsxWriter refuses `add_table()` in constant-memory mode, because a
table rewrites its heading cells once the rows below them are flushed; our `Worksheet` adds the
table on closing without writing a cell (the headings are ours and already written).
"""

import re

from xlsxwriter.utility import xl_range
from xlsxwriter.worksheet import Worksheet as XlsxWorksheet

TABLE_STYLE = "Table Style Light 1"  # a thin line under the headings and light grey bands


def _heading_already_written(row, col, string, cell_format=None):
    return 0


class Worksheet(XlsxWorksheet):
    """XlsxWriter's worksheet, whose `add_table()` also works on a constant-memory sheet once the
    table's rows are written.

    Our tables are added when a sheet is closed, over rows already written: the heading cells are
    ours (written in the heading format, through the safe writer) and so are the data cells. So the
    table is added without writing any cell, and its range is checked against others only where it
    starts (XlsxWriter notes every cell of a table's range one by one to check for overlaps, which
    would cost a second pass over every cell of a long sheet; a sheet's tables are placed by us, one
    under another, and never overlap). No data, formula or total row can be given here."""

    def add_table(self, first_row, first_col, last_row, last_col, options=None):
        options = dict(options or {})
        columns = options.get("columns", [])
        if ("data" in options or options.get("total_row") or not options.get("header_row", True)
                or any(set(column) - {"header"} for column in columns)):
            raise ValueError("A table's cells are written through SafeSheet: give only its headings")
        if last_row <= first_row:
            raise ValueError("A table needs its heading row and at least one row of data")
        constant_memory = self.constant_memory
        self.constant_memory = False  # XlsxWriter refuses tables in this mode only for the heading cells
        self._write_string = _heading_already_written  # the headings in the sheet are ours, already there
        try:
            result = super().add_table(first_row, first_col, first_row + 1, last_col, options)
        finally:
            del self._write_string
            self.constant_memory = constant_memory
        if result == 0:  # the table's real extent: its heading row and every row of data
            table = self.tables[-1]
            table["range"] = table["a_range"] = xl_range(first_row, first_col, last_row, last_col)
            if "autofilter" in table:
                table["autofilter"] = table["a_range"]
        return result


def table_name(sheet_name: str, taken: set) -> str:
    """An Excel table name from a sheet's name: letters, digits and underscores, starting with a
    letter, never like a cell reference ("Q1"), unique in the workbook (case aside)."""
    name = re.sub(r"\W+", "_", sheet_name, flags=re.ASCII).strip("_") or "Table"
    if not name[0].isalpha() or re.fullmatch(r"[A-Za-z]{1,3}\d+|[RrCc]\d*([RrCc]\d+)?", name):
        name = f"Table_{name}"
    name, n = name[:250], 1
    candidate = name
    while candidate.lower() in taken:
        n += 1
        candidate = f"{name}_{n}"
    taken.add(candidate.lower())
    return candidate


def table_headings(headings) -> bool:
    """Whether these headings can name a table's columns: each text, on one line, none twice (case aside)."""
    return (all(h and "\n" not in h for h in headings)
            and len({h.lower() for h in headings}) == len(headings))
