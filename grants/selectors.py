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


# Commissioning and finance ---------------------------------------------------------------------

from calendar import monthrange  # noqa: E402

from django.db.models import Count, Q  # noqa: E402

from .models import Clawback, Organisation, Virement  # noqa: E402
from .periods import FinancialYear  # noqa: E402

FUNDED_STATUSES = (Allocation.Status.APPROVED, Allocation.Status.AGREEMENT_SIGNED, Allocation.Status.ACTIVE)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def funding_ending(user, today: date, months: int):
    """Projects in the user's reach whose funding ends within `months` from today (the allocation
    still running), soonest first, so that continuation can be decided in time."""
    return (
        Project.objects.for_user(user)
        .filter(end_date__gte=today, end_date__lte=add_months(today, months), allocation__status__in=FUNDED_STATUSES)
        .select_related("allocation__programme", "provider")
        .order_by("end_date", "name")
    )


def programme_for_user(user, pk: int) -> Programme:
    return get_object_or_404(Programme.objects.for_user(user).select_related("commissioner"), pk=pk)


@dataclass
class ProgrammeTotals:
    budget: Decimal
    allowance_percent: Decimal
    ceiling: Decimal
    approved: Decimal  # approved, signed, active and closed allocations
    drafts: Decimal
    withdrawn: Decimal

    @property
    def left_to_allocate(self) -> Decimal:
        """What more may be approved: the budget plus the allowance, less what is approved."""
        return self.ceiling - self.approved

    @property
    def left_within_budget(self) -> Decimal:
        return self.budget - self.approved


def programme_totals(programme: Programme) -> ProgrammeTotals:
    """The programme's budget and what its allocations add up to, by stage. One query."""
    by_status = dict(
        Allocation.objects.filter(programme=programme).values("status").annotate(total=Sum("amount"))
        .values_list("status", "total")
    )
    approved = sum((by_status.get(s, ZERO) for s in Allocation.COMMITTED_STATUSES), ZERO)
    return ProgrammeTotals(
        budget=programme.total_budget, allowance_percent=programme.over_allocation_percent,
        ceiling=programme.allocation_ceiling, approved=approved,
        drafts=by_status.get(Allocation.Status.DRAFT, ZERO), withdrawn=by_status.get(Allocation.Status.WITHDRAWN, ZERO),
    )


def programme_list(user):
    """The user's programmes with what is approved and what is left to allocate (budget plus allowance)."""
    committed = Allocation.objects.committed().filter(programme=OuterRef("pk"))
    programmes = list(
        Programme.objects.for_user(user)
        .select_related("commissioner")
        .annotate(approved=_sum_of(committed, "amount"), allocation_count=Count("allocations"))
        .order_by("-financial_year", "name")
    )
    for programme in programmes:
        programme.left_to_allocate = programme.allocation_ceiling - programme.approved
    return programmes


def programme_allocations(user, programme: Programme):
    """The programme's allocations in the user's reach, with what their projects budget and what is released."""
    budgeted = BudgetLine.objects.filter(project__allocation=OuterRef("pk"))
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .filter(programme=programme)
        .select_related("recipient")
        .annotate(budgeted=_sum_of(budgeted, "amount"), released=_sum_of(released, "amount"),
                  project_count=Count("projects"))
        .order_by("recipient__name", "title")
    )


def allocation_for_user(user, pk: int) -> Allocation:
    return get_object_or_404(
        Allocation.objects.for_user(user).select_related("programme__commissioner", "recipient"), pk=pk
    )


def allocation_projects(user, allocation: Allocation):
    """The allocation's projects in the user's reach (a provider delivering one project under a
    partnership's allocation sees only its own), with what each budgets."""
    budgeted = BudgetLine.objects.filter(project=OuterRef("pk"))
    return (
        Project.objects.for_user(user).filter(allocation=allocation).select_related("provider", "area")
        .prefetch_related("priorities")
        .annotate(budgeted=_sum_of(budgeted, "amount"))
        .order_by("name", "reference")
    )


def allocation_budgeted(allocation: Allocation) -> Decimal:
    return BudgetLine.objects.filter(project__allocation=allocation).aggregate(total=Sum("amount"))["total"] or ZERO


@dataclass
class ScheduleRow:
    """One quarter of an allocation: its payment (or none yet) and, in arrears, what its returns say."""

    quarter: Quarter
    payment: Payment | None
    spend: object  # services.payments.QuarterSpend, or None for payment in advance
    due: date

    @property
    def waiting(self) -> list[str]:
        return self.spend.waiting if self.spend is not None else []


def payment_schedule(user, allocation: Allocation, today: date) -> list[ScheduleRow]:
    """Every quarter the allocation covers with its payment, as the user may see it. Three queries."""
    from grants.services.payments import allocation_quarters, quarter_spend

    quarters = allocation_quarters(allocation)
    payments = {p.period: p for p in Payment.objects.for_user(user).filter(allocation=allocation)
                .select_related("released_by")}
    advance = allocation.programme.payment_terms == Programme.PaymentTerms.ADVANCE
    spend = {} if advance else quarter_spend([allocation.pk], {allocation.pk: quarters})
    rows = []
    for quarter in quarters:
        due = quarter.start if advance else quarter.due_date(allocation.programme.return_due_days)
        rows.append(ScheduleRow(quarter, payments.get(quarter), spend.get((allocation.pk, quarter)), due))
    return rows


def payment_for_user(user, pk: int) -> Payment:
    return get_object_or_404(
        Payment.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient",
                                                       "released_by"),
        pk=pk,
    )


def clawbacks_for(user, allocation: Allocation):
    return Clawback.objects.for_user(user).filter(allocation=allocation).select_related("recorded_by").order_by(
        "requested_on", "pk")


def clawback_for_user(user, pk: int) -> Clawback:
    return get_object_or_404(
        Clawback.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient"),
        pk=pk,
    )


# Projects: budget, measures, virements ------------------------------------------------------


def project_lines(project: Project):
    """The project's budget lines with the spend reported on each (returns not in draft)."""
    spent = SpendLine.objects.filter(budget_line=OuterRef("pk"), actual__isnull=False).exclude(
        quarterly_return__status=QuarterlyReturn.Status.DRAFT)
    return (
        BudgetLine.objects.filter(project=project)
        .annotate(spent=_sum_of(spent, "actual"))
        .order_by("financial_year", "category", "description")
    )


def project_measures(project: Project):
    return ProjectMeasure.objects.filter(project=project).select_related("measure").order_by(
        "financial_year", "measure__name")


def virements_for_user(user, *, status: str | None = None, project: Project | None = None):
    virements = Virement.objects.for_user(user).select_related(
        "from_line__project__allocation__programme", "to_line__project", "requested_by", "decided_by")
    if status:
        virements = virements.filter(status=status)
    if project is not None:
        virements = virements.filter(Q(from_line__project=project) | Q(to_line__project=project))
    return virements.order_by("-requested_at", "-pk")


def virement_for_user(user, pk: int) -> Virement:
    return get_object_or_404(virements_for_user(user), pk=pk)


def virement_lines(user, project: Project):
    """The lines a provider may move money between from `project`: its allocation's lines, in projects
    the user's organisation delivers (or all of them for the allocation's recipient)."""
    lines = BudgetLine.objects.filter(project__allocation_id=project.allocation_id).select_related("project")
    if project.allocation.recipient_id != user.organisation_id:
        lines = lines.filter(project__provider_id=user.organisation_id)
    return lines.order_by("project__name", "financial_year", "category", "description")


def organisations_for_choice():
    """Organisations that can receive money or deliver projects (not commissioners)."""
    return Organisation.objects.exclude(kind=Organisation.Kind.COMMISSIONER).order_by("name")


# The audit history of an allocation or a project ---------------------------------------------


@dataclass
class Change:
    at: object
    user: object
    subject: str
    field: str
    old: object
    new: object
    reason: str


def _shown(value, kind, names):
    if value is None or value == "":
        return None
    if kind == "money":
        return f"£{value:,.2f}"
    if kind == "date":
        return f"{value:%-d %B %Y}"
    if kind == "bool":
        return "Yes" if value else "No"
    if kind == "name":
        return names.get(value, value)
    if isinstance(kind, dict):
        return kind.get(value, value)
    return value


def _changes(history, fields, subject, names) -> list[Change]:
    """Every change to `fields` through `history` (one query), diffed in Python in the order the records
    were written."""
    changes, previous = [], {}
    model = history.model.instance_type
    for record in history.select_related("history_user").order_by("history_id"):
        before = previous.get(record.id)
        reason = record.history_change_reason or ""
        if record.history_type == "-":
            changes.append(Change(record.history_date, record.history_user, subject(record), "Removed", None, None,
                                  reason))
            continue
        for name, kind in fields:
            new = _shown(getattr(record, name), kind, names)
            old = _shown(getattr(before, name), kind, names) if before is not None else None
            if before is None and new is None:
                continue
            if before is None or old != new:
                label = model._meta.get_field(name).verbose_name
                changes.append(Change(record.history_date, record.history_user, subject(record), label, old, new, reason))
        previous[record.id] = record
    return changes


def _status_labels(model):
    return dict(model.Status.choices)


def programme_history(programme: Programme) -> list[Change]:
    """Every change to the programme's terms and budget, newest first. One query."""
    fields = [("name", None), ("code", None), ("financial_year", None), ("funding_source", None),
              ("total_budget", "money"), ("payment_terms", dict(Programme.PaymentTerms.choices)),
              ("return_due_days", None), ("reminder_days_before", None), ("overdue_reminder_days", None),
              ("variance_threshold_percent", None), ("over_allocation_percent", None)]
    changes = _changes(Programme.history.filter(id=programme.pk), fields, lambda r: "Programme", {})
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def allocation_history(allocation: Allocation) -> list[Change]:
    """Every change to the allocation, its payments and its clawbacks, newest first. A fixed number of queries."""
    names = dict(Organisation.objects.filter(
        pk__in=Allocation.history.filter(id=allocation.pk).values("recipient_id")).values_list("pk", "name"))
    sources = [
        (Allocation.history.filter(id=allocation.pk),
         [("status", _status_labels(Allocation)), ("title", None), ("recipient_id", "name"), ("amount", "money"),
          ("start_date", "date"), ("end_date", "date"), ("decision_reference", None), ("decision_date", "date"),
          ("agreement_signed_on", "date"), ("withdrawn_reason", None), ("conditions", None)],
         lambda r: "Allocation"),
        (Payment.history.filter(allocation_id=allocation.pk),
         [("status", _status_labels(Payment)), ("amount", "money"), ("reference", None), ("paid_on", "date"),
          ("withheld_reason", None)],
         lambda r: f"Payment {Quarter(r.financial_year, r.quarter).label}"),
        (Clawback.history.filter(allocation_id=allocation.pk),
         [("status", _status_labels(Clawback)), ("amount", "money"), ("reason", None), ("requested_on", "date"),
          ("received_on", "date"), ("waived_reason", None)],
         lambda r: f"Clawback {r.id}"),
    ]
    changes = [c for history, fields, subject in sources for c in _changes(history, fields, subject, names)]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def project_history(project: Project) -> list[Change]:
    """Every change to the project, its budget lines (virements included), its measures' targets and its
    virements, newest first. A fixed number of queries."""
    names = dict(Organisation.objects.filter(
        pk__in=Project.history.filter(id=project.pk).values("provider_id")).values_list("pk", "name"))
    measure_names = dict(OutcomeMeasure.objects.filter(
        pk__in=ProjectMeasure.history.filter(project_id=project.pk).values("measure_id")).values_list("pk", "name"))
    lines = BudgetLine.history.filter(project_id=project.pk)
    line_ids = set(lines.values_list("id", flat=True))
    profile = [(f"profile_q{n}", "money") for n in (1, 2, 3, 4)]
    sources = [
        (Project.history.filter(id=project.pk),
         [("name", None), ("provider_id", "name"), ("start_date", "date"), ("end_date", "date"),
          ("description", None)],
         lambda r: "Project"),
        (lines, [("description", None), ("amount", "money")] + profile,
         lambda r: f"Budget line: {r.description} ({FinancialYear(r.financial_year).label})"),
        (ProjectMeasure.history.filter(project_id=project.pk),
         [(name, None) for name in ("baseline", "annual_target", "target_q1", "target_q2", "target_q3", "target_q4")],
         lambda r: f"Measure: {measure_names.get(r.measure_id, '')} ({FinancialYear(r.financial_year).label})"),
        (Virement.history.filter(Q(from_line_id__in=line_ids) | Q(to_line_id__in=line_ids)),
         [("status", _status_labels(Virement)), ("amount", "money"), ("decision_note", None)],
         lambda r: f"Virement {r.id}"),
    ]
    changes = [c for history, fields, subject in sources for c in _changes(history, fields, subject, names)]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


# Finance ------------------------------------------------------------------------------------


@dataclass
class DueRow:
    payment: Payment
    due: date
    waiting: list

    @property
    def ready(self) -> bool:
        return not self.waiting


@dataclass
class VarianceRow:
    allocation: Allocation
    profile: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return self.actual - self.profile

    @property
    def percent(self) -> Decimal | None:
        return None if not self.profile else (self.variance / self.profile * 100).quantize(Decimal("0.1"))


@dataclass
class FinancePage:
    due: list
    withheld: list
    to_verify: object
    variances: list
    released_by_programme: list
    year: FinancialYear


def _due_rows(user, payments) -> list[DueRow]:
    from grants.services.payments import quarter_spend

    payments = list(payments)
    arrears = [p for p in payments if p.allocation.programme.payment_terms == Programme.PaymentTerms.ARREARS]
    wanted: dict[int, list] = {}
    for p in arrears:
        wanted.setdefault(p.allocation_id, []).append(p.period)
    spend = quarter_spend(list(wanted), wanted) if wanted else {}
    rows = []
    for p in payments:
        programme = p.allocation.programme
        if programme.payment_terms == Programme.PaymentTerms.ARREARS:
            rows.append(DueRow(p, p.period.due_date(programme.return_due_days), spend[p.allocation_id, p.period].waiting))
        else:
            rows.append(DueRow(p, p.period.start, []))
    return rows


def largest_variances(user, limit: int = 10) -> list[VarianceRow]:
    """Allocations whose approved spend is furthest from the profile of the same quarters, largest first.
    Two queries whatever the number of allocations and returns."""
    allocations = {a.pk: a for a in Allocation.objects.for_user(user).filter(
        status__in=FUNDED_STATUSES + (Allocation.Status.CLOSED,)).select_related("programme", "recipient")}
    totals: dict[int, list] = {}
    rows = SpendLine.objects.filter(
        quarterly_return__status=QuarterlyReturn.Status.APPROVED,
        quarterly_return__project__allocation_id__in=list(allocations),
    ).values_list("quarterly_return__project__allocation_id", "quarterly_return__quarter", "actual",
                  "budget_line__profile_q1", "budget_line__profile_q2", "budget_line__profile_q3",
                  "budget_line__profile_q4")
    for allocation_id, quarter, actual, *profile in rows:
        total = totals.setdefault(allocation_id, [ZERO, ZERO])
        total[0] += profile[quarter - 1]
        total[1] += actual or ZERO
    result = [VarianceRow(allocations[pk], profile, actual) for pk, (profile, actual) in totals.items()]
    result = [row for row in result if row.variance]
    result.sort(key=lambda row: (-abs(row.variance), row.allocation.title))
    return result[:limit]


def finance_page(user, today: date, year: FinancialYear | None = None) -> FinancePage:
    """Payments due, returns awaiting spend verification, the largest variances and what was released
    in a financial year (this one unless asked) per programme. A fixed number of queries."""
    year = year or FinancialYear.from_date(today)
    payments = Payment.objects.for_user(user).select_related("allocation__programme", "allocation__recipient")
    due = _due_rows(user, payments.filter(status=Payment.Status.SCHEDULED,
                                          allocation__status__in=[Allocation.Status.AGREEMENT_SIGNED,
                                                                  Allocation.Status.ACTIVE])
                    .order_by("financial_year", "quarter", "pk"))
    due.sort(key=lambda row: (not row.ready, row.due, row.payment.allocation.title))
    withheld = list(payments.filter(status=Payment.Status.WITHHELD).order_by("financial_year", "quarter", "pk"))
    released = (
        Payment.objects.for_user(user)
        .filter(status=Payment.Status.RELEASED, paid_on__gte=year.start, paid_on__lte=year.end)
        .values("allocation__programme_id", "allocation__programme__name", "allocation__programme__financial_year")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by("allocation__programme__name", "allocation__programme__financial_year")
    )
    to_verify = (
        QuarterlyReturn.objects.for_user(user)
        .filter(status__in=[QuarterlyReturn.Status.SUBMITTED, QuarterlyReturn.Status.APPROVED])
        .exclude(spend_status=QuarterlyReturn.SpendStatus.VERIFIED)
        .select_related("project__allocation__programme", "project__provider")
        .order_by("submitted_at", "pk")
    )
    return FinancePage(due=due, withheld=withheld, to_verify=to_verify, variances=largest_variances(user),
                       released_by_programme=list(released), year=year)


# A provider's funding ------------------------------------------------------------------------


def provider_allocations(user):
    """The allocations made to the user's organisation, with their payments and clawbacks (read-only)."""
    from django.db.models import Prefetch

    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .filter(recipient_id=user.organisation_id)
        .exclude(status__in=[Allocation.Status.DRAFT, Allocation.Status.WITHDRAWN])
        .select_related("programme")
        .annotate(released=_sum_of(released, "amount"))
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.for_user(user).order_by("financial_year", "quarter")),
            Prefetch("clawbacks", queryset=Clawback.objects.for_user(user).order_by("requested_on", "pk")),
        )
        .order_by("-programme__financial_year", "title")
    )
