"""
An indicator file (CSV or xlsx), opened with suspicion and read into rows of cell values.

The same defences as the return template's upload (reporting.spreadsheets.upload and .bounds), with
limits of a file of figures rather than of a template:

- the size (UPLOAD_MAX_BYTES) before anything else; then what the bytes are (an .xlsx is a zip, an older
  .xls or an encrypted workbook is named and refused; anything else is read as CSV);
- CSV: UTF-8 (a byte-order mark allowed), no NUL bytes, at most INDICATOR_IMPORT_MAX_ROWS rows and
  MAX_COLUMNS cells in a row;
- xlsx: the zip's central directory (members, unpacked size, ratio per member) before anything is
  inflated; then the return template's scan (bounds.scan_package) with a file of figures' limits
  (`scan_limits`): every XML part streamed once through expat in chunks, counting rows, cells per row,
  the right-most column, XML elements, shared strings, style entries, text lengths and bytes without a
  tag ending, and refusing entity declarations, stopping at the first limit passed; only then does
  openpyxl (read-only, with defusedxml installed) read the first sheet, row by row.

A formula cell is read as a formula (data_only=False), so that it is listed as a problem with its cell
rather than its cached value trusted: a file can carry any cached value beside any formula.
"""

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from django.conf import settings
from openpyxl import load_workbook

from grants.uploads import zip_unpacks_too_much
from reporting.spreadsheets import bounds

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
MAX_MEMBERS = 200
MAX_RATIO = 100
MAX_COLUMNS = 20  # cells in a row, and the right-most column (T): the widest layout has 9
MAX_SHARED_STRINGS = 100_000
ELEMENTS_PER_ROW = 30  # a row, and up to 9 cells of a value and an inline string each, with room
UNPACKS_TOO_MUCH = "The file unpacks to far more data than a file of figures holds, so it was not opened."
UNREADABLE = ("The file could not be read as an Excel workbook: it may be damaged, or made by a program that "
              "writes something other than a standard .xlsx file. Save it again and upload the new copy.")


@dataclass(frozen=True)
class Problem:
    """What is wrong, and where: a row (1-based, as a spreadsheet numbers it) and a column (its letter and
    heading), and the sheet for a workbook."""

    message: str
    row: int | None = None
    column: str = ""
    sheet: str = ""

    @property
    def where(self) -> str:
        parts = [f"Sheet {self.sheet}"] if self.sheet else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


class FileRefused(Exception):
    """The file cannot be used; `problems` says why, each with its place."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


@dataclass
class Cell:
    """A cell's value as read (text from CSV; a number, date, text or None from a workbook), and whether
    the workbook holds a formula there."""

    value: object
    formula: bool = False


@dataclass
class Table:
    """A file's rows: `rows` is (row number, cells) for each row after the headings, blank rows left out."""

    sheet: str
    headings: list[str]
    rows: list[tuple[int, list[Cell]]]


def max_rows() -> int:
    return settings.INDICATOR_IMPORT_MAX_ROWS


def _too_many_rows_message() -> str:
    return (f"The file holds more than {max_rows():,} rows of figures, the most one import takes. Split it into "
            "smaller files (for example a year each) and import each.")


def _too_many_rows() -> FileRefused:
    return FileRefused([Problem(_too_many_rows_message())])


def read_table(content: bytes) -> Table:
    """The file's headings and rows, or FileRefused saying why it cannot be read."""
    limit = settings.UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise FileRefused([Problem(
            f"The file is {len(content) / 1024 / 1024:.1f} MB; the largest file you can import is "
            f"{limit / 1024 / 1024:.0f} MB. Split it into smaller files and import each.")])
    if not content.strip(b"\xef\xbb\xbf \r\n\t"):
        raise FileRefused([Problem("The file is empty.")])
    if content.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in content:
            raise FileRefused([Problem(
                "This workbook is protected with a password, so it cannot be read. Remove the password, save it "
                "and upload it again.")])
        raise FileRefused([Problem(
            "This is an older Excel file (.xls). Save it as an Excel Workbook (.xlsx) or as CSV and upload it again.")])
    if content.startswith(XLSX_MAGIC):
        return _read_xlsx(content)
    return _read_csv(content)


# --- CSV ---------------------------------------------------------------------------------------


def _read_csv(content: bytes) -> Table:
    if b"\x00" in content:
        raise FileRefused([Problem(
            "This file is neither CSV text nor an Excel workbook (.xlsx). Save it as CSV (UTF-8) or .xlsx.")])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = content[:error.start].count(b"\n") + 1
        raise FileRefused([Problem(
            "The file is not UTF-8 text. Save it as “CSV UTF-8” and upload it again.", row=line)])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows, headings = [], None
    limit = max_rows()
    try:
        for cells in reader:
            number = reader.line_num
            if len(cells) > MAX_COLUMNS:
                raise FileRefused([Problem(
                    f"The row has {len(cells):,} cells; a layout has at most {MAX_COLUMNS}, so the file was not "
                    "read.", row=number)])
            if not any(cell.strip() for cell in cells):
                continue
            if headings is None:
                headings = [cell.strip() for cell in cells]
                continue
            if len(rows) >= limit:
                raise _too_many_rows()
            rows.append((number, [Cell(cell) for cell in cells]))
    except csv.Error as error:
        raise FileRefused([Problem(f"The CSV cannot be read here ({error}).", row=reader.line_num)])
    if headings is None:
        raise FileRefused([Problem("The file is empty.")])
    return Table("", headings, rows)


# --- xlsx --------------------------------------------------------------------------------------


def scan_limits() -> bounds.Limits:
    """The scan's limits for a file of figures: INDICATOR_IMPORT_MAX_ROWS rows under a row of headings,
    MAX_COLUMNS columns, and XML elements in proportion; text, style and tag limits as for a template."""
    rows = max_rows()
    return bounds.Limits(
        part_bytes=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
        elements=(rows + 1) * ELEMENTS_PER_ROW + 100_000,
        shared_strings=MAX_SHARED_STRINGS,
        rows=rows + 1,
        column=MAX_COLUMNS,
        cells_per_row=MAX_COLUMNS,
        wording=bounds.Wording(
            unpacked=UNPACKS_TOO_MUCH,
            elements=lambda limit: f"The file holds far more than {rows:,} rows of figures could, so it was not read.",
            rows=lambda limit: _too_many_rows_message(),
            cell_row=lambda row, limit: _too_many_rows_message(),
            wide_row=lambda row, cells, column: (
                f"Row {row} has cells beyond column {bounds.column_letters(column)}; a layout has at most "
                f"{column} columns, so the file was not read."),
            shared_strings=lambda limit: f"The file holds more than {limit:,} different texts. It was not read.",
            styles=lambda limit, kind: f"The file defines more than {limit:,} cell styles. It was not read.",
            text=lambda limit: f"The file holds a text of more than {limit:,} characters, more than a cell can hold.",
            long_tag="The file holds a tag far longer than a spreadsheet writes: it was not read.",
            entities="The file declares XML entities, which a spreadsheet program never writes: it was not read.",
        ),
    )


def _cell_value(cell) -> Cell:
    if cell is None or getattr(cell, "value", None) is None:
        return Cell(None)
    return Cell(cell.value, formula=cell.data_type == "f")


def _read_xlsx(content: bytes) -> Table:
    damaged = FileRefused([Problem(
        "The file is damaged or incomplete and cannot be opened. Save it again and upload the new copy.")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise damaged
    if zip_unpacks_too_much(members, max_members=MAX_MEMBERS, max_unpacked=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
                            max_ratio=MAX_RATIO):
        raise FileRefused([Problem(UNPACKS_TOO_MUCH)])
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        raise FileRefused([Problem("This file is not an Excel workbook (.xlsx): it has no workbook inside.")])
    if any(name.startswith("/") or ".." in name.split("/") or "\\" in name for name in names):
        raise FileRefused([Problem("The file holds members with unsafe names, so it was not opened.")])
    try:
        bounds.scan_package(archive, limits=scan_limits())
    except bounds.Unbounded as error:
        raise FileRefused([Problem(error.message)])
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, ValueError, NotImplementedError):
        raise damaged
    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False)
    except Exception:  # noqa: BLE001 - any failure of the parser means the same thing to the user
        raise FileRefused([Problem(UNREADABLE)])
    try:
        if not book.worksheets:
            raise FileRefused([Problem("The workbook has no sheets.")])
        sheet = book.worksheets[0]
        headings, rows = None, []
        for number, row in enumerate(sheet.iter_rows(min_row=1, max_row=max_rows() + 1, max_col=MAX_COLUMNS),
                                     start=1):
            cells = [_cell_value(cell) for cell in row]
            if not any(c.formula or (c.value is not None and str(c.value).strip()) for c in cells):
                continue
            if headings is None:
                headings = ["" if c.value is None else str(c.value).strip() for c in cells]
                continue
            rows.append((number, cells))
    except FileRefused:
        raise
    except (ElementTree.ParseError, DefusedXmlException, zipfile.BadZipFile, KeyError, ValueError, TypeError,
            IndexError, EOFError, OSError, zlib.error):
        raise FileRefused([Problem(UNREADABLE)])
    finally:
        book.close()
    if headings is None:
        raise FileRefused([Problem("The first sheet is empty.", sheet=sheet.title)])
    return Table(sheet.title, headings, rows)


__all__ = ["Cell", "FileRefused", "MAX_COLUMNS", "Problem", "Table", "read_table"]
