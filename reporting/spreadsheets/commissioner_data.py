"""
What the commissioner's workbook reads, in a fixed number of queries.

One query per kind of row (programmes, projects, their priorities, budget lines
with their approved spend, returns, project measures with their approved values,
narrative, allocations, payments), each scoped with `for_user` and each returning
plain rows (`values_list`), whatever the number of projects. The rows are indexed
by project, line or measure so that the sheets can be written in one pass
with no query per row.

Only approved returns' figures are read: spend, measure values and narrative
come from approved returns only; the status of every return is read so that
the workbook can say what is missing.
"""

from collections import defaultdict, namedtuple
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import CharField, F, OuterRef, Subquery
from django.db.models.functions import Cast
from django.utils import timezone

from grants.models import (
    Allocation,
    BudgetLine,
    MeasureValue,
    Organisation,
    Payment,
    Programme,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
    SpendLine,
)
from grants.periods import Quarter
from reporting.permissions import can_export_commissioner_workbook

# Allocations whose projects and payments the workbook reports: decided ones, not drafts or withdrawn.
REPORTED_ALLOCATION_STATUSES = Allocation.COMMITTED_STATUSES

APPROVED = QuarterlyReturn.Status.APPROVED
CHUNK = 2000


# A budget line with its profile and its approved actual spend, and a project's measure with its
# targets and its approved values: each a tuple for Q1 to Q4, None where there is none (and after
# the quarter the workbook is for).
Line = namedtuple("Line", "pk category description amount profile actual")
Measure = namedtuple("Measure", "pk measure_name unit direction cumulative baseline annual_target targets values")
_AFTER = {n: (None,) * (4 - n) for n in (1, 2, 3, 4)}


def _approved(model, link: str, field: str, year: int, quarter: int) -> Subquery:
    """`field` of the `model` row (a spend line or a measure value) that the approved return for
    `quarter` of the outer row's project holds for the outer row (a budget line or a project measure)."""
    return Subquery(
        model.objects.filter(
            **{link: OuterRef("pk")}, quarterly_return__project=OuterRef("project"),
            quarterly_return__status=APPROVED, quarterly_return__financial_year=year,
            quarterly_return__quarter=quarter,
        ).order_by().values(field)[:1]
    )


def _as_text(**expressions) -> dict:
    """Decimal columns read as their text and made Decimal here: exact on both databases, and on
    SQLite several times quicker than the ORM's conversion of each value (a workbook of a few
    thousand projects reads a quarter of a million of them)."""
    return {name: Cast(expression, output_field=CharField()) for name, expression in expressions.items()}


class UnknownProgramme(ValueError):
    """No programme with that code in that year, among those the user may see."""


@dataclass
class WorkbookData:
    user: object
    quarter: Quarter
    programme_code: str | None
    commissioner: Organisation | None
    programmes: list
    generated_at: datetime
    # Projects in the order the sheets list them (programme, recipient, project).
    projects: list = field(default_factory=list)
    priorities: dict = field(default_factory=dict)  # project id -> "A; B"
    lines: dict = field(default_factory=dict)  # project id -> [Line]
    returns: dict = field(default_factory=dict)  # (project id, quarter) -> return row, quarters 1..N
    measures: dict = field(default_factory=dict)  # project id -> [Measure]
    narrative: dict = field(default_factory=dict)  # project id -> narrative row, the quarter's approved return
    allocations: list = field(default_factory=list)
    payments: dict = field(default_factory=dict)  # (allocation id, quarter) -> payment row


def gather(user, quarter: Quarter, programme_code: str | None = None) -> WorkbookData:
    """Everything the workbook shows for `quarter` (year to date: Q1 to `quarter`), within the
    user's reach. Raises PermissionDenied for a user who may not export, UnknownProgramme for a
    code with no programme in that year that the user can see."""
    allowed, reason = can_export_commissioner_workbook(user)
    if not allowed:
        raise PermissionDenied(reason)
    year, number = quarter.financial_year, quarter.number

    programmes = Programme.objects.for_user(user).filter(financial_year=year).select_related("commissioner")
    if programme_code:
        programmes = programmes.filter(code=programme_code)
    programmes = list(programmes.order_by("name", "code"))
    if programme_code and not programmes:
        raise UnknownProgramme(
            f"There is no programme with the code “{programme_code}” in {quarter.year} among the programmes you can see."
        )
    programme_ids = [p.pk for p in programmes]
    data = WorkbookData(
        user=user, quarter=quarter, programme_code=programme_code or None,
        commissioner=programmes[0].commissioner if programmes else user.organisation,
        programmes=programmes, generated_at=timezone.now(),
    )

    projects = Project.objects.for_user(user).filter(
        allocation__programme__in=programme_ids, allocation__status__in=REPORTED_ALLOCATION_STATUSES
    )
    data.projects = list(
        projects.annotate(
            programme=F("allocation__programme__name"),
            programme_code=F("allocation__programme__code"),
            recipient=F("allocation__recipient__name"),
            provider_name=F("provider__name"),
            allocation_title=F("allocation__title"),
        )
        .order_by("programme", "programme_code", "recipient", "name", "reference")
        .values_list(
            "pk", "reference", "name", "programme", "programme_code", "recipient", "provider_name",
            "allocation_title", "start_date", "end_date", named=True,
        )
    )

    priorities = defaultdict(list)
    for project_id, name in (
        Project.priorities.through.objects.filter(project__in=projects)
        .order_by("priority__name")
        .values_list("project_id", "priority__name")
    ):
        priorities[project_id].append(name)
    data.priorities = {pk: "; ".join(names) for pk, names in priorities.items()}

    # Each budget line with its approved actual for every quarter to date, and each project
    # measure with its approved value for every quarter to date: one row each, the quarters'
    # figures looked up by the database (at most one return per project and quarter).
    to_date = range(1, number + 1)
    lines = defaultdict(list)
    for pk, project_id, category, description, amount, *figures in (
        BudgetLine.objects.filter(project__in=projects, financial_year=year)
        .annotate(**_as_text(
            t_amount=F("amount"), t_q1=F("profile_q1"), t_q2=F("profile_q2"), t_q3=F("profile_q3"),
            t_q4=F("profile_q4"), **{f"t_actual{q}": _approved(SpendLine, "budget_line", "actual", year, q) for q in to_date},
        ))
        .order_by("project_id", "category", "description", "pk")
        .values_list("pk", "project_id", "category", "description", "t_amount", "t_q1", "t_q2", "t_q3", "t_q4",
                     *(f"t_actual{q}" for q in to_date))
        .iterator(chunk_size=CHUNK)
    ):
        figures = [None if f is None else Decimal(f) for f in figures]
        lines[project_id].append(Line(pk, category, description, Decimal(amount), tuple(figures[:4]),
                                      (*figures[4:], *_AFTER[number])))
    data.lines = lines

    returns = QuarterlyReturn.objects.for_user(user).filter(
        project__in=projects, financial_year=year, quarter__lte=number
    )
    data.returns = {
        (r.project_id, r.quarter): r
        for r in returns.order_by().values_list(
            "project_id", "quarter", "status", "spend_status", "officer_rag", named=True
        ).iterator(chunk_size=CHUNK)
    }
    approved = returns.filter(status=APPROVED)

    measures = defaultdict(list)
    for pk, project_id, name, unit, direction, cumulative, *figures in (
        ProjectMeasure.objects.filter(project__in=projects, financial_year=year)
        .annotate(measure_name=F("measure__name"), **_as_text(
            t_baseline=F("baseline"), t_annual=F("annual_target"), t_q1=F("target_q1"), t_q2=F("target_q2"),
            t_q3=F("target_q3"), t_q4=F("target_q4"),
            **{f"t_value{q}": _approved(MeasureValue, "project_measure", "value", year, q) for q in to_date},
        ))
        .order_by("project_id", "measure_name", "pk")
        .values_list("pk", "project_id", "measure_name", "unit", "measure__direction", "measure__cumulative",
                     "t_baseline", "t_annual", "t_q1", "t_q2", "t_q3", "t_q4", *(f"t_value{q}" for q in to_date))
        .iterator(chunk_size=CHUNK)
    ):
        baseline, annual, *rest = [None if f is None else Decimal(f) for f in figures]
        measures[project_id].append(Measure(
            pk, name, unit, direction, bool(cumulative), baseline, annual, tuple(rest[:4]), (*rest[4:], *_AFTER[number]),
        ))
    data.measures = measures

    data.narrative = {
        r.project_id: r
        for r in approved.filter(quarter=number)
        .order_by()
        .values_list("project_id", "self_rag", "progress", "challenges", "case_study", "risks", named=True)
        .iterator(chunk_size=CHUNK)
    }

    allocations = Allocation.objects.for_user(user).filter(
        programme__in=programme_ids, status__in=REPORTED_ALLOCATION_STATUSES
    )
    data.allocations = list(
        allocations.annotate(programme_name=F("programme__name"), recipient_name=F("recipient__name"))
        .order_by("programme_name", "programme__code", "recipient_name", "title", "pk")
        .values_list("pk", "programme_name", "recipient_name", "title", "amount", named=True)
    )
    data.payments = {
        (p.allocation_id, p.quarter): p
        for p in Payment.objects.for_user(user)
        .filter(allocation__in=allocations, financial_year=year)
        .order_by()
        .values_list("allocation_id", "quarter", "amount", "status", "reference", "paid_on", "withheld_reason", named=True)
    }
    return data
