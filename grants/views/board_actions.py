"""Board actions on the web: the list with its filters, recording and changing an action, closing it with
its outcome and reopening it, and its page with its history. Reach is the selectors' (404 outside it);
who may write is grants.permissions (403 with the reason)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.views.decorators.http import require_POST

from grants import permissions
from grants.forms.board_actions import BoardActionCloseForm, BoardActionForm, BoardActionReopenForm
from grants.selectors import board_actions as selectors
from grants.services import board_actions as services

from .base import call_service, form_page, form_status, require, stale_or_forbidden


def _needs_role(user):
    if not user.organisation_id or not user.role:
        raise PermissionDenied("Board actions are for people with a role in an organisation.")


def _owner_id(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 10 else None


def _day(text: str):
    """A date typed as YYYY-MM-DD in a filter, or None (nothing, or not a real date)."""
    try:
        return parse_date(text) if len(text) == 10 else None
    except ValueError:
        return None


@login_required
def board_action_list(request):
    user = request.user
    _needs_role(user)
    today = timezone.localdate()
    shown = request.GET.get("show", "")
    if shown not in selectors.FILTERS:
        shown = ""
    owner = _owner_id(request.GET.get("owner", ""))
    due_from, due_to = _day(request.GET.get("due_from", "")), _day(request.GET.get("due_to", ""))
    actions = selectors.board_action_list(user, today, shown=shown, owner=owner, due_from=due_from, due_to=due_to)
    return render(request, "grants/board_actions.html", {
        "actions": actions, "today": today, "shown": shown, "filters": selectors.FILTERS.items(),
        "owners": selectors.board_action_owners(user), "owner": owner, "due_from": due_from, "due_to": due_to,
        "can_record": permissions.can_record_board_action(user, user.organisation)[0],
    })


def _form(request, action=None):
    user = request.user
    owner = action.owner if action is not None else user.organisation
    return BoardActionForm(request.POST or None, users=selectors.assignable_users(owner),
                           programmes=selectors.linkable_programmes(user), projects=selectors.linkable_projects(user),
                           initial=BoardActionForm.initial_for(action))


@login_required
def board_action_create(request):
    user = request.user
    _needs_role(user)
    require(permissions.can_record_board_action(user, user.organisation))
    form = _form(request)
    if request.method == "POST":
        done = {}

        def call(data):
            done["action"] = services.board_action_save(actor=user, owner=user.organisation, values=form.values())

        if call_service(form, call):
            messages.success(request, "Action recorded.")
            return redirect("board-action-detail", done["action"].pk)
    return form_page(request, form, title="Record a board action", heading="Record a board action",
                     caption=user.organisation.name, submit="Save the action", back_url=reverse("board-action-list"),
                     intro="An action your board or scrutiny committee resolved: who owes it, by when, and the "
                           "programmes and projects it concerns.", status=form_status(form))


@login_required
def board_action_detail(request, pk):
    user = request.user
    action = selectors.board_action_for_user(user, pk)
    return render(request, "grants/board_action_detail.html", {
        "action": action, "today": timezone.localdate(),
        "history": selectors.board_action_history(action),
        "can_edit": permissions.can_edit_board_action(user, action)[0],
        "can_close": permissions.can_close_board_action(user, action)[0],
        "can_reopen": permissions.can_reopen_board_action(user, action)[0],
        "reopen_form": BoardActionReopenForm(initial={"version": action.version}),
    })


@login_required
def board_action_edit(request, pk):
    user = request.user
    action = selectors.board_action_for_user(user, pk)
    stale = (stale_or_forbidden(request, permissions.can_edit_board_action, action, obj=action)
             if request.method == "POST" else require(permissions.can_edit_board_action(user, action)))
    form = _form(request, action)
    if request.method == "POST":
        def call(data):
            services.board_action_save(actor=user, owner=action.owner, values=form.values(), action=action,
                                       version=data["version"])

        if call_service(form, call, stale_message=services.STALE if stale else None):
            messages.success(request, "Action saved.")
            return redirect("board-action-detail", action.pk)
    return form_page(request, form, title=f"Change {action.title}", heading="Change the action",
                     caption=action.title, submit="Save the action",
                     back_url=reverse("board-action-detail", args=[action.pk]), status=form_status(form))


@login_required
def board_action_close(request, pk):
    user = request.user
    action = selectors.board_action_for_user(user, pk)
    stale = (stale_or_forbidden(request, permissions.can_close_board_action, action, obj=action)
             if request.method == "POST" else require(permissions.can_close_board_action(user, action)))
    form = BoardActionCloseForm(request.POST or None, initial={"version": action.version,
                                                                "closed_on": timezone.localdate()})
    if request.method == "POST":
        def call(data):
            services.board_action_close(actor=user, action=action, version=data["version"], status=data["status"],
                                        outcome=data["outcome"], closed_on=data["closed_on"])

        if call_service(form, call, stale_message=services.STALE if stale else None):
            messages.success(request, "Action closed.")
            return redirect("board-action-detail", action.pk)
    return form_page(request, form, title=f"Close {action.title}", heading="Close the action", caption=action.title,
                     submit="Close the action", back_url=reverse("board-action-detail", args=[action.pk]),
                     intro=f"Due by {action.due_date:%-d %B %Y}. Say what was done, or why it is no longer needed.",
                     status=form_status(form))


@login_required
@require_POST
def board_action_reopen(request, pk):
    user = request.user
    action = selectors.board_action_for_user(user, pk)
    stale = stale_or_forbidden(request, permissions.can_reopen_board_action, action, obj=action)
    form = BoardActionReopenForm(request.POST)

    def call(data):
        services.board_action_reopen(actor=user, action=action, version=data["version"], reason=data["reason"])

    if call_service(form, call, stale_message=services.STALE if stale else None):
        messages.success(request, "Action reopened.")
        return redirect("board-action-detail", action.pk)
    return render(request, "grants/board_action_detail.html", {
        "action": action, "today": timezone.localdate(), "history": selectors.board_action_history(action),
        "can_edit": False, "can_close": False, "can_reopen": True, "reopen_form": form,
        "error_forms": [form],
    }, status=400)
