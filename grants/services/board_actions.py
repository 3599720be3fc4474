"""
Board actions: what a board or scrutiny committee resolved ("a further report in Autumn 2020"), who
owes it, by when, and the programmes and projects it concerns.

    open ──close──▶ done, or no longer needed   (with its outcome and the date it was closed)
      ▲                    │
      └──────reopen────────┘                    (with the reason; the outcome moves to the history)

Who may: grants.permissions (can_record_board_action and the rest): the owner organisation's
partnership managers, or a funder's commissioner officers and administrators, for their own
organisation. The rules, checked before anything is saved:

- the due date is not before the day the board resolved it;
- the person who owes it, when named as a user, belongs to the owner organisation;
- a programme or project linked is within the owner's reach (its own programmes for a funder; the
  programmes that fund it and the projects it funds or delivers for a partnership);
- an action is closed with its outcome, on a day neither before it was resolved nor after today.

Each write is one transaction that claims the row at the version the person saw (a "changed since you
opened it" refusal otherwise) and is recorded, with its actor, in the action's audit history.
"""

from django.db import transaction
from django.utils import timezone

from grants import permissions
from grants.models import BoardAction, Programme, Project

from .base import Invalid, audited, claim, require, unknown_fields, validated

Status = BoardAction.Status
FIELDS = ("board", "resolved_on", "title", "resolution", "action_owner", "assignee", "due_date",
          "programmes", "projects")
CLOSED = (Status.DONE, Status.DROPPED)

STALE = ("This action changed since you opened it: someone else saved, closed or reopened it. Nothing was saved. "
         "Open it again to see it as it is now.")


def _day(value) -> str:
    return f"{value:%-d %B %Y}"


def check_board_action(*, actor, owner, values: dict) -> dict[str, str]:
    """What stops `values` being saved as an action of `owner` by `actor`, by field; {} if nothing."""
    errors = {}
    resolved_on, due_date = values.get("resolved_on"), values.get("due_date")
    if resolved_on and due_date and due_date < resolved_on:
        errors["due_date"] = (f"The due date cannot be before the board resolved it ({_day(resolved_on)}): "
                              "choose a later date.")
    if resolved_on and resolved_on > timezone.localdate():
        errors["resolved_on"] = "The board cannot have resolved it after today: enter the date of the meeting."
    assignee = values.get("assignee")
    if assignee is not None and (assignee.organisation_id != owner.pk or not assignee.is_active):
        errors["assignee"] = f"Choose someone of {owner.name} who can sign in, or leave it empty."
    programmes = list(values.get("programmes") or ())
    if programmes:
        reach = set(Programme.objects.for_user(actor).filter(pk__in=[p.pk for p in programmes])
                    .values_list("pk", flat=True))
        outside = [p for p in programmes if p.pk not in reach]
        if outside:
            errors["programmes"] = (f"{outside[0].name} is not a programme of {owner.name} or one that funds it: "
                                    "link only programmes within its reach.")
    projects = list(values.get("projects") or ())
    if projects:
        reach = set(Project.objects.for_user(actor).filter(pk__in=[p.pk for p in projects])
                    .values_list("pk", flat=True))
        outside = [p for p in projects if p.pk not in reach]
        if outside:
            errors["projects"] = (f"{outside[0].reference} is not a project {owner.name} funds or delivers: "
                                  "link only projects within its reach.")
    return errors


def _links_note(programmes, projects) -> str:
    """The links, for the history's reason (the history records fields, not links)."""
    names = [p.code for p in programmes] + [p.reference for p in projects]
    return "Linked to " + ", ".join(names) if names else "No links"


def board_action_save(*, actor, owner, values: dict, action: BoardAction | None = None,
                      version: int | None = None) -> BoardAction:
    """Record a new action of `owner`'s board, or change an open one (`action`, at the `version` the form
    was drawn at). `values` holds FIELDS; programmes and projects replace the links when given."""
    unknown_fields(values, FIELDS)
    if action is None:
        require(permissions.can_record_board_action(actor, owner))
    else:
        require(permissions.can_edit_board_action(actor, action))
        owner = action.owner
    values = dict(values)
    programmes = values.pop("programmes", None)
    projects = values.pop("projects", None)
    errors = check_board_action(actor=actor, owner=owner, values={**values, "programmes": programmes,
                                                                   "projects": projects})
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        if action is None:
            saved = BoardAction(owner=owner)
            reason = "Recorded"
        else:
            saved = claim(action, [Status.OPEN], version, STALE)
            reason = "Changed"
        for name, value in values.items():
            setattr(saved, name, value)
        validated(saved)
        if programmes is not None or projects is not None:
            shown_programmes = programmes if programmes is not None else list(saved.programmes.all()) if saved.pk else []
            shown_projects = projects if projects is not None else list(saved.projects.all()) if saved.pk else []
            reason = f"{reason}. {_links_note(shown_programmes, shown_projects)}"
        audited(saved, actor, reason).save()
        if programmes is not None:
            saved.programmes.set(programmes)
        if projects is not None:
            saved.projects.set(projects)
    return saved


def check_close(action: BoardAction, status, outcome: str, closed_on) -> dict[str, str]:
    errors = {}
    if status not in CLOSED:
        errors["status"] = "Choose whether the action was done or is no longer needed."
    if not (outcome or "").strip():
        errors["outcome"] = ("Say what was done, or why the action is no longer needed: an action is closed with "
                             "its outcome.")
    if closed_on is None:
        errors["closed_on"] = "Enter the date the action was closed."
    elif closed_on < action.resolved_on:
        errors["closed_on"] = f"The action cannot be closed before the board resolved it ({_day(action.resolved_on)})."
    elif closed_on > timezone.localdate():
        errors["closed_on"] = "The date it was closed cannot be after today."
    return errors


def board_action_close(*, actor, action: BoardAction, version: int | None, status: str, outcome: str,
                       closed_on) -> BoardAction:
    """Mark an open action done, or no longer needed, with its outcome and the date."""
    require(permissions.can_close_board_action(actor, action))
    errors = check_close(action, status, outcome, closed_on)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = claim(action, [Status.OPEN], version, STALE)
        locked.status, locked.outcome, locked.closed_on = status, outcome.strip(), closed_on
        validated(locked)
        audited(locked, actor, f"Closed: {Status(status).label.lower()}").save()
    return locked


def board_action_reopen(*, actor, action: BoardAction, version: int | None, reason: str) -> BoardAction:
    """Open a closed action again, saying why; its outcome is cleared (the history keeps it)."""
    require(permissions.can_reopen_board_action(actor, action))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": "Say why the action is open again: the history keeps the reason."})
    with transaction.atomic():
        locked = claim(action, CLOSED, version, STALE)
        locked.status, locked.outcome, locked.closed_on = Status.OPEN, "", None
        validated(locked)
        audited(locked, actor, f"Reopened: {reason}").save()
    return locked


__all__ = ["FIELDS", "STALE", "board_action_close", "board_action_reopen", "board_action_save",
           "check_board_action", "check_close"]
