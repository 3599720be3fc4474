"""The report chooser, the performance report and the report by priority, as pages and workbooks."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone

from reporting import reports
from reporting.forms import ReportForm
from reporting.permissions import can_take_report
from reporting.spreadsheets.reports import performance_workbook, priority_workbook, report_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def performance(request):
    """The chooser (a GET form, so that a report can be bookmarked or shared) and, once it is filled in,
    the report: a printable page, or with ?format=xlsx the same as a workbook."""
    user = request.user
    allowed, reason = can_take_report(user, reports.ORGANISATION)
    if not allowed:
        raise PermissionDenied(reason)
    if user.is_provider:
        # The report of the provider's own organisation, and nothing else: asking for more is refused.
        asked_for = request.GET.get("subject") or reports.ORGANISATION
        other = request.GET.get("organisation") not in (None, "", str(user.organisation_id))
        allowed, reason = can_take_report(user, reports.PRIORITY if other else asked_for)
        if not allowed:
            raise PermissionDenied(reason)
    # The form always sends its selects; a link that gives only the period (the dashboard's) fills the
    # form in without judging it.
    submitted = "end" in request.GET and (
        user.is_provider or any(name in request.GET for name in ("subject", "programme", "organisation", "priority")))
    form = ReportForm(request.GET if submitted else None, user=user, today=timezone.localdate(),
                      initial=None if submitted else request.GET.dict())
    if not submitted or not form.is_valid():
        return render(request, "reporting/report_chooser.html", {"form": form}, status=400 if submitted else 200)

    window = form.window
    if form.kind == reports.PRIORITIES:
        report = reports.priority_report(user, window)
        template, write = "reporting/report_priorities.html", priority_workbook
    else:
        report = reports.performance_report(user, form.chosen_subject(), window)
        template, write = "reporting/report_performance.html", performance_workbook

    if request.GET.get("format") == "xlsx":
        target = tempfile.TemporaryFile(suffix=".xlsx")
        write(target, report)
        target.seek(0)
        return FileResponse(target, as_attachment=True, filename=report_filename(report), content_type=XLSX)
    query = request.GET.copy()
    query["format"] = "xlsx"
    return render(request, template, {"report": report, "xlsx_query": query.urlencode(), "form": form})
