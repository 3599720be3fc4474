"""The dashboards: the funder's (commissioner officers, finance officers, viewers) and a provider's."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from grants.figures import latest_ended_quarter
from reporting import dashboards
from reporting.forms import DashboardForm
from reporting.kept_pages import kept, kept_value
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

    # The span of the projects, which sets the quarter shown by default, adds up every project too.
    first, last = kept_value(user, ("project-span", user.organisation_id, user.role),
                             lambda: dashboards.project_span(user))
    default, clamped = dashboards.default_quarter(today, last)
    submitted = bool(request.GET)
    form = DashboardForm(request.GET if submitted else None, user=user, today=today, first_start=first,
                         default=default)
    if submitted and not form.is_valid():
        return render(request, "reporting/dashboard_funder.html", {"form": form}, status=400)
    quarter = form.chosen_quarter if submitted else default
    programme = form.chosen_programme if submitted else None
    clamped = clamped and quarter == default
    period = dashboards.Period(quarter, latest_ended_quarter(today), clamped, programme)

    def board():
        figures = dashboards.funder_dashboard(user, quarter=quarter, today=today, programme=programme,
                                              clamped=clamped)
        return render_to_string("reporting/dashboard_funder_board.html", {"board": figures}, request=request)

    # The same for everyone of the organisation in the same role (their reach, and which names are links).
    parts = ("funder-dashboard", user.organisation_id, user.role, quarter.label, programme and programme.pk, today,
             clamped)
    return render(request, "reporting/dashboard_funder.html",
                  {"form": form, "period": period, "board_html": kept(user, parts, board)})
