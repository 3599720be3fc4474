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

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from django.shortcuts import get_object_or_404

from . import figures
from .choices import (
    ALLOCATION_COMMITTED,
    ALLOCATION_LIVE,
    ALLOCATION_SIGNED,
    RETURN_AWAITING,
    RETURN_REPORTED,
    RETURN_SPEND_CHECKABLE,
)
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


def allocations_for_user(user):
    """The user's allocations with what has been released to them so far and what is left to pay
    (figures.left_to_pay: none for drafts, closed and withdrawn allocations)."""
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .select_related("programme", "recipient")
        .annotate(released=_sum_of(released, "amount"))
        .annotate(left_to_pay=figures.left_to_pay_sql())
        .order_by("-programme__financial_year", "programme__name", "recipient__name")
    )


# Quarterly returns -----------------------------------------------------------

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
        .filter(provider_id=user.organisation_id, allocation__status__in=ALLOCATION_LIVE)
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
            rows.append(ReturnRow(project, quarter, ret, due,
                                  overdue=figures.is_overdue(ret.status if ret else None, due, today)))
    rows.sort(key=lambda row: (row.quarter, row.project.name), reverse=True)
    return rows


def review_queue(user):
    """Returns awaiting the user's action, oldest first: submitted ones for commissioners,
    unverified spend for finance. Viewers see what commissioners see."""
    returns = QuarterlyReturn.objects.for_user(user).select_related(
        "project__allocation__programme", "project__allocation__recipient", "project__provider"
    )
    if user.is_finance:
        returns = returns.filter(status__in=RETURN_SPEND_CHECKABLE).exclude(
            spend_status=QuarterlyReturn.SpendStatus.VERIFIED)
    else:
        returns = returns.filter(status=QuarterlyReturn.Status.SUBMITTED)
    return returns.order_by("submitted_at", "pk")


def project_for_user(user, reference: str) -> Project:
    """One project the user may see, or 404."""
    return get_object_or_404(
        Project.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient", "provider"),
        reference=reference,
    )


def lines_and_measures(project: Project, quarter: Quarter):
    """The budget lines and project measures a return for `quarter` reports on."""
    lines = list(BudgetLine.objects.filter(project=project, financial_year=quarter.financial_year))
    measures = list(
        ProjectMeasure.objects.filter(project=project, financial_year=quarter.financial_year).select_related("measure")
    )
    return lines, measures


def year_returns(project: Project, quarter: Quarter, *, upto: bool = True) -> dict[int, QuarterlyReturn]:
    """The project's returns for the quarters of the year up to `quarter` (before it, without `upto`),
    by quarter number, with their spend lines and measure values. Three queries."""
    numbers = {"quarter__lte" if upto else "quarter__lt": quarter.number}
    return {
        r.quarter: r
        for r in QuarterlyReturn.objects.filter(project=project, financial_year=quarter.financial_year, **numbers)
        .prefetch_related("spend_lines", "measure_values")
    }


def earlier_quarters(project: Project, quarter: Quarter) -> dict[int, QuarterlyReturn]:
    """The project's returns for the quarters of the year before `quarter`: what a return for it is
    compared with."""
    return year_returns(project, quarter, upto=False)


def earlier_spend(line: BudgetLine, earlier: dict[int, QuarterlyReturn], number: int) -> list[figures.SpendQuarter]:
    """The budget line's earlier quarters of the year as figures.SpendQuarter: plan, status, spend."""
    result = []
    for n in range(1, number):
        ret = earlier.get(n)
        spent = next((s.actual for s in ret.spend_lines.all() if s.budget_line_id == line.pk), None) if ret else None
        result.append(figures.SpendQuarter(line.profile_for(n), ret.status if ret else figures.NOT_STARTED, spent))
    return result


@dataclass
class SpendRow:
    line: object
    profile: Decimal  # this quarter's
    actual: Decimal | None  # this quarter's, as entered
    to_date: figures.EntrySpend  # this quarter (once entered) and the reported earlier quarters
    earlier_reported: Decimal  # spend on the reported earlier quarters
    not_counted: list  # earlier quarters left out: not reported yet
    over_threshold: bool
    explanation: str

    @property
    def actual_ytd(self) -> Decimal:
        return self.to_date.actual

    @property
    def earlier_plan(self) -> Decimal:
        """The profile of the earlier quarters that count (reported ones)."""
        return self.to_date.plan - (self.profile if self.actual is not None else ZERO)

    @property
    def profile_ytd(self) -> Decimal:
        return self.to_date.plan

    @property
    def variance(self) -> Decimal | None:
        return self.to_date.variance if self.to_date.quarters else None

    @property
    def variance_percent(self) -> Decimal | None:
        return figures.shown_percent(self.to_date.variance_percent) if self.to_date.quarters else None


@dataclass
class EarlierValue:
    quarter: Quarter
    status: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    not_collected: bool

    @property
    def counts(self) -> bool:
        return self.status in RETURN_REPORTED


@dataclass
class MeasureRow:
    project_measure: object
    earlier: list  # EarlierValue per earlier quarter of the year
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    not_collected: bool
    reason: str
    figure: figures.MeasureFigure  # this quarter (once entered) with the reported earlier quarters
    quarter_target: Decimal | None

    @property
    def target(self):
        return self.figure.target

    @property
    def year_to_date(self):
        return self.figure.actual

    @property
    def off_target(self) -> bool:
        return figures.is_off_target(self.project_measure.measure.direction, self.figure.target, self.figure.actual)


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


def measure_figure_for(pm, number: int, earlier: dict[int, QuarterlyReturn], value, numerator, denominator):
    """The return page's figure for a measure: the reported earlier quarters of the year (never drafts)
    with this quarter's figures as entered (figures.measure_figure)."""
    targets = pm.quarter_targets
    quarters = []
    for n in range(1, number):
        ret = earlier.get(n)
        mv = next((v for v in ret.measure_values.all() if v.project_measure_id == pm.pk), None) if ret else None
        counts = ret is not None and ret.status in RETURN_REPORTED and mv is not None and not mv.not_collected
        quarters.append(figures.MeasureQuarter(
            Quarter(pm.financial_year, n), counts and mv.value is not None, mv.value if counts else None,
            _dec(mv.numerator) if counts else None, _dec(mv.denominator) if counts else None, targets[n - 1]))
    quarters.append(figures.MeasureQuarter(Quarter(pm.financial_year, number), value is not None, value,
                                           _dec(numerator), _dec(denominator), targets[number - 1]))
    return figures.measure_figure(pm.measure.aggregation, quarters)


def _dec(value):
    return None if value is None else Decimal(value)


def return_page(project: Project, quarter: Quarter) -> ReturnPage:
    """Everything the return page shows, in a fixed number of queries."""
    lines, measures = lines_and_measures(project, quarter)
    earlier = year_returns(project, quarter)
    ret = earlier.pop(quarter.number, None)
    threshold = project.allocation.programme.variance_threshold_percent
    number = quarter.number

    spend = {s.budget_line_id: s for s in ret.spend_lines.all()} if ret else {}
    spend_rows = []
    for line in lines:
        this = spend.get(line.pk)
        actual = this.actual if this else None
        before = earlier_spend(line, earlier, number)
        to_date = figures.entry_spend(line.profile_for(number), actual, before)
        spend_rows.append(SpendRow(
            line=line, profile=line.profile_for(number), actual=actual, to_date=to_date,
            earlier_reported=to_date.actual - (actual or ZERO),
            not_counted=[Quarter(quarter.financial_year, n) for n, q in enumerate(before, start=1)
                         if q.status not in RETURN_REPORTED],
            over_threshold=to_date.over_threshold(threshold), explanation=this.variance_explanation if this else "",
        ))

    values = {v.project_measure_id: v for v in ret.measure_values.all()} if ret else {}
    measure_rows = []
    for pm in measures:
        this = values.get(pm.pk)
        shown = []
        for n in range(1, number):
            r = earlier.get(n)
            mv = next((v for v in r.measure_values.all() if v.project_measure_id == pm.pk), None) if r else None
            shown.append(EarlierValue(Quarter(quarter.financial_year, n), r.status if r else figures.NOT_STARTED,
                                      mv.value if mv else None, mv.numerator if mv else None,
                                      mv.denominator if mv else None, bool(mv and mv.not_collected)))
        value = this.value if this and not this.not_collected else None
        numerator = this.numerator if this else None
        denominator = this.denominator if this else None
        measure_rows.append(MeasureRow(
            project_measure=pm, earlier=shown, value=value, numerator=numerator, denominator=denominator,
            not_collected=bool(this and this.not_collected), reason=this.not_collected_reason if this else "",
            figure=measure_figure_for(pm, number, earlier, value, numerator, denominator),
            quarter_target=pm.quarter_targets[number - 1],
        ))
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
        .filter(end_date__gte=today, end_date__lte=add_months(today, months), allocation__status__in=ALLOCATION_LIVE)
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
        return figures.left_to_allocate(self.budget, self.allowance_percent, self.approved)

    @property
    def left_within_budget(self) -> Decimal:
        return self.budget - self.approved


def programme_totals(programme: Programme) -> ProgrammeTotals:
    """The programme's budget and what its allocations add up to, by stage. One query."""
    by_status = dict(
        Allocation.objects.filter(programme=programme).values("status").annotate(total=Sum("amount"))
        .values_list("status", "total")
    )
    approved = sum((by_status.get(s, ZERO) for s in ALLOCATION_COMMITTED), ZERO)
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
        programme.left_to_allocate = figures.left_to_allocate(programme.total_budget,
                                                              programme.over_allocation_percent, programme.approved)
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
    """The project's budget lines with the spend approved on each, and the spend on returns awaiting
    approval (submitted or sent back) apart."""
    spent = SpendLine.objects.approved().filter(budget_line=OuterRef("pk"))
    awaiting = SpendLine.objects.entered().filter(budget_line=OuterRef("pk"),
                                                  quarterly_return__status__in=RETURN_AWAITING)
    return (
        BudgetLine.objects.filter(project=project)
        .annotate(spent=_sum_of(spent, "actual"), awaiting=_sum_of(awaiting, "actual"))
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
        return figures.variance(self.actual, self.profile)

    @property
    def percent(self) -> Decimal | None:
        return figures.shown_percent(figures.variance_percent(self.actual, self.profile))


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
        status__in=ALLOCATION_COMMITTED).select_related("programme", "recipient")}
    totals: dict[int, list] = {}
    rows = SpendLine.objects.approved().filter(
        quarterly_return__project__allocation_id__in=list(allocations),
    ).values_list("quarterly_return__project__allocation_id", "quarterly_return__quarter", "actual",
                  "budget_line__profile_q1", "budget_line__profile_q2", "budget_line__profile_q3",
                  "budget_line__profile_q4")
    for allocation_id, quarter, actual, *profile in rows:
        total = totals.setdefault(allocation_id, [ZERO, ZERO])
        total[0] += profile[quarter - 1]
        total[1] += actual
    result = [VarianceRow(allocations[pk], profile, actual) for pk, (profile, actual) in totals.items()]
    result = [row for row in result if row.variance]
    result.sort(key=lambda row: (-abs(row.variance), row.allocation.title))
    return result[:limit]


def finance_page(user, today: date, year: FinancialYear | None = None) -> FinancePage:
    """Payments due, returns awaiting spend verification, the largest variances and what was released
    in a financial year (this one unless asked) per programme. A fixed number of queries."""
    year = year or FinancialYear.from_date(today)
    payments = Payment.objects.for_user(user).select_related("allocation__programme", "allocation__recipient")
    due = _due_rows(user, payments.filter(status=Payment.Status.SCHEDULED, allocation__status__in=ALLOCATION_SIGNED)
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
        .filter(status__in=RETURN_SPEND_CHECKABLE)
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
        .filter(recipient_id=user.organisation_id, status__in=ALLOCATION_COMMITTED)
        .select_related("programme")
        .annotate(released=_sum_of(released, "amount"))
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.for_user(user).order_by("financial_year", "quarter")),
            Prefetch("clawbacks", queryset=Clawback.objects.for_user(user).order_by("requested_on", "pk")),
        )
        .order_by("-programme__financial_year", "title")
    )
