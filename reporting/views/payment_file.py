"""The payment file page: a date range, the payments it holds (how many, their total to the penny, the
first rows) and the file as CSV or xlsx (?format=csv or ?format=xlsx; nothing else is offered)."""

import tempfile

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import content_disposition_header

from grants.figures import latest_ended_quarter
from reporting import payment_file
from reporting.downloads import CSV, FORMATS, XLSX
from reporting.forms import PaymentFileForm
from reporting.permissions import can_download_payment_file

FIELDS = ("paid_from", "paid_to")


@login_required
def payment_file_page(request):
    user = request.user
    allowed, reason = can_download_payment_file(user)
    if not allowed:
        raise PermissionDenied(reason)
    query = request.GET
    wanted = query.get("format", "")
    submitted = bool(wanted) or any(key.startswith(FIELDS) for key in query)
    last_quarter = latest_ended_quarter(timezone.localdate())
    form = PaymentFileForm(query if submitted else None, max_days=payment_file.MAX_DAYS,
                           initial={"paid_from": last_quarter.start, "paid_to": last_quarter.end})
    context = {"form": form, "columns": payment_file.HEADINGS, "max_days": payment_file.MAX_DAYS}
    status = 200
    if wanted and wanted not in FORMATS:
        context["format_error"] = "The payment file is offered as CSV or xlsx only: choose one of the buttons."
        status = 400
    if submitted and not form.is_valid():
        status = 400
    elif submitted:
        first, last = form.cleaned_data["paid_from"], form.cleaned_data["paid_to"]
        payments = payment_file.payments_in_range(user, first, last)
        if wanted in FORMATS:
            return _download(payments, first, last, wanted, user)
        kept = query.copy()
        kept.pop("format", None)
        context.update(first=first, last=last, summary=payment_file.summary(payments),
                       preview=[_shown(values) for values in payment_file.preview(payments)],
                       preview_limit=payment_file.PREVIEW_ROWS, query=kept.urlencode())
    return render(request, "reporting/payment_file.html", context, status=status)


def _shown(values: list) -> list[tuple[str, bool]]:
    """A row of the file as the page shows it: each cell's text, and whether it is a number (set right)."""
    cells = []
    for column, value in zip(payment_file.COLUMNS, values):
        if value is None or value == "":
            cells.append(("", False))
        elif column.kind == "money":
            cells.append((f"£{value:,.2f}", True))
        elif column.kind == "datetime":
            cells.append((date_format(timezone.localtime(value), "j M Y H:i"), False))
        elif column.kind == "date":
            cells.append((date_format(value, "j M Y"), False))
        else:
            cells.append((str(value), column.kind == "number"))
    return cells


def _download(payments, first, last, wanted: str, user):
    name = payment_file.filename(first, last, wanted)
    if wanted == "csv":
        response = StreamingHttpResponse(payment_file.csv_lines(payments), content_type=CSV)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    target = tempfile.TemporaryFile(suffix=".xlsx")
    payment_file.write_xlsx(payments, target, first=first, last=last, organisation=user.organisation or "",
                            made_by=user.get_full_name() or user.username)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX)
