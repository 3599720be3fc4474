"""The partnership's quarter: its providers' returns, its report to the commissioner, and the commissioner's
decision on it (grants.services.partnership)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import permissions, selectors
from grants.forms.returns import PartnershipDecisionForm, PartnershipReturnForm
from grants.models import PartnershipReturn
from grants.periods import Quarter
from grants.selectors.partnership import partnership_quarter, partnership_quarters
from grants.services import partnership as services
from grants.services.returns import STALE_MESSAGE

from .base import call_service, stale_or_forbidden

STATUS_CHOICES = [("", "Any"), ("not_started", "Not started"), *PartnershipReturn.Status.choices]


@login_required
def partnership_returns(request):
    """Each quarter of the allocations a partnership reports on, with where its return is."""
    user = request.user
    if not (user.is_funder_side or user.is_provider):
        raise PermissionDenied("Partnership returns are for the funder's officers and the partnerships.")
    status = request.GET.get("status", "")
    if status not in dict(STATUS_CHOICES):
        status = ""
    rows = partnership_quarters(user, timezone.localdate(), status=status)
    return render(request, "grants/partnership_returns.html",
                  {"rows": rows, "status": status, "status_choices": STATUS_CHOICES})


def _allocation_and_quarter(user, pk, year, number):
    """The allocation (404 outside the user's reach, for a provider unless made to its organisation, and unless
    its partnership reports on it) and a quarter within its dates."""
    allocation = selectors.allocation_for_user(user, pk)
    if not user.is_funder_side and allocation.recipient_id != user.organisation_id:
        raise Http404("No such partnership return")
    if not allocation.partnership_reports:
        raise Http404("This allocation's projects report to the commissioner one by one")
    try:
        quarter = Quarter(year, number)
    except ValueError:
        raise Http404("No such quarter")
    if quarter.end < allocation.start_date or quarter.start > allocation.end_date:
        raise Http404("The allocation does not run in this quarter")
    return allocation, quarter


def _url(allocation, quarter) -> str:
    return reverse("partnership-return", args=[allocation.pk, quarter.financial_year, quarter.number])


def _render(request, page, *, form=None, decision_form=None, status=200):
    user, report = request.user, page.report
    context = {"page": page, "allocation": page.allocation, "quarter": page.quarter, "report": report}
    if permissions.can_edit_partnership_return(user, page.allocation, report)[0]:
        context["form"] = form or PartnershipReturnForm(initial={
            "narrative": report.narrative if report else "", "version": report.version if report else None})
    if report is not None and permissions.can_review_partnership_return(user, report)[0]:
        context["decision_form"] = decision_form or PartnershipDecisionForm(
            returns=page.pending, initial={"version": report.version})
    context["error_forms"] = [f for f in (form, decision_form) if f is not None and f.errors]
    returned = [e for e in page.events if e.kind in ("returned", "reopened")]
    context["latest_comment"] = returned[-1] if returned and report and report.status == "returned" else None
    return render(request, "grants/partnership_return.html", context, status=status)


@login_required
def partnership_return(request, pk, year, quarter):
    allocation, period = _allocation_and_quarter(request.user, pk, year, quarter)
    page = partnership_quarter(allocation, period)
    if request.method != "POST":
        return _render(request, page)
    report = page.report
    stale = stale_or_forbidden(request, permissions.can_edit_partnership_return, allocation, report, obj=report)
    form = PartnershipReturnForm(request.POST)
    submit = request.POST.get("action") == "submit"

    def call(data):
        services.partnership_return_save(actor=request.user, allocation=allocation, quarter=period,
                                         version=data["version"], narrative=data["narrative"], submit=submit)

    if call_service(form, call, stale_message=STALE_MESSAGE if stale else None):
        messages.success(request, "Partnership return submitted to the commissioner." if submit else "Draft saved.")
        return redirect(_url(allocation, period))
    return _render(request, page, form=form, status=400)


@login_required
@require_POST
def partnership_return_decide(request, pk, year, quarter):
    allocation, period = _allocation_and_quarter(request.user, pk, year, quarter)
    page = partnership_quarter(allocation, period)
    report = page.report
    if report is None:
        raise Http404("The partnership has not started this return")
    stale = stale_or_forbidden(request, permissions.can_review_partnership_return, report, obj=report)
    form = PartnershipDecisionForm(request.POST, returns=page.pending)
    approve = request.POST.get("action") == "approve"

    def call(data):
        if approve:
            services.partnership_return_approve(actor=request.user, report=report, version=data["version"],
                                                ratings=form.ratings(), comment=data["comment"])
        else:
            services.partnership_return_send_back(actor=request.user, report=report, version=data["version"],
                                                  comment=data["comment"])

    if call_service(form, call, stale_message=STALE_MESSAGE if stale else None):
        messages.success(request, "Partnership return approved, with the project returns in it." if approve
                         else "Partnership return sent back to the partnership for amendment.")
        return redirect(_url(allocation, period))
    return _render(request, page, decision_form=form, status=400)
