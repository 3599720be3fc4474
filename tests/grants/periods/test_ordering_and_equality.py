"""
Comparing periods (grants/periods.py): quarters and financial years sort in time
order, equal periods are equal and hash alike, a year and a quarter are neither
equal nor ordered against each other, and periods cannot be changed once made.
Pure Python: no database.
"""

import dataclasses
from datetime import date

import pytest

from grants.periods import FinancialYear, Quarter
from tests.grants.periods.helpers import labels, q


# --- Ordering, equality, hashing -------------------------------------------------


def test_quarters_sort_in_time_order_across_years():
    shuffled = [q("2024-25 Q1"), q("2023-24 Q4"), q("2023-24 Q1"), q("2022-23 Q4"), q("2023-24 Q2")]
    assert labels(sorted(shuffled)) == ["2022-23 Q4", "2023-24 Q1", "2023-24 Q2", "2023-24 Q4", "2024-25 Q1"]


@pytest.mark.parametrize(
    "earlier, later",
    [("2023-24 Q4", "2024-25 Q1"), ("2023-24 Q1", "2023-24 Q2"), ("2022-23 Q4", "2023-24 Q1"), ("1999-00 Q4", "2000-01 Q1")],
)
def test_an_earlier_quarter_compares_less_than_a_later_one(earlier, later):
    assert q(earlier) < q(later)
    assert q(later) > q(earlier)
    assert q(earlier) <= q(later)
    assert not q(later) < q(earlier)
    assert max(q(earlier), q(later)) == q(later)


def test_financial_years_sort_in_time_order():
    years = [FinancialYear(2024), FinancialYear(1999), FinancialYear(2023)]
    assert [year.label for year in sorted(years)] == ["1999-00", "2023-24", "2024-25"]
    assert FinancialYear(2023) < FinancialYear(2024)
    assert FinancialYear(2023) >= FinancialYear(2023)


def test_equal_periods_are_equal_and_hash_alike():
    assert Quarter(2023, 2) == q("2023-24 Q2") == Quarter.from_date(date(2023, 8, 1))
    assert hash(Quarter(2023, 2)) == hash(q("2023/24 q2"))
    assert FinancialYear(2023) == FinancialYear.from_label("2023-2024")
    assert hash(FinancialYear(2023)) == hash(FinancialYear.from_date(date(2024, 3, 31)))


def test_different_periods_are_not_equal():
    assert Quarter(2023, 2) != Quarter(2023, 3)
    assert Quarter(2023, 2) != Quarter(2024, 2)
    assert FinancialYear(2023) != FinancialYear(2024)


def test_a_financial_year_is_not_equal_to_its_first_quarter():
    assert FinancialYear(2023) != Quarter(2023, 1)
    assert Quarter(2023, 1) != FinancialYear(2023)


def test_a_financial_year_and_a_quarter_cannot_be_ordered_against_each_other():
    with pytest.raises(TypeError):
        FinancialYear(2023) < Quarter(2023, 1)  # noqa: B015


def test_periods_work_as_set_members_and_dictionary_keys():
    quarters = {Quarter(2023, 1), q("2023-24 Q1"), Quarter.from_date(date(2023, 4, 1)), Quarter(2023, 2)}
    assert quarters == {Quarter(2023, 1), Quarter(2023, 2)}
    spend = {Quarter(2023, 4): 10, FinancialYear(2023): 40}
    assert spend[q("2023-24 Q4")] == 10
    assert spend[FinancialYear.from_label("2023/24")] == 40


@pytest.mark.parametrize(
    "period, field, value",
    [(Quarter(2023, 1), "number", 2), (Quarter(2023, 1), "financial_year", 2024), (FinancialYear(2023), "start_year", 2024)],
)
def test_periods_cannot_be_changed_once_made(period, field, value):
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(period, field, value)
