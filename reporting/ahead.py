"""
The funders' dashboards worked out ahead of their readers.

A funder's dashboard adds up every project it funds: kept (grants/kept_pages.py) it costs about what
a trivial page does, but the first request after a change works it out again, 60–140 ms at 5,000 to
20,000 projects, and in the weeks returns come in a busy funder's officers would often be that
request. `manage.py keep_dashboards_ahead`, beside the server processes of a machine that share
their kept pages on disk (CACHE_DIRECTORY, as `make serve` runs them), watches the figures' tokens and,
once a funder's move (or the shared one's, or the date), works out that funder's dashboard again as
its readers would ask for it first (the current quarter, every programme), so that they find it kept.

It reads as a reader does, through the dashboard's own view: what it keeps is under the same key a
reader's request looks up (the reader's organisation, role and staff flags, the tokens read before
the figures, the address), and one reader of each such kind is enough, since that is all the key
holds. Nothing is kept that a reader's own request would not have kept.
"""

import logging
import time
from collections.abc import Callable, Iterable

from django.db import InterfaceError, OperationalError, close_old_connections
from django.db.models import Q
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from grants import kept_pages
from grants.models import FiguresVersion, User
from grants.models.organisations import FUNDER_ROLES

log = logging.getLogger(__name__)


def readers(funders: Iterable[int] | None = None) -> list[User]:
    """One active user of each funder's organisation for each role and pair of staff flags that some
    active user has (the kept dashboard's key holds those, not the person): of `funders`, or all."""
    users = (User.objects.filter(is_active=True, role__in=FUNDER_ROLES, organisation__isnull=False)
             .select_related("organisation").order_by("pk"))
    if funders is not None:
        users = users.filter(organisation_id__in=list(funders))
    first = {}
    for user in users:
        first.setdefault((user.organisation_id, user.role, user.is_staff, user.is_superuser), user)
    return list(first.values())


def work_out(funders: Iterable[int] | None = None) -> int:
    """Works out the dashboard, as its readers first ask for it, for each kind of reader of `funders` (all
    when None), keeping it as a reader's request would. Returns how many it worked out."""
    from reporting.views.dashboards import dashboard

    done = 0
    for user in readers(funders):
        request = RequestFactory().get(reverse("reporting:dashboard"))
        request.user = user
        try:
            dashboard(request)
            done += 1
        except (OperationalError, InterfaceError):  # the database away: the round is tried again whole
            raise
        except Exception:  # one reader's page failing must not stop the others'
            log.exception("The dashboard of %s (%s) could not be worked out ahead", user.organisation, user.role)
    return done


def moved_funders(seen: dict) -> tuple[set[int] | None, dict]:
    """The funders whose dashboards have moved since `seen` (the tokens and date last looked at; None for
    every funder), and what is seen now."""
    now = dict(FiguresVersion.objects.filter(Q(scope=FiguresVersion.SHARED) | Q(scope__startswith="funder:"))
               .values_list("scope", "token"))
    now["date"] = timezone.localdate().isoformat()
    if not seen or any(seen.get(scope) != now.get(scope) for scope in ("date", FiguresVersion.SHARED)):
        return None, now
    return {funder for scope, token in now.items()
            if (funder := FiguresVersion.funder_of(scope)) is not None and seen.get(scope) != token}, now


def keep_ahead(every: float, *, rounds: int | None = None, sleep: Callable[[float], None] = time.sleep) -> list[int]:
    """Every `every` seconds, works out again the dashboards of the funders whose figures moved, and all of
    them at the start, on a new day and before what it kept expires (KEPT_PAGES_SECONDS). A round that
    fails (the database away) is tried again whole, after a pause that doubles up to a minute. `rounds`
    bounds the loop (None: until stopped). Returns how many dashboards each round worked out."""
    seen: dict = {}
    last_all = 0.0
    failures = 0
    done_in_rounds = []
    while rounds is None or len(done_in_rounds) < rounds:
        try:
            funders, now = moved_funders(seen)
            if time.monotonic() - last_all > max(every, kept_pages.seconds() - 60):
                funders = None
            done = work_out(funders) if funders is None or funders else 0
            if funders is None:
                last_all = time.monotonic()
            seen, failures = now, 0
        except Exception:  # whatever failed, the next round tries again
            log.exception("The dashboards could not be worked out ahead")
            close_old_connections()
            done, failures = 0, failures + 1
        if done:
            log.debug("Worked out %s dashboard%s ahead", done, "" if done == 1 else "s")
        done_in_rounds.append(done)
        if rounds is None or len(done_in_rounds) < rounds:
            sleep(min(60.0, every * 2 ** failures))
    return done_in_rounds
