"""
The charts on a project's page: spend against profile and each measure's value against target,
quarter by quarter, with the text that says what each chart shows. Read through reporting.quarters,
approved returns only.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string

from grants import figures
from grants.choices import RETURN_AWAITING
from grants.figures import ZERO
from grants.models import Project
from grants.periods import Quarter

from .. import quarters as reader
from grants.kept_pages import kept


@dataclass
class ChartSpendQuarter:
    quarter: Quarter
    profiled: Decimal
    spent: Decimal | None  # None: no approved return for the quarter
    status: str  # the return's status, or not_started
    awaiting: Decimal | None = None  # spend reported on a return submitted or sent back

    @property
    def variance(self):
        return None if self.spent is None else figures.variance(self.spent, self.profiled)


@dataclass
class ChartMeasureQuarter:
    quarter: Quarter
    target: Decimal | None
    value: Decimal | None  # approved only
    status: str


@dataclass
class MeasureChart:
    key: str
    name: str
    unit: str
    direction: str
    aggregation: str
    quarters: list  # ChartMeasureQuarter

    @property
    def data_id(self) -> str:
        return f"{self.key}-data"

    def chart(self) -> dict:
        return {
            "kind": "measure", "unit": self.unit,
            "labels": [q.quarter.label for q in self.quarters],
            "series": [
                {"label": "Target", "role": "target", "values": [_text(q.target) for q in self.quarters]},
                {"label": "Value (approved returns)", "role": "actual",
                 "values": [_text(q.value) for q in self.quarters]},
            ],
        }

    @property
    def summary(self) -> str:
        reported = [q for q in self.quarters if q.value is not None]
        if not self.quarters:
            return f"{self.name}: no quarters."
        span = f"{self.quarters[0].quarter.label} to {self.quarters[-1].quarter.label}"
        if not reported:
            return f"{self.name}, target by quarter from {span}: no approved value yet."
        met = sum(1 for q in reported if q.target is not None and not figures.is_off_target(
            self.direction, q.target, q.value))
        latest = reported[-1]
        return (f"{self.name}, value against target by quarter from {span}. "
                f"{len(reported)} of {len(self.quarters)} quarters have an approved value; {met} of them met "
                f"the target. Latest, {latest.quarter.label}: {_shown(latest.value, self.unit)} against a target of "
                f"{_shown(latest.target, self.unit)}.")


def _text(value) -> str | None:
    """A figure for a chart's data: exact decimal text without trailing zeros, the same on every
    database (JSON numbers are binary fractions)."""
    return None if value is None else f"{value.normalize():f}"


def _shown(value, unit) -> str:
    if value is None:
        return "none"
    if unit == "money":
        return f"£{value:,.2f}"
    if unit == "percentage":
        return f"{value.normalize():f}%"
    if unit == "yes_no":
        return "yes" if value == 1 else "no"
    return f"{value.normalize():,f}"


@dataclass
class ProjectCharts:
    project: Project
    spend: list  # ChartSpendQuarter
    measures: list  # MeasureChart

    @property
    def profiled_total(self) -> Decimal:
        return sum((q.profiled for q in self.spend), ZERO)

    @property
    def spent_total(self) -> Decimal:
        return sum((q.spent for q in self.spend if q.spent is not None), ZERO)

    @property
    def profiled_reported(self) -> Decimal:
        """The profile of the quarters with an approved return: what the spent total compares with."""
        return sum((q.profiled for q in self.spend if q.spent is not None), ZERO)

    def spend_chart(self) -> dict:
        return {
            "kind": "spend", "unit": "money",
            "labels": [q.quarter.label for q in self.spend],
            "series": [
                {"label": "Profiled", "role": "target", "values": [_text(q.profiled) for q in self.spend]},
                {"label": "Spent (approved returns)", "role": "actual", "values": [_text(q.spent) for q in self.spend]},
            ],
        }

    @property
    def spend_summary(self) -> str:
        if not self.spend:
            return "Spend against profile: the project has no quarters."
        span = f"{self.spend[0].quarter.label} to {self.spend[-1].quarter.label}"
        reported = [q for q in self.spend if q.spent is not None]
        text = (f"Spend against profile by quarter from {span}: £{self.profiled_total:,.2f} profiled in all. ")
        if not reported:
            return text + "No quarter has an approved return yet."
        variance = self.spent_total - self.profiled_reported
        word = "over" if variance > 0 else "under"
        return text + (
            f"{len(reported)} of {len(self.spend)} quarters have an approved return: £{self.spent_total:,.2f} spent "
            f"against £{self.profiled_reported:,.2f} profiled for them"
            + (f", £{abs(variance):,.2f} {word} profile." if variance else ", exactly on profile."))


def project_charts(user, project: Project) -> ProjectCharts:
    """Spend against profile and each measure's value against target, quarter by quarter, for
    every quarter the project runs, through reporting.quarters. Approved returns only; what a return
    submitted or sent back reports is shown apart as awaiting approval."""
    window = list(project.quarters())
    found = reader.read(user, window, projects=Project.objects.for_user(user).filter(pk=project.pk))
    if not found:
        return ProjectCharts(project, [], [])
    data = found[0]
    spend = [
        ChartSpendQuarter(q, data.plan[i], data.approved_spent(i), data.statuses[i],
                          data.spent[i] if data.statuses[i] in RETURN_AWAITING else None)
        for i, q in enumerate(window)
    ]
    charts = []
    for m in data.measures:
        values = m.approved_values()
        rows = [ChartMeasureQuarter(q, m.targets[i], values[i], data.statuses[i])
                for i, q in enumerate(window) if m.reports[i]]
        charts.append(MeasureChart(f"chart-measure-{m.measure_id}", m.name, m.unit, m.direction, m.aggregation, rows))
    return ProjectCharts(project, spend, charts)


def project_page_section(request, project: Project) -> dict:
    """The charts as a section of the project's page (grants.extensions; registered in
    ReportingConfig.ready()), so that grants never reaches into reporting. Their HTML is kept until a
    figure moves (grants/kept_pages.py), as the dashboards are: the same for everyone of the
    organisation in the same role, whose reach it is."""
    user = request.user
    html = kept(user, ("project-charts", project.pk, user.organisation_id, user.role),
                lambda: render_to_string("reporting/_charts.html", {"charts": project_charts(user, project)}))
    return {"template": "reporting/_project_charts.html", "context": {"html": html}}
