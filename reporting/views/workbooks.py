"""Workbooks to download: the commissioner's quarterly workbook."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import render
from django.utils import timezone

from reporting.forms import CommissionerWorkbookForm
from reporting.permissions import can_export_commissioner_workbook
from reporting.spreadsheets.commissioner import commissioner_workbook, workbook_filename

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def commissioner_workbook_download(request):
    """The form (a GET, so that a download can be bookmarked) and, once it is filled in, the workbook."""
    allowed, reason = can_export_commissioner_workbook(request.user)
    if not allowed:
        raise PermissionDenied(reason)
    submitted = "year" in request.GET
    form = CommissionerWorkbookForm(request.GET if submitted else None, user=request.user, today=timezone.localdate())
    if not submitted or not form.is_valid():
        return render(request, "reporting/commissioner_workbook.html", {"form": form}, status=400 if submitted else 200)

    period, code = form.period, form.cleaned_data["programme"] or None
    # Written to a temporary file and streamed from there, so a large workbook is never held in memory.
    target = tempfile.TemporaryFile(suffix=".xlsx")
    commissioner_workbook(target, user=request.user, quarter=period, programme_code=code)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=workbook_filename(period, code), content_type=XLSX)
