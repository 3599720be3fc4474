"""
The lists: programmes, allocations, projects, returns and payments.

One view serves them all: it filters the list's scoped rows with its FilterSet, sorts
them by ?sort= and shows a page of 25, or, with ?format=xlsx or ?format=csv, hands back
every filtered row in the same order through our formula-safe writers. Only those two
formats are offered; anything else is refused with a message.
"""

import tempfile

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header

from grants.kept_pages import kept_page
from reporting.downloads import (
    CSV,
    FORMATS,
    LISTS,
    XLSX,
    ListSpec,
    list_columns_and_rows,
    list_filename,
    list_table,
    write_list,
)
from reporting.exports import export_start
from reporting.models import Export
from reporting.permissions import can_export_commissioner_workbook, can_publish_open_data, can_view_lists
from reporting.spreadsheets.csv import safe_csv

PER_PAGE = 25


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
    return list_filename(spec, extension)


@login_required
def list_page(request, slug):
    try:
        spec = LISTS[slug]
    except KeyError:
        raise Http404("No such list")
    user = request.user
    _check(user)
    wanted = request.GET.get("format", "")
    if not wanted:
        return kept_page(request, "reporting/list.html", ("list", slug), frame=lambda _: {"spec": spec},
                         content=lambda _: list_context(request, spec, *list_table(spec, user, request.GET)),
                         query=(*spec.filterset.base_filters, "sort", "page"))

    filterset, table, sort, valid = list_table(spec, user, request.GET)
    if wanted in FORMATS and valid:
        return download_or_start(request, spec, table.data.data, wanted)
    format_error = "" if wanted in FORMATS else (
        "Downloads are offered as xlsx or CSV only: choose one of the links under the filters.")
    context = list_context(request, spec, filterset, table, sort, valid, format_error=format_error)
    return render(request, "reporting/list.html", context, status=context.pop("http_status"))


def list_context(request, spec: ListSpec, filterset, table, sort, valid, format_error="") -> dict:
    """A page of the list's table with its filters; "http_status" 400 when the filters or the format are refused."""
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
    context["http_status"] = 400 if format_error or not valid else 200
    return context


def download_or_start(request, spec: ListSpec, queryset, wanted: str):
    """The download at once, or, over EXPORT_BACKGROUND_ROWS rows, an export written by a worker
    (reporting/exports.py) and its progress page."""
    rows = queryset.count()
    if rows <= settings.EXPORT_BACKGROUND_ROWS:
        return download(spec, queryset, wanted)
    query = request.GET.copy()
    export = export_start(
        owner=request.user, kind=Export.Kind.LIST, title=f"{spec.title} ({rows:,} rows, {wanted})",
        filename=filename(spec, wanted),
        parameters={"list": spec.slug, "query": query.urlencode(), "format": wanted, "rows": rows},
    )
    return redirect("reporting:export-detail", pk=export.pk)


def download(spec: ListSpec, queryset, wanted: str):
    """Every row of `queryset` (filtered and sorted) as an xlsx workbook or a CSV file.

    The rows are read in chunks; a CSV streams as it is read, a workbook is written to a
    temporary file in constant memory and streamed from there (reporting/downloads.py writes both)."""
    name = filename(spec, wanted)
    if wanted == "csv":
        columns, rows = list_columns_and_rows(spec, queryset)
        response = StreamingHttpResponse(safe_csv(columns, rows), content_type=CSV)
        response["Content-Disposition"] = content_disposition_header(True, name)
        return response
    target = tempfile.TemporaryFile(suffix=".xlsx")
    write_list(spec, queryset, wanted, target)
    target.seek(0)
    return FileResponse(target, as_attachment=True, filename=name, content_type=XLSX)
