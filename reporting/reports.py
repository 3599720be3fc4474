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
  Every return's status is counted, so the reader knows what is missing. The figures are read
  through reporting.quarters and worked out by grants.figures, like every other page and file.
- Spend against plan, like for like (figures.spend_to_date): the plan is the budget lines'
  profile for the quarters of the period in which the project runs; spent is the actual spend
  on approved returns, compared with the plan of the same (approved) quarters; variance is
  spent minus that plan, and as a % of it. Spend on returns submitted or sent back is shown
  apart as awaiting approval; a quarter not yet reported is never a −100% variance.
- Outcomes against target, per project and measure (figures.measure_figure): events add up
  the approved quarters against the same quarters' targets; people take the latest approved
  figure of unique people in its financial year against that quarter's target (someone helped
  in two financial years is counted in each, so a period that spans two years shows the later
  year's figure); levels and milestones take the latest approved value; rates pool their
  numerators and denominators. RAG by figures.outcome_rag; context measures are not rated.
- Key outcomes, per measure across the projects (figures.combine): events, people and counts
  or money of levels added up over the projects with both a figure and a target; rates pooled;
  percentage levels and milestones as projects on target.
- Narrative highlights: each project's latest approved progress, and every distinct case study
  of its approved returns in the period. Risks: the latest approved return's risks and
  challenges, with its RAG.

Providers may take the report of their own organisation only; the report by priority, a
commissioner's view of its own plan, is for the funder's people (reporting.permissions).
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from grants import figures
from grants.choices import ReturnStatus
from grants.figures import NOT_RATED, ZERO, SpendToDate, total_spend
from grants.models import Organisation, Priority, Programme, Project
from grants.periods import Quarter

from . import quarters as reader

PROGRAMME, ORGANISATION, PRIORITY, PRIORITIES = "programme", "organisation", "priority", "priorities"
APPROVED = ReturnStatus.APPROVED


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
        return figures.quarters_sql(self.quarters, prefix)

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


class ProjectName(NamedTuple):
    """Which project an outcome row is of: its reference and name (not the row itself, so that a report's
    rows hold no reference cycle and are freed as soon as the page is written)."""

    reference: str
    name: str


@dataclass(eq=False, slots=True)
class OutcomeRow:
    project: ProjectName
    measure_id: int
    name: str
    unit: str
    direction: str
    aggregation: str
    values: list  # the approved value of each quarter of the period, None where there is none
    figure: figures.MeasureFigure

    @property
    def actual(self):
        return self.figure.actual

    @property
    def target(self):
        return self.figure.target

    @property
    def quarters_reported(self) -> int:
        return self.figure.reported

    @property
    def quarters_expected(self) -> int:
        return self.figure.expected

    @property
    def percent_of_target(self):
        return self.figure.percent_of_target

    @property
    def rag(self) -> str:
        return figures.outcome_rag(self.direction, self.target, self.actual)


@dataclass(eq=False)
class ProjectRow:
    """A project's figures for the period, from reporting.quarters."""

    data: reader.ProjectQuarters
    outcomes: list = field(default_factory=list)
    priorities: list = field(default_factory=list)  # priority ids (the report by priority)

    def __getattr__(self, name):
        if name == "data":
            raise AttributeError(name)
        return getattr(self.data, name)

    @cached_property
    def spend(self) -> SpendToDate:
        return self.data.spend()

    @property
    def plan_total(self):
        return self.spend.plan

    @property
    def plan_compared(self):
        return self.spend.plan_compared

    @property
    def spent_total(self):
        return self.spend.spent

    @property
    def awaiting_spent(self):
        return self.spend.awaiting_spent

    @property
    def variance(self):
        return self.spend.variance

    @property
    def variance_percent(self):
        return self.spend.variance_percent

    @property
    def approved(self) -> int:
        return self.spend.approved

    @property
    def expected(self) -> int:
        return self.spend.expected

    @property
    def quarters(self) -> list[Quarter]:
        """The quarters of the period the project runs in."""
        return [q for q, runs in zip(self.data.window, self.data.runs) if runs]

    @property
    def case_studies(self) -> list:
        seen, result = set(), []
        for quarter, r in self.data.narrative:
            text = r.case_study.strip()
            if text and text not in seen:
                seen.add(text)
                result.append((quarter, text))
        return result

    @property
    def rag(self) -> str:
        """The latest approved return's RAG (the officer's, or the provider's if the officer gave none)."""
        latest = self.data.latest
        if latest is None:
            return ""
        rag, _ = figures.return_rag(APPROVED, latest.officer_rag, latest.self_rag)
        return "" if rag == NOT_RATED else rag


def gather_projects(user, window: Window, condition: Q = Q(), *, narrative: bool = True) -> list[ProjectRow]:
    """Every project in reach that `condition` selects and that runs in the period, with its spend,
    outcomes, and (with `narrative`) narrative and risks for the period, through reporting.quarters
    (a fixed number of queries however many projects there are)."""
    rows = []
    for data in reader.read(user, window.quarters, condition, narrative=narrative):
        row = ProjectRow(data)
        name = ProjectName(data.reference, data.name)
        for m in data.measures:
            row.outcomes.append(OutcomeRow(name, m.measure_id, m.name, m.unit, m.direction, m.aggregation,
                                           m.approved_values(), m.figure()))
        rows.append(row)
    return rows


# --- Key outcomes ---------------------------------------------------------------------------


@dataclass
class KeyOutcome:
    """One measure across a group of projects (figures.combine)."""

    name: str
    combined: figures.Combined

    def __getattr__(self, name):
        if name == "combined":
            raise AttributeError(name)
        return getattr(self.combined, name)


def key_outcomes(projects) -> list[KeyOutcome]:
    found: dict[int, tuple] = {}
    for project in projects:
        for o in project.outcomes:
            found.setdefault(o.measure_id, (o, []))[1].append(o.figure)
    return sorted(
        (KeyOutcome(o.name, figures.combine(o.aggregation, o.unit, o.direction, parts)) for o, parts in found.values()),
        key=lambda k: k.name,
    )


# --- The performance report ------------------------------------------------------------------


@dataclass
class QuarterTotal:
    quarter: Quarter
    spend: SpendToDate

    def __getattr__(self, name):
        if name == "spend":
            raise AttributeError(name)
        return getattr(self.spend, name)


class SpendTotals:
    """Spend figures of a group of projects (the report, a priority), added up."""

    projects: list

    @cached_property
    def spend(self) -> SpendToDate:
        return total_spend(p.spend for p in self.projects)

    @property
    def plan(self):
        return self.spend.plan

    @property
    def plan_compared(self):
        return self.spend.plan_compared

    @property
    def spent(self):
        return self.spend.spent

    @property
    def awaiting_spent(self):
        return self.spend.awaiting_spent

    @property
    def variance(self):
        return self.spend.variance

    @property
    def variance_percent(self):
        return self.spend.variance_percent

    @property
    def approved(self) -> int:
        return self.spend.approved

    @property
    def awaiting(self) -> int:
        return self.spend.awaiting

    @property
    def expected(self) -> int:
        return self.spend.expected


@dataclass(eq=False)
class PerformanceReport(SpendTotals):
    subject: Subject
    window: Window
    user: object
    generated_at: datetime
    projects: list
    by_quarter: list
    key_outcomes: list

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
    totals = [QuarterTotal(quarter, SpendToDate()) for quarter in window.quarters]
    for p in projects:
        data = p.data
        for i, runs in enumerate(data.runs):
            if runs:
                totals[i].spend.add((data.plan[i], data.statuses[i], data.spent[i]))
    return totals


def performance_report(user, subject: Subject, window: Window) -> PerformanceReport:
    projects = gather_projects(user, window, subject.condition())
    return PerformanceReport(subject, window, user, timezone.now(), projects, by_quarter(projects, window),
                             key_outcomes(projects))


# --- The report by priority ------------------------------------------------------------------


@dataclass(eq=False)
class PriorityRow(SpendTotals):
    priority: Priority | None  # None: projects with no priority
    projects: list

    @property
    def name(self) -> str:
        return self.priority.name if self.priority else "No priority"

    @cached_property
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
    """Funding, spend and key outcomes per priority of the user's organisation's plan."""
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


__all__ = ["Window", "Subject", "performance_report", "priority_report", "gather_projects", "key_outcomes", "ZERO"]
