"""A user's background downloads: the list, each one's progress page and its file (its owner's only)."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import render

from reporting.downloads import CSV, XLSX
from reporting.exports import export_for_user, exports_for_user
from reporting.models import Export

# How often the progress page reloads itself while the file is being written (seconds).
REFRESH_SECONDS = 3


@login_required
def export_list(request):
    exports = list(exports_for_user(request.user)[:100])
    return render(request, "reporting/export_list.html", {"exports": exports})


@login_required
def export_detail(request, pk):
    export = export_for_user(request.user, pk)
    refresh = REFRESH_SECONDS if export.running and not export.expired else None
    return render(request, "reporting/export_detail.html", {"export": export, "refresh": refresh})


@login_required
def export_file(request, pk):
    export = export_for_user(request.user, pk)
    if export.expired:
        return render(request, "reporting/export_detail.html", {"export": export}, status=410)
    if export.status != Export.Status.DONE or not export.file:
        return render(request, "reporting/export_detail.html", {"export": export}, status=409)
    content_type = CSV if export.filename.endswith(".csv") else XLSX
    return FileResponse(export.file.open("rb"), as_attachment=True, filename=export.filename,
                        content_type=content_type)
