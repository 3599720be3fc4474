"""
The rules behind the year-end figures of an allocation for one financial year: what it is charged
in each year, what is owed to the recipient at the year end (the accrual) or held by it ahead of its
spend (the prepayment), the year a clawback falls on, and which year has ended most recently.

Pure functions of plain values: grants.selectors.year_end reads the rows, these decide the figures.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Iterable

from grants.periods import FinancialYear

ZERO = Decimal("0.00")


def amounts_by_year(start: date, amount: Decimal, year_rows: Iterable[tuple[int, Decimal]]) -> dict[int, Decimal]:
    """{financial year: amount} of an allocation, first year first: its rows for the years it runs in
    (AllocationYear, as (year, amount) pairs) when it runs over several, or else its whole amount in the
    year it starts."""
    rows = dict(sorted(year_rows))
    return rows or {FinancialYear.from_date(start).start_year: amount}


def accrual(verified: Decimal, paid: Decimal) -> Decimal:
    """Spend verified for the year that is not yet paid: what the funder owes the recipient at the year
    end. Never below £0.00: paying ahead of spend is a prepayment, shown apart."""
    return max(verified - paid, ZERO)


def prepayment(verified: Decimal, paid: Decimal) -> Decimal:
    """What is paid for the year beyond the spend verified for it: money the recipient holds ahead of
    spending it (an advance), or spend still to verify. Never netted against another allocation's
    accrual."""
    return max(paid - verified, ZERO)


def clawback_year(requested_on: date, years: Iterable[int]) -> int:
    """The financial year of an allocation (one of `years`) that a clawback falls on. A clawback records
    no year of its own: it settles the year that had ended most recently when it was asked for (unspent
    grant is asked back once the year's returns are in), or the allocation's first year when asked for
    before that year ended, its last when asked for after that. An allocation of one year takes all of
    its clawbacks."""
    years = sorted(years)
    settled = year_just_ended(requested_on).start_year
    return min(max(settled, years[0]), years[-1])


def year_just_ended(today: date) -> FinancialYear:
    """The financial year that ended most recently on or before `today`: on 31 March the year ending
    that day, from 1 April until the next 30 March the same year."""
    return FinancialYear.from_date(today + timedelta(days=1)).previous()


__all__ = ["accrual", "amounts_by_year", "clawback_year", "prepayment", "year_just_ended"]
