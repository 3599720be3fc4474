"""
The parts of pages that add up the whole data set, kept in the cache until a figure moves.

The funder's dashboard and the reports read every project the user reaches: at a national size that
is hundreds of milliseconds to seconds of one server process per request, the same answer each time
until something changes. `kept(user, parts, render)` renders once and keeps the HTML under the tokens
of grants.models.FiguresVersion that cover the reader's pages, which every change to what these pages
show replaces in its own transaction (grants.services.kept.figures_moved). So a kept part is never
older than the last committed change it could show: a page read after such a change commits is worked
out again. A funder's officer's pages are kept under its own funder's token and the one funders share,
so another funder's changes leave them kept; a provider's, under the token every change moves.

Why it is safe: the tokens are read first, then the figures; each statement sees what is committed at
its start, so figures read under a token are at least as new as it. A page worked out inside a
transaction that has moved a figure is neither kept nor taken from the cache.

The key also holds whatever else the part depends on: the organisation and the role of the reader
(the reach, and which names are links), the choices on the page, and today's date (what is overdue).
Each server process keeps its own (Django's default cache) unless CACHES names a shared one; how
long a part is kept at most is KEPT_PAGES_SECONDS (0 turns keeping off).
"""

import hashlib
from collections.abc import Callable
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from grants.models import FiguresVersion
from grants.services.kept import moved_in_this_transaction


def seconds() -> int:
    return getattr(settings, "KEPT_PAGES_SECONDS", 600)


def scopes(user) -> list[str]:
    """The tokens `user`'s pages are kept under: a funder's officer's, its own funder's and the shared
    one (another funder's changes leave them kept); anyone else's, the one every change moves."""
    if user.is_funder_side and user.organisation_id:
        return [FiguresVersion.SHARED, FiguresVersion.funder_scope(user.organisation_id)]
    return [FiguresVersion.ALL]


def tokens(user) -> tuple:
    """The tokens `user`'s pages are at now, one query; a missing one (a new funder, a database just
    emptied) is written, new."""
    wanted = scopes(user)
    found = dict(FiguresVersion.objects.filter(scope__in=wanted).values_list("scope", "token"))
    for scope in wanted:
        if scope not in found:
            funder = user.organisation_id if scope.startswith("funder:") else None
            row, _ = FiguresVersion.objects.get_or_create(
                scope=scope, defaults={"commissioner_id": funder, "token": uuid4().hex, "moved_at": timezone.now()})
            found[scope] = row.token
    return tuple(found[scope] for scope in wanted)


def kept_value(user, parts: tuple, work_out: Callable[[], object]):
    """`work_out()`'s answer (anything the cache can pickle) for `user`, kept under `parts` and the
    tokens of `user`'s pages; worked out again after any change they cover."""
    if not seconds() or moved_in_this_transaction():
        return work_out()
    key = "kept-page:" + hashlib.sha256(repr((tokens(user), *parts)).encode()).hexdigest()
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = work_out()
        cache.set(key, found, seconds())
    return found


_MISSING = object()


def kept(user, parts: tuple, render: Callable[[], str]) -> SafeString:
    """`render()`'s HTML for `user`, kept under `parts` and the tokens of `user`'s pages."""
    return mark_safe(kept_value(user, parts, lambda: str(render())))
