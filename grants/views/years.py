"""Programmes and allocations over several financial years on the web: a programme's budget for each
year (set, add the next, remove the last) and a draft allocation's amount in each year it runs in."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from grants import forms as f
from grants import permissions, selectors
from grants.periods import FinancialYear
from grants.services import years as services
from grants.services.base import Invalid, Stale, money_text

from .base import call_service, form_page, form_status, posted_version, require, run_service


def _year(programme, year: int) -> tuple[dict, bool]:
    """The programme's budgets, and whether `year` is one of them (else it must be the next): 404 for any
    other year."""
    budgets = services.programme_budgets(programme)
    if year not in budgets and year != max(budgets) + 1:
        raise Http404("Not a year of the programme, nor the next.")
    return budgets, year in budgets


@login_required
def programme_year_edit(request, pk, year):
    programme = selectors.programme_for_user(request.user, pk)
    require(permissions.can_edit_programme(request.user, programme))
    budgets, existing = _year(programme, year)
    label = FinancialYear(year).label
    form = f.ProgrammeYearForm(request.POST or None, initial={
        "budget": budgets.get(year), "version": programme.version})
    if request.method == "POST" and call_service(form, lambda data: services.programme_year_save(
            actor=request.user, programme=programme, version=data["version"], financial_year=year,
            budget=data["budget"])):
        messages.success(request, f"Budget for {label} saved.")
        return redirect(reverse("programme-detail", args=[programme.pk]) + "#years")
    last = max(budgets)
    extra = {}
    if existing and len(budgets) > 1 and year == last:
        extra["remove_url"] = reverse("programme-year-remove", args=[programme.pk, year])
        extra["remove_label"] = f"Remove {label} from the programme"
        extra["version"] = programme.version
    return form_page(
        request, form, title=f"Budget for {label}", heading=f"Budget for {label}" if existing else f"Add {label}",
        caption=f"{programme.name} {programme.year}", submit="Save the budget",
        back_url=reverse("programme-detail", args=[programme.pk]) + "#years", status=form_status(form),
        intro=("The programme's total budget is the sum of its years' budgets." if existing else
               f"The programme then runs from {FinancialYear(min(budgets)).label} to {label}, with a budget for "
               "each year. Allocations may then run into it, and what is left to allocate is worked out per year."),
        extra=extra)


@login_required
@require_POST
def programme_year_remove(request, pk, year):
    programme = selectors.programme_for_user(request.user, pk)
    require(permissions.can_edit_programme(request.user, programme))
    run_service(request, lambda: services.programme_year_remove(
        actor=request.user, programme=programme, version=posted_version(request), financial_year=year),
        success=f"{FinancialYear(year).label} removed from the programme." if 1900 <= year <= 2999 else "",
        catch=(Invalid, Stale))
    return redirect(reverse("programme-detail", args=[programme.pk]) + "#years")


@login_required
def allocation_years_edit(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_edit_allocation(request.user, allocation))
    if not services.runs_over_years(allocation):
        raise Http404("The allocation runs in one financial year.")
    form = f.AllocationYearsForm(request.POST or None, amounts=services.allocation_amounts(allocation),
                                 initial={"version": allocation.version})
    if request.method == "POST" and call_service(form, lambda data: services.allocation_years_save(
            actor=request.user, allocation=allocation, version=data["version"], amounts=form.amounts())):
        messages.success(request, "Amount by year saved.")
        return redirect(reverse("allocation-detail", args=[allocation.pk]) + "#years")
    return form_page(
        request, form, title="Amount by year", heading="Amount by year", caption=allocation.title,
        submit="Save the amounts", back_url=reverse("allocation-detail", args=[allocation.pk]) + "#years",
        intro=f"The allocation of {money_text(allocation.amount)} runs over several financial years: each year's "
              "part is charged to that year of the programme. The years must add up to the allocation.",
        status=form_status(form))
