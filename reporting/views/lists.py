"""
The lists: programmes, allocations, projects, returns and payments.

One view serves them all: it filters the list's scoped rows with its FilterSet, sorts
them by ?sort= and shows a page of 25, or, with ?format=xlsx or ?format=csv, hands back
every filtered row in the same order through our formula-safe writers. Only those two
formats are offered; anything else is refused with a message.
"""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header

from reporting import filters, lists, tables
from reporting.permissions import can_export_commissioner_workbook, can_publish_open_data, can_view_lists
from reporting.spreadsheets.csv import safe_csv
from reporting.spreadsheets.writer import SafeWorkbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = {"xlsx": XLSX, "csv": CSV}
PER_PAGE = 25


@dataclass(frozen=True)
class ListSpec:
    slug: str
    url_name: str
    title: str
    singular: str
    plural: str
    description: str
    rows: Callable  # user -> scoped, annotated QuerySet
    filterset: type
    table: type


LISTS = {
    spec.slug: spec
    for spec in (
        ListSpec(
            "programmes", "reporting:programme-list", "Programmes", "programme", "programmes",
            "Each programme's budget, what is allocated, what approved returns say is spent and what has been paid.",
            lists.programme_rows, filters.ProgrammeFilter, tables.ProgrammeTable,
        ),
        ListSpec(
            "allocations", "reporting:allocation-list", "Allocations", "allocation", "allocations",
            "Each allocation's amount and status, with the approved spend of its projects and what has been paid.",
            lists.allocation_rows, filters.AllocationFilter, tables.AllocationTable,
        ),
        ListSpec(
            "projects", "reporting:project-list", "Projects", "project", "projects",
            "Each project's budget and approved spend, its latest return and its latest RAG rating.",
            lists.project_rows, filters.ProjectFilter, tables.ProjectTable,
        ),
        ListSpec(
            "returns", "reporting:return-list", "Quarterly returns", "return", "returns",
            "Each quarterly return's status, spend against the quarter's profile and RAG rating.",
            lists.return_rows, filters.ReturnFilter, tables.ReturnTable,
        ),
        ListSpec(
            "payments", "reporting:payment-list", "Payments", "payment", "payments",
            "Payments scheduled, released and withheld, by allocation and quarter.",
            lists.payment_rows, filters.PaymentFilter, tables.PaymentTable,
        ),
    )
}


def _check(user):
    allowed, reason = can_view_lists(user)
    if not allowed:
        raise PermissionDenied(reason)


@login_required
def index(request):
    """The lists (and the other reports) the user may open."""
    _check(request.user)
    workbook = can_export_commissioner_workbook(request.user)[0]
    return render(request, "reporting/index.html", {"lists": LISTS.values(), "workbook": workbook,
                                                    "open_data": can_publish_open_data(request.user)[0]})


def filename(spec: ListSpec, extension: str) -> str:
    return f"{spec.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


@login_required
def list_page(request, slug):
    try:
        spec = LISTS[slug]
    except KeyError:
        raise Http404("No such list")
    user = request.user
    _check(user)

    filterset = spec.filterset(request.GET, queryset=spec.rows(user), user=user)
    valid = filterset.is_valid()
    table = spec.table(filterset.qs if valid else filterset.queryset.none())
    table.user = user
    sort = request.GET.get(table.prefixed_order_by_field, "")
    if sort:
        table.order_by = sort  # columns that do not exist or cannot be sorted are ignored

    wanted = request.GET.get("format", "")
    format_error = ""
    if wanted and wanted not in FORMATS:
        format_error = "Downloads are offered as xlsx or CSV only: choose one of the links under the filters."
    elif wanted and valid:
        return download(spec, table.data.data, wanted)

    try:
        table.paginate(page=request.GET.get(table.prefixed_page_field, 1), per_page=PER_PAGE)
    except PageNotAnInteger:
        table.paginate(page=1, per_page=PER_PAGE)
    except EmptyPage:
        table.paginate(page=table.paginator.num_pages, per_page=PER_PAGE)
    count = table.paginator.count
    table.caption = f"{count:,} {spec.singular if count == 1 else spec.plural}"
    context = {
        "spec": spec, "filter": filterset, "table": table, "format_error": format_error,
        "sort": ",".join(table.order_by) if sort else "",
        "filtered": any(request.GET.get(name) for name in filterset.filters),
    }
    status = 400 if format_error or not valid else 200
    return render(request, "reporting/list.html", context, status=status)


def download(spec: ListSpec, queryset, wanted: str):
    """Every row of `queryset` (filtered and sorted) as an xlsx workbook or a CSV file.

    The rows are read in chunks; a CSV streams as it is read, a workbook is written to a
    temporary file in constant memory and streamed from there."""
    columns = [c.column for c in spec.table.export_columns]
    rows = spec.table.export_rows(queryset)
    name = filename(spec, wanted)
    if wanted == "csv":
        response = StreamingHttpResponse(safe_csv(columns, rows), content_type=CSV)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    target = tempfile.TemporaryFile(suffix=".xlsx")
    book = SafeWorkbook(target)
    book.sheet(spec.title).table(columns, rows)
    book.close()
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX)
