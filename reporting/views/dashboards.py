"""The dashboards: the funder's (commissioner officers, finance officers, viewers) and a provider's."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone

from reporting import dashboards
from reporting.forms import DashboardForm
from reporting.permissions import can_view_dashboard


@login_required
def dashboard(request):
    """A provider's dashboard, or the funder's for a quarter (?quarter=2019-20 Q3) and optionally one
    programme (?programme=<id>)."""
    user = request.user
    allowed, reason = can_view_dashboard(user)
    if not allowed:
        raise PermissionDenied(reason)
    today = timezone.localdate()
    if user.is_provider:
        return render(request, "reporting/dashboard_provider.html",
                      {"board": dashboards.provider_dashboard(user, today=today)})

    first, last = dashboards.project_span(user)
    default, clamped = dashboards.default_quarter(today, last)
    submitted = bool(request.GET)
    form = DashboardForm(request.GET if submitted else None, user=user, today=today, first_start=first,
                         default=default)
    if submitted and not form.is_valid():
        return render(request, "reporting/dashboard_funder.html", {"form": form}, status=400)
    quarter = form.chosen_quarter if submitted else default
    board = dashboards.funder_dashboard(
        user, quarter=quarter, today=today, programme=form.chosen_programme if submitted else None,
        clamped=clamped and quarter == default,
    )
    return render(request, "reporting/dashboard_funder.html", {"form": form, "board": board})
