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
from operator import itemgetter
from typing import Any

import django_tables2 as tables
from django.db.models import Case, F, IntegerField, Value, When
from django.urls import reverse
from django.utils import dateformat
from django.utils.html import format_html

from grants import figures
from grants.models import RAG, Allocation, Payment, Programme, Project, QuarterlyReturn
from grants.periods import FinancialYear, Quarter
from grants.templatetags.grants_tags import money, rag_tag, return_status, status_tag

from .spreadsheets.writer import Column

_RAG_LABELS = dict(RAG.choices)
_RETURN_STATUS = dict(QuarterlyReturn.Status.choices)


@dataclass(frozen=True)
class ExportColumn:
    """One column of a download: its heading, its kind of value, and how to read it from a row.

    Rows are dicts from `QuerySet.values()` (model instances cost ten times as much to build for
    a long download): `field` is read as it is, or `value(row)` works the cell out from `uses`."""

    heading: str
    kind: str
    field: str | None = None
    value: Callable[[dict], Any] | None = None
    uses: tuple[str, ...] = ()
    width: float = 14

    @property
    def column(self) -> Column:
        return Column(self.heading, self.kind, self.width)

    @property
    def fields(self) -> tuple[str, ...]:
        return (self.field,) if self.field else self.uses

    @property
    def read(self) -> Callable[[dict], Any]:
        return itemgetter(self.field) if self.field else self.value


def field(heading, name, kind="text", width=14) -> ExportColumn:
    return ExportColumn(heading, kind, field=name, width=width)


def worked_out(heading, uses, value, kind="text", width=14) -> ExportColumn:
    return ExportColumn(heading, kind, value=value, uses=tuple(uses.split()), width=width)


def label_of(choices, name: str, heading: str, width=14) -> ExportColumn:
    """A choice field's label (Active, Approved …) rather than its stored value."""
    labels = dict(choices)
    return worked_out(heading, name, lambda row: labels.get(row[name], row[name]), width=width)


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


class DateColumn(tables.Column):
    """A date as 1 April 2023, as every page shows dates (tables2's DateColumn compiles a template for
    every cell)."""

    def render(self, value):
        return dateformat.format(value, "j F Y")


class GovukTable(tables.Table):
    """A table in GOV.UK Frontend style, sorted by ?sort= and paged by ?page=."""

    export_columns: tuple[ExportColumn, ...] = ()
    user = None  # who the page is for, set by the view: some links are for the funder's people only

    def organisation_link(self, organisation_id, name):
        """The organisation's name, linked to its page where the reader may open it: a provider's people
        their own organisation's, the funder's people any organisation in their lists."""
        if self.user is None or (self.user.is_provider and organisation_id != self.user.organisation_id):
            return name
        return format_html('<a class="govuk-link" href="{}">{}</a>',
                           reverse("organisation-detail", args=[organisation_id]), name)

    def programme_link(self, programme, name):
        """The programme's name and year, linked to its page for the funder's people (whose pages they are)."""
        label = f"{name} {_year(programme.financial_year)}"
        if self.user is None or not self.user.is_funder_side:
            return label
        return format_html('<a class="govuk-link" href="{}">{}</a>', reverse("programme-detail", args=[programme.pk]),
                           label)

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

    def body(self):
        """The page's rows as (row attributes, [(cell attributes, cell)]): each column's cell
        attributes are worked out once, where tables2's own template works them out for every cell."""
        cell_attrs = [column.attrs["td"].as_html() for column in self.columns]
        for row in self.paginated_rows:
            yield row.attrs.as_html(), list(zip(cell_attrs, (cell for _, cell in row.items())))

    @classmethod
    def export_rows(cls, queryset):
        """The values of each row of `queryset` in `export_columns`' order, read in chunks."""
        names = sorted({name for c in cls.export_columns for name in c.fields})
        readers = [c.read for c in cls.export_columns]
        for row in queryset.prefetch_related(None).values(*names).iterator(chunk_size=2000):
            yield [read(row) for read in readers]


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
        field("Programme", "name", width=30),
        field("Code", "code"),
        worked_out("Financial year", "financial_year", lambda r: _year(r["financial_year"]), width=10),
        field("Commissioner", "commissioner__name", width=30),
        field("Funding source", "funding_source", width=30),
        label_of(Programme.PaymentTerms.choices, "payment_terms", "Payment terms", width=30),
        field("Budget", "total_budget", "money"),
        field("Allocated", "allocated", "money"),
        field("Spent (approved returns)", "spent", "money"),
        field("Paid (released)", "paid", "money"),
        field("Allocations", "allocation_count", "number", 10),
        field("Projects", "project_count", "number", 10),
    )

    class Meta(GovukTable.Meta):
        model = Programme
        fields = ()
        empty_text = "No programmes match these filters."

    def render_name(self, value, record):
        if not self.user.is_funder_side:  # programme pages are the funder's
            return value
        return format_html('<a class="govuk-link" href="{}">{}</a>', reverse("programme-detail", args=[record.pk]),
                           value)

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
        field("Allocation", "title", width=30),
        field("Recipient", "recipient__name", width=30),
        field("Programme", "programme__name", width=30),
        field("Programme code", "programme__code"),
        worked_out("Financial year", "programme__financial_year", lambda r: _year(r["programme__financial_year"]),
                   width=10),
        label_of(Allocation.Status.choices, "status", "Status"),
        field("Amount", "amount", "money"),
        field("Spent (approved returns)", "spent", "money"),
        field("Paid (released)", "paid", "money"),
        field("Projects", "project_count", "number", 10),
        field("Decision reference", "decision_reference"),
        field("Decision date", "decision_date", "date", 12),
        field("Starts", "start_date", "date", 12),
        field("Ends", "end_date", "date", 12),
        worked_out("Passed on as grants", "is_regrant", lambda r: _yes_no(r["is_regrant"]), width=10),
    )

    class Meta(GovukTable.Meta):
        model = Allocation
        fields = ()
        empty_text = "No allocations match these filters."

    def render_title(self, value, record):
        return format_html('<a class="govuk-link" href="{}">{}</a>', reverse("allocation-detail", args=[record.pk]),
                           value)

    def render_recipient(self, value, record):
        return self.organisation_link(record.recipient_id, value)

    def render_programme(self, value, record):
        return self.programme_link(record.programme, value)

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
        field("Reference", "reference"),
        field("Project", "name", width=30),
        field("Provider", "provider__name", width=30),
        field("Recipient of the allocation", "allocation__recipient__name", width=30),
        field("Programme", "allocation__programme__name", width=30),
        worked_out("Financial year", "allocation__programme__financial_year",
                   lambda r: _year(r["allocation__programme__financial_year"]), width=10),
        worked_out("Priorities", "id", lambda r: "; ".join(r["priorities"]), width=30),
        field("Area", "area__name", width=20),
        field("Starts", "start_date", "date", 12),
        field("Ends", "end_date", "date", 12),
        field("Budget", "budget", "money"),
        field("Spent (approved returns)", "spent", "money"),
        worked_out("Latest return", "latest_year latest_quarter",
                   lambda r: _quarter(r["latest_year"], r["latest_quarter"]), width=12),
        worked_out("Latest return status", "latest_status", lambda r: _RETURN_STATUS.get(r["latest_status"],
                                                                                         "Not started")),
        worked_out("RAG", "rag", lambda r: _rag(r["rag"]), width=10),
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
        columns = sorted({name for c in cls.export_columns for name in c.fields})
        readers = [c.read for c in cls.export_columns]
        for row in queryset.prefetch_related(None).values(*columns).iterator(chunk_size=2000):
            row["priorities"] = names.get(row["id"], ())
            yield [read(row) for read in readers]

    def render_provider(self, value, record):
        return self.organisation_link(record.provider_id, value)

    def render_name(self, value, record):
        return format_html('<a class="govuk-link" href="{}">{}</a><br><span class="govuk-body-s">{}</span>',
                           reverse("project-detail", args=[record.reference]), value, record.reference)

    def render_programme(self, value, record):
        return self.programme_link(record.allocation.programme, value)

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
    variance = MoneyColumn("Variance", accessor="pk")
    rag = tables.Column("RAG", empty_values=())

    order_rag = by_severity

    def order_variance(self, queryset, is_descending):
        queryset = queryset.alias(variance=figures.variance_sql("spend", "profile"))
        return queryset.order_by("-variance" if is_descending else "variance", "-pk" if is_descending else "pk"), True

    def render_variance(self, record):
        return money(figures.variance(record.spend, record.profile))

    export_columns = (
        field("Reference", "project__reference"),
        field("Project", "project__name", width=30),
        field("Provider", "project__provider__name", width=30),
        field("Programme", "project__allocation__programme__name", width=30),
        worked_out("Quarter", "financial_year quarter", lambda r: _quarter(r["financial_year"], r["quarter"]),
                   width=12),
        worked_out("Due", "financial_year quarter project__allocation__programme__return_due_days",
                   lambda r: Quarter(r["financial_year"], r["quarter"]).due_date(
                       r["project__allocation__programme__return_due_days"]), "date", 12),
        label_of(QuarterlyReturn.Status.choices, "status", "Status"),
        label_of(QuarterlyReturn.SpendStatus.choices, "spend_status", "Spend check"),
        field("Spend", "spend", "money"),
        field("Profile", "profile", "money"),
        worked_out("Variance (spend less profile)", "spend profile", lambda r: figures.variance(r["spend"], r["profile"]),
                   "money"),
        worked_out("RAG", "rag", lambda r: _rag(r["rag"]), width=10),
        worked_out("Provider's RAG", "self_rag", lambda r: _rag(r["self_rag"]), width=10),
        worked_out("Officer's RAG", "officer_rag", lambda r: _rag(r["officer_rag"]), width=10),
        field("Submitted", "submitted_at", "datetime", 16),
        field("Approved", "approved_at", "datetime", 16),
    )

    class Meta(GovukTable.Meta):
        model = QuarterlyReturn
        fields = ()
        empty_text = "No returns match these filters."

    def render_provider(self, value, record):
        return self.organisation_link(record.project.provider_id, value)

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
        field("Allocation", "allocation__title", width=30),
        field("Recipient", "allocation__recipient__name", width=30),
        field("Programme", "allocation__programme__name", width=30),
        worked_out("Quarter", "financial_year quarter", lambda r: _quarter(r["financial_year"], r["quarter"]),
                   width=12),
        field("Amount", "amount", "money"),
        label_of(Payment.Status.choices, "status", "Status"),
        field("Paid on", "paid_on", "date", 12),
        field("Payment reference", "reference"),
        field("Reason withheld", "withheld_reason", "wrap", 40),
    )

    class Meta(GovukTable.Meta):
        model = Payment
        fields = ()
        empty_text = "No payments match these filters."

    def render_recipient(self, value, record):
        return self.organisation_link(record.allocation.recipient_id, value)

    def render_programme(self, value, record):
        return self.programme_link(record.allocation.programme, value)

    def render_quarter(self, record):
        return format_html('<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden">: the payment to {}'
                           '</span></a>', reverse("payment-detail", args=[record.pk]),
                           _quarter(record.financial_year, record.quarter), record.allocation.recipient.name)

    def render_status(self, value, record):
        return status_tag(record.status, record.get_status_display())
