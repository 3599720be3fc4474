"""
The performance report: spend against plan by project and by quarter, outcomes against target,
key outcomes, highlights and risks, for a programme, an organisation or a priority over twelve
months (the rules: reporting.reports).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils import timezone

from grants.choices import SpendKind
from grants.figures import Funding, SpendToDate, total_spend
from grants.periods import Quarter

from .context import PlaceContext, place_context
from .rows import SpendTotals, gather_projects, key_outcomes
from .subjects import Subject, Window


@dataclass
class QuarterTotal:
    quarter: Quarter
    spend: SpendToDate

    def __getattr__(self, name):
        if name == "spend":
            raise AttributeError(name)
        return getattr(self.spend, name)


@dataclass
class KindTotal:
    label: str  # Capital or Revenue
    spend: SpendToDate

    def __getattr__(self, name):
        if name == "spend":
            raise AttributeError(name)
        return getattr(self.spend, name)


@dataclass(eq=False)
class PerformanceReport(SpendTotals):
    subject: Subject
    window: Window
    user: object
    generated_at: datetime
    projects: list
    by_quarter: list
    key_outcomes: list
    # The place's indicators and the board actions due in the period (reporting.reports.context).
    context: PlaceContext | None = None

    @cached_property
    def by_kind(self) -> list[KindTotal]:
        """Capital and revenue apart (grants.figures.spend_kind), each by the projects' own rule: together
        they are the report's spend."""
        return [KindTotal(label, total_spend(p.data.spend_of(kind) for p in self.projects))
                for kind, label in SpendKind.choices]

    @cached_property
    def funding(self) -> Funding:
        """The projects' funding for the financial years of the period, added up (figures.funding)."""
        total = Funding()
        for p in self.projects:
            total.include(p.data.funding)
        return total

    @property
    def co_funded(self) -> list:
        """The projects with other funding in the financial years of the period."""
        return [p for p in self.projects if p.data.other_funders]

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
    projects = gather_projects(user, window, subject.condition(), funding=True)
    return PerformanceReport(subject, window, user, timezone.now(), projects, by_quarter(projects, window),
                             key_outcomes(projects), place_context(user, subject, window, projects))
