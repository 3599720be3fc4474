"""
The funder's dashboard: commissioner officers, finance officers and viewers.

It reads in a fixed number of queries however many programmes, projects and returns there
are: sums and counts are grouped in the database, lists are cut to a length, and what is
worked out per project is worked out in Python from one query's rows. Everything starts from
the user's reach (`for_user`, or the same scope rule as a condition).

The rules
- The current quarter is the latest quarter that has ended (figures.latest_ended_quarter).
  When none of the user's projects runs that late, the funder's dashboard shows the last
  quarter one of them ran in, and says so. Any other quarter can be chosen.
- "To date" means the quarter's financial year, from Q1 to that quarter.
- Only approved returns count in spend and in measure values, compared like for like
  (grants.figures; README, "How the figures are worked out").
- A programme's row covers the programmes of the quarter's financial year and any other
  programme with a decided allocation running in that year. Allocated is the total of its
  decided allocations (approved, agreement signed, active, closed); profiled is the budget
  lines' profile for Q1 to the quarter; spent is the actual spend on approved returns for
  those quarters, compared with the profile of the same project-quarters (figures.spend_to_date,
  each project-quarter as reporting.quarters reads it, added up from the kept quarter figures:
  grants.models.ProjectQuarter, reporting.groups.group_by_programme); variance is the difference
  (and as a % of that profile); what returns submitted or sent back report is awaiting approval, shown apart;
  paid is the payments released for those quarters.
- Returns by status: for every project running in the quarter under a decided allocation,
  its return's status, or "not started".
- RAG: figures.return_rag (the officer's rating of an approved return; the provider's own
  rating of a return submitted or sent back; a draft is not rated).
- Rated red or amber: the quarter's returns that RAG rates red or amber (read from the kept quarter
  figures), red first, then by programme, project and its reference; the first 25 shown, all counted.
- Overdue: a quarter up to the chosen one, of a project whose allocation still owes returns,
  whose due date (the programme's days after quarter end) has passed by today, and whose
  return is not submitted or approved.
- Measures most off target: for each rated measure with an approved value in the quarter, its
  figure to date against the target of the same quarters (figures.measure_figure), ranked by
  the shortfall as a share of the target (figures.shortfall), then by project and measure; read from
  the measures' figures to date (grants.models.MeasureToDate), kept as the quarter figures are.
- Funding ending: grants.selectors.funding_ending, FUNDING_ENDING_MONTHS from today.
"""

import operator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import reduce

from django.conf import settings
from django.db.models import Case, Count, Exists, IntegerField, Max, Min, OuterRef, Q, Sum, Value, When

from grants import selectors
from grants.choices import ALLOCATION_COMMITTED, ALLOCATION_LIVE, RETURN_OWED, ReturnStatus
from grants.figures import (
    NOT_RATED,
    NOT_STARTED,
    RAG_ORDER,
    STATUS_ORDER,
    ZERO,
    ShowsSpend,
    SpendToDate,
    latest_ended_quarter,
    pennies,
    percent,
    return_rag,
    shortfall,
)
from grants.models import RAG, Allocation, MeasureToDate, Payment, Programme, Project, ProjectQuarter, QuarterlyReturn
from grants.models.scoping import project_scope
from grants.services import years
from grants.periods import Quarter

from .. import groups

APPROVED = ReturnStatus.APPROVED
COUNTED_ALLOCATIONS = ALLOCATION_COMMITTED
LIST_LENGTH = 25  # rows shown in each "needs attention" list; the total is always said
OFF_TARGET_LENGTH = 10


def funding_ending_months() -> int:
    return getattr(settings, "FUNDING_ENDING_MONTHS", 6)


@dataclass
class ProgrammeRow(ShowsSpend):
    programme: Programme
    allocated: Decimal = ZERO
    spend: SpendToDate = field(default_factory=SpendToDate)  # to date, like for like
    paid: Decimal = ZERO
    running: int = 0
    statuses: dict = field(default_factory=dict)  # status (or "not_started") -> count
    rags: dict = field(default_factory=dict)  # red, amber, green, not_rated -> count

    profiled = property(lambda row: row.spend.plan)
    spent = property(lambda row: row.spend.spent)

    @property
    def approved(self) -> int:
        return self.statuses.get(APPROVED, 0)

    @property
    def status_list(self):
        return [(status, self.statuses.get(status, 0)) for status in STATUS_ORDER]

    @property
    def rag_list(self):
        return [(rag, self.rags.get(rag, 0)) for rag in RAG_ORDER]


@dataclass
class AttentionRow:
    """A return rated red or amber this quarter."""

    ret: QuarterlyReturn
    rag: str
    source: str  # "officer" or "provider"


@dataclass
class OverdueRow:
    project_id: int
    reference: str
    name: str
    programme: str
    provider: str
    quarter: Quarter
    due: date
    status: str  # draft, returned or not_started
    today: date
    programme_id: int

    @property
    def days_overdue(self) -> int:
        return (self.today - self.due).days


@dataclass
class OffTargetRow:
    reference: str
    project: str
    programme: str
    measure: str
    unit: str
    direction: str
    year_to_date: Decimal
    target: Decimal
    shortfall: Decimal
    quarter: Quarter

    aggregation: str = ""

    @property
    def percent_of_target(self):
        return percent(self.year_to_date, self.target)


@dataclass
class Period:
    """What the funder's dashboard is of, said above its form: known before any figure is read."""

    quarter: Quarter
    latest_ended: Quarter
    clamped: bool
    programme: Programme | None


@dataclass
class FunderDashboard:
    quarter: Quarter
    latest_ended: Quarter
    clamped: bool  # the quarter was moved back to the last one the user's projects ran in
    programme: Programme | None
    today: date
    programmes: list
    totals: ProgrammeRow
    attention: list
    attention_total: int
    overdue: list
    overdue_total: int
    off_target: list
    ending: list
    ending_total: int
    months: int


def project_span(user) -> tuple[date | None, date | None]:
    """The first start and the last end of the projects the user reaches under decided allocations."""
    span = Project.objects.for_user(user).filter(allocation__status__in=COUNTED_ALLOCATIONS).aggregate(
        first=Min("start_date"), last=Max("end_date"))
    return span["first"], span["last"]


def default_quarter(today: date, last_end: date | None) -> tuple[Quarter, bool]:
    """The latest quarter that has ended, or the last quarter a project ran in if that is earlier."""
    latest = latest_ended_quarter(today)
    if last_end is not None and Quarter.from_date(last_end) < latest:
        return Quarter.from_date(last_end), True
    return latest, False


def counted(user, prefix: str, programme: Programme | None = None) -> Q:
    """The projects the funder's dashboard counts (in reach, under a decided allocation, of `programme`
    if given), as a condition on Project through `prefix`: joins, where a subquery of project ids
    would leave PostgreSQL to guess at a semi-join."""
    condition = (project_scope(user, prefix) or Q(pk__in=[])) & Q(**{f"{prefix}allocation__status__in": COUNTED_ALLOCATIONS})
    if programme is not None:
        condition &= Q(**{f"{prefix}allocation__programme": programme})
    return condition


def kept_in_reach(user, programme: Programme | None = None) -> Q:
    """`counted` as a condition on the kept quarter figures: for a funder's officer, by the programme and
    allocation status each row holds (one join, to the programme, instead of three); for anyone else,
    through the row's project."""
    if not user.is_funder_side or not user.organisation_id:
        return counted(user, "project__", programme)
    condition = Q(programme__commissioner_id=user.organisation_id, allocation_status__in=COUNTED_ALLOCATIONS)
    if programme is not None:
        condition &= Q(programme_id=programme.pk)
    return condition


def funder_dashboard(user, *, quarter: Quarter, today: date, programme: Programme | None = None,
                     latest_ended: Quarter | None = None, clamped: bool = False) -> FunderDashboard:
    """The funder's dashboard for `quarter`, optionally for one programme. Ten queries (nine when nothing
    is overdue), however many projects: the per-programme figures are one grouped query of the kept
    quarter figures."""
    year, number = quarter.financial_year, quarter.number
    # 1. The programmes: of this year, or with a decided allocation running in it.
    decided = Allocation.objects.filter(programme=OuterRef("pk"), status__in=COUNTED_ALLOCATIONS)
    runs_this_year = decided.filter(start_date__lte=quarter.year.end, end_date__gte=quarter.year.start)
    programmes = Programme.objects.for_user(user).filter(Q(financial_year=year) | Q(Exists(runs_this_year)))
    if programme is not None:
        programmes = programmes.filter(pk=programme.pk)
    rows = {
        p.pk: ProgrammeRow(p, allocated=pennies(p.allocated_total))
        # Allocated in the quarter's financial year: an allocation over several years counts its part for it.
        for p in programmes.annotate(allocated_total=years.committed_in_year_sql(year)).order_by(
            "name", "financial_year", "pk")
    }
    ids = list(rows)

    # 2. Per programme, in one query of the kept quarter figures: spend to date against the profile of
    # the same quarters (figures.spend_to_date added up, as reporting.groups.group_spend works it out
    # from the source tables), the projects running in the quarter, and their returns by status and RAG
    # (figures.return_rag; a project running with no return is "not started" and not rated).
    # A funder's officer reaches whole programmes: their kept rows are read by the programme and allocation
    # status each holds, without joining every row to its project and allocation.
    if user.is_funder_side:
        by_programme = groups.group_by_programme(ids, quarter, COUNTED_ALLOCATIONS)
    else:
        def scope(prefix):
            return counted(user, prefix, programme) & Q(**{f"{prefix}allocation__programme__in": ids})

        by_programme = groups.group_kept(scope, quarter, "allocation__programme_id")
    for programme_id, kept in by_programme.items():
        row = rows[programme_id]
        row.spend, row.running, row.statuses, row.rags = kept.spend, kept.running, kept.statuses, kept.rags

    # 3. Paid: payments released for the quarters to date.
    for programme_id, paid in (
        Payment.objects.for_user(user)
        .filter(status=Payment.Status.RELEASED, financial_year=year, quarter__lte=number, allocation__programme__in=ids)
        .values_list("allocation__programme_id").annotate(total=Sum("amount"))
        .values_list("allocation__programme_id", "total")
    ):
        rows[programme_id].paid = pennies(paid)

    # A programme none of whose projects runs in the year to date: nothing running, nothing started.
    for row in rows.values():
        row.statuses.setdefault(NOT_STARTED, 0)
        row.rags.setdefault(NOT_RATED, 0)

    totals = ProgrammeRow(None)
    for row in rows.values():
        for name in ("allocated", "spend", "paid", "running"):
            setattr(totals, name, getattr(totals, name) + getattr(row, name))
        for status, count in row.statuses.items():
            totals.statuses[status] = totals.statuses.get(status, 0) + count
        for rag, count in row.rags.items():
            totals.rags[rag] = totals.rags.get(rag, 0) + count

    # 4 and 5. Returns that need attention: red first, then amber, ranked from the kept quarter figures (their
    # RAG is figures.return_rag, kept with every change of the return); the rows shown are then read whole.
    # Only the rows of the first programmes (by name) of each rating that fill the list are ranked, as
    # the programmes' counts above say.
    first = list(
        ProjectQuarter.objects.filter(kept_in_reach(user, programme), _filling(rows, LIST_LENGTH),
                                      financial_year=year, quarter=number)
        .annotate(red_first=Case(When(rag=RAG.RED, then=Value(0)), default=Value(1), output_field=IntegerField()))
        .order_by("red_first", "programme__name", "project__name", "project__reference")
        .values_list("project_id", flat=True)[:LIST_LENGTH])
    shown = {r.project_id: r for r in QuarterlyReturn.objects.filter(
        project__in=first, financial_year=year, quarter=number).select_related(
        "project__allocation__programme", "project__provider")}
    attention = [AttentionRow(r, *return_rag(r.status, r.officer_rag, r.self_rag))
                 for r in (shown.get(project_id) for project_id in first) if r is not None]
    attention_total = totals.rags.get(RAG.RED, 0) + totals.rags.get(RAG.AMBER, 0)

    # 6 and 7. Overdue returns, up to this quarter.
    overdue, overdue_total = _overdue(user, programme, quarter, today)

    # 8. Measures most off target this quarter.
    off_target = _off_target(user, programme, quarter)

    # 9 and 10. Funding ending.
    months = funding_ending_months()
    ending = selectors.funding_ending(user, today, months)
    if programme is not None:
        ending = ending.filter(allocation__programme=programme)

    return FunderDashboard(
        quarter=quarter, latest_ended=latest_ended or latest_ended_quarter(today), clamped=clamped,
        programme=programme, today=today, programmes=list(rows.values()), totals=totals,
        attention=attention, attention_total=attention_total,
        overdue=overdue, overdue_total=overdue_total, off_target=off_target,
        ending=list(ending[:LIST_LENGTH]), ending_total=ending.count(), months=months,
    )


def _filling(rows: dict, length: int) -> Q:
    """The kept rows rated red or amber of the programmes (grouped by name, as the list is ordered) whose
    counts fill a list of `length`, red before amber: a condition on ProjectQuarter."""
    by_name = {}
    for row in rows.values():  # in the database's order of their names, as the list is ordered
        by_name.setdefault(row.programme.name, []).append(row)
    condition, filled = Q(pk__in=[]), 0
    for rag in (RAG.RED, RAG.AMBER):
        for group in by_name.values():
            count = sum(row.rags.get(rag, 0) for row in group)
            if count and filled < length:
                condition |= Q(rag=rag, programme_id__in=[row.programme.pk for row in group])
                filled += count
    return condition


def _overdue(user, programme, quarter: Quarter, today: date) -> tuple[list[OverdueRow], int]:
    """The first LIST_LENGTH overdue returns up to `quarter` of the projects whose allocations still owe
    returns, most overdue first, and how many there are. Two queries of the kept quarter figures
    (grants.models.ProjectQuarter: a row for each quarter a project runs in, with its return's status, or
    "not started"), whatever the number of projects: the quarters whose return is still owed
    (figures.is_owed) counted by programme and quarter, of which those due by today (Quarter.due_date,
    the programme's days after the quarter's end) are worked out here; then the rows of the earliest of
    those, enough to fill the list, in order of due date, programme, project and its reference."""
    year, number = quarter.financial_year, quarter.number
    owed = (
        ProjectQuarter.objects.filter(kept_in_reach(user, programme), allocation_status__in=ALLOCATION_LIVE,
                                      status__in=[NOT_STARTED, *RETURN_OWED])
        .filter(Q(financial_year__lt=year) | Q(financial_year=year, quarter__lte=number))
    )
    due_groups = []  # (due, programme, year, quarter, how many), those past due
    for programme_id, days, group_year, group_quarter, count in (
        owed.values_list("programme_id", "programme__return_due_days", "financial_year", "quarter")
        .annotate(count=Count("pk")).order_by()
    ):
        due = Quarter(group_year, group_quarter).due_date(days)
        if due < today:
            due_groups.append((due, programme_id, group_year, group_quarter, count))
    if not due_groups:
        return [], 0
    # The earliest due dates whose returns fill the list, every group of the last one included.
    due_groups.sort()
    wanted, filled, last_due = {}, 0, None  # wanted: (programme, year, quarter) -> due
    for due, programme_id, group_year, group_quarter, count in due_groups:
        if filled >= LIST_LENGTH and due != last_due:
            break
        last_due = due
        wanted[programme_id, group_year, group_quarter] = due
        filled += count
    days_rank = {due: rank for rank, due in enumerate(sorted(set(wanted.values())))}
    which = {key: Q(programme_id=key[0], financial_year=key[1], quarter=key[2]) for key in wanted}
    rank = Case(*[When(which[key], then=Value(days_rank[due])) for key, due in wanted.items()],
                output_field=IntegerField())
    rows = [
        OverdueRow(r.project_id, r.project__reference, r.project__name, r.programme__name, r.project__provider__name,
                   Quarter(r.financial_year, r.quarter), wanted[r.programme_id, r.financial_year, r.quarter], r.status,
                   today, r.programme_id)
        for r in owed.filter(reduce(operator.or_, which.values())).annotate(due_rank=rank)
        .order_by("due_rank", "programme__name", "project__name", "project__reference")
        .values_list("project_id", "project__reference", "project__name", "programme__name", "project__provider__name",
                     "programme_id", "financial_year", "quarter", "status", named=True)[:LIST_LENGTH]
    ]
    return rows, sum(group[-1] for group in due_groups)


def _off_target(user, programme, quarter: Quarter) -> list[OffTargetRow]:
    """The rated measures furthest off target to date, among those with an approved value this
    quarter. One query, of the measures' figures to date (grants.models.MeasureToDate: figures.measure_figure
    over Q1 to the quarter against the target of the same quarters, and figures.shortfall, kept with
    every approval, reopening and target change), ranked by the shortfall, then project and measure."""
    rows = (
        MeasureToDate.objects.filter(counted(user, "project__", programme), financial_year=quarter.financial_year,
                                     quarter=quarter.number, share__gt=0)
        .order_by("-share", "project__name", "project_measure__measure__name", "pk")
        .values_list("project__reference", "project__name", "project__allocation__programme__name",
                     "project_measure__measure__name", "project_measure__unit", "project_measure__measure__direction",
                     "actual", "target", "project_measure__measure__aggregation")[:OFF_TARGET_LENGTH]
    )
    return [
        OffTargetRow(reference, project, programme_name, measure, unit, direction, actual, target,
                     shortfall(direction, target, actual), quarter, aggregation)
        for reference, project, programme_name, measure, unit, direction, actual, target, aggregation in rows
    ]
