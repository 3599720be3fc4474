"""
The project the return view tests are about, and its returns: project A of the
base actors (tests/conftest.py) with two budget lines and two outcome measures,
people with names, and returns of A and B in several states (tests/worlds/:
project_a_with_named_people, a_return_in_every_state).
"""

import pytest

from tests import worlds


@pytest.fixture
def project(actors):
    """Project A with two budget lines and two outcome measures for 2023-24; named people."""
    return worlds.project_a_with_named_people(actors)


@pytest.fixture
def returns_in_every_state(project):
    """A's Q1 submitted, Q2 a draft, Q3 approved, Q4 not started; B's Q1 submitted."""
    return worlds.a_return_in_every_state(project)
