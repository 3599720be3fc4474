"""
Moving between quarters of the UK financial year (grants/periods.py): the next and
previous quarter, adding and subtracting quarters across years, ranges, the
quarters covering two dates, year to date and the last twelve months. Pure
Python: no database.
"""

from datetime import date

import pytest

from grants.periods import Quarter
from tests.grants.periods.helpers import labels, q


# --- Quarter: neighbours and arithmetic ------------------------------------------


@pytest.mark.parametrize(
    "label, following",
    [
        ("2023-24 Q1", "2023-24 Q2"),
        ("2023-24 Q2", "2023-24 Q3"),
        ("2023-24 Q3", "2023-24 Q4"),
        ("2023-24 Q4", "2024-25 Q1"),  # across a financial year
        ("1999-00 Q4", "2000-01 Q1"),
    ],
)
def test_the_next_and_previous_quarters_follow_on(label, following):
    assert q(label).next() == q(following)
    assert q(following).previous() == q(label)


@pytest.mark.parametrize(
    "label, quarters, result",
    [
        ("2023-24 Q1", 0, "2023-24 Q1"),
        ("2023-24 Q1", 1, "2023-24 Q2"),
        ("2023-24 Q1", 3, "2023-24 Q4"),
        ("2023-24 Q1", 4, "2024-25 Q1"),
        ("2023-24 Q3", 2, "2024-25 Q1"),
        ("2023-24 Q4", 9, "2026-27 Q1"),
        ("2023-24 Q2", -1, "2023-24 Q1"),
        ("2023-24 Q1", -1, "2022-23 Q4"),
    ],
)
def test_adding_quarters_moves_forward_across_years(label, quarters, result):
    assert q(label) + quarters == q(result)
    assert q(result) - quarters == q(label)


@pytest.mark.parametrize(
    "label, quarters, result",
    [
        ("2023-24 Q1", 1, "2022-23 Q4"),
        ("2023-24 Q1", 4, "2022-23 Q1"),
        ("2023-24 Q2", 5, "2022-23 Q1"),
        ("2023-24 Q4", 3, "2023-24 Q1"),
        ("2000-01 Q1", 1, "1999-00 Q4"),
    ],
)
def test_subtracting_quarters_moves_back_across_years(label, quarters, result):
    assert q(label) - quarters == q(result)


@pytest.mark.parametrize(
    "step",
    [lambda: Quarter(2999, 4).next(), lambda: Quarter(2999, 4) + 1, lambda: Quarter(1900, 1).previous(), lambda: Quarter(1900, 1) - 1],
)
def test_it_refuses_to_step_outside_the_quarters_allowed(step):
    with pytest.raises(ValueError, match="is not a financial year"):
        step()


# --- Quarter: ranges, covering, year to date, rolling twelve months ---------------


@pytest.mark.parametrize(
    "first, last, expected",
    [
        ("2023-24 Q1", "2023-24 Q4", ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]),
        ("2023-24 Q3", "2024-25 Q2", ["2023-24 Q3", "2023-24 Q4", "2024-25 Q1", "2024-25 Q2"]),
        ("2023-24 Q2", "2023-24 Q2", ["2023-24 Q2"]),
        ("2023-24 Q3", "2023-24 Q2", []),
        ("2024-25 Q1", "2023-24 Q4", []),
    ],
)
def test_a_range_of_quarters_includes_both_ends_and_is_empty_when_backwards(first, last, expected):
    assert labels(Quarter.range(q(first), q(last))) == expected


def test_a_range_of_quarters_over_several_years_has_four_a_year():
    quarters = list(Quarter.range(q("2019-20 Q1"), q("2023-24 Q4")))
    assert len(quarters) == 20
    assert quarters == sorted(quarters)
    assert len(set(quarters)) == 20


@pytest.mark.parametrize(
    "start, end, expected",
    [
        (date(2023, 4, 1), date(2024, 3, 31), ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]),
        (date(2023, 5, 15), date(2023, 5, 15), ["2023-24 Q1"]),
        (date(2023, 6, 30), date(2023, 7, 1), ["2023-24 Q1", "2023-24 Q2"]),
        (date(2023, 12, 31), date(2024, 1, 1), ["2023-24 Q3", "2023-24 Q4"]),
        (date(2024, 3, 31), date(2024, 4, 1), ["2023-24 Q4", "2024-25 Q1"]),
        (date(2023, 9, 1), date(2024, 5, 31), ["2023-24 Q2", "2023-24 Q3", "2023-24 Q4", "2024-25 Q1"]),
        (date(2024, 2, 29), date(2024, 2, 29), ["2023-24 Q4"]),
        (date(2024, 1, 1), date(2023, 12, 31), []),
    ],
)
def test_the_quarters_covering_two_dates_are_those_with_a_day_between_them(start, end, expected):
    assert labels(Quarter.covering(start, end)) == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        ("2023-24 Q1", ["2023-24 Q1"]),
        ("2023-24 Q2", ["2023-24 Q1", "2023-24 Q2"]),
        ("2023-24 Q3", ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3"]),
        ("2023-24 Q4", ["2023-24 Q1", "2023-24 Q2", "2023-24 Q3", "2023-24 Q4"]),
    ],
)
def test_year_to_date_is_the_quarters_of_the_same_financial_year_so_far(label, expected):
    assert labels(q(label).year_to_date()) == expected


@pytest.mark.parametrize(
    "label, expected",
    [
        ("2019-20 Q2", ["2018-19 Q3", "2018-19 Q4", "2019-20 Q1", "2019-20 Q2"]),
        ("2019-20 Q1", ["2018-19 Q2", "2018-19 Q3", "2018-19 Q4", "2019-20 Q1"]),
        ("2019-20 Q3", ["2018-19 Q4", "2019-20 Q1", "2019-20 Q2", "2019-20 Q3"]),
        ("2019-20 Q4", ["2019-20 Q1", "2019-20 Q2", "2019-20 Q3", "2019-20 Q4"]),
    ],
)
def test_the_last_twelve_months_are_the_four_quarters_ending_with_this_one(label, expected):
    assert labels(q(label).last_twelve_months()) == expected


def test_the_twelve_months_to_30_september_2019_run_from_2018_19_q3_to_2019_20_q2():
    quarters = Quarter.from_date(date(2019, 9, 30)).last_twelve_months()
    assert labels(quarters) == ["2018-19 Q3", "2018-19 Q4", "2019-20 Q1", "2019-20 Q2"]
    assert quarters[0].start == date(2018, 10, 1)
    assert quarters[-1].end == date(2019, 9, 30)
