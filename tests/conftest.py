"""
The base set of actors every view test uses (tests/worlds.py: two_providers_one_programme).

One commissioner organisation with a commissioner officer, a finance officer
and a viewer; two provider organisations (A and B) with a user each, each
funded by its own allocation with one project. "The other provider gets
nothing" is then one line in any test.
"""

import pytest

from tests import worlds


@pytest.fixture
def actors(db):
    return worlds.two_providers_one_programme()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests only need a hash that checks."""
    settings.PASSWORD_HASHERS = worlds.FAST_HASHER
