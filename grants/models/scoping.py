"""
Who may see what, as one rule on the organisation foreign keys.

Funder-side users (commissioner officers, finance officers, viewers) reach
everything funded by their own organisation. A provider's users reach the
projects their organisation delivers, and everything under an allocation made
to their organisation (a CSP that passes money on sees the projects it funds).
Anyone else reaches nothing.

Every scope rule is here, and the scoped QuerySets of the models are built from them. The rules
name the models they need through the app registry when they run, so that this module imports no
model and the models import each other in one direction only.

Reach worked out once. While a request is answered, the ids of the allocations (with their
programmes) and projects a user reaches are read once, in one query (`Reach`), and the
rules filter on those ids (`allocation_id IN (…)`) instead of joining allocation → programme →
commissioner again in every scoped query: building those joins cost more than running them. Where
a list would be long (over `INLINE_IDS` ids) the rule keeps a join instead (one join where it can),
so that no query carries thousands of parameters: SQLite allows 999 in old builds and 32,766 since
3.32, and a long list costs as much to build as the joins it replaces.

When the ids are kept, and why it is safe: only while a request is in flight. `ReachMiddleware`
opens a cache for the request and closes it when the view returns; saving or deleting a programme,
an allocation or a project empties it (signals connected in grants/apps.py), so a view that adds a
project and then lists them sees it. Outside a request (services, commands, tests that make rows
and ask again with the same user object) there is no cache and the rules join as they always did,
so nothing there can see a stale reach and nothing there costs an extra query. A streamed
download's rows are read after the view returns, and so join too. Rows added with `bulk_create` or
moved with `.update()` inside a request would not empty the cache: no service does either to
these three models.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cached_property

from django.apps import apps
from django.db import models

# Above this many ids a rule joins instead of listing them.
INLINE_IDS = 500

# The reach of each user worked out during the request in flight, by (user, organisation, role);
# None when no request is in flight.
_cache: ContextVar[dict | None] = ContextVar("reach_cache", default=None)


def _model(name: str):
    return apps.get_model("grants", name)


def _reaches_anything(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.organisation_id and user.role)


def reached_by_provider(org: int) -> models.Q:
    """A Q over Allocation: those a provider (or partnership) `org` reaches, made to it or with a project
    it delivers (a join to the projects: rows may repeat)."""
    return models.Q(recipient_id=org) | models.Q(projects__provider_id=org)


def funders_of_provider(org: int) -> list[int]:
    """The funders whose allocations provider `org` reaches, read afresh (never from the request's reach,
    which would not see an allocation made since it was read)."""
    return sorted(_model("Allocation").objects.filter(reached_by_provider(org)).order_by()
                  .values_list("programme__commissioner_id", flat=True).distinct())


class Reach:
    """The ids of the allocations, programmes and projects `user` reaches, read in one query when first
    asked for and kept on this object."""

    def __init__(self, user):
        self.org = user.organisation_id
        self.funder = bool(user.is_funder_side)

    @cached_property
    def _ids(self) -> tuple[list[int], list[int], list[int]]:
        """(allocation ids, programme ids, project ids), from one query over the allocations and their
        projects."""
        org = self.org
        allocations = _model("Allocation").objects.order_by()
        if self.funder:  # a funder's rules go by its allocations: its projects are read only if asked for
            rows = [(pk, programme, None, None, None) for pk, programme in
                    allocations.filter(programme__commissioner_id=org).values_list("pk", "programme_id")]
        else:
            rows = (allocations.filter(reached_by_provider(org))
                    .values_list("pk", "programme_id", "recipient_id", "projects__pk", "projects__provider_id"))
        allocations, programmes, projects = {}, set(), {}
        for allocation, programme, recipient, project, provider in rows:
            allocations[allocation] = None
            programmes.add(programme)
            if project is not None and (recipient == org or provider == org):
                projects[project] = None
        return list(allocations), sorted(programmes), list(projects)

    @property
    def allocation_ids(self) -> list[int]:
        return self._ids[0]

    @property
    def programme_ids(self) -> list[int]:
        """The programmes of the allocations reached (for a funder, every programme that has allocated
        anything: the only ones an allocation rule needs)."""
        return self._ids[1]

    @cached_property
    def project_ids(self) -> list[int]:
        if self.funder:
            return list(_model("Project").objects.filter(allocation__programme__commissioner_id=self.org)
                        .values_list("pk", flat=True))
        return self._ids[2]


def _reach(user) -> Reach | None:
    """The user's `Reach` kept for the request in flight; None outside a request (the rules then join)."""
    cache = _cache.get()
    if cache is None:
        return None
    key = (user.pk, user.organisation_id, user.role)
    if key not in cache:
        cache[key] = Reach(user)
    return cache[key]


def forget_reach(**kwargs):
    """Empty the request's cache of reach (connected to the saving and deleting of programmes,
    allocations and projects in grants/apps.py)."""
    cache = _cache.get()
    if cache:
        cache.clear()


@contextmanager
def reach_kept():
    """Keep each user's reach, once worked out, until the block ends (the length of one request)."""
    token = _cache.set({})
    try:
        yield
    finally:
        _cache.reset(token)


class ReachMiddleware:
    """Keeps each user's reach for the length of one request (see the module's docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reach_kept():
            return self.get_response(request)


def _short(ids: list[int] | None) -> bool:
    return ids is not None and len(ids) <= INLINE_IDS


def programme_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Programme (through `prefix`): the funder's own, or those through which an allocation
    reaches the user; None for nothing."""
    if getattr(user, "is_authenticated", False) and user.is_funder_side and user.organisation_id:
        return models.Q(**{f"{prefix}commissioner_id": user.organisation_id})
    if not _reaches_anything(user) or not user.is_provider:
        return None
    reach = _reach(user)
    if reach is not None and _short(reach.allocation_ids):
        return models.Q(**{f"{prefix}pk__in": reach.programme_ids})
    reached = _model("Allocation").objects.filter(_allocation_join(user), programme=models.OuterRef(f"{prefix}pk" if prefix else "pk"))
    return models.Q(models.Exists(reached))


def _allocation_join(user, prefix: str = "") -> models.Q:
    org = user.organisation_id
    if user.is_funder_side:
        return models.Q(**{f"{prefix}programme__commissioner_id": org})
    # The allocation is reached if made to the organisation or if any of
    # its projects is delivered by it; an Exists keeps rows unduplicated.
    delivers = _model("Project").objects.filter(allocation=models.OuterRef(f"{prefix}pk" if prefix else "pk"), provider_id=org)
    return models.Q(**{f"{prefix}recipient_id": org}) | models.Q(models.Exists(delivers))


def allocation_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Allocation (through `prefix`) for what `user` may see; None for nothing."""
    if not _reaches_anything(user) or not (user.is_funder_side or user.is_provider):
        return None
    reach = _reach(user)
    if reach is not None:
        if user.is_funder_side and _short(reach.programme_ids):
            return models.Q(**{f"{prefix}programme_id__in": reach.programme_ids})
        if user.is_provider and _short(reach.allocation_ids):
            return models.Q(**{f"{prefix}pk__in": reach.allocation_ids})
    return _allocation_join(user, prefix)


def _funder_by_allocation(user, prefix: str) -> models.Q:
    """Rows under the funder's allocations: by the ids of its programmes, through one join to the
    allocation instead of two to the commissioner. (Listing the allocation ids instead saves that join
    but costs more to build than it saves from about 30 ids: measured, each listed id costs about 2 µs
    to build, a join about 100 µs.)"""
    reach = _reach(user)
    if reach is not None and _short(reach.programme_ids):
        return models.Q(**{f"{prefix}allocation__programme_id__in": reach.programme_ids})
    return models.Q(**{f"{prefix}allocation__programme__commissioner_id": user.organisation_id})


def project_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Project (through `prefix`) for what `user` may see; None for nothing."""
    if not _reaches_anything(user):
        return None
    org = user.organisation_id
    if user.is_funder_side:
        return _funder_by_allocation(user, prefix)
    if user.is_provider:
        reach = _reach(user)
        if reach is not None and _short(reach.project_ids):
            return models.Q(**{f"{prefix}pk__in": reach.project_ids})
        return models.Q(**{f"{prefix}provider_id": org}) | models.Q(**{f"{prefix}allocation__recipient_id": org})
    return None


def payment_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Payment: money paid to the user's organisation (providers), or by it (funder side).

    Delivering a project under someone else's allocation does not show what that recipient is paid."""
    if not _reaches_anything(user):
        return None
    if user.is_funder_side:
        return _funder_by_allocation(user, prefix)
    if user.is_provider:
        return models.Q(**{f"{prefix}allocation__recipient_id": user.organisation_id})
    return None


class ScopedQuerySet(models.QuerySet):
    """A QuerySet with `for_user(user)`, built from one of the scope rules above."""

    scope = None  # (rule, prefix)

    def for_user(self, user):
        rule, prefix = self.scope
        condition = rule(user, prefix)
        if condition is None:
            return self.none()
        return self.filter(condition)
