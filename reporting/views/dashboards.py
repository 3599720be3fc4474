"""The dashboards: the funder's (commissioner officers, finance officers, viewers) and a provider's."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone

from grants.figures import latest_ended_quarter
from reporting import dashboards
from reporting.forms import DashboardForm
from grants.kept_pages import kept, kept_page, kept_value
from reporting.permissions import can_view_dashboard


@login_required
def dashboard(request):
    """A provider's dashboard, or the funder's for a quarter (?quarter=2019-20 Q3) and optionally one
    programme (?programme=<id>)."""
    user = request.user
    allowed, reason = can_view_dashboard(user)
    if not allowed:
        raise PermissionDenied(reason)
    if user.is_provider:
        return kept_page(request, "reporting/dashboard_provider.html", ("provider-dashboard",),
                         content=lambda _: {"board": dashboards.provider_dashboard(user, today=timezone.localdate())})
    # The title names the quarter shown: kept with the page.
    return kept_page(request, "reporting/dashboard_funder.html", ("funder-dashboard-page",),
                     content=lambda _: _funder_page(request), query=("quarter", "programme"), for_frame=("period",))


def _funder_choices(request) -> dict:
    """The funder's dashboard's form and, once its choices are valid, the quarter it shows."""
    user, today = request.user, timezone.localdate()
    # The span of the projects, which sets the quarter shown by default, adds up every project too.
    first, last = kept_value(user, ("project-span", user.organisation_id, user.role),
                             lambda: dashboards.project_span(user))
    default, clamped = dashboards.default_quarter(today, last)
    submitted = bool(request.GET)
    form = DashboardForm(request.GET if submitted else None, user=user, today=today, first_start=first,
                         default=default)
    if submitted and not form.is_valid():
        return {"form": form, "period": None}
    quarter = form.chosen_quarter if submitted else default
    programme = form.chosen_programme if submitted else None
    clamped = clamped and quarter == default
    return {"form": form, "period": dashboards.Period(quarter, latest_ended_quarter(today), clamped, programme)}


def _funder_page(request) -> dict:
    """The funder's dashboard page: its form and, once the choices are valid, the quarter and the board."""
    user, today = request.user, timezone.localdate()
    context = _funder_choices(request)
    period = context["period"]
    if period is None:
        return {"form": context["form"], "http_status": 400}
    quarter, programme, clamped = period.quarter, period.programme, period.clamped

    def board():
        figures = dashboards.funder_dashboard(user, quarter=quarter, today=today, programme=programme,
                                              clamped=clamped)
        return render_to_string("reporting/dashboard_funder_board.html", {"board": figures}, request=request)

    # The same for everyone of the organisation in the same role (their reach, and which names are links).
    parts = ("funder-dashboard", user.organisation_id, user.role, quarter.label, programme and programme.pk, today,
             clamped)
    return {**context, "board_html": kept(user, parts, board)}
