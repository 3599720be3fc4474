"""Virements on the web: a provider asks to move budget, the commissioner approves or refuses,
and the page shows both budget lines before and after."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from grants.kept_pages import kept_page
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grants import forms as f
from grants import permissions, selectors
from grants.models import Virement
from grants.services import virements as virement_services

from .base import call_service, form_page, form_status, require, stale_or_forbidden


@login_required
def virement_list(request):
    if not request.user.role:
        raise PermissionDenied("Virements are for people with a role in an organisation.")
    status = request.GET.get("status", "")
    if status not in Virement.Status.values:
        status = ""
    return kept_page(request, "grants/virements.html", ("virements",), query=("status",), content=lambda _: {
        "virements": selectors.virements_for_user(request.user, status=status or None),
        "status": status, "statuses": Virement.Status.choices,
    })


@login_required
def virement_create(request, reference):
    project = selectors.project_for_user(request.user, reference)
    require(permissions.can_request_virement(request.user, project))
    lines = selectors.virement_lines(request.user, project)
    form = f.VirementForm(request.POST or None, lines=lines)
    if request.method == "POST":
        done = {}

        def call(data):
            done["virement"] = virement_services.virement_request(
                actor=request.user, from_line=data["from_line"], to_line=data["to_line"], amount=data["amount"],
                quarter=data["quarter"], reason=data["reason"])

        if call_service(form, call):
            messages.success(request, "Virement requested: the commissioner will approve or refuse it.")
            return redirect("virement-detail", done["virement"].pk)
    return form_page(request, form, title="Ask to move budget", heading="Ask to move budget", caption=project.name,
                     submit="Send the request", back_url=reverse("project-detail", args=[project.reference]),
                     intro="Move money between budget lines of your project, or between projects of the same "
                           "allocation. The commissioner must approve it before the budget changes.",
                     status=form_status(form))


def _virement_page(request, virement, form=None, status=200):
    can_decide = permissions.can_decide_virement(request.user, virement)[0]
    if can_decide and form is None:
        form = f.DecisionForm(initial={"version": virement.version})
    # What stops approval now (refusing is always possible): shown to everyone who reads a request.
    approval_problem = ""
    if virement.status == Virement.Status.REQUESTED:
        approval_problem = virement_services.check_approve_virement(virement)
    lines = [virement.from_line, virement.to_line]
    return render(request, "grants/virement_detail.html", {
        "virement": virement, "form": form if can_decide or form is not None else None,
        "approval_problem": approval_problem, "lines": lines,
        "error_forms": [form] if form is not None and form.errors else [],
        "line_changes": selectors.virement_line_changes(virement),
        "crossing": virement_services.crossing_text(virement) if virement.crosses_capital_revenue else "",
    }, status=status)


@login_required
def virement_detail(request, pk):
    virement = selectors.virement_for_user(request.user, pk)
    return _virement_page(request, virement)


@login_required
@require_POST
def virement_decide(request, pk):
    virement = selectors.virement_for_user(request.user, pk)
    approve = request.POST.get("action") == "approve"
    stale = stale_or_forbidden(request, permissions.can_decide_virement, virement, obj=virement)
    form = f.DecisionForm(request.POST)

    def call(data):
        if approve:
            virement_services.virement_approve(actor=request.user, virement=virement, version=data["version"],
                                               note=data["note"], crossing_confirmed=data["confirm_crossing"])
        else:
            virement_services.virement_refuse(actor=request.user, virement=virement, version=data["version"],
                                              note=data["note"])

    if call_service(form, call, stale_message=virement_services.STALE if stale else None):
        messages.success(request, "Virement approved: the budgets have changed." if approve else "Virement refused.")
        return redirect("virement-detail", virement.pk)
    return _virement_page(request, virement, form=form, status=400)
