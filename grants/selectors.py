"""
Reads shared by views, tables and exports, each scoped to the user.

Every function here starts from a `for_user()` QuerySet, so that nothing
outside the user's reach can leak into a page. Sums are correlated subqueries
rather than joins, so that the number of queries and the figures stay right
however many rows there are.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from django.shortcuts import get_object_or_404

from .models import (
    Allocation,
    BudgetLine,
    MeasureValue,
    OutcomeMeasure,
    Payment,
    Programme,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
    SpendLine,
)
from .models.common import ZERO
from .periods import Quarter

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(queryset, field: str):
    """A subquery giving the sum of `field` over `queryset` (already correlated), or £0."""
    summed = queryset.order_by().annotate(_group=Value(1)).values("_group").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def projects_with_latest_return(user):
    """The user's projects, each with the quarter and status of its latest return."""
    latest = QuarterlyReturn.objects.filter(project=OuterRef("pk")).order_by("-financial_year", "-quarter")
    return (
        Project.objects.for_user(user)
        .select_related("allocation__programme", "allocation__recipient", "provider")
        .annotate(
            latest_year=Subquery(latest.values("financial_year")[:1]),
            latest_quarter=Subquery(latest.values("quarter")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("name", "reference")
    )


def programmes_for_user(user):
    """The user's programmes with the total of their committed allocations."""
    committed = Allocation.objects.committed().filter(programme=OuterRef("pk"))
    return (
        Programme.objects.for_user(user)
        .select_related("commissioner")
        .annotate(allocated=_sum_of(committed, "amount"))
        .annotate(left_to_allocate=ExpressionWrapper(F("total_budget") - F("allocated"), output_field=_MONEY))
        .order_by("-financial_year", "name")
    )


def allocations_for_user(user):
    """The user's allocations with what has been released to them so far."""
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .select_related("programme", "recipient")
        .annotate(released=_sum_of(released, "amount"))
        .annotate(left_to_pay=ExpressionWrapper(F("amount") - F("released"), output_field=_MONEY))
        .order_by("-programme__financial_year", "programme__name", "recipient__name")
    )


# Quarterly returns -----------------------------------------------------------

ACTIVE_ALLOCATION_STATUSES = (
    Allocation.Status.APPROVED,
    Allocation.Status.AGREEMENT_SIGNED,
    Allocation.Status.ACTIVE,
)


@dataclass
class ReturnRow:
    """One project and quarter on "My returns": the return, or None if not started."""

    project: Project
    quarter: Quarter
    ret: QuarterlyReturn | None
    due: date
    overdue: bool

    @property
    def status(self) -> str:
        return self.ret.status if self.ret else ""


def provider_returns(user, today: date) -> list[ReturnRow]:
    """Every quarter from each active project's start to now, for the projects the user's organisation delivers.

    Two queries whatever the number of projects and quarters."""
    projects = list(
        Project.objects.for_user(user)
        .filter(provider_id=user.organisation_id, allocation__status__in=ACTIVE_ALLOCATION_STATUSES)
        .select_related("allocation__programme")
        .order_by("name", "reference")
    )
    returns = {
        (r.project_id, r.financial_year, r.quarter): r
        for r in QuarterlyReturn.objects.filter(project__in=[p.pk for p in projects])
    }
    current = Quarter.from_date(today)
    rows = []
    for project in projects:
        for quarter in Quarter.range(project.first_quarter, min(project.last_quarter, current)):
            ret = returns.get((project.pk, quarter.financial_year, quarter.number))
            due = quarter.due_date(project.allocation.programme.return_due_days)
            waiting = ret is None or ret.status in (QuarterlyReturn.Status.DRAFT, QuarterlyReturn.Status.RETURNED)
            rows.append(ReturnRow(project, quarter, ret, due, overdue=waiting and today > due))
    rows.sort(key=lambda row: (row.quarter, row.project.name), reverse=True)
    return rows


def review_queue(user):
    """Returns awaiting the user's action, oldest first: submitted ones for commissioners,
    unverified spend for finance. Viewers see what commissioners see."""
    returns = QuarterlyReturn.objects.for_user(user).select_related(
        "project__allocation__programme", "project__allocation__recipient", "project__provider"
    )
    if user.is_finance:
        returns = returns.filter(
            status__in=[QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.APPROVED],
        ).exclude(spend_status=QuarterlyReturn.SpendStatus.VERIFIED)
    else:
        returns = returns.filter(status=QuarterlyReturn.Status.SUBMITTED)
    return returns.order_by("submitted_at", "pk")


def project_for_user(user, reference: str) -> Project:
    """One project the user may see, or 404."""
    return get_object_or_404(
        Project.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient", "provider"),
        reference=reference,
    )


@dataclass
class SpendRow:
    line: object
    profile: Decimal
    actual: Decimal | None
    actual_ytd: Decimal
    profile_ytd: Decimal
    variance: Decimal
    variance_percent: Decimal | None
    over_threshold: bool
    explanation: str


@dataclass
class MeasureRow:
    project_measure: object
    target: Decimal | None
    earlier: list  # (quarter, value or None, not collected)
    value: Decimal | None
    not_collected: bool
    reason: str
    year_to_date: Decimal | None
    off_target: bool


@dataclass
class ReturnPage:
    project: Project
    quarter: Quarter
    due: date
    ret: QuarterlyReturn | None
    lines: list
    measures: list
    spend_rows: list
    measure_rows: list
    events: list
    threshold: Decimal


# How a measure's quarters make a year, shared by the return page and the commissioner's workbook.


def year_to_date_value(cumulative: bool, values: list):
    """The year's figure from the quarters' values in order (None where there is none):
    cumulative measures add up over the quarters; the others (point-in-time figures,
    percentages, yes/no) take the latest value."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return sum(known, ZERO) if cumulative else known[-1]


def target_to_date(cumulative: bool, annual_target, quarter_targets: list, quarter_number: int):
    """The target to compare the year-to-date value with: the quarters' targets added up (or the
    annual target pro rata) for cumulative measures, this quarter's (or the annual) target otherwise.

    `quarter_targets` holds the targets for Q1 to Q4, None where none was set."""
    if cumulative:
        quarterly = quarter_targets[:quarter_number]
        if all(t is not None for t in quarterly):
            return sum(quarterly, ZERO)
        return None if annual_target is None else (annual_target * quarter_number / 4).quantize(Decimal("0.01"))
    target = quarter_targets[quarter_number - 1]
    return annual_target if target is None else target


def is_off_target(direction: str, target, ytd) -> bool:
    """True when the year to date is on the wrong side of the target for the measure's direction."""
    if ytd is None or target is None:
        return False
    if direction == OutcomeMeasure.Direction.HIGHER:
        return ytd < target
    return ytd > target


def _year_to_date_value(pm, values: list):
    return year_to_date_value(pm.measure.cumulative, values)


def _target_to_date(pm, quarter: Quarter):
    targets = [pm.target_q1, pm.target_q2, pm.target_q3, pm.target_q4]
    return target_to_date(pm.measure.cumulative, pm.annual_target, targets, quarter.number)


def _off_target(pm, target, ytd) -> bool:
    return is_off_target(pm.measure.direction, target, ytd)


def return_page(project: Project, quarter: Quarter) -> ReturnPage:
    """Everything the return page shows, in a fixed number of queries."""
    from grants.services.returns import lines_and_measures, over_threshold, variance_percent

    lines, measures = lines_and_measures(project, quarter)
    year_returns = {
        r.quarter: r
        for r in QuarterlyReturn.objects.filter(project=project, financial_year=quarter.financial_year, quarter__lte=quarter.number)
        .prefetch_related("spend_lines", "measure_values")
    }
    ret = year_returns.get(quarter.number)
    threshold = project.allocation.programme.variance_threshold_percent

    spend = {(r.quarter, s.budget_line_id): s for r in year_returns.values() for s in r.spend_lines.all()}
    spend_rows = []
    for line in lines:
        this = spend.get((quarter.number, line.pk))
        actual = this.actual if this else None
        actual_ytd = sum(
            (spend[(n, line.pk)].actual or ZERO for n in range(1, quarter.number + 1) if (n, line.pk) in spend), ZERO
        )
        profile_ytd = line.profile_to_date(quarter.number)
        percent = variance_percent(actual_ytd, profile_ytd)
        spend_rows.append(
            SpendRow(
                line=line, profile=line.profile_for(quarter.number), actual=actual, actual_ytd=actual_ytd,
                profile_ytd=profile_ytd, variance=actual_ytd - profile_ytd, variance_percent=None if percent is None else percent.quantize(Decimal("0.1")),
                over_threshold=over_threshold(percent, threshold),
                explanation=this.variance_explanation if this else "",
            )
        )

    values = {(r.quarter, v.project_measure_id): v for r in year_returns.values() for v in r.measure_values.all()}
    measure_rows = []
    for pm in measures:
        by_quarter = [values.get((n, pm.pk)) for n in range(1, quarter.number + 1)]
        this = by_quarter[-1]
        ytd = _year_to_date_value(pm, [v.value if v else None for v in by_quarter])
        target = _target_to_date(pm, quarter)
        measure_rows.append(
            MeasureRow(
                project_measure=pm,
                target=target,
                earlier=[(Quarter(quarter.financial_year, n), v.value if v else None, bool(v and v.not_collected))
                         for n, v in enumerate(by_quarter[:-1], start=1)],
                value=this.value if this else None, not_collected=bool(this and this.not_collected),
                reason=this.not_collected_reason if this else "", year_to_date=ytd,
                off_target=_off_target(pm, target, ytd),
            )
        )
    events = list(ret.events.select_related("actor", "actor__organisation")) if ret else []
    return ReturnPage(
        project=project, quarter=quarter, due=quarter.due_date(project.allocation.programme.return_due_days), ret=ret,
        lines=lines, measures=measures, spend_rows=spend_rows, measure_rows=measure_rows, events=events,
        threshold=threshold,
    )


@dataclass
class FieldChange:
    at: object
    user: object
    subject: str
    field: str
    old: object
    new: object


def return_field_history(ret: QuarterlyReturn) -> list[FieldChange]:
    """Every change to the return's figures and text, newest first, from the audit history.

    A fixed number of queries: each history table is read once and diffed in Python."""
    lines = dict(BudgetLine.objects.filter(spend_lines__quarterly_return=ret).values_list("pk", "description"))
    measures = dict(
        ProjectMeasure.objects.filter(values__quarterly_return=ret).values_list("pk", "measure__name")
    )
    sources = [
        (QuarterlyReturn.history.filter(id=ret.pk), "id",
         ["status", "spend_status", "self_rag", "officer_rag", "progress", "challenges", "case_study", "risks", "spend_note"],
         lambda record: "Return"),
        (SpendLine.history.filter(quarterly_return_id=ret.pk), "id", ["actual", "variance_explanation"],
         lambda record: f"Spend: {lines.get(record.budget_line_id, '')}"),
        (MeasureValue.history.filter(quarterly_return_id=ret.pk), "id", ["value", "not_collected", "not_collected_reason"],
         lambda record: f"Measure: {measures.get(record.project_measure_id, '')}"),
    ]
    changes = []
    for history, key, fields, subject in sources:
        model = history.model.instance_type
        previous = {}
        for record in history.select_related("history_user").order_by("history_date", "history_id"):
            before = previous.get(getattr(record, key))
            for name in fields:
                new = getattr(record, name)
                old = getattr(before, name) if before is not None else None
                if before is None and new in (None, "", False):
                    continue
                if before is None or old != new:
                    changes.append(FieldChange(record.history_date, record.history_user, subject(record),
                                               model._meta.get_field(name).verbose_name, old, new))
            previous[getattr(record, key)] = record
    changes.sort(key=lambda change: change.at, reverse=True)
    return changes
