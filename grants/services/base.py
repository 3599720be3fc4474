"""
What every service stands on: the refusals a service raises, claiming a row with a conditional
update, naming the actor in the audit history, checking permission, validating a model and money.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from grants.models import Allocation
from grants.models.common import money_problem
from grants.services import kept


class ServiceError(Exception):
    """A refusal with a message for the person who asked."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class Stale(ServiceError):
    """Someone else changed the object since it was read."""


class NotAllowed(ServiceError, PermissionDenied):
    """The actor may not do this; the message says why."""


class Invalid(ServiceError):
    """The input breaks the rules; `errors` maps each field to its message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("There is a problem with what was entered.")
        self.errors = errors


def require(allowed_reason: tuple[bool, str]) -> None:
    """Raise NotAllowed with the reason unless a permission check allowed it."""
    allowed, reason = allowed_reason
    if not allowed:
        raise NotAllowed(reason)


def unknown_fields(values: dict, allowed) -> None:
    """Refuse input that names a field the service does not take."""
    extra = set(values) - set(allowed)
    if extra:
        raise TypeError(f"Unexpected fields: {', '.join(sorted(extra))}")


def errors_from(error: ValidationError) -> dict[str, str]:
    """The first message for each field of a model's ValidationError, as a service's errors."""
    return {key: messages[0] for key, messages in error.message_dict.items()}


def validated(obj, exclude=None, messages: dict | None = None):
    """`full_clean()` the object or raise Invalid with its messages (some rephrased by `messages`)."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as error:
        errors = errors_from(error)
        for key, text in (messages or {}).items():
            if key in errors:
                errors[key] = text
        raise Invalid(errors)
    return obj


def check_money(errors: dict, key: str, value, label: str, *, positive=False):
    """Add the problem with an amount of money (models.common.money_problem) to `errors` under `key`."""
    problem = money_problem(value, label, positive=positive)
    if problem:
        errors[key] = problem


def audited(obj, actor, reason: str = ""):
    """Name the actor (and why) in the audit history of the next save, web or not."""
    obj._history_user = actor
    if reason:
        obj._change_reason = reason[:100]
    return obj


def claim(obj, statuses, version: int | None, message: str, **lookups):
    """Take `obj`'s row if it is still in one of `statuses` (any, when None) at `version`, or raise
    Stale; then lock it. The tokens of the pages it is on move first (grants.services.kept: the first
    lock of every change). The conditional update holds on SQLite too, where select_for_update does
    nothing."""
    model = type(obj)
    if kept.on_kept_pages(model):
        kept.figures_moved(row=obj)
    filters = {"pk": obj.pk, "version": version, **lookups}
    if statuses is not None:
        filters["status__in"] = statuses
    if version is None or not model.objects.filter(**filters).update(version=F("version") + 1):
        raise Stale(message)
    return model.objects.select_for_update().get(pk=obj.pk)


def lock_allocation(pk: int) -> Allocation:
    """Lock an allocation: what adds up under it (budget lines, payments) is then checked one at a time.
    The tokens of its funder's pages move first (grants.services.kept: the first lock of every change)."""
    kept.figures_moved(allocation_id=pk)
    return Allocation.objects.select_for_update().select_related("programme").get(pk=pk)


def money_text(value) -> str:
    return f"£{value:,.2f}"


def history_rows(objs, kind: str, actor, when) -> list:
    """The audit-history records of `objs` as they are now (kind "+" created, "~" changed), by `actor`
    at `when`, unsaved: the same records django-simple-history writes when each object is saved, for a
    service that writes several objects' records in one query (`write_history`). A record taken before
    its object is inserted gets the object's id from `write_history`."""
    rows = []
    for obj in objs:
        History = type(obj).history.model
        row = History(history_date=when, history_type=kind, history_user=actor, history_change_reason=None,
                      **{field.attname: getattr(obj, field.attname) for field in History.tracked_fields})
        row._of = obj
        rows.append(row)
    return rows


def write_history(rows) -> None:
    """Insert records from `history_rows`, one query per model, in the order they were taken."""
    by_model = {}
    for row in rows:
        if row.id is None:
            # Taken before its object was inserted: the id, the times the insert stamped, and the ids of
            # parents inserted in the same transaction.
            row.id = row._of.pk
            for field in type(row._of)._meta.concrete_fields:
                stamped = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                if (stamped or field.is_relation) and getattr(row, field.attname, None) is None:
                    setattr(row, field.attname, getattr(row._of, field.attname))
        by_model.setdefault(type(row), []).append(row)
    for History, records in by_model.items():
        History.objects.bulk_create(records)
