"""
The base set of actors every view test uses (tests/worlds/: two_providers_one_programme).

One commissioner organisation with a commissioner officer, a finance officer
and a viewer; two provider organisations (A and B) with a user each, each
funded by its own allocation with one project. "The other provider gets
nothing" is then one line in any test.
"""

import os

import pytest

from tests import worlds


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (pytest.ini: --dist loadgroup), a module's tests run on one worker, so that a
    scenario built once per module (tests/worlds/) is built once; the browser tests all run on one
    worker, so that one browser and one live server serve them all."""
    for item in items:
        path = str(item.fspath).replace(os.sep, "/")
        group = "browser" if "/tests/e2e/" in path else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))


@pytest.fixture
def actors(db):
    return worlds.two_providers_one_programme()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is deliberately slow; tests only need a hash that checks."""
    settings.PASSWORD_HASHERS = worlds.FAST_HASHER


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings, tmp_path_factory):
    """Background tasks run as they are enqueued (Django's ImmediateBackend), and the files they keep
    go to a directory of the test's own."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


@pytest.fixture(autouse=True)
def no_collected_static_files(settings, tmp_path_factory):
    """Static files come from the finders in tests (and the live server's handler). A `staticfiles/`
    left by `make serve` or a benchmark's collectstatic would otherwise be walked by WhiteNoise file by
    file each time a test client loads the middleware: thousands of files, the suite four times slower."""
    settings.STATIC_ROOT = tmp_path_factory.getbasetemp() / "no-collected-static"


@pytest.fixture(autouse=True)
def no_kept_page_from_another_test():
    """Each test starts with an empty cache: a page kept by one test is not shown in the next, whose
    database went back to how it was under the same figures token (grants/kept_pages.py)."""
    from django.core.cache import cache

    cache.clear()
