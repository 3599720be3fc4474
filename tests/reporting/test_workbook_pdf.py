"""
The demo's quarter workbook (West Yorkshire, 2019-20 Q3) as a board-pack document: converted to PDF
by LibreOffice it prints on a few pages (no more than two per sheet), every sheet has its print
titles, landscape orientation and fit-to-width set, and its charts' series point at its own cells.

The PDF test needs LibreOffice (`soffice`); CI installs it (.ci/run). Where it is not installed the
test is skipped and says so.
"""

import io
import os
import re
import shutil
import subprocess
import zipfile

import openpyxl
import pytest

from grants.models import User
from grants.periods import Quarter
from reporting.spreadsheets.commissioner import commissioner_workbook
from tests import worlds

QUARTER = Quarter(2019, 3)
demo_once = worlds.built_once_per_module(worlds.the_demo)
CONVERT_TIMEOUT = 180  # seconds; a first start of LibreOffice builds its profile


@pytest.fixture
def the_demo(demo_once, db):
    return demo_once


@pytest.fixture
def demo_workbook(the_demo) -> bytes:
    buffer = io.BytesIO()
    commissioner_workbook(buffer, user=User.objects.get(username="commissioner"), quarter=QUARTER)
    return buffer.getvalue()


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_pages(content: bytes) -> int:
    """The number of pages of a PDF: its page objects (/Type /Page, not /Pages)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", content))


def to_pdf(xlsx: bytes, tmp_path) -> bytes:
    program = soffice()
    source = tmp_path / "workbook.xlsx"
    source.write_bytes(xlsx)
    profile = tmp_path / "lo-profile"  # a profile of its own, so that runs in parallel do not collide
    subprocess.run(
        [program, f"-env:UserInstallation=file://{profile}", "--headless", "--norestore",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        check=True, capture_output=True, timeout=CONVERT_TIMEOUT, env={**os.environ, "HOME": str(tmp_path)},
    )
    return (tmp_path / "workbook.pdf").read_bytes()


@pytest.mark.skipif(soffice() is None, reason="LibreOffice (soffice) is not installed: the PDF page count "
                                              "cannot be measured here (CI installs libreoffice-calc-nogui)")
def test_the_demos_quarter_workbook_prints_on_no_more_than_two_pages_a_sheet(demo_workbook, tmp_path):
    sheets = openpyxl.load_workbook(io.BytesIO(demo_workbook), read_only=True).sheetnames
    pages = pdf_pages(to_pdf(demo_workbook, tmp_path))
    assert 0 < pages <= 2 * len(sheets), f"{pages} pages for {len(sheets)} sheets"


def test_every_sheet_prints_landscape_one_page_wide_with_its_titles(demo_workbook):
    book = openpyxl.load_workbook(io.BytesIO(demo_workbook))
    for ws in book.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        # One page wide (1 is the file format's default, so it may be left out) and as many tall as needed.
        assert (ws.page_setup.fitToWidth or 1, ws.page_setup.fitToHeight) == (1, 0), ws.title
        assert ws.print_title_rows, ws.title


def test_the_charts_series_point_at_cells_of_the_workbook(demo_workbook):
    book = openpyxl.load_workbook(io.BytesIO(demo_workbook))
    with zipfile.ZipFile(io.BytesIO(demo_workbook)) as archive:
        charts = [archive.read(name).decode() for name in archive.namelist()
                  if re.fullmatch(r"xl/charts/chart\d+\.xml", name)]
    assert len(charts) == 4
    for xml in charts:
        references = re.findall(r"<c:(val|cat)>.*?<c:f>(.*?)</c:f>", xml, re.S)
        assert references
        for _part, reference in references:
            sheet, cells = reference.rsplit("!", 1)
            sheet = sheet.strip("'").replace("''", "'")
            assert sheet in book.sheetnames
            found = book[sheet][cells.replace("$", "")]
            found = found if isinstance(found, tuple) else ((found,),)
            values = [cell.value for row in found for cell in (row if isinstance(row, tuple) else (row,))]
            assert any(v is not None for v in values), reference
