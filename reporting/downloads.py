"""
What a download is made of, shared by the immediate path (the view writes the file while the user
waits) and the background path (a worker writes the same file from the same parameters,
reporting/exports.py): the same query from the same GET parameters, through the same writers, so
that the two files hold the same cells.

- Lists: `list_table(spec, user, query)` filters and sorts the list's scoped rows as the page does;
  `write_list(spec, queryset, wanted, target)` writes them as xlsx or CSV into a binary file.
- Reports: `report_form(user, query, today)` judges the chooser; `build_report(user, form)` gives the
  report, its template and its workbook writer.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from reporting import filters, lists, reports, tables
from reporting.forms import ReportForm
from reporting.spreadsheets.csv import safe_csv
from reporting.spreadsheets.reports import performance_workbook, priority_workbook
from reporting.spreadsheets.writer import SafeWorkbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
FORMATS = {"xlsx": XLSX, "csv": CSV}


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


def list_filename(spec: ListSpec, extension: str) -> str:
    return f"{spec.slug}-{timezone.localdate():%Y-%m-%d}.{extension}"


def list_table(spec: ListSpec, user, query):
    """The list's filter and table for `query` (the page's GET parameters), sorted by ?sort=.
    Returns (filterset, table, sort, valid)."""
    filterset = spec.filterset(query, queryset=spec.rows(user), user=user)
    valid = filterset.is_valid()
    table = spec.table(filterset.qs if valid else filterset.queryset.none())
    table.user = user
    sort = query.get(table.prefixed_order_by_field, "")
    if sort:
        table.order_by = sort  # columns that do not exist or cannot be sorted are ignored
    return filterset, table, sort, valid


def list_columns_and_rows(spec: ListSpec, queryset) -> tuple[list, Iterable]:
    return [c.column for c in spec.table.export_columns], spec.table.export_rows(queryset)


def write_list(spec: ListSpec, queryset, wanted: str, target, *, rows: Iterable | None = None):
    """Every row of `queryset` as an xlsx workbook or a CSV file, written into the binary file `target`.
    `rows` replaces the rows read from `queryset` (the background path counts them as they go by)."""
    columns, read = list_columns_and_rows(spec, queryset)
    rows = read if rows is None else rows
    if wanted == "csv":
        for line in safe_csv(columns, rows):
            target.write(line.encode("utf-8"))
        return
    book = SafeWorkbook(target)
    # Printed A4 landscape, one page wide, the heading row on every page (SafeWorkbook's page set-up).
    book.print_setup(title=spec.title, made_at=timezone.now())
    book.sheet(spec.title).table(columns, rows)
    book.close()


def report_form(user, query, today) -> tuple[bool, ReportForm]:
    """The chooser for `query`: (submitted, form). A link that gives only the period (the dashboard's)
    fills the form in without judging it."""
    submitted = "end" in query and (
        user.is_provider or any(name in query for name in ("subject", "programme", "organisation", "priority")))
    form = ReportForm(query if submitted else None, user=user, today=today,
                      initial=None if submitted else query.dict())
    return submitted, form


def report_templates(form: ReportForm) -> tuple[str, str]:
    """The valid `form`'s report page, and the template of its part below the heading (kept in the
    cache: grants/kept_pages.py)."""
    name = "priorities" if form.kind == reports.PRIORITIES else "performance"
    return f"reporting/report_{name}.html", f"reporting/report_{name}_body.html"


def build_report(user, form: ReportForm, *, web: bool = False):
    """The report the valid `form` asks for: (report, the template of its part below the heading,
    workbook writer). For the `web` page a performance report reads the narrative of the projects the
    page shows only (PerformanceReport.shown)."""
    window, body = form.window, report_templates(form)[1]
    if form.kind == reports.PRIORITIES:
        return reports.priority_report(user, window), body, priority_workbook
    report = reports.performance_report(user, form.chosen_subject(), window, narrative=not web)
    return report, body, performance_workbook


@dataclass
class ReportHeading:
    """What a report is of and who prepared it when: its title and byline, known before any figure is read."""

    subject: object
    window: object
    user: object
    generated_at: object


def report_heading(user, form: ReportForm) -> ReportHeading:
    subject = reports.priorities_subject() if form.kind == reports.PRIORITIES else form.chosen_subject()
    return ReportHeading(subject, form.window, user, timezone.now())


def report_reach(form: ReportForm) -> int:
    """How many projects the report may cover: the projects in the user's reach under counted allocations."""
    return form.projects.count()
