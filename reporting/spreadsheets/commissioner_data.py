"""
What the commissioner's workbook reads, in a fixed number of queries.

One query per kind of row (programmes, projects, their priorities, budget lines,
returns, approved spend, project measures, approved values, narrative,
allocations, payments), each scoped with `for_user` and each returning plain
rows (`values_list`), whatever the number of projects. The rows are indexed
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
from django.db.models import CharField, F
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


# A budget line with its quarterly profile (Q1 to Q4), and a project's measure with its targets (Q1 to Q4).
Line = namedtuple("Line", "pk category description amount profile")
Measure = namedtuple("Measure", "pk measure_name unit direction cumulative baseline annual_target targets")

# Decimal columns are read as their text and made Decimal here: exact on both databases, and on
# SQLite several times quicker than the ORM's conversion of each value, which for a workbook of a
# few thousand projects is a quarter of a million values.
_TEXT_NAMES = tuple(f"_text{n}" for n in range(6))


def _as_text(*fields) -> dict:
    return {name: Cast(field, output_field=CharField()) for name, field in zip(_TEXT_NAMES, fields)}


def _decimal(text):
    return None if text is None else Decimal(text)


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
    actuals: dict = field(default_factory=dict)  # (line id, quarter) -> Decimal, approved returns only
    measures: dict = field(default_factory=dict)  # project id -> [Measure]
    values: dict = field(default_factory=dict)  # (project measure id, quarter) -> Decimal, approved only
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

    lines = defaultdict(list)
    for pk, project_id, category, description, amount, *profile in (
        BudgetLine.objects.filter(project__in=projects, financial_year=year)
        .annotate(**_as_text("amount", "profile_q1", "profile_q2", "profile_q3", "profile_q4"))
        .order_by("project_id", "category", "description", "pk")
        .values_list("pk", "project_id", "category", "description", *_TEXT_NAMES[:5])
        .iterator(chunk_size=CHUNK)
    ):
        lines[project_id].append(Line(pk, category, description, Decimal(amount), tuple(map(Decimal, profile))))
    data.lines = lines

    returns = QuarterlyReturn.objects.for_user(user).filter(
        project__in=projects, financial_year=year, quarter__lte=number
    )
    data.returns = {
        (r.project_id, r.quarter): r
        for r in returns.values_list(
            "project_id", "quarter", "status", "spend_status", "officer_rag", named=True
        ).iterator(chunk_size=CHUNK)
    }
    approved = returns.filter(status=APPROVED)

    data.actuals = {
        (line_id, q): Decimal(actual)
        for line_id, q, actual in SpendLine.objects.filter(quarterly_return__in=approved, actual__isnull=False)
        .annotate(**_as_text("actual"))
        .values_list("budget_line_id", "quarterly_return__quarter", _TEXT_NAMES[0])
        .iterator(chunk_size=CHUNK)
    }

    measures = defaultdict(list)
    for pk, project_id, name, unit, direction, cumulative, baseline, annual, *targets in (
        ProjectMeasure.objects.filter(project__in=projects, financial_year=year)
        .annotate(measure_name=F("measure__name"),
                  **_as_text("baseline", "annual_target", "target_q1", "target_q2", "target_q3", "target_q4"))
        .order_by("project_id", "measure_name", "pk")
        .values_list("pk", "project_id", "measure_name", "unit", "measure__direction", "measure__cumulative",
                     *_TEXT_NAMES[:6])
        .iterator(chunk_size=CHUNK)
    ):
        measures[project_id].append(Measure(
            pk, name, unit, direction, bool(cumulative), _decimal(baseline), _decimal(annual),
            tuple(map(_decimal, targets)),
        ))
    data.measures = measures

    data.values = {
        (pm_id, q): Decimal(value)
        for pm_id, q, value in MeasureValue.objects.filter(quarterly_return__in=approved, value__isnull=False)
        .annotate(**_as_text("value"))
        .values_list("project_measure_id", "quarterly_return__quarter", _TEXT_NAMES[0])
        .iterator(chunk_size=CHUNK)
    }

    data.narrative = {
        r.project_id: r
        for r in approved.filter(quarter=number)
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
        .values_list("allocation_id", "quarter", "amount", "status", "reference", "paid_on", "withheld_reason", named=True)
    }
    return data
