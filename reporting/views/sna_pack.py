"""A partnership's Strategic Needs Assessment data pack for a financial year (reporting.spreadsheets.sna_pack)."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from grants import permissions
from grants.periods import FinancialYear
from reporting import collector
from reporting.spreadsheets.sna_pack import pack_filename, partnerships_for, sna_pack

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def sna_pack_download(request, pk, year):
    """The pack of partnership `pk` for financial year `year` ("2023-24"): 404 for a partnership outside the
    user's reach or a year that is not one, 403 with the reason for someone who may not take it."""
    organisation = get_object_or_404(partnerships_for(request.user), pk=pk)
    try:
        financial_year = FinancialYear.from_label(year)
    except ValueError:
        raise Http404("Not a financial year: write it like 2023-24.") from None
    allowed, reason = permissions.can_download_sna_pack(request.user, organisation)
    if not allowed:
        raise PermissionDenied(reason)
    target = tempfile.TemporaryFile(suffix=".xlsx")
    with collector.paused():
        sna_pack(target, user=request.user, organisation=organisation, year=financial_year)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=pack_filename(organisation, financial_year),
                        content_type=XLSX)
