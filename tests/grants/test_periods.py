"""
The UK financial year (1 April to 31 March) and its quarters, as grants/periods.py
computes them. Pure Python: no database.

Q1 is April–June, Q2 July–September, Q3 October–December and Q4 January–March,
so Q4 of 2023-24 lies in calendar 2024 and ends on 31 March 2024.
"""

import dataclasses
from datetime import date, timedelta

import pytest

from grants.periods import FinancialYear, Quarter


def q(label: str) -> Quarter:
    return Quarter.from_label(label)


def labels(quarters) -> list[str]:
    return [quarter.label for quarter in quarters]


# --- FinancialYear: construction -------------------------------------------------


@pytest.mark.parametrize("start_year", [1900, 2023, 2999])
def test_it_accepts_a_financial_year_between_1900_and_2999(start_year):
    assert FinancialYear(start_year).start_year == start_year


@pytest.mark.parametrize("start_year", [1899, 3000, 0, -2023, 2023.0, "2023", None, True])
def test_it_refuses_a_financial_year_that_is_not_a_whole_year_in_range(start_year):
    with pytest.raises(ValueError, match="is not a financial year"):
        FinancialYear(start_year)


# --- FinancialYear.from_date -------------------------------------------------------


@pytest.mark.parametrize(
    "day, start_year",
    [
        (date(2024, 3, 31), 2023),  # last day of 2023-24
        (date(2024, 4, 1), 2024),  # first day of 2024-25
        (date(2023, 4, 1), 2023),
        (date(2023, 3, 31), 2022),
        (date(2023, 6, 30), 2023),
        (date(2023, 7, 1), 2023),
        (date(2023, 12, 31), 2023),  # the calendar year ends, the financial year does not
        (date(2024, 1, 1), 2023),
        (date(2024, 2, 29), 2023),  # leap day
        (date(2000, 1, 1), 1999),
    ],
)
def test_a_financial_year_is_found_from_a_date(day, start_year):
    assert FinancialYear.from_date(day) == FinancialYear(start_year)


def test_every_day_of_a_financial_year_is_found_in_that_year():
    year = FinancialYear(2023)
    day = year.start
    days = 0
    while day <= year.end:
        assert FinancialYear.from_date(day) == year
        assert year.contains(day)
        day += timedelta(days=1)
        days += 1
    assert days == 366  # 2023-24 includes 29 February 2024


# --- FinancialYear.from_label ------------------------------------------------------


@pytest.mark.parametrize(
    "label, start_year",
    [
        ("2023-24", 2023),
        ("2023/24", 2023),
        ("2023-2024", 2023),
        ("2023/2024", 2023),
        ("2023–24", 2023),  # en dash, as typed by word processors
        ("  2023 - 24  ", 2023),
        ("1999-00", 1999),  # across a century
        ("1999-2000", 1999),
        ("2009-10", 2009),
        ("2999-00", 2999),
    ],
)
def test_a_financial_year_is_read_from_its_label(label, start_year):
    assert FinancialYear.from_label(label) == FinancialYear(start_year)


@pytest.mark.parametrize(
    "label, message",
    [
        ("2023", "“2023” is not a financial year: write it like 2023-24"),
        ("", "“” is not a financial year: write it like 2023-24"),
        ("23-24", "“23-24” is not a financial year: write it like 2023-24"),
        ("2023-4", "“2023-4” is not a financial year: write it like 2023-24"),
        ("2023-024", "“2023-024” is not a financial year: write it like 2023-24"),
        ("2023 24", "“2023 24” is not a financial year: write it like 2023-24"),
        ("2023-24 Q2", "“2023-24 Q2” is not a financial year: write it like 2023-24"),
        ("FY2023-24", "“FY2023-24” is not a financial year: write it like 2023-24"),
        ("2023-25", "“2023-25” is not a financial year: 2023 is followed by 2024"),
        ("2023-23", "“2023-23” is not a financial year: 2023 is followed by 2024"),
        ("2023-2025", "“2023-2025” is not a financial year: 2023 is followed by 2024"),
        ("2023-1924", "“2023-1924” is not a financial year: 2023 is followed by 2024"),
        ("1999-2100", "“1999-2100” is not a financial year: 1999 is followed by 2000"),
    ],
)
def test_it_refuses_a_label_that_is_not_a_financial_year(label, message):
    with pytest.raises(ValueError) as caught:
        FinancialYear.from_label(label)
    assert str(caught.value) == message


def test_it_refuses_no_label_at_all_as_a_financial_year():
    with pytest.raises(ValueError, match="is not a financial year: write it like 2023-24"):
        FinancialYear.from_label(None)


@pytest.mark.parametrize("label", ["1899-00", "3000-01"])
def test_it_refuses_a_well_formed_label_outside_the_years_allowed(label):
    with pytest.raises(ValueError, match="is not a financial year"):
        FinancialYear.from_label(label)


# --- FinancialYear: labels, dates, neighbours ------------------------------------


@pytest.mark.parametrize(
    "start_year, label",
    [(2023, "2023-24"), (1999, "1999-00"), (2009, "2009-10"), (2000, "2000-01"), (2099, "2099-00")],
)
def test_a_financial_year_is_labelled_with_both_years(start_year, label):
    year = FinancialYear(start_year)
    assert year.label == label
    assert str(year) == label


@pytest.mark.parametrize("start_year", [1900, 1999, 2019, 2023, 2999])
def test_a_financial_year_label_reads_back_as_the_same_year(start_year):
    year = FinancialYear(start_year)
    assert FinancialYear.from_label(year.label) == year


@pytest.mark.parametrize(
    "start_year, start, end",
    [
        (2023, date(2023, 4, 1), date(2024, 3, 31)),
        (2019, date(2019, 4, 1), date(2020, 3, 31)),
        (1999, date(1999, 4, 1), date(2000, 3, 31)),
        (2999, date(2999, 4, 1), date(3000, 3, 31)),
    ],
)
def test_a_financial_year_runs_from_1_april_to_31_march(start_year, start, end):
    year = FinancialYear(start_year)
    assert year.start == start
    assert year.end == end


@pytest.mark.parametrize(
    "day, contained",
    [
        (date(2023, 3, 31), False),
        (date(2023, 4, 1), True),
        (date(2023, 12, 31), True),
        (date(2024, 1, 1), True),
        (date(2024, 2, 29), True),
        (date(2024, 3, 31), True),
        (date(2024, 4, 1), False),
    ],
)
def test_a_financial_year_contains_only_its_own_days(day, contained):
    assert FinancialYear(2023).contains(day) is contained


def test_the_year_after_2023_24_is_2024_25_and_the_year_before_is_2022_23():
    year = FinancialYear(2023)
    assert year.next() == FinancialYear(2024)
    assert year.previous() == FinancialYear(2022)
    assert year.next().previous() == year


def test_the_year_after_1999_00_is_2000_01():
    assert FinancialYear.from_label("1999-00").next().label == "2000-01"


@pytest.mark.parametrize("year, step", [(FinancialYear(2999), "next"), (FinancialYear(1900), "previous")])
def test_it_refuses_to_step_outside_the_years_allowed(year, step):
    with pytest.raises(ValueError, match="is not a financial year"):
        getattr(year, step)()


def test_a_financial_year_has_four_quarters_in_order():
    year = FinancialYear(2023)
    assert year.quarters() == [Quarter(2023, 1), Quarter(2023, 2), Quarter(2023, 3), Quarter(2023, 4)]
    assert [year.quarter(n) for n in (1, 2, 3, 4)] == year.quarters()


def test_the_quarters_of_a_financial_year_cover_it_without_gaps_or_overlaps():
    year = FinancialYear(2023)
    quarters = year.quarters()
    assert quarters[0].start == year.start
    assert quarters[-1].end == year.end
    for earlier, later in zip(quarters, quarters[1:]):
        assert later.start == earlier.end + timedelta(days=1)


@pytest.mark.parametrize("number", [0, 5, -1])
def test_a_financial_year_refuses_a_quarter_that_does_not_exist(number):
    with pytest.raises(ValueError, match=f"Quarter must be 1, 2, 3 or 4, not {number}"):
        FinancialYear(2023).quarter(number)


@pytest.mark.parametrize(
    "first, last, expected",
    [
        (2021, 2023, ["2021-22", "2022-23", "2023-24"]),
        (2023, 2023, ["2023-24"]),
        (1998, 2001, ["1998-99", "1999-00", "2000-01", "2001-02"]),
        (2024, 2023, []),
    ],
)
def test_a_range_of_financial_years_includes_both_ends_and_is_empty_when_backwards(first, last, expected):
    years = FinancialYear.range(FinancialYear(first), FinancialYear(last))
    assert [year.label for year in years] == expected


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
