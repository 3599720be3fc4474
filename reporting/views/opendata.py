"""Open data for commissioner officers: what is published and withheld, and the two downloads."""

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from reporting import opendata

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def open_data(request):
    """What the organisation's open data holds, what is withheld and why, and the downloads."""
    allocations = opendata.allocations_for(request.user)  # PermissionDenied (403) for anyone else
    summary = opendata.review(allocations)
    return render(request, "reporting/open_data.html", {
        "published": summary.published,
        "withheld": summary.withheld,
        "prefix": opendata.publisher_prefix(),
        "license": settings.OPEN_DATA_LICENSE,
    })


@login_required
def open_data_download(request, extension):
    """The organisation's grants as a 360Giving package: JSON, or the standard's spreadsheet."""
    allocations = opendata.allocations_for(request.user)
    prefix = opendata.publisher_prefix()
    try:
        data = opendata.package(allocations, publisher=request.user.organisation, prefix=prefix)
    except opendata.NothingToPublish as error:
        raise Http404(str(error))
    name = opendata.filename(prefix, extension, timezone.localdate())
    if extension == "json":
        response = HttpResponse(opendata.to_json(data), content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    # Written to a temporary file and streamed from there, like the other workbooks.
    target = tempfile.TemporaryFile(suffix=".xlsx")
    opendata.write_xlsx(data, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX)
