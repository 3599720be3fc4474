"""
A commissioner's world for the workbook tests, and how to read a workbook back.

Two programmes of the commissioner in 2023-24 (CSF: projects A-1 and B-1; SVD: project C-1,
whose name looks like a formula), a draft allocation's project that is not reported, and
another commissioner's programme (also coded CSF) with approved returns that must never
appear. Returns are made through the services, in every status:

    A-1  Q1 approved   Q2 approved (spend verified)   Q3 approved (after the period)
    B-1  Q1 approved   Q2 returned for amendment (with figures that must not count)
    C-1  Q1 draft      Q2 not started
    X-1  (the other commissioner's) Q1 and Q2 approved
"""

import io
from dataclasses import dataclass
from decimal import Decimal

import openpyxl
import pytest

from grants.models import OutcomeMeasure
from grants.periods import Quarter
from reporting.spreadsheets.commissioner import commissioner_workbook
from tests import worlds
from tests.worlds import FORMULA_NAME, penny  # noqa: F401  (the tests here import them from here)

PENNY = Decimal("0.01")
PERIOD = Quarter(2023, 2)
Unit = OutcomeMeasure.Unit


def money(text: str) -> Decimal:
    return Decimal(text)


@pytest.fixture
def two_programmes(actors):
    return worlds.two_programmes_with_returns_in_every_status(actors)


# --- Reading a workbook back -----------------------------------------------------------------


@dataclass
class Book:
    content: bytes
    formulas: openpyxl.Workbook  # as written: totals are formulas
    values: openpyxl.Workbook  # as a reader that does not calculate sees it: totals are their cached values

    def rows(self, sheet: str) -> list[dict]:
        """The data rows of a sheet (header to the first empty row), as dicts by heading."""
        rows = self.values[sheet].iter_rows(values_only=True)
        headings = next(rows)
        table = []
        for row in rows:
            if all(v is None for v in row):
                break
            table.append(dict(zip(headings, row)))
        return table

    def cells(self, sheet: str, *, formulas=False) -> list[tuple]:
        book = self.formulas if formulas else self.values
        return list(book[sheet].iter_rows(values_only=True))

    def totals(self, sheet: str, *, formulas=False) -> dict[str, dict]:
        """The rows below the data, by their label, as dicts by heading."""
        cells = self.cells(sheet, formulas=formulas)
        headings, rest = cells[0], cells[1:]
        blank = next(i for i, row in enumerate(rest) if all(v is None for v in row))
        return {row[0]: dict(zip(headings, row)) for row in rest[blank + 1:] if row[0] is not None}


def read(content: bytes) -> Book:
    return Book(
        content,
        openpyxl.load_workbook(io.BytesIO(content)),
        openpyxl.load_workbook(io.BytesIO(content), data_only=True),
    )


def export(user, quarter=PERIOD, code=None) -> Book:
    buffer = io.BytesIO()
    commissioner_workbook(buffer, user=user, quarter=quarter, programme_code=code)
    return read(buffer.getvalue())
