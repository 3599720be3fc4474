"""
The file cache the server processes of a machine share their kept pages in (CACHE_DIRECTORY).

Django's FileBasedCache makes room at every set: it lists its directory and, over MAX_ENTRIES,
deletes a random third of the files. With thousands of kept pages that listing costs about 6 ms of
CPU, paid by every page worked out; when changes come often, that is nearly every request, and
keeping cost more than it saved. `KeptPagesCache` makes room at one set in CULL_EVERY (counted in
each process) and deletes the oldest files first: a page kept under tokens that have since moved is
never read again, and the newest are those the next requests want. Between two listings a directory
may hold at most CULL_EVERY more files for each process writing to it.
"""

import itertools
import os

from django.core.cache.backends.filebased import FileBasedCache

# Sets made by this process, whichever thread made them (Django gives each thread its own cache object).
_SETS = itertools.count(1)


class KeptPagesCache(FileBasedCache):
    def __init__(self, dir, params):
        super().__init__(dir, params)
        self._cull_every = max(1, int(params.get("OPTIONS", {}).get("CULL_EVERY", 100)))

    def _cull(self):
        if next(_SETS) % self._cull_every:
            return
        files = self._list_cache_files()
        if len(files) < self._max_entries:
            return
        if self._cull_frequency == 0:
            return self.clear()
        aged = []
        for name in files:
            try:
                aged.append((os.stat(name).st_mtime_ns, name))
            except FileNotFoundError:  # deleted by another process since the listing
                continue
        if len(aged) < self._max_entries:  # another process made room meanwhile
            return
        aged.sort()
        # Down to the limit, and a share of the files (1 / CULL_FREQUENCY) below it, so that the next
        # listings find room to spare.
        for _, name in aged[:len(aged) - self._max_entries + len(aged) // self._cull_frequency]:
            self._delete(name)
