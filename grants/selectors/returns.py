"""
Reads for quarterly returns: a provider's returns, the review queue, and everything a return page
shows (its budget lines and measures, the earlier quarters of the year, the figures to date).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from grants import figures
from grants.choices import (
    ALLOCATION_LIVE,
    RETURN_REPORTED,
    RETURN_SPEND_CHECKABLE,
)
from grants.models import (
    BudgetLine,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
)
from grants.models.common import ZERO
from grants.periods import Quarter


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

    @property
    def owed(self) -> bool:
        return figures.is_owed(self.status)


def owed_returns(projects, today: date) -> list[ReturnRow]:
    """Every quarter from each live project's start to now, for the projects in `projects` (a scoped
    QuerySet), newest first. Two queries whatever the number of projects and quarters."""
    return _quarter_rows(projects.filter(allocation__status__in=ALLOCATION_LIVE), today)


def project_returns(project: Project, today: date) -> list[ReturnRow]:
    """Every quarter of one project up to now, newest first, with its return or none yet. Two queries."""
    return _quarter_rows(Project.objects.filter(pk=project.pk), today)


def _quarter_rows(projects, today: date) -> list[ReturnRow]:
    projects = list(projects.select_related("allocation__programme", "provider").order_by("name", "reference"))
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
            # A project whose allocation is closed or withdrawn owes nothing more.
            live = project.allocation.status in ALLOCATION_LIVE
            rows.append(ReturnRow(project, quarter, ret, due,
                                  overdue=live and figures.is_overdue(ret.status if ret else None, due, today)))
    rows.sort(key=lambda row: (row.quarter, row.project.name), reverse=True)
    return rows


def provider_returns(user, today: date) -> list[ReturnRow]:
    """Every quarter from each live project's start to now, for the projects the user's organisation delivers."""
    return owed_returns(Project.objects.for_user(user).filter(provider_id=user.organisation_id), today)


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
        # A return under an allocation its partnership reports on is decided with the partnership's return.
        returns = returns.filter(status=QuarterlyReturn.Status.SUBMITTED).exclude(
            project__allocation__partnership_reports=True)
    return returns.order_by("submitted_at", "pk")


def lines_and_measures(project: Project, quarter: Quarter):
    """The budget lines and project measures a return for `quarter` reports on."""
    lines = list(BudgetLine.objects.filter(project=project, financial_year=quarter.financial_year))
    measures = list(
        ProjectMeasure.objects.filter(project=project, financial_year=quarter.financial_year).select_related("measure")
    )
    return lines, measures


def year_returns(project: Project, quarter: Quarter, *, upto: bool = True) -> dict[int, QuarterlyReturn]:
    """The project's returns for the quarters of the year up to `quarter` (before it, without `upto`),
    by quarter number, with their spend lines and measure values. Three queries. Each return holds
    `project` as given (its allocation and programme as read with it), not a copy read again."""
    numbers = {"quarter__lte" if upto else "quarter__lt": quarter.number}
    returns = {}
    for r in QuarterlyReturn.objects.filter(project=project, financial_year=quarter.financial_year, **numbers
                                            ).prefetch_related("spend_lines", "measure_values"):
        r.project = project
        returns[r.quarter] = r
    return returns


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
