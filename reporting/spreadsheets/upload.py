"""
An uploaded return template, opened with suspicion: the first half of reading one back
(reporting.spreadsheets.importer is the second).

In order, and stopping at the first of these that fails: the size, that it is a zip at all, the
zip's central directory (member count, total uncompressed size, compression ratio: a zip bomb is
refused before anything is inflated), that openpyxl can open it (defusedxml is installed, so
entity tricks in the XML are refused), and that it is our template, of this version, with an
identity that verifies. Every refusal is a TemplateRefused listing its Problems.
"""

import io
import zipfile
import zlib
from xml.etree import ElementTree
from dataclasses import dataclass

from defusedxml import DefusedXmlException
from django.conf import settings
from django.utils.crypto import constant_time_compare
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from grants.periods import Quarter
from grants.uploads import zip_unpacks_too_much

from . import bounds
from . import template as t

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the older .xls format
MAX_MEMBERS = 200
UNREADABLE = (
    "The file could not be read as an Excel workbook: it may be damaged, or made by a program that writes "
    "something other than a standard .xlsx file. Save it again in Excel and upload the new copy."
)
MAX_RATIO = 100  # uncompressed / compressed size of any one member over 1 MB
MAX_IDENTITY_ROWS = 2000
DAMAGED = "The file is damaged or incomplete and cannot be opened. Save it again in Excel and upload the new copy."
# An encrypted workbook is an OLE compound file holding this stream (its name in UTF-16).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


@dataclass(frozen=True)
class Problem:
    message: str
    sheet: str = ""
    cell: str = ""

    @property
    def where(self) -> str:
        if self.sheet and self.cell:
            return f"Sheet {self.sheet}, cell {self.cell}"
        return f"Sheet {self.sheet}" if self.sheet else ""

    def __str__(self):
        return f"{self.where}: {self.message}" if self.where else self.message


class TemplateRefused(Exception):
    """The file cannot be used. `problems` lists every reason found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def cell_name(row: int, col: int) -> str:
    """A 0-based row and column as a spreadsheet names the cell ("G5")."""
    return f"{get_column_letter(col + 1)}{row + 1}"


# --- The file -------------------------------------------------------------------------------


def open_workbook(content: bytes):
    """The openpyxl workbook and what the bounded scan found, or TemplateRefused saying why the file is
    not one we can read. Nothing reaches openpyxl before the scan has bounded every part it will parse."""
    limit = settings.UPLOAD_MAX_BYTES
    if len(content) > limit:
        raise TemplateRefused([Problem(
            f"The file is {len(content) / 1024 / 1024:.1f} MB; the largest file you can upload is "
            f"{limit / 1024 / 1024:.0f} MB. A return template is usually well under 100 KB.")])
    if content.startswith(OLE_MAGIC):
        if ENCRYPTED_PACKAGE in content:
            raise TemplateRefused([Problem(
                "This workbook is protected with a password, so it cannot be read. Open it in Excel, remove the "
                "password (File, Info, Protect Workbook, Encrypt with Password, then clear the password), save it "
                "and upload it again.")])
        raise TemplateRefused([Problem(
            "This is an older Excel file (.xls). Save it as an Excel Workbook (.xlsx) and upload it again.")])
    if not content.startswith(XLSX_MAGIC):
        raise TemplateRefused([Problem(
            "This file is not an Excel workbook (.xlsx). Download the template from the return page, fill it in "
            "and upload it.")])
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise TemplateRefused([Problem(DAMAGED)])
    if zip_unpacks_too_much(members, max_members=MAX_MEMBERS, max_unpacked=settings.UPLOAD_MAX_UNCOMPRESSED_BYTES,
                            max_ratio=MAX_RATIO):
        raise TemplateRefused([Problem(
            "The file unpacks to far more data than a return template holds, so it was not opened. "
            "Download a new template from the return page.")])
    if "xl/workbook.xml" not in {m.filename for m in members}:
        raise TemplateRefused([Problem("This file is not an Excel workbook (.xlsx): it has no workbook inside.")])
    try:
        scan = bounds.scan_package(archive, first_sheet=t.IDENTITY_SHEET)
        # The identity is read first and on its own: two columns, a row per line and measure.
        bounds.check_sheet(scan, t.IDENTITY_SHEET, MAX_IDENTITY_ROWS, 2)
    except bounds.Unbounded as error:
        raise TemplateRefused([Problem(error.message, error.sheet)])
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, ValueError, NotImplementedError):
        raise TemplateRefused([Problem(DAMAGED)])
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False, keep_links=False), scan
    except Exception:  # noqa: BLE001 - any failure of the parser means the same thing to the user
        # openpyxl raises KeyError, ValueError, TypeError, zipfile and XML errors (defusedxml's
        # refusals of entity declarations among them) for files it cannot read.
        raise TemplateRefused([Problem(UNREADABLE)])


def unless_unreadable(read, book, *args):
    """Run `read` over the workbook's sheets, which openpyxl parses lazily: XML that breaks part-way
    through a sheet (a cut-short or hand-edited file) fails here, not when the file was opened."""
    try:
        return read(book, *args)
    except TemplateRefused:
        raise
    except (ElementTree.ParseError, DefusedXmlException, zipfile.BadZipFile, KeyError, ValueError, TypeError,
            IndexError, EOFError, OSError, zlib.error):
        raise TemplateRefused([Problem(UNREADABLE)])


def sheet_cells(book, sheet_name: str, max_row: int, max_col: int) -> dict[tuple[int, int], object]:
    """The cells of a sheet up to (max_row, max_col), 0-based, read once."""
    cells = {}
    for r, row in enumerate(book[sheet_name].iter_rows(min_row=1, max_row=max_row, max_col=max_col)):
        for c, cell in enumerate(row):
            cells[(r, c)] = cell
    return cells


def identity(book) -> dict[str, str]:
    if t.IDENTITY_SHEET not in book.sheetnames or any(
        name not in book.sheetnames for name in (t.SPEND_SHEET, t.OUTCOMES_SHEET, t.NARRATIVE_SHEET)
    ):
        raise TemplateRefused([Problem(
            "This workbook is not a return template from this service (its sheets are not ours). Download the "
            "template from the return page and fill that in.")])
    rows = []
    for key, value in book[t.IDENTITY_SHEET].iter_rows(min_row=1, max_row=MAX_IDENTITY_ROWS, max_col=2,
                                                       values_only=True):
        if key is None:
            break
        rows.append((str(key), "" if value is None else str(value)))
    values = dict(rows)
    tampered = Problem(
        "The template's hidden identity has been changed, so this file cannot be trusted. Download a new "
        "template from the return page.", t.IDENTITY_SHEET)
    if not rows or rows[-1][0] != t.SIGNATURE_KEY:
        raise TemplateRefused([tampered])
    if values.get("template_version") != t.TEMPLATE_VERSION:
        raise TemplateRefused([Problem(
            f"This is a version {values.get('template_version') or 'unknown'} template; this service reads version "
            f"{t.TEMPLATE_VERSION}. Download a new template from the return page.", t.IDENTITY_SHEET)])
    if not constant_time_compare(t.sign(rows[:-1]), rows[-1][1]):
        raise TemplateRefused([tampered])
    return values


def layout_of(values: dict[str, str]) -> t.TemplateLayout:
    """The layout a verified identity describes (only our own signed rows reach here)."""
    spend = {int(k.split(":")[1]): int(v) for k, v in values.items() if k.startswith("spend:")}
    measures = {int(k.split(":")[1]): int(v) for k, v in values.items() if k.startswith("measure:")}
    version = values["return_version"]
    return t.TemplateLayout(
        project_id=int(values["project_id"]), reference=values["project"],
        quarter=Quarter(int(values["financial_year"]), int(values["quarter"])),
        return_version=int(version) if version else None, spend_rows=spend, measure_rows=measures,
    )
