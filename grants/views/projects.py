"""Projects on the web: a project's page and its set-up, its budget lines, its other funding and its
outcome measures, and the measure library they are chosen from; built as grants.views.commissioning
says (reach decides 404, permission 403, the services what is valid)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from grants import extensions, figures, permissions, selectors
from grants import forms as f
from grants.choices import ALLOCATION_LIVE
from grants.kept_pages import kept_page
from grants.models import Area, Priority, Project
from grants.periods import FinancialYear
from grants.services import Invalid, Stale
from grants.services import funding as funding_services
from grants.services import projects as project_services
from grants.services.base import money_text

from .base import (
    call_service,
    form_page,
    form_status,
    posted_version,
    require,
    run_service,
    stale_or_forbidden,
)
from .commissioning import funding_ending_months, organisation_link


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
    return kept_page(request, "grants/project_detail.html", ("project", reference),
                     load=lambda: selectors.project_for_user(request.user, reference),
                     frame=lambda project: {"project": project, "allocation": project.allocation},
                     content=lambda project: project_context(request, project))


def project_context(request, project) -> dict:
    """Everything the project page shows."""
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
    return {
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
    }


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


def _confirm_remove(request, project, row, *, what: str, name: str, section: str, problem, details, remove,
                    success: str, catch):
    """A row of the project's, removed in two steps: GET asks "Are you sure?" (with `problem`, what would
    stop it, and the row's `details`); POST (from that page) calls `remove(version)`, the service, and
    goes back to the project page's `section`."""
    require(permissions.can_edit_project(request.user, project))
    back = reverse("project-detail", args=[project.reference]) + f"#{section}"
    if request.method == "GET":
        return render(request, "grants/confirm_remove.html", {
            "project": project, "what": what, "name": name, "back_url": back, "version": row.version,
            "problem": problem() if problem else "", "details": details,
        })
    run_service(request, lambda: remove(posted_version(request)), success=success, catch=catch)
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_delete(request, reference, pk):
    project = selectors.project_for_user(request.user, reference)
    line = get_object_or_404(project.budget_lines, pk=pk)
    return _confirm_remove(
        request, project, line, what="budget line", name=line.description, section="budget",
        problem=lambda: project_services.check_delete_budget_line(line),
        details=[("Financial year", FinancialYear(line.financial_year).label),
                 ("Category", line.get_category_display()), ("Budget for the year", money_text(line.amount))],
        remove=lambda version: project_services.budget_line_delete(actor=request.user, line=line, version=version),
        success="Budget line removed.", catch=(Invalid, Stale))


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
    project = selectors.project_for_user(request.user, reference)
    funding = get_object_or_404(project.other_funding, pk=pk)
    return _confirm_remove(
        request, project, funding, what="other funding", name=funding.funder, section="funding", problem=None,
        details=[("Financial year", FinancialYear(funding.financial_year).label),
                 ("Amount", money_text(funding.amount)), ("Status", funding.get_status_display())],
        remove=lambda version: funding_services.other_funding_delete(actor=request.user, funding=funding,
                                                                    version=version),
        success="Other funding removed.", catch=(Invalid, Stale))


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
    project = selectors.project_for_user(request.user, reference)
    project_measure = get_object_or_404(project.measures.select_related("measure"), pk=pk)
    return _confirm_remove(
        request, project, project_measure, what="measure", name=project_measure.measure.name, section="measures",
        problem=lambda: project_services.check_delete_project_measure(project_measure),
        details=[("Financial year", FinancialYear(project_measure.financial_year).label)],
        remove=lambda version: project_services.project_measure_delete(actor=request.user,
                                                                      project_measure=project_measure),
        success="Outcome measure removed.", catch=(Invalid,))


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
