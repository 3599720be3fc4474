"""
The parts of pages that add up the whole data set, kept in the cache until a figure moves.

The funder's dashboard and the reports read every project the user reaches: at a national size that
is hundreds of milliseconds to seconds of one server process per request, the same answer each time
until something changes. `kept(parts, render)` renders once and keeps the HTML under the token of
grants.models.FiguresVersion, which every change to what these pages show replaces in its own
transaction (grants.services.kept.figures_moved). So a kept part is never older than the last
committed change: a page read after a change commits is worked out again.

Why it is safe: the token is read first, then the figures; each statement sees what is committed at
its start, so figures read under a token are at least as new as it. A page worked out inside a
transaction that has moved a figure is neither kept nor taken from the cache.

The key also holds whatever else the part depends on: the organisation and the role of the reader
(the reach, and which names are links), the choices on the page, and today's date (what is overdue).
Each server process keeps its own (Django's default cache) unless CACHES names a shared one; how
long a part is kept at most is KEPT_PAGES_SECONDS (0 turns keeping off).
"""

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.utils.safestring import SafeString, mark_safe

from grants.models import FiguresVersion
from grants.services.kept import moved_in_this_transaction


def seconds() -> int:
    return getattr(settings, "KEPT_PAGES_SECONDS", 600)


def token() -> str | None:
    """The token the figures are at now, or None when there is none (a database just emptied)."""
    return FiguresVersion.objects.filter(pk=1).values_list("token", flat=True).first()


def kept_value(parts: tuple, work_out: Callable[[], object]):
    """`work_out()`'s answer (anything the cache can pickle), kept under `parts` and the figures' token;
    worked out again after any change."""
    if not seconds() or moved_in_this_transaction():
        return work_out()
    at = token()
    if at is None:
        return work_out()
    key = "kept-page:" + hashlib.sha256(repr((at, *parts)).encode()).hexdigest()
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = work_out()
        cache.set(key, found, seconds())
    return found


_MISSING = object()


def kept(parts: tuple, render: Callable[[], str]) -> SafeString:
    """`render()`'s HTML, kept under `parts` and the figures' token; worked out again after any change."""
    return mark_safe(kept_value(parts, lambda: str(render())))
