"""
The quarters of the UK financial year as grants/periods.py computes them: which
quarters it accepts, finding one from a date or reading one from its label, its
label, first and last days, and when its return is due. Pure Python: no database.

Q1 is April–June, Q2 July–September, Q3 October–December and Q4 January–March,
so Q4 of 2023-24 lies in calendar 2024 and ends on 31 March 2024.
"""

from datetime import date, timedelta

import pytest

from grants.periods import FinancialYear, Quarter
from tests.grants.periods.helpers import q


# --- Quarter: construction -------------------------------------------------------


@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_it_accepts_quarters_one_to_four(number):
    assert Quarter(2023, number).number == number


@pytest.mark.parametrize("number", [0, 5, -1, 100])
def test_it_refuses_a_quarter_number_outside_one_to_four(number):
    with pytest.raises(ValueError) as caught:
        Quarter(2023, number)
    assert str(caught.value) == f"Quarter must be 1, 2, 3 or 4, not {number}"


@pytest.mark.parametrize("number", [2.0, 1.5, "2", None, True])
def test_it_refuses_a_quarter_number_that_is_not_a_whole_number(number):
    with pytest.raises(ValueError, match="Quarter must be 1, 2, 3 or 4"):
        Quarter(2023, number)


@pytest.mark.parametrize("year", [1899, 3000, "2023", 2023.0])
def test_it_refuses_a_quarter_of_a_year_that_is_not_a_financial_year(year):
    with pytest.raises(ValueError, match="is not a financial year"):
        Quarter(year, 1)


# --- Quarter.from_date -----------------------------------------------------------


@pytest.mark.parametrize(
    "day, label",
    [
        (date(2024, 3, 31), "2023-24 Q4"),
        (date(2024, 4, 1), "2024-25 Q1"),
        (date(2023, 4, 1), "2023-24 Q1"),
        (date(2023, 6, 30), "2023-24 Q1"),
        (date(2023, 7, 1), "2023-24 Q2"),
        (date(2023, 9, 30), "2023-24 Q2"),
        (date(2023, 10, 1), "2023-24 Q3"),
        (date(2023, 12, 31), "2023-24 Q3"),
        (date(2024, 1, 1), "2023-24 Q4"),
        (date(2024, 2, 29), "2023-24 Q4"),  # leap day
        (date(2019, 9, 30), "2019-20 Q2"),
        (date(2000, 1, 1), "1999-00 Q4"),
    ],
)
def test_a_quarter_is_found_from_a_date(day, label):
    assert Quarter.from_date(day).label == label


def test_every_day_of_a_year_falls_in_a_quarter_that_contains_it():
    day, last = date(2023, 4, 1), date(2024, 3, 31)
    days_per_quarter = {}
    while day <= last:
        quarter = Quarter.from_date(day)
        assert quarter.contains(day)
        assert quarter.year == FinancialYear.from_date(day)
        days_per_quarter[quarter.number] = days_per_quarter.get(quarter.number, 0) + 1
        day += timedelta(days=1)
    assert days_per_quarter == {1: 91, 2: 92, 3: 92, 4: 91}  # Q4 of 2023-24 has 29 February


# --- Quarter.from_label ----------------------------------------------------------


@pytest.mark.parametrize(
    "label, year, number",
    [
        ("2023-24 Q2", 2023, 2),
        ("2023-24 q2", 2023, 2),
        ("2023/24 Q1", 2023, 1),
        ("2023-2024 Q4", 2023, 4),
        ("2023–24 Q3", 2023, 3),
        ("  2023-24   Q3  ", 2023, 3),
        ("1999-00 Q4", 1999, 4),
    ],
)
def test_a_quarter_is_read_from_its_label(label, year, number):
    assert Quarter.from_label(label) == Quarter(year, number)


@pytest.mark.parametrize(
    "label",
    ["Q5", "Q2", "", "2023-24", "2023-24 Q5", "2023-24 Q0", "2023-24Q2", "Q2 2023-24", "2023-24 Quarter 2", "2023 Q2"],
)
def test_it_refuses_a_label_that_is_not_a_quarter(label):
    with pytest.raises(ValueError) as caught:
        Quarter.from_label(label)
    assert str(caught.value) == f"“{label}” is not a quarter: write it like 2023-24 Q2"


def test_it_refuses_a_quarter_label_whose_years_do_not_follow_on():
    with pytest.raises(ValueError) as caught:
        Quarter.from_label("2023-25 Q2")
    assert str(caught.value) == "“2023-25” is not a financial year: 2023 is followed by 2024"


def test_it_refuses_no_label_at_all_as_a_quarter():
    with pytest.raises(ValueError, match="is not a quarter: write it like 2023-24 Q2"):
        Quarter.from_label(None)


# --- Quarter: labels and dates ---------------------------------------------------


@pytest.mark.parametrize(
    "year, number, label, months",
    [
        (2023, 1, "2023-24 Q1", "Apr–Jun"),
        (2023, 2, "2023-24 Q2", "Jul–Sep"),
        (2023, 3, "2023-24 Q3", "Oct–Dec"),
        (2023, 4, "2023-24 Q4", "Jan–Mar"),
        (1999, 4, "1999-00 Q4", "Jan–Mar"),
    ],
)
def test_a_quarter_is_labelled_with_its_year_and_number(year, number, label, months):
    quarter = Quarter(year, number)
    assert quarter.label == label
    assert str(quarter) == label
    assert quarter.months == months
    assert quarter.year == FinancialYear(year)


@pytest.mark.parametrize("year", [1900, 2023, 2999])
@pytest.mark.parametrize("number", [1, 2, 3, 4])
def test_a_quarter_label_reads_back_as_the_same_quarter(year, number):
    quarter = Quarter(year, number)
    assert Quarter.from_label(quarter.label) == quarter


@pytest.mark.parametrize(
    "label, start, end",
    [
        ("2023-24 Q1", date(2023, 4, 1), date(2023, 6, 30)),
        ("2023-24 Q2", date(2023, 7, 1), date(2023, 9, 30)),
        ("2023-24 Q3", date(2023, 10, 1), date(2023, 12, 31)),
        ("2023-24 Q4", date(2024, 1, 1), date(2024, 3, 31)),  # crosses into the next calendar year
        ("2019-20 Q4", date(2020, 1, 1), date(2020, 3, 31)),
        ("1999-00 Q4", date(2000, 1, 1), date(2000, 3, 31)),
        ("2999-00 Q4", date(3000, 1, 1), date(3000, 3, 31)),  # the last quarter allowed
    ],
)
def test_a_quarter_starts_and_ends_on_the_right_days(label, start, end):
    quarter = q(label)
    assert quarter.start == start
    assert quarter.end == end


@pytest.mark.parametrize(
    "day, contained",
    [
        (date(2023, 12, 31), False),
        (date(2024, 1, 1), True),
        (date(2024, 2, 29), True),
        (date(2024, 3, 31), True),
        (date(2024, 4, 1), False),
        (date(2023, 2, 15), False),  # Q4 of the year before
    ],
)
def test_2023_24_q4_contains_january_to_march_2024_including_the_leap_day(day, contained):
    assert q("2023-24 Q4").contains(day) is contained


# --- Quarter: due dates ----------------------------------------------------------


@pytest.mark.parametrize(
    "label, days, due",
    [
        ("2023-24 Q1", 0, date(2023, 6, 30)),
        ("2023-24 Q1", 1, date(2023, 7, 1)),  # across a month end
        ("2023-24 Q1", 30, date(2023, 7, 30)),
        ("2023-24 Q2", 31, date(2023, 10, 31)),
        ("2023-24 Q2", 32, date(2023, 11, 1)),
        ("2023-24 Q3", 1, date(2024, 1, 1)),  # across a calendar year end
        ("2023-24 Q3", 30, date(2024, 1, 30)),
        ("2023-24 Q3", 60, date(2024, 2, 29)),  # lands on the leap day
        ("2023-24 Q4", 1, date(2024, 4, 1)),  # across a financial year end
        ("2023-24 Q4", 30, date(2024, 4, 30)),
        ("2022-23 Q3", 60, date(2023, 3, 1)),  # no leap day in 2023
        ("2023-24 Q4", 120, date(2024, 7, 29)),
    ],
)
def test_a_return_is_due_the_given_number_of_days_after_the_quarter_ends(label, days, due):
    assert q(label).due_date(days) == due


@pytest.mark.parametrize("days", [-1, -30])
def test_it_refuses_a_due_date_before_the_quarter_ends(days):
    with pytest.raises(ValueError) as caught:
        q("2023-24 Q1").due_date(days)
    assert str(caught.value) == "Days after quarter end cannot be negative"
