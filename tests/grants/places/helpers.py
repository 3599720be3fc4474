"""Files of figures for the import tests: CSV text and xlsx workbooks in each layout."""

import io

from openpyxl import Workbook

from grants.models import Area

CRIME_HEADINGS = ["Month", "Area code", "Crime type", "Count"]
SURVEY_HEADINGS = ["Period", "Area code", "Question", "Breakdown", "Percentage", "Sample size", "Response rate",
                   "CI lower", "CI upper"]
OTHER_HEADINGS = ["Period", "Area code", "Measure", "Value", "Unit"]
CSP = "E22000001"
WARD = "E05000001"


def areas():
    """A partnership area and a ward of it, with ONS codes."""
    return (Area.objects.create(name="Testshire CSP", code=CSP, code_type=Area.CodeType.CSP),
            Area.objects.create(name="Central ward", code=WARD, code_type=Area.CodeType.WD))


def csv_bytes(headings, rows, bom=True) -> bytes:
    lines = [",".join(headings)] + [",".join(str(cell) for cell in row) for row in rows]
    return (("\ufeff" if bom else "") + "\r\n".join(lines) + "\r\n").encode("utf-8")


def xlsx_bytes(headings, rows, sheet="Figures") -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet
    ws.append(headings)
    for row in rows:
        ws.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def crime_rows(months=("2019-07", "2019-08", "2019-09"), codes=(CSP, WARD), types=("Hate crime",), count=10):
    return [(month, code, kind, count) for month in months for code in codes for kind in types]
