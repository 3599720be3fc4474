"""
The UK financial year (1 April to 31 March) as grants/periods.py computes it:
which years it accepts, finding one from a date or reading one from its label,
its label, first and last days, neighbours, quarters and ranges. Pure Python: no
database.
"""

from datetime import date, timedelta

import pytest

from grants.periods import FinancialYear, Quarter


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
