"""
The figures reader's two helpers: where a quarter sits in a window that crosses financial years, and
decimal text parsed once and shared.
"""

from decimal import Decimal

from grants.periods import Quarter
from reporting.quarters import Decimals, Places


def test_a_window_across_two_years_places_each_years_quarters():
    window = [Quarter(2023, 3), Quarter(2023, 4), Quarter(2024, 1), Quarter(2024, 2)]
    places = Places(window)
    assert places[2023, 3] == 0 and places[2024, 2] == 3
    assert places.get((2023, 1)) is None
    # (quarter of the year, 0 for Q1; position in the window)
    assert places.of_year(2023) == [(2, 0), (3, 1)]
    assert places.of_year(2024) == [(0, 2), (1, 3)]
    assert places.of_year(2025) == []
    assert places.of_year(2023) is places.of_year(2023)  # worked out once


def test_decimal_text_is_parsed_once_exactly_and_none_stays_none():
    decimals = Decimals()
    first = decimals["10000.25"]
    assert first == Decimal("10000.25") and decimals["10000.25"] is first
    assert decimals[None] is None
    assert str(decimals["1.00"]) == "1.00" and str(decimals["1"]) == "1"  # each text keeps its own places
    assert decimals[7] == Decimal(7) and type(decimals[7]) is Decimal  # a rate's whole-number parts too
