"""
The file cache kept pages share among a machine's processes (config/cache.py): it stays within its
limit, makes room by dropping the oldest pages first, and lists its directory only now and then.
"""

import os

import pytest

from config import cache as kept_cache
from config.cache import KeptPagesCache


def a_cache(directory, *, max_entries=10, every=5, cull_frequency=3):
    return KeptPagesCache(str(directory), {"OPTIONS": {"MAX_ENTRIES": max_entries, "CULL_EVERY": every,
                                                       "CULL_FREQUENCY": cull_frequency}})


def keep(cache, n, *, at):
    """Keeps page `n`, its file dated `at` seconds (so that which is older does not depend on the clock)."""
    cache.set(f"page-{n}", f"<p>page {n}</p>", 600)
    os.utime(cache._key_to_file(f"page-{n}"), (at, at))


def files(directory):
    return [name for name in os.listdir(directory) if name.endswith(".djcache")]


@pytest.fixture(autouse=True)
def counted_from_one(monkeypatch):
    """Each test counts its own sets from the first."""
    monkeypatch.setattr(kept_cache, "_SETS", iter(range(1, 10_000)))


def test_the_directory_stays_within_its_limit_and_the_sets_between_two_listings(tmp_path):
    cache = a_cache(tmp_path, max_entries=10, every=5)
    for n in range(60):
        keep(cache, n, at=1_000_000 + n)
        assert len(files(tmp_path)) <= 10 + 5


def test_room_is_made_by_dropping_the_oldest_pages_first(tmp_path):
    cache = a_cache(tmp_path, max_entries=10, every=5)
    for n in range(30):
        keep(cache, n, at=1_000_000 + n)

    kept = [n for n in range(30) if cache.get(f"page-{n}") is not None]
    assert kept == list(range(30 - len(kept), 30))  # the newest, without a gap
    assert cache.get("page-29") == "<p>page 29</p>"
    assert cache.get("page-0") is None


def test_between_two_listings_a_set_does_not_list_the_directory(tmp_path, monkeypatch):
    cache = a_cache(tmp_path, max_entries=10, every=5)
    listings = []
    listed = KeptPagesCache._list_cache_files
    monkeypatch.setattr(KeptPagesCache, "_list_cache_files", lambda self: listings.append(1) or listed(self))
    for n in range(20):
        keep(cache, n, at=1_000_000 + n)

    assert len(listings) == 20 // 5


def test_a_cull_frequency_of_zero_empties_the_directory_as_djangos_does(tmp_path):
    cache = a_cache(tmp_path, max_entries=3, every=1, cull_frequency=0)
    for n in range(4):
        keep(cache, n, at=1_000_000 + n)

    assert files(tmp_path) == [os.path.basename(cache._key_to_file("page-3"))]


def test_a_cull_leaves_the_limit_less_a_share_of_the_files(tmp_path):
    cache = a_cache(tmp_path, max_entries=10, every=1, cull_frequency=3)
    for n in range(11):  # the 11th set finds 10 files: it drops 10 - 10 + 10 // 3 of them, then writes its own
        keep(cache, n, at=1_000_000 + n)

    assert len(files(tmp_path)) == 10 - 3 + 1


class OthersCullingMeanwhile(KeptPagesCache):
    """A cache whose directory another process clears between this one's listing and its look at each file."""

    def _list_cache_files(self):
        listed = super()._list_cache_files()
        for name in sorted(listed)[:6]:
            os.remove(name)
        return listed


def test_files_another_process_deleted_meanwhile_leave_no_cull_to_do(tmp_path):
    filler = a_cache(tmp_path, max_entries=1000, every=1000)
    for n in range(12):
        keep(filler, n, at=1_000_000 + n)
    cache = OthersCullingMeanwhile(str(tmp_path), {"OPTIONS": {"MAX_ENTRIES": 10, "CULL_EVERY": 1}})

    cache.set("page-new", "<p>new</p>", 600)

    assert len(files(tmp_path)) == 12 - 6 + 1  # none of the six left dropped as well
