"""Commissioning on the web: programmes and their allocations (projects are grants.views.projects).

Reach decides 404 (the scoped selectors); permission decides 403 with the reason; the
services decide what is valid. Each view parses a form, calls one service, and redirects
or shows the form again with a GOV.UK error summary."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import permissions, selectors
from grants.kept_pages import kept_page
from grants import forms as f
from grants.forms.finance_codes import FinanceCodesForm
from grants.selectors import finance_codes as finance_code_selectors
from grants.periods import FinancialYear
from grants.services import commissioning as services
from grants.services import payments as payment_services
from grants.services import years as year_services

from .base import (
    call_service,
    form_page,
    form_status,
    funder_only,
    offer,
    require,
    stale_or_forbidden,
)
from .documents import allocation_target, documents_section


def organisation_link(request) -> dict:
    """The "add an organisation" link beside a recipient or provider drop-down, for those who may add one:
    it comes back to this form."""
    if not permissions.can_create_organisation(request.user)[0]:
        return {}
    return {"organisation_link": reverse("organisation-create") + "?" + urlencode({"next": request.path})}


def funding_ending_months() -> int:
    return getattr(settings, "FUNDING_ENDING_MONTHS", 6)


# Programmes ---------------------------------------------------------------------------------


@login_required
def programme_list(request):
    funder_only(request.user, "Programmes")

    def content():
        months = funding_ending_months()
        return {"programmes": selectors.programme_list(request.user),
                "ending": selectors.funding_ending(request.user, timezone.localdate(), months), "months": months,
                "can_create": permissions.can_create_programme(request.user)[0]}

    return kept_page(request, "grants/programmes.html", ("programmes",), content=lambda _: content())


@login_required
def programme_create(request):
    require(permissions.can_create_programme(request.user))
    form = f.ProgrammeForm(request.POST or None, initial=f.ProgrammeForm.initial_for(None))
    if request.method == "POST":
        done = {}

        def call(data):
            done["programme"] = services.programme_create(actor=request.user, values=form.values())

        if call_service(form, call):
            messages.success(request, "Programme set up. Now allocate its budget.")
            return redirect("programme-detail", done["programme"].pk)
    return form_page(request, form, title="Set up a programme", heading="Set up a programme",
                     submit="Save programme", back_url=reverse("programmes"), status=form_status(form),
                     intro="A funding programme for one financial year, with its budget and its rules.")


@login_required
def programme_detail(request, pk):
    def load():
        programme = selectors.programme_for_user(request.user, pk)
        funder_only(request.user, "Programme pages")
        return programme

    return kept_page(request, "grants/programme_detail.html", ("programme", pk), load=load,
                     frame=lambda programme: {"programme": programme},
                     content=lambda programme: programme_context(request, programme))


def programme_context(request, programme) -> dict:
    """Everything the programme page shows."""
    years = year_services.year_totals(programme)
    return {
        "programme": programme,
        "years": years,
        "next_year": years[-1].year.next(),
        "totals": selectors.programme_totals(programme),
        "allocations": selectors.programme_allocations(request.user, programme),
        "history": selectors.programme_history(programme),
        "can_edit": permissions.can_edit_programme(request.user, programme)[0],
        "can_allocate": permissions.can_create_allocation(request.user, programme)[0],
    }


@login_required
def programme_edit(request, pk):
    programme = selectors.programme_for_user(request.user, pk)
    require(permissions.can_edit_programme(request.user, programme))
    form = f.ProgrammeForm(request.POST or None, initial=f.ProgrammeForm.initial_for(programme))
    if request.method == "POST" and call_service(
            form, lambda data: services.programme_update(actor=request.user, programme=programme,
                                                         version=data["version"], values=form.values())):
        messages.success(request, "Programme saved.")
        return redirect("programme-detail", programme.pk)
    return form_page(request, form, title=f"Change {programme}", heading="Change the programme", caption=str(programme),
                     submit="Save programme", back_url=reverse("programme-detail", args=[programme.pk]),
                     status=form_status(form))


# Allocations --------------------------------------------------------------------------------


@login_required
def allocation_create(request, pk):
    programme = selectors.programme_for_user(request.user, pk)
    require(permissions.can_create_allocation(request.user, programme))
    form = f.AllocationForm(request.POST or None, organisations=selectors.organisations_for_choice(programme.commissioner_id),
                            initial={"start_date": programme.year.start, "end_date": programme.year.end})
    if request.method == "POST":
        done = {}

        def call(data):
            done["allocation"] = services.allocation_create(actor=request.user, programme=programme,
                                                            values=form.values())

        if call_service(form, call):
            messages.success(request, "Draft allocation saved. Record the decision to approve it.")
            return redirect("allocation-detail", done["allocation"].pk)
    totals = selectors.programme_totals(programme)
    return form_page(request, form, title="Allocate funds", heading="Allocate funds", caption=str(programme),
                     submit="Save draft allocation", back_url=reverse("programme-detail", args=[programme.pk]),
                     intro=f"Left to allocate: £{totals.left_to_allocate:,.2f} (the budget plus the "
                           f"{totals.allowance_percent.normalize():f}% allowance, less what is approved). "
                           "A draft commits nothing until it is approved.",
                     status=form_status(form), extra=organisation_link(request))


def allocation_context(request, allocation, **forms) -> dict:
    """Everything the allocation page shows, with a form for each action the user may take."""
    user = request.user
    today = timezone.localdate()
    months = funding_ending_months()
    sees_money = user.is_funder_side or (user.is_provider and user.organisation_id == allocation.recipient_id)
    version = {"version": allocation.version}
    context = {
        "allocation": allocation,
        "programme": allocation.programme,
        "projects": selectors.allocation_projects(user, allocation),
        "budgeted": selectors.allocation_budgeted(allocation),
        "ending_before": selectors.add_months(today, months),
        "today": today,
        "months": months,
        "sees_money": sees_money,
        "can_edit": permissions.can_edit_allocation(user, allocation)[0],
        "can_add_project": permissions.can_create_project(user, allocation)[0],
        "can_manage_payments": permissions.can_manage_payments(user, allocation)[0],
        "can_vary": permissions.can_request_variation(user, allocation)[0],
        "can_reallocate": permissions.can_reallocate(user, allocation)[0],
        "variations": selectors.variations_for_user(user, allocation) if sees_money else [],
        "amounts_by_year": ([(FinancialYear(year), amount) for year, amount in
                             year_services.allocation_amounts(allocation).items()]
                            if sees_money and year_services.runs_over_years(allocation) else []),
        "recover": offer(permissions.can_record_clawback(user, allocation),
                          lambda: payment_services.check_record_clawback(allocation)),
        "document_section": documents_section(user, allocation_target(allocation)),
    }
    if user.is_funder_side:
        context["totals"] = selectors.programme_totals(allocation.programme)
    if sees_money:
        context["finance_codes"] = finance_code_selectors.current_codes(allocation)
    if permissions.can_edit_finance_codes(user, allocation)[0]:
        context["finance_codes_form"] = forms.get("finance_codes") or FinanceCodesForm(
            initial=FinanceCodesForm.initial_for(allocation))
    if sees_money:
        context["schedule"] = selectors.payment_schedule(user, allocation, today)
        context["has_payments"] = any(row.payment for row in context["schedule"])
        context["money"] = selectors.underspend(allocation, today)
        context["clawbacks"] = selectors.clawbacks_for(user, allocation)
        context["history"] = selectors.allocation_history(allocation)
    for name, check, form_class, stands_in_the_way in ALLOCATION_ACTIONS_FORMS:
        action = offer(check(user, allocation), stands_in_the_way and (lambda: stands_in_the_way(allocation, today)))
        if name in forms:
            context[f"{name}_form"] = forms[name]
        elif action.ready:
            context[f"{name}_form"] = form_class(initial=version)
        elif action.shown:
            context[f"{name}_blocked"] = action.reason
    context["error_forms"] = [form for form in forms.values() if form.errors]
    return context


# Each step of the allocation: who may take it in which status (the permission), its form, and what else
# the service checks before taking it (None when nothing), asked beforehand to show the step disabled.
ALLOCATION_ACTIONS_FORMS = [
    ("approve", permissions.can_approve_allocation, f.ApproveForm,
     lambda allocation, today: services.check_approve_allocation(allocation)),
    ("sign", permissions.can_sign_allocation, f.SignForm, None),
    ("activate", permissions.can_activate_allocation, f.ActionForm,
     lambda allocation, today: services.check_activate_allocation(allocation)),
    ("withdraw", permissions.can_withdraw_allocation, f.WithdrawForm,
     lambda allocation, today: services.check_withdraw_allocation(allocation)),
    ("close", permissions.can_close_allocation, f.ActionForm, payment_services.check_close_allocation),
]


@login_required
def allocation_detail(request, pk):
    return kept_page(request, "grants/allocation_detail.html", ("allocation", pk),
                     load=lambda: selectors.allocation_for_user(request.user, pk),
                     frame=lambda allocation: {"allocation": allocation, "programme": allocation.programme},
                     content=lambda allocation: allocation_context(request, allocation))


@login_required
def allocation_edit(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    stale = request.method == "POST" and stale_or_forbidden(request, permissions.can_edit_allocation, allocation,
                                                            obj=allocation)
    if request.method != "POST":
        require(permissions.can_edit_allocation(request.user, allocation))
    decided = allocation.status != allocation.Status.DRAFT
    organisations = selectors.organisations_for_choice(allocation.programme.commissioner_id, keep=allocation.recipient_id)
    form = f.AllocationForm(request.POST or None, organisations=organisations, decided=decided,
                            initial=f.AllocationForm.initial_for(allocation))
    if request.method == "POST" and call_service(
            form, lambda data: services.allocation_update(actor=request.user, allocation=allocation,
                                                          version=data["version"], values=form.values()),
            stale_message=services.ALLOCATION_STALE if stale else None):
        messages.success(request, "Allocation saved.")
        return redirect("allocation-detail", allocation.pk)
    return form_page(request, form, title=f"Change {allocation.title}", heading="Change the allocation",
                     caption=allocation.title, submit="Save allocation",
                     back_url=reverse("allocation-detail", args=[allocation.pk]), status=form_status(form),
                     extra={} if decided else organisation_link(request))


def allocation_post(request, pk, action: str, actions: dict):
    """The shape every allocation action shares: check, validate, act, redirect or show the page again."""
    allocation = selectors.allocation_for_user(request.user, pk)
    if action not in actions:
        raise Http404("No such action")
    check, form_class, act, message = actions[action]
    stale = stale_or_forbidden(request, check, allocation, obj=allocation)
    form = form_class(request.POST)
    if call_service(form, lambda data: act(request.user, allocation, data),
                    stale_message=services.ALLOCATION_STALE if stale else None):
        messages.success(request, message)
        return redirect("allocation-detail", allocation.pk)
    return render(request, "grants/allocation_detail.html", allocation_context(request, allocation, **{action: form}),
                  status=400)


COMMISSIONING_ACTIONS = {
    "approve": (permissions.can_approve_allocation, f.ApproveForm,
                lambda user, allocation, data: services.allocation_approve(
                    actor=user, allocation=allocation, version=data["version"],
                    decision_reference=data["decision_reference"], decision_date=data["decision_date"]),
                "Allocation approved."),
    "sign": (permissions.can_sign_allocation, f.SignForm,
             lambda user, allocation, data: services.allocation_sign(
                 actor=user, allocation=allocation, version=data["version"], signed_on=data["signed_on"]),
             "Grant agreement recorded as signed: finance can now schedule the payments."),
    "activate": (permissions.can_activate_allocation, f.ActionForm,
                 lambda user, allocation, data: services.allocation_activate(
                     actor=user, allocation=allocation, version=data["version"]),
                 "Allocation marked active."),
    "withdraw": (permissions.can_withdraw_allocation, f.WithdrawForm,
                 lambda user, allocation, data: services.allocation_withdraw(
                     actor=user, allocation=allocation, version=data["version"], reason=data["reason"]),
                 "Allocation withdrawn."),
}


@login_required
@require_POST
def allocation_action(request, pk, action):
    return allocation_post(request, pk, action, COMMISSIONING_ACTIONS)
