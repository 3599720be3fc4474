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

from django.db import DatabaseError, close_old_connections
from django.db.models import Q
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

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
        except DatabaseError:  # the round is tried again whole (keep_ahead)
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
    return {int(scope.split(":")[1]) for scope, token in now.items()
            if scope.startswith("funder:") and seen.get(scope) != token}, now


def keep_ahead(every: float, *, rounds: int | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
    """Every `every` seconds, works out again the dashboards of the funders whose figures moved (all of
    them at the start and on a new day); `rounds` bounds the loop (None: until stopped)."""
    seen: dict = {}
    while rounds is None or rounds > 0:
        try:
            funders, now = moved_funders(seen)
            if funders is None or funders:
                started = time.perf_counter()
                done = work_out(funders)
                log.debug("Worked out %s dashboard%s ahead in %.0f ms", done, "" if done == 1 else "s",
                          1000 * (time.perf_counter() - started))
            seen = now
        except DatabaseError:  # the database away for a moment: again at the next round, on a new connection
            log.exception("The dashboards could not be worked out ahead")
            close_old_connections()
        if rounds is not None:
            rounds -= 1
        sleep(every)
