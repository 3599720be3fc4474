"""The year end on the web: accruals, prepayments, spend awaiting verification and what is committed
for the next year, for the funder's officers (as the finance page). Its workbook is written by
reporting (reporting.views.year_end): `?format=xlsx` sends the reader there."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from grants.figures.year_end import year_just_ended
from grants.periods import FinancialYear
from grants.selectors.year_end import year_end as year_end_figures
from grants.selectors.year_end import year_end_years

from .base import funder_only


def asked_year(label: str, today) -> tuple[FinancialYear, str]:
    """The year asked for by `?year=` and "", or, when none is asked for or it is not a year, the year
    that ended most recently and what was wrong with the one asked for ("" when none was)."""
    default = year_just_ended(today)
    if not label:
        return default, ""
    try:
        return FinancialYear.from_label(label), ""
    except ValueError as error:
        return default, f"{error}. This is {default}, the year that ended most recently."


@login_required
def year_end(request):
    funder_only(request.user, "Year-end figures")
    today = timezone.localdate()
    year, error = asked_year(request.GET.get("year", "").strip(), today)
    if request.GET.get("format") == "xlsx" and not error:
        return redirect(f"{reverse('reporting:year-end-workbook')}?year={year}")
    years = year_end_years(request.user, today)
    if year not in years:
        years = sorted([*years, year], key=lambda y: y.start_year, reverse=True)
    return render(request, "grants/year_end.html", {
        "page": year_end_figures(request.user, year),
        "year": year,
        "years": years,
        "error": error,
        "ended": year.end <= today,
        "just_ended": year_just_ended(today),
    })
