"""
The world the commissioning and finance tests share: the base actors (tests/conftest.py)
with a second commissioner officer and finance officer, so that "two people at once" is two
real users; and, for the page tests, `pages` on a fixed `today` (described in views_world.py).
The scenarios are built by tests/worlds/ (a_second_officer_of_each_kind,
money_in_flight_on_an_advance_programme).
"""

from datetime import date

import pytest
import time_machine

from tests import worlds

TODAY = date(2024, 5, 15)


@pytest.fixture
def officers(actors):
    return worlds.a_second_officer_of_each_kind(actors)


@pytest.fixture
def today():
    with time_machine.travel(date(2024, 5, 15), tick=False):
        yield TODAY


@pytest.fixture
def pages(officers, today):
    return worlds.money_in_flight_on_an_advance_programme(officers)
