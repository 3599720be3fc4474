"""Variations on the web: the recipient asks to change an approved allocation (or the commissioner
makes the change), and the commissioner approves or refuses it, with the allocation before and after."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grants import forms as f
from grants import permissions, selectors
from grants.services import variations as services
from grants.services.base import money_text

from .base import call_service, form_page, form_status, require, stale_or_forbidden


@login_required
def variation_create(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_request_variation(request.user, allocation))
    form = f.VariationForm(request.POST or None)
    makes_it = permissions.can_edit_allocation(request.user, allocation, any_status=True)[0]  # the funder's officer
    if request.method == "POST":
        done = {}

        def call(data):
            done["variation"] = services.variation_request(
                actor=request.user, allocation=allocation, amount=data["amount"], end_date=data["end_date"],
                conditions=data["conditions"], reason=data["reason"])

        if call_service(form, call):
            messages.success(request, "Variation made: the allocation has changed." if makes_it else
                             "Variation requested: the commissioner will approve or refuse it.")
            return redirect("variation-detail", done["variation"].pk)
    return form_page(request, form, title="Vary the allocation",
                     heading="Vary the allocation" if makes_it else "Ask to vary the allocation",
                     caption=allocation.title, submit="Make the variation" if makes_it else "Send the request",
                     back_url=reverse("allocation-detail", args=[allocation.pk]),
                     intro=f"Now {money_text(allocation.amount)} from {allocation.start_date:%-d %B %Y} to "
                           f"{allocation.end_date:%-d %B %Y}. Fill in only what changes."
                           + ("" if makes_it else " The commissioner must approve it before the allocation changes."),
                     status=form_status(form))


def _page(request, variation, form=None, status=200):
    can_decide = permissions.can_decide_variation(request.user, variation)[0]
    if can_decide and form is None:
        form = f.VariationDecisionForm(initial={"version": variation.version})
    problem = services.check_approve_variation(variation) if variation.status == variation.Status.REQUESTED else ""
    return render(request, "grants/variation_detail.html", {
        "variation": variation, "allocation": variation.allocation, "form": form if can_decide or form else None,
        "approval_problem": problem, "error_forms": [form] if form is not None and form.errors else [],
    }, status=status)


@login_required
def variation_detail(request, pk):
    return _page(request, selectors.variation_for_user(request.user, pk))


@login_required
@require_POST
def variation_decide(request, pk):
    variation = selectors.variation_for_user(request.user, pk)
    approve = request.POST.get("action") == "approve"
    stale = stale_or_forbidden(request, permissions.can_decide_variation, variation, obj=variation)
    form = f.VariationDecisionForm(request.POST)

    def call(data):
        decide = services.variation_approve if approve else services.variation_refuse
        decide(actor=request.user, variation=variation, version=data["version"], note=data["note"])

    if call_service(form, call, stale_message=services.STALE if stale else None):
        messages.success(request, "Variation approved: the allocation has changed." if approve else "Variation refused.")
        return redirect("variation-detail", variation.pk)
    return _page(request, variation, form=form, status=400)
