"""
The parts of pages that add up the whole data set, kept in the cache until a figure moves.

The funder's dashboard and the reports read every project the user reaches: at a national size that
is hundreds of milliseconds to seconds of one server process per request, the same answer each time
until something changes. `kept(user, parts, render)` renders once and keeps the HTML under the tokens
of grants.models.FiguresVersion that cover the reader's pages, which every change to what these pages
show replaces in its own transaction (grants.services.kept.figures_moved). So a kept part is never
older than the last committed change it could show: a page read after such a change commits is worked
out again. A funder's officer's pages are kept under its own funder's token and the one funders share,
a provider's under the tokens of the funders whose programmes fund its work and the shared one, so
another funder's changes leave them kept.

Why it is safe: the tokens are read first, then the figures; each statement sees what is committed at
its start, so figures read under a token are at least as new as it. A page worked out inside a
transaction that has moved a figure is neither kept nor taken from the cache.

The key also holds whatever else the part depends on: the organisation and the role of the reader
(the reach, and which names are links), the choices on the page, and today's date (what is overdue).
Each server process keeps its own (Django's default cache) unless CACHE_DIRECTORY gives the processes
of a machine one on disk (`make serve` does); the key holds a digest of the code and templates, so
that nothing rendered by another version is shown. How long a part is kept at most is
KEPT_PAGES_SECONDS (0 turns keeping off).

`kept_page` keeps the content of a whole page in the same way (the pages read most: an allocation, a
project, a return, a programme, the lists): base.html's content block, rendered for the reader's
organisation and role at that address, while the frame round it (the header naming who is signed in,
the messages) is rendered for each request. A form's CSRF token is kept as a mark and each request's
own token written in its place. What it shows is all read after the tokens, the object the page is
about included, whose reading refuses a reader out of its reach before anything kept is looked up.
"""

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path
from uuid import uuid4

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe

from grants.models import FiguresVersion, scoping
from grants.services.kept import moved_in_this_transaction


def seconds() -> int:
    return getattr(settings, "KEPT_PAGES_SECONDS", 600)


def scopes(user) -> list[str]:
    """The tokens `user`'s pages are kept under, read afresh: a funder's officer's, its own funder's and
    the shared one; a provider's (or partnership's), those of the funders whose programmes fund what its
    organisation reaches, and the shared one. Either way another funder's changes leave them kept.
    Anyone else's, the one every change moves."""
    if user.is_funder_side and user.organisation_id:
        return [FiguresVersion.SHARED, FiguresVersion.funder_scope(user.organisation_id)]
    if user.is_provider and user.organisation_id:
        funders = scoping.funders_of_provider(user.organisation_id)
        return [FiguresVersion.SHARED, *(FiguresVersion.funder_scope(f) for f in funders)]
    return [FiguresVersion.ALL]


def tokens(user, wanted: list[str] | None = None) -> tuple:
    """The tokens `user`'s pages (or the `wanted` scopes) are at now, one query; a missing one (a new
    funder, a database just emptied) is written, new, and with it the one every change moves, which
    makes changes one at a time (grants.services.kept)."""
    wanted = scopes(user) if wanted is None else wanted
    found = dict(FiguresVersion.objects.filter(scope__in=wanted).values_list("scope", "token"))
    for scope in [FiguresVersion.ALL, *wanted] if len(found) < len(wanted) else []:
        if scope not in found:
            row, _ = FiguresVersion.objects.get_or_create(
                scope=scope, defaults={"commissioner_id": FiguresVersion.funder_of(scope), "token": uuid4().hex, "moved_at": timezone.now()})
            found[scope] = row.token
    return tuple(found[scope] for scope in wanted)


def kept_value(user, parts: tuple, work_out: Callable[[], object]):
    """`work_out()`'s answer (anything the cache can pickle) for `user`, kept under `parts` and the
    tokens of `user`'s pages; worked out again after any change they cover."""
    if not seconds() or moved_in_this_transaction():
        return work_out()
    key, wanted = _key(user, parts)
    found = cache.get(key, _MISSING)
    if found is _MISSING:
        found = work_out()
        if _same_scopes(user, wanted):
            cache.set(key, found, seconds())
    return found


_MISSING = object()


def _key(user, parts: tuple) -> tuple[str, list[str]]:
    """The cache key of `parts` for `user`, under the tokens of their pages as they are now and the code
    that renders them, and the scopes of those tokens."""
    wanted = scopes(user)
    return ("kept-page:" + hashlib.sha256(repr((release(), wanted, tokens(user, wanted), *parts)).encode())
            .hexdigest(), wanted)


def _same_scopes(user, wanted: list[str]) -> bool:
    """Whether a provider's funders are still those its key was made under, read again once its page is
    worked out: a page read while an allocation from a new funder was being made is not kept under the
    tokens of the funders before it."""
    return not user.is_provider or scopes(user) == wanted


@functools.cache
def release() -> str:
    """A digest of the application's code and templates: what another version rendered (kept in a cache
    the servers share, or on disk across a deployment) is never shown."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for pattern in ("config/**/*.py", "grants/**/*.py", "reporting/**/*.py", "templates/**/*.html",
                    "grants/templates/**/*.html", "reporting/templates/**/*.html"):
        for path in sorted(root.glob(pattern)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def kept(user, parts: tuple, render: Callable[[], str]) -> SafeString:
    """`render()`'s HTML for `user`, kept under `parts` and the tokens of `user`'s pages."""
    return mark_safe(kept_value(user, parts, lambda: str(render())))


# base.html writes these round its content block when given them, so that a page rendered in full
# says which part of it to keep; neither is left in what is sent.
CONTENT_START = mark_safe("<!--kept-content-->")
CONTENT_END = mark_safe("<!--/kept-content-->")
# Stands in for the CSRF token in a kept page: each request's own token is written in its place. Made
# from the secret key, the same in every process sharing a cache, and known to no one who could type it
# into what a page shows.
CSRF_MARK = salted_hmac("grants.kept_pages.csrf-mark", "kept page", algorithm="sha256").hexdigest()


def kept_page(request, template_name: str, parts: tuple, *, content: Callable, frame: Callable | None = None,
              load: Callable | None = None, query: tuple[str, ...] = (), for_frame: tuple[str, ...] = ()) -> HttpResponse:
    """`template_name` for `request`: its content block kept for the reader's organisation and role at
    this address under the tokens of their pages, the frame round it rendered for each request.

    `load()` reads the object the page is about and refuses a reader out of its reach (it raises); it
    is called after the tokens are read, so that all the page shows is at least as new as they are.
    `content(obj)` gives the context of the whole page, called only when the content is worked out;
    with an "http_status" other than 200 in it (a form's errors) the page is sent as it is and not
    kept. `frame(obj)` gives what the title and the other blocks round the content need; `for_frame`
    names what of the content's context they need too, kept with the content (so not worked out again
    for the frame). `query`: the parameters of the address the page reads (its filters, sort and
    page); an address with any other is answered without keeping, so that made-up addresses fill no
    cache."""
    user = request.user
    key = None
    if seconds() and not moved_in_this_transaction() and set(request.GET) <= set(query):
        chosen = tuple((name, tuple(request.GET.getlist(name))) for name in sorted(request.GET))
        key, wanted = _key(user, ("page", template_name, *parts, user.organisation_id, user.role, user.is_staff,
                                  user.is_superuser, request.path, chosen, timezone.localdate()))
    obj = load() if load else None
    found = cache.get(key) if key else None
    if found is not None:
        kept_content, framed = found
        html = render_to_string(template_name, {**(frame(obj) if frame else {}), **framed, "csrf_token": CSRF_MARK,
                                                "kept_content": kept_content}, request)
        return HttpResponse(_with_token(request, html))
    context = content(obj)
    status = context.pop("http_status", 200)
    html = render_to_string(template_name, {**context, "csrf_token": CSRF_MARK, "content_start": CONTENT_START,
                                            "content_end": CONTENT_END}, request)
    start, end = html.index(CONTENT_START), html.index(CONTENT_END)
    if key is not None and status == 200 and _same_scopes(user, wanted):
        cache.set(key, (mark_safe(html[start + len(CONTENT_START):end]), {name: context[name] for name in for_frame}),
                  seconds())
    html = html[:start] + html[start + len(CONTENT_START):end] + html[end + len(CONTENT_END):]
    return HttpResponse(_with_token(request, html), status=status)


def _with_token(request, html: str) -> str:
    return html.replace(CSRF_MARK, get_token(request)) if CSRF_MARK in html else html
