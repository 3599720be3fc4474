"""
The lists as django-tables2 Tables, in GOV.UK style, and what each one exports.

A Table says what a page shows (`render_<column>` makes the HTML). What a download
holds is said once per table in `export_columns`: a heading, a kind (the writer's:
text, money, date …) and how to read the value from a row, so that money leaves as a
number with a £ format and dates as dates, never as the text of the page. Exports may
carry a few more columns than the page (codes, start dates, reasons).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils.html import format_html

from grants.models import RAG, Allocation, Payment, Programme, Project, QuarterlyReturn
from grants.periods import FinancialYear, Quarter
from grants.templatetags.grants_tags import money, rag_tag, return_status, status_tag

from .spreadsheets.writer import Column

_RAG_LABELS = dict(RAG.choices)


@dataclass(frozen=True)
class ExportColumn:
    """One column of a download: its heading, its kind of value and how to read it from a row."""

    heading: str
    kind: str
    value: Callable[[Any], Any]
    width: float = 14

    @property
    def column(self) -> Column:
        return Column(self.heading, self.kind, self.width)


def _year(value) -> str:
    return FinancialYear(value).label if value else ""


def _quarter(year, number) -> str:
    return Quarter(year, number).label if year and number else ""


def _rag(value) -> str:
    return _RAG_LABELS.get(value or "", "Not rated")


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def nulls_first(*fields):
    """An `order_<column>` method for columns that may be empty: empty first going up, last going
    down, on every database (SQLite and PostgreSQL disagree by default)."""

    def order(self, queryset, is_descending):
        keys = [F(f).desc(nulls_last=True) if is_descending else F(f).asc(nulls_first=True) for f in fields]
        return queryset.order_by(*keys, "-pk" if is_descending else "pk"), True

    return order


def by_severity(self, queryset, is_descending):
    """An `order_rag` method: red, amber, green, then not rated (reversed going down)."""
    rank = Case(
        When(rag=RAG.RED, then=Value(0)), When(rag=RAG.AMBER, then=Value(1)), When(rag=RAG.GREEN, then=Value(2)),
        default=Value(3), output_field=IntegerField(),
    )
    queryset = queryset.annotate(rag_rank=rank)
    return queryset.order_by("-rag_rank" if is_descending else "rag_rank", "-pk" if is_descending else "pk"), True


NUMERIC = {
    "th": {"class": "govuk-table__header govuk-table__header--numeric", "scope": "col"},
    "td": {"class": "govuk-table__cell govuk-table__cell--numeric app-money"},
}


class MoneyColumn(tables.Column):
    """Pounds and pence, right-aligned."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC)
        super().__init__(*args, **kwargs)

    def render(self, value):
        return money(value)


class CountColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("attrs", NUMERIC)
        super().__init__(*args, **kwargs)


class DateColumn(tables.DateColumn):
    def __init__(self, verbose_name, **kwargs):
        kwargs.setdefault("format", "j M Y")
        super().__init__(verbose_name=verbose_name, **kwargs)


class GovukTable(tables.Table):
    """A table in GOV.UK Frontend style, sorted by ?sort= and paged by ?page=."""

    export_columns: tuple[ExportColumn, ...] = ()

    class Meta:
        template_name = "django_tables2/govuk.html"
        attrs = {
            "class": "govuk-table govuk-!-font-size-16 app-list",
            "thead": {"class": "govuk-table__head"},
            "tbody": {"class": "govuk-table__body"},
            "th": {"class": "govuk-table__header", "scope": "col"},
            "td": {"class": "govuk-table__cell"},
        }
        row_attrs = {"class": "govuk-table__row"}
        order_by_field = "sort"
        page_field = "page"
        per_page = 25
        default = "–"
        empty_text = "Nothing matches these filters."

    @classmethod
    def export_rows(cls, queryset):
        """The values of each row of `queryset` in `export_columns`' order, read in chunks."""
        columns = [c.value for c in cls.export_columns]
        for record in queryset.iterator(chunk_size=2000):
            yield [value(record) for value in columns]


class ProgrammeTable(GovukTable):
    name = tables.Column("Programme", order_by=("name", "financial_year", "pk"))
    financial_year = tables.Column("Year", order_by=("financial_year", "name", "pk"))
    commissioner = tables.Column("Commissioner", accessor="commissioner__name", order_by=("commissioner__name", "pk"))
    total_budget = MoneyColumn("Budget", order_by=("total_budget", "pk"))
    allocated = MoneyColumn("Allocated", order_by=("allocated", "pk"))
    spent = MoneyColumn("Spent", order_by=("spent", "pk"))
    paid = MoneyColumn("Paid", order_by=("paid", "pk"))
    allocation_count = CountColumn("Allocations", order_by=("allocation_count", "pk"))
    project_count = CountColumn("Projects", order_by=("project_count", "pk"))

    export_columns = (
        ExportColumn("Programme", "text", lambda p: p.name, 30),
        ExportColumn("Code", "text", lambda p: p.code),
        ExportColumn("Financial year", "text", lambda p: _year(p.financial_year), 10),
        ExportColumn("Commissioner", "text", lambda p: p.commissioner.name, 30),
        ExportColumn("Funding source", "text", lambda p: p.funding_source, 30),
        ExportColumn("Payment terms", "text", lambda p: p.get_payment_terms_display(), 30),
        ExportColumn("Budget", "money", lambda p: p.total_budget),
        ExportColumn("Allocated", "money", lambda p: p.allocated),
        ExportColumn("Spent (approved returns)", "money", lambda p: p.spent),
        ExportColumn("Paid (released)", "money", lambda p: p.paid),
        ExportColumn("Allocations", "number", lambda p: p.allocation_count, 10),
        ExportColumn("Projects", "number", lambda p: p.project_count, 10),
    )

    class Meta(GovukTable.Meta):
        model = Programme
        fields = ()
        empty_text = "No programmes match these filters."

    def render_financial_year(self, value):
        return _year(value)


class AllocationTable(GovukTable):
    title = tables.Column("Allocation", order_by=("title", "pk"))
    recipient = tables.Column("Recipient", accessor="recipient__name", order_by=("recipient__name", "title", "pk"))
    programme = tables.Column(
        "Programme", accessor="programme__name",
        order_by=("programme__name", "programme__financial_year", "title", "pk"),
    )
    status = tables.Column("Status", order_by=("status", "title", "pk"))
    amount = MoneyColumn("Amount", order_by=("amount", "pk"))
    spent = MoneyColumn("Spent", order_by=("spent", "pk"))
    paid = MoneyColumn("Paid", order_by=("paid", "pk"))
    project_count = CountColumn("Projects", order_by=("project_count", "pk"))
    end_date = DateColumn("Ends", order_by=("end_date", "pk"))

    export_columns = (
        ExportColumn("Allocation", "text", lambda a: a.title, 30),
        ExportColumn("Recipient", "text", lambda a: a.recipient.name, 30),
        ExportColumn("Programme", "text", lambda a: a.programme.name, 30),
        ExportColumn("Programme code", "text", lambda a: a.programme.code),
        ExportColumn("Financial year", "text", lambda a: _year(a.programme.financial_year), 10),
        ExportColumn("Status", "text", lambda a: a.get_status_display()),
        ExportColumn("Amount", "money", lambda a: a.amount),
        ExportColumn("Spent (approved returns)", "money", lambda a: a.spent),
        ExportColumn("Paid (released)", "money", lambda a: a.paid),
        ExportColumn("Projects", "number", lambda a: a.project_count, 10),
        ExportColumn("Decision reference", "text", lambda a: a.decision_reference),
        ExportColumn("Decision date", "date", lambda a: a.decision_date, 12),
        ExportColumn("Starts", "date", lambda a: a.start_date, 12),
        ExportColumn("Ends", "date", lambda a: a.end_date, 12),
        ExportColumn("Passed on as grants", "text", lambda a: _yes_no(a.is_regrant), 10),
    )

    class Meta(GovukTable.Meta):
        model = Allocation
        fields = ()
        empty_text = "No allocations match these filters."

    def render_programme(self, value, record):
        return f"{value} {_year(record.programme.financial_year)}"

    def render_status(self, value, record):
        return status_tag(record.status, record.get_status_display())


class ProjectTable(GovukTable):
    name = tables.Column("Project", order_by=("name", "reference", "pk"))
    provider = tables.Column("Provider", accessor="provider__name", order_by=("provider__name", "name", "pk"))
    programme = tables.Column(
        "Programme", accessor="allocation__programme__name",
        order_by=("allocation__programme__name", "allocation__programme__financial_year", "name", "pk"),
    )
    priorities = tables.Column("Priorities", accessor="pk", orderable=False)
    budget = MoneyColumn("Budget", order_by=("budget", "pk"))
    spent = MoneyColumn("Spent", order_by=("spent", "pk"))
    latest = tables.Column("Latest return", accessor="latest_status", empty_values=())
    rag = tables.Column("RAG", empty_values=())
    end_date = DateColumn("Ends", order_by=("end_date", "pk"))

    order_latest = nulls_first("latest_year", "latest_quarter")
    order_rag = by_severity

    export_columns = (
        ExportColumn("Reference", "text", lambda p: p.reference),
        ExportColumn("Project", "text", lambda p: p.name, 30),
        ExportColumn("Provider", "text", lambda p: p.provider.name, 30),
        ExportColumn("Recipient of the allocation", "text", lambda p: p.allocation.recipient.name, 30),
        ExportColumn("Programme", "text", lambda p: p.allocation.programme.name, 30),
        ExportColumn("Financial year", "text", lambda p: _year(p.allocation.programme.financial_year), 10),
        ExportColumn("Priorities", "text", lambda p: "; ".join(p.priority_names), 30),
        ExportColumn("Area", "text", lambda p: p.area.name if p.area_id else None, 20),
        ExportColumn("Starts", "date", lambda p: p.start_date, 12),
        ExportColumn("Ends", "date", lambda p: p.end_date, 12),
        ExportColumn("Budget", "money", lambda p: p.budget),
        ExportColumn("Spent (approved returns)", "money", lambda p: p.spent),
        ExportColumn("Latest return", "text", lambda p: _quarter(p.latest_year, p.latest_quarter), 12),
        ExportColumn("Latest return status", "text",
                     lambda p: QuarterlyReturn.Status(p.latest_status).label if p.latest_status else "Not started"),
        ExportColumn("RAG", "text", lambda p: _rag(p.rag), 10),
    )

    class Meta(GovukTable.Meta):
        model = Project
        fields = ()
        empty_text = "No projects match these filters."

    @classmethod
    def export_rows(cls, queryset):
        """Priorities come in one query for the whole list, rather than one query per chunk of rows."""
        names = {}
        pairs = (
            Project.priorities.through.objects.filter(project__in=queryset.values("pk"))
            .order_by("priority__name")
            .values_list("project_id", "priority__name")
        )
        for project_id, name in pairs:
            names.setdefault(project_id, []).append(name)
        columns = [c.value for c in cls.export_columns]
        for record in queryset.prefetch_related(None).iterator(chunk_size=2000):
            record.priority_names = names.get(record.pk, [])
            yield [value(record) for value in columns]

    def render_name(self, value, record):
        return format_html('{}<br><span class="govuk-body-s">{}</span>', value, record.reference)

    def render_programme(self, value, record):
        return f"{value} {_year(record.allocation.programme.financial_year)}"

    def render_priorities(self, record):
        return ", ".join(p.name for p in record.priorities.all()) or "–"

    def render_latest(self, value, record):
        return format_html("{}<br>{}", _quarter(record.latest_year, record.latest_quarter), return_status(value))

    def render_rag(self, value):
        return rag_tag(value, _rag(value))


class ReturnTable(GovukTable):
    project = tables.Column("Project", accessor="project__name", order_by=("project__name", "pk"))
    provider = tables.Column("Provider", accessor="project__provider__name",
                             order_by=("project__provider__name", "project__name", "pk"))
    quarter = tables.Column("Quarter", order_by=("financial_year", "quarter", "project__name", "pk"))
    status = tables.Column("Status", order_by=("status", "pk"))
    spend_status = tables.Column("Spend check", order_by=("spend_status", "pk"))
    spend = MoneyColumn("Spend", order_by=("spend", "pk"))
    profile = MoneyColumn("Profile", order_by=("profile", "pk"))
    variance = MoneyColumn("Variance", order_by=("variance", "pk"))
    rag = tables.Column("RAG", empty_values=())

    order_rag = by_severity

    export_columns = (
        ExportColumn("Reference", "text", lambda r: r.project.reference),
        ExportColumn("Project", "text", lambda r: r.project.name, 30),
        ExportColumn("Provider", "text", lambda r: r.project.provider.name, 30),
        ExportColumn("Programme", "text", lambda r: r.project.allocation.programme.name, 30),
        ExportColumn("Quarter", "text", lambda r: r.period.label, 12),
        ExportColumn("Due", "date",
                     lambda r: r.period.due_date(r.project.allocation.programme.return_due_days), 12),
        ExportColumn("Status", "text", lambda r: r.get_status_display()),
        ExportColumn("Spend check", "text", lambda r: r.get_spend_status_display()),
        ExportColumn("Spend", "money", lambda r: r.spend),
        ExportColumn("Profile", "money", lambda r: r.profile),
        ExportColumn("Variance (spend less profile)", "money", lambda r: r.variance),
        ExportColumn("Provider's RAG", "text", lambda r: _rag(r.self_rag), 10),
        ExportColumn("Officer's RAG", "text", lambda r: _rag(r.officer_rag), 10),
        ExportColumn("Submitted", "datetime", lambda r: r.submitted_at, 16),
        ExportColumn("Approved", "datetime", lambda r: r.approved_at, 16),
    )

    class Meta(GovukTable.Meta):
        model = QuarterlyReturn
        fields = ()
        empty_text = "No returns match these filters."

    def render_project(self, value, record):
        url = reverse("return-detail", args=[record.project.reference, record.financial_year, record.quarter])
        return format_html('<a class="govuk-link" href="{}">{}</a><br><span class="govuk-body-s">{}</span>',
                           url, value, record.project.reference)

    def render_quarter(self, record):
        return _quarter(record.financial_year, record.quarter)

    def render_status(self, value, record):
        return status_tag(record.status, record.get_status_display())

    def render_spend_status(self, value, record):
        return status_tag(record.spend_status, record.get_spend_status_display())

    def render_rag(self, value):
        return rag_tag(value, _rag(value))


class PaymentTable(GovukTable):
    allocation = tables.Column("Allocation", accessor="allocation__title", order_by=("allocation__title", "pk"))
    recipient = tables.Column("Recipient", accessor="allocation__recipient__name",
                              order_by=("allocation__recipient__name", "allocation__title", "pk"))
    programme = tables.Column(
        "Programme", accessor="allocation__programme__name",
        order_by=("allocation__programme__name", "allocation__programme__financial_year", "pk"),
    )
    quarter = tables.Column("Quarter", order_by=("financial_year", "quarter", "pk"))
    amount = MoneyColumn("Amount", order_by=("amount", "pk"))
    status = tables.Column("Status", order_by=("status", "pk"))
    paid_on = DateColumn("Paid on")
    reference = tables.Column("Payment reference", order_by=("reference", "pk"))

    order_paid_on = nulls_first("paid_on")

    export_columns = (
        ExportColumn("Allocation", "text", lambda p: p.allocation.title, 30),
        ExportColumn("Recipient", "text", lambda p: p.allocation.recipient.name, 30),
        ExportColumn("Programme", "text", lambda p: p.allocation.programme.name, 30),
        ExportColumn("Quarter", "text", lambda p: _quarter(p.financial_year, p.quarter), 12),
        ExportColumn("Amount", "money", lambda p: p.amount),
        ExportColumn("Status", "text", lambda p: p.get_status_display()),
        ExportColumn("Paid on", "date", lambda p: p.paid_on, 12),
        ExportColumn("Payment reference", "text", lambda p: p.reference),
        ExportColumn("Reason withheld", "wrap", lambda p: p.withheld_reason, 40),
    )

    class Meta(GovukTable.Meta):
        model = Payment
        fields = ()
        empty_text = "No payments match these filters."

    def render_programme(self, value, record):
        return f"{value} {_year(record.allocation.programme.financial_year)}"

    def render_quarter(self, record):
        return _quarter(record.financial_year, record.quarter)

    def render_status(self, value, record):
        return status_tag(record.status, record.get_status_display())
