"""Variations on the web: the recipient asks to change an approved allocation or to re-profile a
project's spend (or the commissioner makes the change), the commissioner moves underspend from one
allocation to another, and approves or refuses what is asked, with the figures before and after."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from grants import forms as f
from grants import permissions, selectors
from grants.services import variations as services
from grants.models import Variation
from grants.periods import FinancialYear
from grants.services.base import money_text

from .base import call_service, form_page, form_status, require, stale_or_forbidden


@login_required
def variation_create(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_request_variation(request.user, allocation))
    form = f.VariationForm(request.POST or None, years=services.reallocation_years(allocation))
    makes_it = permissions.can_edit_allocation(request.user, allocation, any_status=True)[0]  # the funder's officer
    if request.method == "POST":
        done = {}

        def call(data):
            done["variation"] = services.variation_request(
                actor=request.user, allocation=allocation, amount=data["amount"], end_date=data["end_date"],
                conditions=data["conditions"], reason=data["reason"],
                financial_year=data.get("financial_year") if data["amount"] is not None else None)

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


@login_required
def variation_list(request):
    if not request.user.role:
        raise PermissionDenied("Variations are for people with a role in an organisation.")
    status = request.GET.get("status", "")
    if status not in Variation.Status.values:
        status = ""
    variations = selectors.variations_for_user(request.user)
    if status:
        variations = variations.filter(status=status)
    return render(request, "grants/variations.html", {
        "variations": variations, "status": status, "statuses": Variation.Status.choices,
    })


@login_required
def reprofile_create(request, reference, year):
    project = selectors.project_for_user(request.user, reference)
    require(permissions.can_request_reprofile(request.user, project))
    lines = services.reprofile_lines(project, year) if 1900 <= year <= 2999 else []
    if not lines:
        raise Http404("The project has no budget lines in this year.")
    form = f.ReprofileForm(request.POST or None, lines=lines, reported=services.reported_quarters(project, year))
    makes_it = permissions.can_edit_project(request.user, project, any_status=True)[0]  # the funder's officer
    if request.method == "POST":
        done = {}

        def call(data):
            done["variation"] = services.reprofile_request(
                actor=request.user, project=project, financial_year=year, profiles=form.profiles(),
                reason=data["reason"])

        if call_service(form, call):
            messages.success(request, "Re-profile made: the project's profile has changed." if makes_it else
                             "Re-profile requested: the commissioner will approve or refuse it.")
            return redirect("variation-detail", done["variation"].pk)
    year_label = FinancialYear(year).label
    return form_page(request, form, title=f"Re-profile {year_label} spend",
                     heading=f"Re-profile {year_label} spend" if makes_it else f"Ask to re-profile {year_label} spend",
                     caption=f"{project.reference}: {project.name}",
                     submit="Make the re-profile" if makes_it else "Send the request",
                     back_url=reverse("project-detail", args=[project.reference]),
                     intro="Move planned spend between quarters: each budget line keeps its total. Quarters already "
                           "reported keep their profile."
                           + ("" if makes_it else " The commissioner must approve it before the profile changes."),
                     status=form_status(form))


@login_required
def reallocate(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_reallocate(request.user, allocation))
    targets = services.reallocation_targets(allocation)
    form = f.ReallocationForm(request.POST or None, targets=targets, years=services.reallocation_years(allocation),
                              year=services.default_reallocation_year(allocation))
    if request.method == "POST":
        done = {}

        def call(data):
            done["variation"] = services.reallocate(actor=request.user, source=allocation, target=data["target"],
                                                    amount=data["amount"], reason=data["reason"],
                                                    financial_year=data.get("financial_year"))

        if call_service(form, call):
            messages.success(request, "Money moved: both allocations have changed.")
            return redirect("variation-detail", done["variation"].pk)
    return form_page(request, form, title="Move underspend to another allocation",
                     heading="Move underspend to another allocation", caption=allocation.title,
                     submit="Move the money", back_url=reverse("allocation-detail", args=[allocation.pk]),
                     intro=f"Now {money_text(allocation.amount)}. The amount comes off this allocation and goes onto "
                           "the one you choose, in one decision: both change, or neither does.",
                     status=form_status(form))


def _page(request, variation, form=None, status=200):
    can_decide = permissions.can_decide_variation(request.user, variation)[0]
    if can_decide and form is None:
        form = f.VariationDecisionForm(initial={"version": variation.version})
    problem = services.check_approve_variation(variation) if variation.status == variation.Status.REQUESTED else ""
    return render(request, "grants/variation_detail.html", {
        "variation": variation, "allocation": variation.allocation,
        "profile_changes": variation.profile_changes.select_related("line") if variation.is_reprofile else (),
        "moved_from": Variation.objects.filter(moves_to=variation).select_related("allocation").first(), "form": form if can_decide or form else None,
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
