"""Hostile files are refused before they cost anything, with a message, and nothing is saved: the probes the
return template's upload faces (tests/reporting/hostile_files.py), against an indicator file."""

import io
import time
import zipfile

import pytest

from grants.models import Indicator, IndicatorImport, IndicatorValue
from reporting.places.files import OLE_MAGIC
from reporting.places.preview import FileRefused, read_indicator_file
from tests.reporting import hostile_files as h

from .helpers import CRIME_HEADINGS, areas, crime_rows, xlsx_bytes

pytestmark = pytest.mark.django_db
SECONDS = 2.0


@pytest.fixture
def owner(actors):
    areas()
    return actors.commissioner_org


@pytest.fixture
def good():
    return xlsx_bytes(CRIME_HEADINGS, crime_rows(), sheet="Figures")


def refused(content, owner) -> list[str]:
    started = time.process_time()
    with pytest.raises(FileRefused) as caught:
        read_indicator_file(content, layout="crime", owner=owner, file_name="hostile.xlsx")
    assert time.process_time() - started < SECONDS
    assert not (Indicator.objects.exists() or IndicatorValue.objects.exists() or IndicatorImport.objects.exists())
    return [str(p) for p in caught.value.problems]


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def test_a_file_over_the_upload_size_is_refused_unread(owner, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    assert "the largest file you can import is" in refused(b"x" * 1001, owner)[0]


def test_a_zip_that_is_not_a_workbook_is_refused(owner):
    assert refused(_zip({"hello.txt": b"hello"}), owner) == [
        "This file is not an Excel workbook (.xlsx): it has no workbook inside."]


def test_a_damaged_zip_is_refused(owner, good):
    assert "damaged" in refused(good[:len(good) // 2], owner)[0]


def test_a_zip_bomb_is_refused_by_its_ratio_before_it_is_inflated(owner):
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\x20" * (30 * 1024 * 1024)})
    assert refused(bomb, owner) == ["The file unpacks to far more data than a file of figures holds, so it was not opened."]


def test_members_with_parent_directory_names_are_refused(owner, good):
    archive = zipfile.ZipFile(io.BytesIO(good))
    members = {info.filename: archive.read(info) for info in archive.infolist()}
    members["../../etc/evil.xml"] = b"<x/>"
    assert refused(_zip(members), owner) == ["The file holds members with unsafe names, so it was not opened."]


def test_a_huge_row_count_is_refused_by_the_scan(owner, good, settings):
    settings.INDICATOR_IMPORT_MAX_ROWS = 1000
    found = refused(h.many_rows(good, sheet="Figures", rows=5000), owner)
    assert found == ["The file holds more than 1,000 rows of figures, the most one import takes. Split it into "
                     "smaller files (for example a year each) and import each."]


def test_a_row_of_a_million_cells_is_refused_by_the_scan(owner, good):
    found = refused(h.huge_row(good, sheet="Figures", cells=300_000), owner)
    assert "beyond column T" in found[0]


def test_a_flood_of_shared_strings_is_refused(owner, good):
    assert "different texts" in refused(h.many_shared_strings(good, strings=150_000), owner)[0]


def test_a_flood_of_cell_formats_is_refused(owner, good):
    assert "cell styles" in refused(h.many_styles(good, formats=5_000), owner)[0]


def test_an_entity_declaration_is_refused(owner, good):
    parts = h.sheet_parts(good)
    archive = zipfile.ZipFile(io.BytesIO(good))
    sheet = archive.read(parts["Figures"])
    evil = sheet.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">]><worksheet', 1)
    assert "XML entities" in refused(h.rewrite(good, {parts["Figures"]: evil}), owner)[0]


def test_an_older_excel_file_and_an_encrypted_one_are_named(owner):
    assert "older Excel file" in refused(OLE_MAGIC + b"\x00" * 600, owner)[0]
    assert "protected with a password" in refused(h.encrypted_workbook(), owner)[0]


def test_a_binary_file_is_not_read_as_csv(owner):
    assert "neither CSV text nor an Excel workbook" in refused(b"\x89PNG\r\n\x1a\n\x00\x00", owner)[0]


def test_a_csv_row_of_thousands_of_cells_is_refused(owner):
    content = ("Month,Area code,Crime type,Count\r\n" + "," * 10_000 + "\r\n").encode()
    assert "a layout has at most 20" in refused(content, owner)[0]
