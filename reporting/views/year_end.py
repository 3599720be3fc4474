"""The year-end workbook: the figures of the year-end page (/finance/year-end/) for one financial year."""

import tempfile
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from grants.figures.year_end import year_just_ended
from grants.periods import FinancialYear
from reporting import collector
from reporting.spreadsheets.year_end import workbook_filename, year_end_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def can_download_year_end(user) -> tuple[bool, str]:
    """Who reads the year end: the funder's officers, as the finance page (commissioner and finance
    officers, viewers and administrators of the funder)."""
    if getattr(user, "is_authenticated", False) and user.organisation_id and user.is_funder_side:
        return True, ""
    return False, "The year-end workbook is for the funder's officers."


@login_required
def year_end_workbook_download(request):
    """The workbook of `?year=2023-24`, or of the year that ended most recently. A year that cannot be read
    goes back to the page, which says what is wrong with it."""
    allowed, reason = can_download_year_end(request.user)
    if not allowed:
        raise PermissionDenied(reason)
    label = request.GET.get("year", "").strip()
    if label:
        try:
            year = FinancialYear.from_label(label)
        except ValueError:
            return redirect(f"{reverse('year-end')}?{urlencode({'year': label})}")
    else:
        year = year_just_ended(timezone.localdate())
    # Written to a temporary file and streamed from there, so a large workbook is never held in memory.
    target = tempfile.TemporaryFile(suffix=".xlsx")
    with collector.paused():
        year_end_workbook(target, user=request.user, year=year)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=workbook_filename(year), content_type=XLSX)
