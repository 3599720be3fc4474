"""The figures of a place: a survey's 95% interval (Wilson) against published values, overlap, periods."""

from datetime import date
from decimal import Decimal

import pytest

from grants.figures.places import (
    interval_holds, intervals_overlap, parse_month, parse_period, period_label, survey_interval,
)

# Newcombe (1998), "Two-sided confidence intervals for the single proportion", Table I, method 3 (Wilson
# score interval without continuity correction), to 4 decimal places of a proportion: 2 of a per cent.
NEWCOMBE = [
    (81, 263, "25.53", "36.62"),
    (15, 148, "6.24", "16.05"),
    (0, 20, "0.00", "16.11"),
    (1, 29, "0.61", "17.18"),
]


@pytest.mark.parametrize("successes, n, low, high", NEWCOMBE)
def test_the_interval_matches_newcombes_published_values(successes, n, low, high):
    percentage = Decimal(successes) * 100 / Decimal(n)
    assert survey_interval(percentage, n) == (Decimal(low), Decimal(high))


@pytest.mark.parametrize("percentage, n, low, high", [
    (50, 100, "40.38", "59.62"),  # the textbook case
    (15, 3500, "13.86", "16.22"),  # a response of 15% among 3,500
    (20, 50, "11.24", "33.04"),
    (100, 10, "72.25", "100.00"),  # never above 100%
    (0, 10, "0.00", "27.75"),  # never below 0%
])
def test_the_interval_of_known_cases(percentage, n, low, high):
    assert survey_interval(percentage, n) == (Decimal(low), Decimal(high))


def test_the_interval_narrows_as_the_sample_grows():
    small, large = survey_interval(60, 100), survey_interval(60, 10_000)
    assert large.high - large.low < small.high - small.low


@pytest.mark.parametrize("percentage, n", [(-1, 10), (100.01, 10), (50, 0), (50, 2.5), (50, True), ("x", 10)])
def test_the_interval_refuses_what_is_not_a_percentage_or_a_sample(percentage, n):
    with pytest.raises(ValueError):
        survey_interval(percentage, n)


def test_intervals_overlap_when_they_share_a_point():
    assert intervals_overlap((10, 20), (20, 30))
    assert intervals_overlap((10, 20), (12, 15))
    assert not intervals_overlap((10, 20), (20.01, 30))
    assert not intervals_overlap((Decimal("40.38"), Decimal("59.62")), (Decimal("13.86"), Decimal("16.22")))


def test_an_interval_holds_its_value_with_both_ends():
    assert interval_holds(50, 40, 60) and interval_holds(40, 40, 60) and interval_holds(60, 40, 60)
    assert not interval_holds(61, 40, 60)
    assert not interval_holds(50, None, 60)


@pytest.mark.parametrize("text, period_type, start", [
    ("2019-09", "month", date(2019, 9, 1)),
    ("2019-20 Q2", "quarter", date(2019, 7, 1)),
    ("2019-20 q4", "quarter", date(2020, 1, 1)),
    ("2019-20", "year", date(2019, 4, 1)),
    ("2019/20", "year", date(2019, 4, 1)),
    ("2011-12", "month", date(2011, 12, 1)),  # a month wins where a label could be either
    ("2011/12", "year", date(2011, 4, 1)),
])
def test_a_period_is_read_as_people_write_it(text, period_type, start):
    period = parse_period(text)
    assert (period.period_type, period.start) == (period_type, start)


@pytest.mark.parametrize("text", ["", "2019-13", "2019-21", "2019-20 Q5", "September 2019", "2019-9-1"])
def test_a_period_that_is_none_is_refused(text):
    with pytest.raises(ValueError):
        parse_period(text)


def test_a_month_is_only_a_month():
    assert parse_month("2024-03").start == date(2024, 3, 1)
    for text in ("2019-20", "2019-20 Q1", "2019-00"):
        with pytest.raises(ValueError):
            parse_month(text)


@pytest.mark.parametrize("text", ["2019-09", "2019-20 Q2", "2019-20"])
def test_a_label_reads_back_as_its_period(text):
    period = parse_period(text)
    assert period_label(period.period_type, period.start) == text
