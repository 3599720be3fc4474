"""
The performance reports: any twelve months ending on a quarter end, for a programme, an
organisation (a recipient such as a CSP, or a provider) or a Police and Crime Plan priority,
and the report by priority. Each is a printable page and the same as a workbook
(reporting.spreadsheets.reports).

The rules
- The period is the four quarters ending with the chosen one (Quarter.last_twelve_months):
  "12 months to 30 September 2019" is 2018-19 Q3 to 2019-20 Q2. Only a quarter that has ended
  can end a report.
- The projects are those in the user's reach, under a decided allocation (approved, agreement
  signed, active or closed), that run in at least one quarter of the period.
  - A programme is named by its code, so that a funding stream that has one programme per
    financial year (the Community Safety Fund of 2018-19 and of 2019-20) is one report.
  - An organisation's projects are those funded through an allocation to it and those it
    delivers.
  - A priority's projects are those tagged with it. In the report by priority a project with
    several priorities counts under each, so the total row counts each project once and is
    not the sum of the rows above it; projects with no priority have a row of their own.
- Only approved returns count: spend, measure values, narrative, risks and the officer's RAG.
  Every return's status is counted, so the reader knows what is missing.
- Spend against plan: the plan is the budget lines' profile for the quarters of the period in
  which the project runs; spent is the actual spend on approved returns for those quarters;
  variance is spent minus plan, and as a % of plan.
- Outcomes against target, per project and measure (reporting.figures.period_figure):
  cumulative measures add up the approved values of the period against the quarters' targets
  added up (each financial year's part by the return page's rule); point-in-time measures
  (rates, yes/no) take the latest approved value against that quarter's target. RAG by the
  commissioner's workbook rule: green on or better than target, amber within 10%, red beyond.
- Key outcomes, per measure across the projects: for cumulative measures the values and the
  targets of the projects that have both, added up; for point-in-time measures how many of
  the projects with both are on target.
- Narrative highlights: each project's latest approved progress, and every distinct case study
  of its approved returns in the period. Risks: the latest approved return's risks and
  challenges, with its RAG.

Providers may take the report of their own organisation only; the report by priority, a
commissioner's view of its own plan, is for the funder's people.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from decimal import Decimal

from django.db.models import F, Q, Sum
from django.utils import timezone

from grants.models import (
    BudgetLine,
    MeasureValue,
    Organisation,
    Priority,
    Programme,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
    SpendLine,
)
from grants.models.common import ZERO
from grants.periods import Quarter

from .figures import (
    APPROVED,
    COUNTED_ALLOCATIONS,
    NOT_STARTED,
    as_text,
    decimal_or_none,
    money,
    outcome_rag,
    percent,
    period_figure,
    quarters_q,
    return_rag,
    spend_variance_percent,
)

PROGRAMME, ORGANISATION, PRIORITY, PRIORITIES = "programme", "organisation", "priority", "priorities"


def can_take_report(user, kind: str) -> tuple[bool, str]:
    """Who may take which report. What it contains is always the user's reach."""
    if not getattr(user, "is_authenticated", False):
        return False, "Sign in to take a report."
    if not user.organisation_id or not user.role:
        return False, "Your account has no organisation or role yet: ask an administrator to set them."
    if user.is_provider and kind != ORGANISATION:
        return False, "Providers can take the performance report of their own organisation only."
    return True, ""


# --- The period and the subject --------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Twelve months ending with quarter `end`."""

    end: Quarter

    @property
    def quarters(self) -> list[Quarter]:
        return self.end.last_twelve_months()

    @property
    def first(self) -> Quarter:
        return self.quarters[0]

    @property
    def title(self) -> str:
        return f"12 months to {self.end.end:%-d %B %Y}"

    @property
    def span(self) -> str:
        return f"{self.first.label} to {self.end.label}"

    @property
    def years(self) -> list[int]:
        return sorted({q.financial_year for q in self.quarters})

    def q(self, prefix: str = "") -> Q:
        return quarters_q(self.quarters, prefix)

    @property
    def slug(self) -> str:
        return f"12-months-to-{self.end.end:%Y-%m-%d}"


@dataclass(frozen=True)
class Subject:
    kind: str
    key: str  # the programme's code, or the organisation's or priority's id; "" for every priority
    title: str
    description: str

    def condition(self) -> Q:
        """Which projects the report covers, as a condition on Project."""
        if self.kind == PROGRAMME:
            return Q(allocation__programme__code=self.key)
        if self.kind == ORGANISATION:
            return Q(allocation__recipient_id=int(self.key)) | Q(provider_id=int(self.key))
        if self.kind == PRIORITY:
            return Q(priorities__id=int(self.key))
        return Q()

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.key}" if self.key else self.kind


def programme_subject(user, code: str) -> Subject | None:
    programme = Programme.objects.for_user(user).filter(code=code).order_by("-financial_year").first()
    if programme is None:
        return None
    return Subject(PROGRAMME, code, f"{programme.name} ({code})",
                   f"Every project funded by the {programme.name} ({code}), in every financial year of the period.")


def organisation_subject(organisation: Organisation) -> Subject:
    return Subject(ORGANISATION, str(organisation.pk), organisation.name,
                   f"Every project funded through an allocation to {organisation.name}, or delivered by it.")


def priority_subject(priority: Priority) -> Subject:
    return Subject(PRIORITY, str(priority.pk), priority.name,
                   f"Every project tagged with the Police and Crime Plan priority “{priority.name}”.")


def priorities_subject() -> Subject:
    return Subject(PRIORITIES, "", "Police and Crime Plan priorities",
                   "Funding, spend and key outcomes for each priority of the Police and Crime Plan.")


# --- Figures per project ---------------------------------------------------------------------


@dataclass(eq=False)
class OutcomeRow:
    project: "ProjectRow"
    measure_id: int
    name: str
    unit: str
    direction: str
    cumulative: bool
    values: list  # the approved value of each quarter of the period, None where there is none
    actual: Decimal | None
    target: Decimal | None
    quarters_reported: int
    quarters_expected: int

    @property
    def percent_of_target(self):
        return percent(self.actual, self.target)

    @cached_property
    def rag(self) -> str:
        return outcome_rag(self.direction, self.target, self.actual)


@dataclass(eq=False)
class ProjectRow:
    """A project's figures for the period. The lists hold one entry per quarter of the period."""

    pk: int
    reference: str
    name: str
    programme: str
    programme_code: str
    recipient: str
    provider: str
    start_date: object
    end_date: object
    period: list  # the period's quarters
    runs: list  # whether the project runs in each
    plan: list = field(default_factory=list)  # Decimal: the profile (£0 where it does not run)
    spent: list = field(default_factory=list)  # Decimal: approved returns only (£0 where none)
    statuses: list = field(default_factory=list)  # the return's status, not_started, or None where it does not run
    outcomes: list = field(default_factory=list)
    latest: object = None  # the latest approved return's narrative row
    case_studies: list = field(default_factory=list)  # (Quarter, text)
    priorities: list = field(default_factory=list)

    @property
    def quarters(self) -> list[Quarter]:
        """The quarters of the period the project runs in."""
        return [q for q, runs in zip(self.period, self.runs) if runs]

    @cached_property
    def plan_total(self) -> Decimal:
        return sum(self.plan, ZERO)

    @cached_property
    def spent_total(self) -> Decimal:
        return sum(self.spent, ZERO)

    @property
    def variance(self) -> Decimal:
        return self.spent_total - self.plan_total

    @property
    def variance_percent(self):
        return spend_variance_percent(self.spent_total, self.plan_total)

    @cached_property
    def approved(self) -> int:
        return self.statuses.count(APPROVED)

    @cached_property
    def expected(self) -> int:
        return sum(self.runs)

    @property
    def rag(self) -> str:
        """The latest approved return's RAG (the officer's, or the provider's if the officer gave none)."""
        if self.latest is None:
            return ""
        rag, _ = return_rag(APPROVED, self.latest.officer_rag, self.latest.self_rag)
        return "" if rag == "not_rated" else rag


def gather_projects(user, window: Window, condition: Q = Q(), *, narrative: bool = True) -> list[ProjectRow]:
    """Every project in reach that `condition` selects and that runs in the period, with its spend,
    outcomes, and (with `narrative`) narrative and risks for the period. Seven queries (six without the
    narrative) however many projects there are.

    Quarters are found by their place in the period ((year, number) -> 0..3), so that the thousands of
    rows a large report reads never make a Quarter each."""
    period = window.quarters
    place = {(q.financial_year, q.number): i for i, q in enumerate(period)}
    projects = Project.objects.for_user(user).filter(
        condition, allocation__status__in=COUNTED_ALLOCATIONS,
        start_date__lte=window.end.end, end_date__gte=window.first.start,
    )
    chosen = Project.objects.filter(pk__in=projects.values("pk"))  # once each, whatever `condition` joins
    rows = {}
    bounds = [(q.start, q.end) for q in period]
    running = {}  # (start, end) -> whether a project with those dates runs in each quarter
    for p in (
        chosen.annotate(programme_name=F("allocation__programme__name"), code=F("allocation__programme__code"),
                        recipient=F("allocation__recipient__name"), provider_name=F("provider__name"))
        .order_by("programme_name", "code", "recipient", "name", "reference")
        .values_list("pk", "reference", "name", "programme_name", "code", "recipient", "provider_name",
                     "start_date", "end_date", named=True)
    ):
        dates = (p.start_date, p.end_date)
        if dates not in running:
            running[dates] = [p.start_date <= end and p.end_date >= start for start, end in bounds]
        runs = running[dates]
        rows[p.pk] = ProjectRow(p.pk, p.reference, p.name, p.programme_name, p.code, p.recipient, p.provider_name,
                                p.start_date, p.end_date, period, list(runs), plan=[ZERO] * 4, spent=[ZERO] * 4,
                                statuses=[NOT_STARTED if r else None for r in runs])

    for project_id, year, *sums in (
        BudgetLine.objects.filter(project__in=chosen, financial_year__in=window.years)
        .values_list("project_id", "financial_year")
        .annotate(*(Sum(f"profile_q{n}") for n in (1, 2, 3, 4))).order_by()
    ):
        row = rows[project_id]
        for number, total in enumerate(sums, start=1):
            i = place.get((year, number))
            if i is not None and row.runs[i]:
                row.plan[i] += money(total)

    returns = QuarterlyReturn.objects.for_user(user).filter(window.q(), project__in=chosen)
    for project_id, year, number, status in returns.values_list("project_id", "financial_year", "quarter", "status"):
        row, i = rows[project_id], place[year, number]
        if row.runs[i]:
            row.statuses[i] = status
    approved = returns.filter(status=APPROVED)
    for project_id, year, number, total in (
        SpendLine.objects.filter(quarterly_return__in=approved, actual__isnull=False)
        .values_list("quarterly_return__project_id", "quarterly_return__financial_year", "quarterly_return__quarter")
        .annotate(total=Sum("actual")).order_by()
    ):
        row, i = rows[project_id], place[year, number]
        if row.runs[i]:
            row.spent[i] = money(total)

    _outcomes(rows, chosen, approved, window, place)

    if narrative:
        seen = set()
        for r in (
            approved.order_by("financial_year", "quarter")
            .values_list("project_id", "financial_year", "quarter", "progress", "case_study", "challenges", "risks",
                         "officer_rag", "self_rag", named=True)
        ):
            row = rows[r.project_id]
            row.latest = r
            text = r.case_study.strip()
            if text and (r.project_id, text) not in seen:
                seen.add((r.project_id, text))
                row.case_studies.append((period[place[r.financial_year, r.quarter]], text))
    return list(rows.values())


def _outcomes(rows: dict, chosen, approved, window: Window, place: dict):
    """Each project's measures over the period. Two queries."""
    values = defaultdict(lambda: [None] * 4)  # project measure -> the period's approved values
    for pm_id, year, number, value in (
        MeasureValue.objects.filter(quarterly_return__in=approved, value__isnull=False)
        .annotate(value_text=as_text("value"))
        .values_list("project_measure_id", "quarterly_return__financial_year", "quarterly_return__quarter",
                     "value_text")
    ):
        values[pm_id][place[year, number]] = Decimal(value)
    by_measure = defaultdict(list)  # (project, measure) -> project measures, one per year
    for pm in (
        ProjectMeasure.objects.filter(project__in=chosen, financial_year__in=window.years)
        .annotate(name=F("measure__name"), direction=F("measure__direction"), cumulative=F("measure__cumulative"),
                  annual=as_text("annual_target"), t1=as_text("target_q1"), t2=as_text("target_q2"),
                  t3=as_text("target_q3"), t4=as_text("target_q4"))
        .order_by("name", "financial_year")
        .values_list("pk", "project_id", "measure_id", "name", "unit", "direction", "cumulative", "financial_year",
                     "annual", "t1", "t2", "t3", "t4", named=True)
    ):
        by_measure[pm.project_id, pm.measure_id].append(pm)
    period = window.quarters
    for (project_id, measure_id), pms in by_measure.items():
        row = rows[project_id]
        first = pms[0]
        segments, found = [], [None] * 4
        for pm in pms:
            places = [i for i, q in enumerate(period) if row.runs[i] and q.financial_year == pm.financial_year]
            if not places:
                continue
            targets = [decimal_or_none(t) for t in (pm.t1, pm.t2, pm.t3, pm.t4)]
            pm_values = values.get(pm.pk, [None] * 4)
            segments.append((decimal_or_none(pm.annual), targets, [(period[i].number, pm_values[i]) for i in places]))
            for i in places:
                found[i] = pm_values[i]
        if not segments:
            continue
        figure = period_figure(bool(first.cumulative), segments)
        row.outcomes.append(OutcomeRow(
            row, measure_id, first.name, first.unit, first.direction, bool(first.cumulative), found,
            figure.actual, figure.target, figure.quarters_reported, figure.quarters_expected,
        ))


# --- Key outcomes ---------------------------------------------------------------------------


@dataclass
class KeyOutcome:
    """One measure across a group of projects."""

    name: str
    unit: str
    direction: str
    cumulative: bool
    projects: int = 0  # projects reporting the measure in the period
    compared: int = 0  # of them, with both an approved value and a target
    on_target: int = 0
    actual: Decimal = ZERO  # cumulative measures: the compared projects' values added up
    target: Decimal = ZERO

    @property
    def percent_of_target(self):
        return percent(self.actual, self.target) if self.cumulative and self.compared else None

    @property
    def rag(self) -> str:
        if not self.compared:
            return ""
        if self.cumulative:
            return outcome_rag(self.direction, self.target, self.actual)
        return outcome_rag("higher", Decimal(self.compared), Decimal(self.on_target))


def key_outcomes(projects) -> list[KeyOutcome]:
    found: dict[int, KeyOutcome] = {}
    for project in projects:
        for o in project.outcomes:
            key = found.setdefault(o.measure_id, KeyOutcome(o.name, o.unit, o.direction, o.cumulative))
            key.projects += 1
            if o.actual is None or o.target is None:
                continue
            key.compared += 1
            if o.rag == "green":
                key.on_target += 1
            if o.cumulative:
                key.actual += o.actual
                key.target += o.target
    return sorted(found.values(), key=lambda k: k.name)


# --- The performance report ------------------------------------------------------------------


@dataclass
class QuarterTotal:
    quarter: Quarter
    plan: Decimal
    spent: Decimal
    approved: int
    expected: int

    @property
    def variance(self) -> Decimal:
        return self.spent - self.plan

    @property
    def variance_percent(self):
        return spend_variance_percent(self.spent, self.plan)


@dataclass
class PerformanceReport:
    subject: Subject
    window: Window
    user: object
    generated_at: datetime
    projects: list
    by_quarter: list
    key_outcomes: list

    @property
    def plan(self) -> Decimal:
        return sum((p.plan_total for p in self.projects), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((p.spent_total for p in self.projects), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.spent - self.plan

    @property
    def variance_percent(self):
        return spend_variance_percent(self.spent, self.plan)

    @property
    def approved(self) -> int:
        return sum(p.approved for p in self.projects)

    @property
    def expected(self) -> int:
        return sum(p.expected for p in self.projects)

    @property
    def outcomes(self) -> list:
        return [o for p in self.projects for o in p.outcomes]

    @property
    def highlights(self) -> list:
        return [p for p in self.projects if (p.latest and p.latest.progress.strip()) or p.case_studies]

    @property
    def risks(self) -> list:
        return [p for p in self.projects if p.latest and (p.latest.risks.strip() or p.latest.challenges.strip())]


def by_quarter(projects, window: Window) -> list[QuarterTotal]:
    totals = []
    for i, quarter in enumerate(window.quarters):
        running = [p for p in projects if p.runs[i]]
        totals.append(QuarterTotal(
            quarter,
            sum((p.plan[i] for p in running), ZERO),
            sum((p.spent[i] for p in running), ZERO),
            sum(1 for p in running if p.statuses[i] == APPROVED),
            len(running),
        ))
    return totals


def performance_report(user, subject: Subject, window: Window) -> PerformanceReport:
    projects = gather_projects(user, window, subject.condition())
    return PerformanceReport(subject, window, user, timezone.now(), projects, by_quarter(projects, window),
                             key_outcomes(projects))


# --- The report by priority ------------------------------------------------------------------


@dataclass
class PriorityRow:
    priority: Priority | None  # None: projects with no priority
    projects: list

    @property
    def name(self) -> str:
        return self.priority.name if self.priority else "No priority"

    @property
    def plan(self) -> Decimal:
        return sum((p.plan_total for p in self.projects), ZERO)

    @property
    def spent(self) -> Decimal:
        return sum((p.spent_total for p in self.projects), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.spent - self.plan

    @property
    def variance_percent(self):
        return spend_variance_percent(self.spent, self.plan)

    @property
    def approved(self) -> int:
        return sum(p.approved for p in self.projects)

    @property
    def expected(self) -> int:
        return sum(p.expected for p in self.projects)

    @property
    def key_outcomes(self) -> list:
        return key_outcomes(self.projects)


@dataclass
class PriorityReport:
    subject: Subject
    window: Window
    user: object
    generated_at: datetime
    rows: list
    total: PriorityRow  # every project once


def priority_report(user, window: Window) -> PriorityReport:
    """Funding, spend and key outcomes per priority of the user's organisation's plan. Eight queries."""
    projects = gather_projects(user, window, narrative=False)
    by_pk = {p.pk: p for p in projects}
    priorities = list(Priority.objects.filter(commissioner_id=user.organisation_id).order_by("name", "pk"))
    tagged = defaultdict(list)
    # The plan's tags; only those of projects already read from the user's reach are used.
    for project_id, priority_id in (
        Project.priorities.through.objects.filter(priority__commissioner_id=user.organisation_id)
        .values_list("project_id", "priority_id")
    ):
        if project_id in by_pk:
            tagged[priority_id].append(project_id)
            by_pk[project_id].priorities.append(priority_id)
    order = {pk: n for n, pk in enumerate(by_pk)}
    rows = [PriorityRow(priority, [by_pk[pk] for pk in sorted(tagged[priority.pk], key=order.__getitem__)])
            for priority in priorities]
    untagged = [p for p in projects if not p.priorities]
    if untagged:
        rows.append(PriorityRow(None, untagged))
    return PriorityReport(priorities_subject(), window, user, timezone.now(), rows, PriorityRow(None, projects))
