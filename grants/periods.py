"""
The UK financial year (1 April to 31 March, written "2023-24") and its
quarters (Q1 Apr–Jun, Q2 Jul–Sep, Q3 Oct–Dec, Q4 Jan–Mar).

Pure Python value objects with no Django import, so that models, services,
spreadsheets and reports all do the same arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterator

_YEAR_LABEL = re.compile(r"^\s*(\d{4})\s*[-/–]\s*(\d{2}|\d{4})\s*$")
_QUARTER_LABEL = re.compile(r"^\s*(\d{4}\s*[-/–]\s*(?:\d{2}|\d{4}))\s+Q([1-4])\s*$", re.IGNORECASE)

# First calendar month of each quarter, and the month names people use.
_QUARTER_START_MONTH = {1: 4, 2: 7, 3: 10, 4: 1}
_QUARTER_MONTHS = {1: "Apr–Jun", 2: "Jul–Sep", 3: "Oct–Dec", 4: "Jan–Mar"}


@dataclass(frozen=True, order=True)
class FinancialYear:
    """A financial year, named by the calendar year in which it starts."""

    start_year: int

    def __post_init__(self):
        if not isinstance(self.start_year, int) or not 1900 <= self.start_year <= 2999:
            raise ValueError(f"{self.start_year!r} is not a financial year")

    @classmethod
    def from_date(cls, day: date) -> FinancialYear:
        return cls(day.year if day.month >= 4 else day.year - 1)

    @classmethod
    def from_label(cls, label: str) -> FinancialYear:
        """Read "2023-24" (or "2023/24", "2023-2024")."""
        match = _YEAR_LABEL.match(label or "")
        if not match:
            raise ValueError(f"“{label}” is not a financial year: write it like 2023-24")
        start, end = int(match.group(1)), match.group(2)
        expected_end = start + 1
        if int(end) != (expected_end if len(end) == 4 else expected_end % 100):
            raise ValueError(f"“{label}” is not a financial year: {start} is followed by {expected_end}")
        return cls(start)

    @property
    def label(self) -> str:
        return f"{self.start_year}-{(self.start_year + 1) % 100:02d}"

    def __str__(self) -> str:
        return self.label

    @property
    def start(self) -> date:
        return date(self.start_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.start_year + 1, 3, 31)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def next(self) -> FinancialYear:
        return FinancialYear(self.start_year + 1)

    def previous(self) -> FinancialYear:
        return FinancialYear(self.start_year - 1)

    def quarter(self, number: int) -> Quarter:
        return Quarter(self.start_year, number)

    def quarters(self) -> list[Quarter]:
        return [Quarter(self.start_year, n) for n in (1, 2, 3, 4)]

    @classmethod
    def range(cls, first: FinancialYear, last: FinancialYear) -> Iterator[FinancialYear]:
        """Every year from first to last, both included."""
        for year in range(first.start_year, last.start_year + 1):
            yield cls(year)


@dataclass(frozen=True, order=True)
class Quarter:
    """Quarter `number` (1–4) of the financial year starting in `financial_year`."""

    financial_year: int
    number: int

    def __post_init__(self):
        FinancialYear(self.financial_year)  # validates the year
        # 2.0 == 2 and True == 1, so check the type too: "2023-24 Q2.0" is no quarter.
        if type(self.number) is not int or self.number not in (1, 2, 3, 4):
            raise ValueError(f"Quarter must be 1, 2, 3 or 4, not {self.number!r}")

    @classmethod
    def from_date(cls, day: date) -> Quarter:
        year = FinancialYear.from_date(day)
        number = {4: 1, 5: 1, 6: 1, 7: 2, 8: 2, 9: 2, 10: 3, 11: 3, 12: 3}.get(day.month, 4)
        return cls(year.start_year, number)

    @classmethod
    def from_label(cls, label: str) -> Quarter:
        """Read "2023-24 Q2"."""
        match = _QUARTER_LABEL.match(label or "")
        if not match:
            raise ValueError(f"“{label}” is not a quarter: write it like 2023-24 Q2")
        return cls(FinancialYear.from_label(match.group(1)).start_year, int(match.group(2)))

    @property
    def year(self) -> FinancialYear:
        return FinancialYear(self.financial_year)

    @property
    def label(self) -> str:
        return f"{self.year.label} Q{self.number}"

    def __str__(self) -> str:
        return self.label

    @property
    def months(self) -> str:
        return _QUARTER_MONTHS[self.number]

    @property
    def start(self) -> date:
        month = _QUARTER_START_MONTH[self.number]
        calendar_year = self.financial_year + (1 if self.number == 4 else 0)
        return date(calendar_year, month, 1)

    @property
    def end(self) -> date:
        # The day before the next quarter starts, worked out from the calendar so
        # that the last quarter of the last year allowed (2999-00 Q4) has an end.
        month = self.start.month + 3
        year = self.start.year + (1 if month > 12 else 0)
        return date(year, (month - 1) % 12 + 1, 1) - timedelta(days=1)

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def due_date(self, days_after_end: int) -> date:
        """The date a return for this quarter is due: N days after the quarter ends."""
        if days_after_end < 0:
            raise ValueError("Days after quarter end cannot be negative")
        return self.end + timedelta(days=days_after_end)

    @property
    def _index(self) -> int:
        return self.financial_year * 4 + self.number - 1

    @classmethod
    def _from_index(cls, index: int) -> Quarter:
        return cls(index // 4, index % 4 + 1)

    def next(self) -> Quarter:
        return self._from_index(self._index + 1)

    def previous(self) -> Quarter:
        return self._from_index(self._index - 1)

    def __add__(self, quarters: int) -> Quarter:
        return self._from_index(self._index + quarters)

    def __sub__(self, quarters: int) -> Quarter:
        return self._from_index(self._index - quarters)

    @classmethod
    def range(cls, first: Quarter, last: Quarter) -> Iterator[Quarter]:
        """Every quarter from first to last, both included; nothing if last is before first."""
        for index in range(first._index, last._index + 1):
            yield cls._from_index(index)

    @classmethod
    def covering(cls, start: date, end: date) -> Iterator[Quarter]:
        """Every quarter that has at least one day between start and end."""
        return cls.range(cls.from_date(start), cls.from_date(end))

    def year_to_date(self) -> list[Quarter]:
        """The quarters of this financial year up to and including this one."""
        return [Quarter(self.financial_year, n) for n in range(1, self.number + 1)]

    def last_twelve_months(self) -> list[Quarter]:
        """The four quarters ending with this one (a rolling 12-month view)."""
        return list(Quarter.range(self - 3, self))
