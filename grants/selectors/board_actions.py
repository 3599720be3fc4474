"""
Board actions as people read them: the list with its filters, one action with its links and history,
and the choices its form offers. Reach is grants.selectors.places.board_actions_for (404 outside it).
"""

from datetime import date

from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404

from grants.models import BoardAction, Organisation, Programme, Project, User

from .history import Source, history_changes
from .places import board_actions_for

Status = BoardAction.Status

# The list's filters: what each shows.
FILTERS = {
    "": "All",
    "open": "Open",
    "overdue": "Overdue",
    "closed": "Done or no longer needed",
}


def _with_links(queryset):
    return queryset.select_related("owner", "assignee").prefetch_related(
        Prefetch("programmes", queryset=Programme.objects.order_by("code", "financial_year")),
        Prefetch("projects", queryset=Project.objects.order_by("reference")),
    )


def overdue(queryset, today: date):
    """Open actions whose due date has passed."""
    return queryset.filter(status=Status.OPEN, due_date__lt=today)


def board_action_list(user, today: date, *, shown: str = "", owner: int | None = None,
                      due_from: date | None = None, due_to: date | None = None):
    """The actions the user reaches, soonest due first, filtered: `shown` one of FILTERS; `owner` an
    organisation's id; due between `due_from` and `due_to` (either end open). Three queries."""
    actions = board_actions_for(user)
    if shown == "open":
        actions = actions.filter(status=Status.OPEN)
    elif shown == "overdue":
        actions = overdue(actions, today)
    elif shown == "closed":
        actions = actions.exclude(status=Status.OPEN)
    if owner:
        actions = actions.filter(owner_id=owner)
    if due_from:
        actions = actions.filter(due_date__gte=due_from)
    if due_to:
        actions = actions.filter(due_date__lte=due_to)
    return _with_links(actions.order_by("due_date", "pk"))


def board_action_owners(user):
    """The organisations whose actions the user reaches (the list's owner filter)."""
    return Organisation.objects.filter(pk__in=board_actions_for(user).values("owner_id")).order_by("name")


def board_action_for_user(user, pk: int) -> BoardAction:
    """One action the user reaches, with its links, or 404."""
    return get_object_or_404(_with_links(board_actions_for(user)), pk=pk)


def board_actions_due(user, start: date, end: date, condition: Q = Q()):
    """The actions the user reaches due between `start` and `end` (both included), with their links:
    a report's "board actions due in the period". `condition` narrows them (for example to the actions
    linked to a report's projects). Three queries."""
    return _with_links(board_actions_for(user).filter(condition, due_date__gte=start, due_date__lte=end)
                       .distinct().order_by("due_date", "pk"))


def board_action_history(action: BoardAction) -> list:
    """Every change to the action, newest first (one query). Links are named in each change's reason."""
    statuses = dict(Status.choices)
    names = dict(User.objects.filter(pk__in=BoardAction.history.filter(id=action.pk).exclude(assignee_id=None)
                                     .values("assignee_id")).values_list("pk", "username"))
    fields = [("status", statuses), ("board", None), ("resolved_on", "date"), ("title", None), ("resolution", None),
              ("action_owner", None), ("assignee_id", "name"), ("due_date", "date"), ("closed_on", "date"),
              ("outcome", None)]
    return history_changes([Source(BoardAction.history.filter(id=action.pk), fields, lambda r: "Action",
                                   (None, ""))], names)


def linkable_programmes(user):
    """The programmes an action of the user's organisation may be linked to: its reach."""
    return Programme.objects.for_user(user).order_by("code", "-financial_year")


def linkable_projects(user):
    """The projects an action of the user's organisation may be linked to: its reach."""
    return Project.objects.for_user(user).order_by("reference")


def assignable_users(owner):
    """The people of the owner organisation an action can be given to (active accounts)."""
    return User.objects.filter(organisation=owner, is_active=True).order_by("first_name", "last_name", "username")


__all__ = ["FILTERS", "assignable_users", "board_action_for_user", "board_action_history", "board_action_list",
           "board_action_owners", "board_actions_due", "linkable_programmes", "linkable_projects", "overdue"]
