"""
The performance report: spend against plan by project and by quarter, outcomes against target,
key outcomes, highlights and risks, for a programme, an organisation or a priority over twelve
months (the rules: reporting.reports).
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.utils import timezone

from grants.choices import SpendKind
from grants.figures import Funding, SpendToDate, total_spend
from grants.periods import Quarter

from .. import quarters as reader
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


class PerProject:
    """The sections of a report that list projects one by one, over `projects`."""

    projects: list

    def _with_narrative(self) -> list:
        """The projects, each with its narrative read."""
        return self.projects

    @property
    def co_funded(self) -> list:
        """The projects with other funding in the financial years of the period."""
        return [p for p in self.projects if p.data.other_funders]

    @property
    def outcomes(self) -> list:
        return [o for p in self.projects for o in p.outcomes]

    @property
    def highlights(self) -> list:
        return [p for p in self._with_narrative() if (p.latest and p.latest.progress.strip()) or p.case_studies]

    @property
    def risks(self) -> list:
        return [p for p in self._with_narrative()
                if p.latest and (p.latest.risks.strip() or p.latest.challenges.strip())]


@dataclass(eq=False)
class PerformanceReport(SpendTotals, PerProject):
    subject: Subject
    window: Window
    user: object
    generated_at: datetime
    projects: list
    by_quarter: list
    key_outcomes: list
    # The place's indicators and the board actions due in the period (reporting.reports.context).
    context: PlaceContext | None = None
    # False when gathered for the web page: only the projects a page shows read their narrative (`shown`).
    narrative_for_all: bool = True

    def _with_narrative(self) -> list:
        if not self.narrative_for_all:
            raise ValueError("This report was gathered without its narrative: list its projects through shown().")
        return self.projects

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

    def shown(self, number=1) -> "ProjectsShown":
        """The projects one web page of the report shows, `projects_per_page()` at a time in the report's
        order (page `number`: anything that is not a page number is the first or the last page). The
        totals above them are always of every project; the workbook holds every project."""
        page = Paginator(self.projects, projects_per_page()).get_page(number)
        if not self.narrative_for_all:
            reader.read_narrative([p.data for p in page.object_list], self.window.quarters)
        return ProjectsShown(page)


@dataclass(eq=False)
class ProjectsShown(PerProject):
    """One page of a report's projects (a Django Page): what the page's project-by-project sections list."""

    page: Page

    @property
    def projects(self) -> list:
        return self.page.object_list

    @property
    def paged(self) -> bool:
        return self.page.paginator.num_pages > 1


def projects_per_page() -> int:
    """How many projects a report's web page lists one by one (REPORT_PAGE_PROJECTS, 100 by default): a
    report of more lists them over several pages, so that a national programme's report (thousands of
    projects) is not a single page of tens of megabytes."""
    return settings.REPORT_PAGE_PROJECTS


def by_quarter(projects, window: Window) -> list[QuarterTotal]:
    totals = [QuarterTotal(quarter, SpendToDate()) for quarter in window.quarters]
    for p in projects:
        data = p.data
        for i, runs in enumerate(data.runs):
            if runs:
                totals[i].spend.add((data.plan[i], data.statuses[i], data.spent[i]))
    return totals


def performance_report(user, subject: Subject, window: Window, *, narrative: bool = True) -> PerformanceReport:
    """The report; with `narrative` False (the web page) no project's narrative is read until `shown`
    asks for the page's projects."""
    projects = gather_projects(user, window, subject.condition(), narrative=narrative, funding=True)
    return PerformanceReport(subject, window, user, timezone.now(), projects, by_quarter(projects, window),
                             key_outcomes(projects), place_context(user, subject, window, projects),
                             narrative_for_all=narrative)
