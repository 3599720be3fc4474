"""The base actors with an administrator of each funder (tests/worlds: an_administrator_for_each_funder)."""

import pytest

from tests import worlds


@pytest.fixture
def w(actors):
    return worlds.an_administrator_for_each_funder(actors)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what a service leaves for the commit (the invitation e-mail) as the block ends,
    as the end of the request's transaction would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
