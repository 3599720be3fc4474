"""Commissioning on the web: programmes, allocations, projects, budget lines, measures and the library.

Reach decides 404 (the scoped selectors); permission decides 403 with the reason; the
services decide what is valid. Each view parses a form, calls one service, and redirects
or shows the form again with a GOV.UK error summary."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from grants import extensions, figures, permissions, selectors
from grants import forms as f
from grants.choices import ALLOCATION_LIVE
from grants.forms.finance_codes import FinanceCodesForm
from grants.selectors import finance_codes as finance_code_selectors
from grants.models import Area, Priority, Project
from grants.periods import FinancialYear
from grants.services import Invalid, Stale
from grants.services import commissioning as services
from grants.services import funding as funding_services
from grants.services import payments as payment_services
from grants.services import projects as project_services
from grants.services import years as year_services
from grants.services.base import money_text

from .base import (
    call_service,
    form_page,
    form_status,
    funder_only,
    offer,
    posted_version,
    require,
    run_service,
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
    today = timezone.localdate()
    months = funding_ending_months()
    return render(request, "grants/programmes.html", {
        "programmes": selectors.programme_list(request.user),
        "ending": selectors.funding_ending(request.user, today, months),
        "months": months,
        "can_create": permissions.can_create_programme(request.user)[0],
    })


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
    programme = selectors.programme_for_user(request.user, pk)
    funder_only(request.user, "Programme pages")
    years = year_services.year_totals(programme)
    return render(request, "grants/programme_detail.html", {
        "programme": programme,
        "years": years,
        "next_year": years[-1].year.next(),
        "totals": selectors.programme_totals(programme),
        "allocations": selectors.programme_allocations(request.user, programme),
        "history": selectors.programme_history(programme),
        "can_edit": permissions.can_edit_programme(request.user, programme)[0],
        "can_allocate": permissions.can_create_allocation(request.user, programme)[0],
    })


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
    allocation = selectors.allocation_for_user(request.user, pk)
    return render(request, "grants/allocation_detail.html", allocation_context(request, allocation))


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


# Projects -----------------------------------------------------------------------------------


def _project_form(request, allocation, project=None):
    return f.ProjectForm(
        request.POST or None, initial=f.ProjectForm.initial_for(project) if project else
        {"start_date": allocation.start_date, "end_date": allocation.end_date},
        organisations=selectors.organisations_for_choice(allocation.programme.commissioner_id,
                                                         keep=project.provider_id if project else None),
        priorities=Priority.objects.filter(commissioner_id=allocation.programme.commissioner_id).order_by("name"),
        areas=Area.objects.order_by("name"),
    )


@login_required
def project_create(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_create_project(request.user, allocation))
    form = _project_form(request, allocation)
    if request.method == "POST":
        done = {}

        def call(data):
            done["project"] = project_services.project_create(actor=request.user, allocation=allocation, values=form.values(),
                                                      priorities=data["priorities"])

        if call_service(form, call):
            messages.success(request, "Project set up. Now add its budget lines and outcome measures.")
            return redirect("project-detail", done["project"].reference)
    return form_page(request, form, title="Set up a project", heading="Set up a project", caption=allocation.title,
                     submit="Save project", back_url=reverse("allocation-detail", args=[allocation.pk]),
                     status=form_status(form), extra=organisation_link(request))


@login_required
def project_detail(request, reference):
    project = selectors.project_for_user(request.user, reference)
    user = request.user
    today = timezone.localdate()
    months = funding_ending_months()
    can_edit = permissions.can_edit_project(user, project)[0]
    lines = list(selectors.project_lines(project))
    measures = list(selectors.project_measures(project))
    if can_edit:
        # What stops a removal, asked beforehand as the service asks it: shown instead of the button.
        for line in lines:
            line.removal_blocked = project_services.check_delete_budget_line(line)
        for project_measure in measures:
            project_measure.removal_blocked = project_services.check_delete_project_measure(project_measure)
    years = {}
    for line in lines:
        years.setdefault(line.financial_year, []).append(line)
    other_funding = list(project.other_funding.order_by("financial_year", "funder"))
    funding = [
        (year, [o for o in other_funding if o.financial_year == year], figures.funding(
            sum((line.amount for line in years.get(year, [])), figures.ZERO),
            [(o.status, o.amount) for o in other_funding if o.financial_year == year]))
        for year in sorted(set(years) | {o.financial_year for o in other_funding})
    ] if other_funding else []
    return render(request, "grants/project_detail.html", {
        "funding": funding,
        "project": project,
        "allocation": project.allocation,
        "years": [(year, year_lines, sum((line.amount for line in year_lines), 0), figures.capital_and_revenue(
            (line.category, line.amount, line.profile, line.spent, line.awaiting) for line in year_lines))
            for year, year_lines in years.items()],
        "measures": measures,
        "virements": selectors.virements_for_user(user, project=project),
        "history": selectors.project_history(project),
        "returns": selectors.project_returns(project, today),
        "funding_ending": today <= project.end_date <= selectors.add_months(today, months)
        and project.allocation.status in ALLOCATION_LIVE,
        "months": months,
        "can_edit": can_edit,
        "can_request_virement": permissions.can_request_virement(user, project)[0],
        "can_reprofile": permissions.can_request_reprofile(user, project)[0],
        "reprofiles": list(project.reprofiles.order_by("-requested_at", "-pk")),
        "sections": extensions.project_page_extras(request, project),
    })


@login_required
def project_edit(request, reference):
    project = selectors.project_for_user(request.user, reference)
    require(permissions.can_edit_project(request.user, project))
    form = _project_form(request, project.allocation, project)
    if request.method == "POST":
        done = {}

        def call(data):
            done["project"] = project_services.project_update(actor=request.user, project=project, version=data["version"],
                                                      values=form.values(),
                                                      priorities=data["priorities"])

        if call_service(form, call):
            messages.success(request, "Project saved.")
            return redirect("project-detail", done["project"].reference)
    return form_page(request, form, title=f"Change {project.name}", heading="Change the project", caption=project.name,
                     submit="Save project", back_url=reverse("project-detail", args=[project.reference]),
                     status=form_status(form), extra=organisation_link(request))


def _project_years(project):
    return sorted({q.financial_year for q in project.quarters()})


@login_required
def budget_line_edit(request, reference, pk=None):
    project = selectors.project_for_user(request.user, reference)
    line = get_object_or_404(project.budget_lines, pk=pk) if pk else None
    if line is not None and request.method == "POST":
        check = lambda user, obj, any_status=False: permissions.can_edit_project(user, project, any_status)  # noqa: E731
        stale = stale_or_forbidden(request, check, line, obj=line)
    else:
        require(permissions.can_edit_project(request.user, project))
        stale = False
    form = f.BudgetLineForm(request.POST or None, years=_project_years(project),
                            initial=f.BudgetLineForm.initial_for(line) or {"financial_year": _project_years(project)[0]})
    if request.method == "POST" and call_service(
            form, lambda data: project_services.budget_line_save(actor=request.user, project=project, values=form.values(),
                                                         line=line, version=data["version"]),
            stale_message=project_services.LINE_STALE if stale else None):
        messages.success(request, "Budget line saved.")
        return redirect(reverse("project-detail", args=[project.reference]) + "#budget")
    left = project.allocation.amount - selectors.allocation_budgeted(project.allocation) + (line.amount if line else 0)
    return form_page(request, form, title="Budget line", heading="Change a budget line" if line else "Add a budget line",
                     caption=project.name, submit="Save budget line",
                     back_url=reverse("project-detail", args=[project.reference]),
                     intro=f"Left for this line within the allocation: £{left:,.2f}. The quarterly profile must add "
                           "up to the line.", status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_delete(request, reference, pk):
    """GET asks "Are you sure?"; POST (from that page) removes the line."""
    project = selectors.project_for_user(request.user, reference)
    line = get_object_or_404(project.budget_lines, pk=pk)
    require(permissions.can_edit_project(request.user, project))
    back = reverse("project-detail", args=[project.reference]) + "#budget"
    if request.method == "GET":
        return render(request, "grants/confirm_remove.html", {
            "project": project, "what": "budget line", "name": line.description, "back_url": back,
            "version": line.version, "problem": project_services.check_delete_budget_line(line),
            "details": [("Financial year", FinancialYear(line.financial_year).label),
                        ("Category", line.get_category_display()), ("Budget for the year", money_text(line.amount))],
        })
    run_service(request, lambda: project_services.budget_line_delete(
        actor=request.user, line=line, version=posted_version(request)),
        success="Budget line removed.", catch=(Invalid, Stale))
    return redirect(back)


@login_required
def other_funding_edit(request, reference, pk=None):
    project = selectors.project_for_user(request.user, reference)
    funding = get_object_or_404(project.other_funding, pk=pk) if pk else None
    if funding is not None and request.method == "POST":
        check = lambda user, obj, any_status=False: permissions.can_edit_project(user, project, any_status)  # noqa: E731
        stale = stale_or_forbidden(request, check, funding, obj=funding)
    else:
        require(permissions.can_edit_project(request.user, project))
        stale = False
    years = _project_years(project)
    form = f.OtherFundingForm(request.POST or None, years=years,
                              initial=f.OtherFundingForm.initial_for(funding) or {"financial_year": years[0],
                                                                                  "status": "confirmed"})
    if request.method == "POST" and call_service(
            form, lambda data: funding_services.other_funding_save(
                actor=request.user, project=project, values=form.values(), funding=funding, version=data["version"]),
            stale_message=funding_services.FUNDING_STALE if stale else None):
        messages.success(request, "Other funding saved.")
        return redirect(reverse("project-detail", args=[project.reference]) + "#funding")
    return form_page(request, form, title="Other funding",
                     heading="Change other funding" if funding else "Add other funding", caption=project.name,
                     submit="Save funding", back_url=reverse("project-detail", args=[project.reference]) + "#funding",
                     intro="Money another funder gives this project in a year, so that its total cost and your "
                           "share of it show on its page, in the workbook and in the reports.",
                     status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def other_funding_delete(request, reference, pk):
    """GET asks "Are you sure?"; POST (from that page) removes the entry."""
    project = selectors.project_for_user(request.user, reference)
    funding = get_object_or_404(project.other_funding, pk=pk)
    require(permissions.can_edit_project(request.user, project))
    back = reverse("project-detail", args=[project.reference]) + "#funding"
    if request.method == "GET":
        return render(request, "grants/confirm_remove.html", {
            "project": project, "what": "other funding", "name": funding.funder, "back_url": back,
            "version": funding.version, "problem": "",
            "details": [("Financial year", FinancialYear(funding.financial_year).label),
                        ("Amount", money_text(funding.amount)), ("Status", funding.get_status_display())],
        })
    run_service(request, lambda: funding_services.other_funding_delete(
        actor=request.user, funding=funding, version=posted_version(request)),
        success="Other funding removed.", catch=(Invalid, Stale))
    return redirect(back)


@login_required
def project_measure_edit(request, reference, pk=None):
    project = selectors.project_for_user(request.user, reference)
    project_measure = get_object_or_404(project.measures, pk=pk) if pk else None
    require(permissions.can_edit_project(request.user, project))
    form = f.ProjectMeasureForm(request.POST or None, years=_project_years(project),
                                initial=f.ProjectMeasureForm.initial_for(project_measure)
                                or {"financial_year": _project_years(project)[0]})
    if request.method == "POST" and call_service(
            form, lambda data: project_services.project_measure_save(actor=request.user, project=project, values=form.values(),
                                                             project_measure=project_measure,
                                                             version=data["version"])):
        messages.success(request, "Outcome measure saved.")
        return redirect(reverse("project-detail", args=[project.reference]) + "#measures")
    return form_page(request, form, title="Outcome measure",
                     heading="Change a measure's targets" if project_measure else "Add an outcome measure",
                     caption=project.name, submit="Save measure",
                     back_url=reverse("project-detail", args=[project.reference]),
                     intro="Not in the list? Add it to the library first.",
                     extra={"library_link": reverse("measure-create") + f"?project={project.reference}"},
                     status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def project_measure_delete(request, reference, pk):
    """GET asks "Are you sure?"; POST (from that page) removes the measure from the project."""
    project = selectors.project_for_user(request.user, reference)
    project_measure = get_object_or_404(project.measures.select_related("measure"), pk=pk)
    require(permissions.can_edit_project(request.user, project))
    back = reverse("project-detail", args=[project.reference]) + "#measures"
    if request.method == "GET":
        return render(request, "grants/confirm_remove.html", {
            "project": project, "what": "measure", "name": project_measure.measure.name, "back_url": back,
            "version": project_measure.version, "problem": project_services.check_delete_project_measure(
                project_measure),
            "details": [("Financial year", FinancialYear(project_measure.financial_year).label)],
        })
    run_service(request, lambda: project_services.project_measure_delete(
        actor=request.user, project_measure=project_measure), success="Outcome measure removed.", catch=(Invalid,))
    return redirect(back)


# The measure library ------------------------------------------------------------------------


@login_required
def measure_list(request):
    from grants.models import OutcomeMeasure

    if not request.user.role:
        raise PermissionDenied("The measure library is for people with a role in an organisation.")
    return render(request, "grants/measures.html", {
        "measures": OutcomeMeasure.objects.order_by("name"),
        "can_add": permissions.can_add_measure(request.user)[0],
    })


@login_required
def measure_create(request):
    require(permissions.can_add_measure(request.user))
    back = reverse("measure-list")
    reference = request.GET.get("project", "")
    if reference and Project.objects.for_user(request.user).filter(reference=reference).exists():
        back = reverse("project-measure-create", args=[reference])
    form = f.MeasureForm(request.POST or None)
    if request.method == "POST" and call_service(
            form, lambda data: project_services.measure_create(actor=request.user, values=form.values())):
        messages.success(request, "Measure added to the library.")
        return redirect(back)
    return form_page(request, form, title="Add a measure to the library", heading="Add a measure to the library",
                     submit="Add measure", back_url=back, status=form_status(form),
                     intro="Every project can report against the measures in the library. Check the library first: "
                           "one measure counted the same way everywhere can be added up.")
