"""
The figures a report is made of: each project's spend, outcomes, narrative and risks for the
period (read through reporting.quarters), the key outcomes of a group of projects, and the spend
of a group added up.
"""

from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from django.db.models import Q

from grants import figures
from grants.choices import ReturnStatus
from grants.figures import NOT_RATED, ShowsSpend, SpendToDate, total_spend
from grants.periods import Quarter

from .. import quarters as reader
from .subjects import Window

APPROVED = ReturnStatus.APPROVED


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
class ProjectRow(ShowsSpend):
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

    plan_total = property(lambda row: row.spend.plan)
    spent_total = property(lambda row: row.spend.spent)

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


def gather_projects(user, window: Window, condition: Q = Q(), *, narrative: bool = True,
                    funding: bool = False) -> list[ProjectRow]:
    """Every project in reach that `condition` selects and that runs in the period, with its spend,
    outcomes, and (with `narrative`) narrative and risks for the period, through reporting.quarters
    (a fixed number of queries however many projects there are)."""
    rows = []
    for data in reader.read(user, window.quarters, condition, narrative=narrative, funding=funding):
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

# --- The spend of a group of projects --------------------------------------------------------


class SpendTotals(ShowsSpend):
    """Spend figures of a group of projects (the report, a priority), added up."""

    projects: list

    @cached_property
    def spend(self) -> SpendToDate:
        return total_spend(p.spend for p in self.projects)

    plan = property(lambda totals: totals.spend.plan)
    spent = property(lambda totals: totals.spend.spent)
