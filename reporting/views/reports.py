"""The report chooser, the performance report and the report by priority, as pages and workbooks."""

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone

from reporting import collector, reports
from reporting.downloads import XLSX, build_report, report_form, report_heading, report_reach, report_templates
from reporting.exports import export_start
from grants.kept_pages import kept
from reporting.models import Export
from reporting.permissions import can_take_report
from reporting.spreadsheets.reports import report_filename


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
    today = timezone.localdate()
    submitted, form = report_form(user, request.GET, today)
    if not submitted or not form.is_valid():
        return render(request, "reporting/report_chooser.html", {"form": form}, status=400 if submitted else 200)

    if request.GET.get("format") == "xlsx" and report_reach(form) > settings.EXPORT_BACKGROUND_PROJECTS:
        # Twelve months of many projects take seconds to gather and write: a worker writes the
        # same workbook from the same choices (reporting/exports.py) while the user watches its progress.
        title = ("Report by priority" if form.kind == reports.PRIORITIES else "Performance report")
        export = export_start(
            owner=user, kind=Export.Kind.REPORT, title=f"{title}, {form.window.title}",
            filename=f"{form.chosen_subject().slug}-{form.window.slug}.xlsx",
            parameters={"query": request.GET.urlencode(), "today": today.isoformat()},
        )
        return redirect("reporting:export-detail", pk=export.pk)

    if request.GET.get("format") == "xlsx":
        report, _, write = build_report(user, form)
        target = tempfile.TemporaryFile(suffix=".xlsx")
        write(target, report)
        target.seek(0)
        return FileResponse(target, as_attachment=True, filename=report_filename(report), content_type=XLSX)
    query = request.GET.copy()
    query["format"] = "xlsx"
    query.pop("page", None)  # the workbook lists every project
    page, _ = report_templates(form)

    def body():
        # Thousands of small objects and no cycles: no collection pass in the middle (reporting/collector.py).
        with collector.paused():
            report, template, _ = build_report(user, form, web=True)
            context = {"report": report}
            if isinstance(report, reports.PerformanceReport):  # its projects one by one, a page at a time
                context["shown"] = report.shown(request.GET.get("page"))
            return render_to_string(template, context, request=request)

    # The same for everyone of the organisation in the same role; the heading says who and when.
    parts = ("report", user.organisation_id, user.role, sorted(request.GET.lists()), today)
    return render(request, page, {"heading": report_heading(user, form), "report_html": kept(user, parts, body),
                                      "xlsx_query": query.urlencode(), "form": form})
