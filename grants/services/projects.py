"""
Projects under an allocation: their details and priorities, their budget lines (profiled per quarter,
never more than the allocation, never cut below the spend already reported) and the outcome measures
they report, from the shared library, with baselines and targets per year.

Each change locks the allocation, so that what adds up under it is checked one change at a time, and
claims the row at the version the form was drawn at, so that a change saved since is not overwritten.
"""

from django.db import transaction
from django.db.models import Sum

from grants import permissions
from grants.models import (
    Allocation,
    BudgetLine,
    Organisation,
    OutcomeMeasure,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
)
from grants.models.common import ZERO
from grants.models.projects import TARGET_FIELDS
from grants.periods import FinancialYear, Quarter
from grants.selectors.virements import spent_on

from . import kept
from .base import (
    Invalid,
    audited,
    check_money,
    claim,
    lock_allocation,
    money_text,
    require,
    unknown_fields,
    validated,
)

PROJECT_STALE = (
    "This project changed since you opened it: someone else saved it. Nothing was saved. "
    "Open it again to see the latest version, then make your change again."
)
PROJECT_MEASURE_STALE = (
    "This measure changed since you opened it: someone else saved its targets. Nothing was saved. "
    "Open it again to see the latest figures, then make your change again."
)
LINE_STALE = (
    "This budget line changed since you opened it: someone else changed it or a virement moved money. "
    "Nothing was saved. Open it again to see the latest figures."
)

PROJECT_FIELDS = ("reference", "name", "description", "provider", "start_date", "end_date", "area")
LINE_FIELDS = ("financial_year", "category", "description", "amount", "profile_q1", "profile_q2", "profile_q3",
               "profile_q4")
MEASURE_FIELDS = ("name", "definition", "unit", "direction", "aggregation")
PROJECT_MEASURE_FIELDS = ("measure", "financial_year") + TARGET_FIELDS


# Projects -----------------------------------------------------------------------------------


def _check_project(allocation: Allocation, values: dict, project: Project | None, priorities) -> dict[str, str]:
    errors = {}
    provider = values.get("provider")
    if provider is not None and provider.kind == Organisation.Kind.COMMISSIONER:
        errors["provider"] = "Choose the organisation that delivers the project, not a commissioner."
    commissioner = allocation.programme.commissioner_id
    if any(p.commissioner_id != commissioner for p in priorities):
        errors["priorities"] = "Choose priorities from your own Police and Crime Plan."
    if project is not None:
        returns = QuarterlyReturn.objects.filter(project=project)
        if provider is not None and provider.pk != project.provider_id and returns.exists():
            errors["provider"] = "Returns have been made for this project: its provider cannot change."
        start, end = values.get("start_date"), values.get("end_date")
        if start and end:
            first, last = Quarter.from_date(start), Quarter.from_date(end)
            outside = [r.period for r in returns if not first <= r.period <= last]
            if outside:
                errors["start_date"] = (
                    f"There is a return for {outside[0].label}: the project's dates must still include that quarter."
                )
            years = set(range(first.financial_year, last.financial_year + 1))
            used = set(project.budget_lines.values_list("financial_year", flat=True)) | set(
                project.measures.values_list("financial_year", flat=True))
            if used - years and "start_date" not in errors:
                errors["start_date"] = (
                    f"The project has budget lines or measures for {FinancialYear(min(used - years)).label}: "
                    "its dates must still include that year."
                )
    return errors


def _save_project(actor, project, priorities, reason=""):
    validated(project, messages={"reference": "Another project already has this reference: choose another."})
    audited(project, actor, reason).save()
    if priorities is not None:
        project.priorities.set(priorities)
    kept.refresh([project.pk])  # its dates say which quarters it runs in
    return project


def project_create(*, actor, allocation: Allocation, values: dict, priorities=()) -> Project:
    unknown_fields(values, PROJECT_FIELDS)
    require(permissions.can_create_project(actor, allocation))
    priorities = list(priorities)
    errors = _check_project(allocation, values, None, priorities)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = lock_allocation(allocation.pk)
        project = Project(allocation=locked, **values)
        return _save_project(actor, project, priorities)


def project_update(*, actor, project: Project, version: int | None, values: dict, priorities=None) -> Project:
    """Change a project. Returns and budget already made keep it to the quarters and years they cover.
    `version` is the one the form was drawn at: a project saved since is not overwritten."""
    unknown_fields(values, PROJECT_FIELDS)
    require(permissions.can_edit_project(actor, project))
    priorities = None if priorities is None else list(priorities)
    errors = _check_project(project.allocation, values, project, priorities or [])
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        lock_allocation(project.allocation_id)
        locked = claim(project, None, version, PROJECT_STALE)
        for name, value in values.items():
            setattr(locked, name, value)
        return _save_project(actor, locked, priorities)


# Budget lines -------------------------------------------------------------------------------


def _check_line_values(values: dict) -> dict[str, str]:
    errors = {}
    check_money(errors, "amount", values.get("amount"), "the budget for the year")
    for n in (1, 2, 3, 4):
        check_money(errors, f"profile_q{n}", values.get(f"profile_q{n}"), f"the profiled spend for Q{n}")
    if not (values.get("description") or "").strip():
        errors["description"] = "Describe the budget line, for example “Youth workers”."
    return errors


def budget_line_save(*, actor, project: Project, values: dict, line: BudgetLine | None = None,
                     version: int | None = None) -> BudgetLine:
    """Add a budget line or change one. Its profile must add up to it, every project's lines together
    may not exceed the allocation, and a line cannot be cut below the spend already reported on it."""
    unknown_fields(values, LINE_FIELDS)
    require(permissions.can_edit_project(actor, project))
    errors = _check_line_values(values)
    if errors:
        raise Invalid(errors)
    values = {**values, "description": values["description"].strip()}
    with transaction.atomic():
        # The allocation's lock makes two people adding lines at once add up one after the other.
        allocation = lock_allocation(project.allocation_id)
        if line is None:
            target = BudgetLine(project=project, **values)
        else:
            target = claim(line, None, version, LINE_STALE, project=project)
            if values["financial_year"] != target.financial_year and target.spend_lines.exists():
                raise Invalid({"financial_year": "Spend has been reported on this line: its year cannot change."})
            for name, value in values.items():
                setattr(target, name, value)
            spent = spent_on(target.pk)
            if target.amount < spent:
                raise Invalid({"amount": (
                    f"{money_text(spent)} has already been reported spent on this line: its budget cannot be less."
                )})
        validated(target, messages={
            "__all__": "The project already has a line with this category and description for this year.",
        })
        others = BudgetLine.objects.filter(project__allocation=allocation)
        if target.pk:
            others = others.exclude(pk=target.pk)
        budgeted = (others.aggregate(total=Sum("amount"))["total"] or ZERO) + target.amount
        if budgeted > allocation.amount:
            raise Invalid({"amount": (
                f"The budget lines of the allocation's projects would add up to {money_text(budgeted)}, more than the "
                f"allocation of {money_text(allocation.amount)}: {money_text(max(allocation.amount - budgeted + target.amount, ZERO))} "
                "is left for this line."
            )})
        audited(target, actor, "Budget line added" if line is None else "Budget line changed").save()
        kept.refresh([project.pk])
    return target


def check_delete_budget_line(line: BudgetLine) -> str:
    """What stops the line being removed, once the commissioner may change the project: a return reporting
    spend on it, or a virement naming it. Reads the `reported` and `in_virements` the project page's
    selector annotates, when there. "" when nothing does."""
    reported = getattr(line, "reported", None)
    if reported is None:
        reported = line.spend_lines.exists()
    if reported:
        return "Returns report spend against this line: it cannot be removed."
    in_virements = getattr(line, "in_virements", None)
    if in_virements is None:
        in_virements = line.virements_out.exists() or line.virements_in.exists()
    if in_virements:
        return "Virements name this line: it cannot be removed. Set its budget to £0 instead."
    return ""


def budget_line_delete(*, actor, line: BudgetLine, version: int) -> None:
    require(permissions.can_edit_project(actor, line.project))
    with transaction.atomic():
        lock_allocation(line.project.allocation_id)
        target = claim(line, None, version, LINE_STALE)
        problem = check_delete_budget_line(target)
        if problem:
            raise Invalid({"__all__": problem})
        audited(target, actor, "Budget line removed").delete()
        kept.refresh([target.project_id])


# Outcome measures ---------------------------------------------------------------------------


def measure_create(*, actor, values: dict) -> OutcomeMeasure:
    """Add a measure to the shared library."""
    unknown_fields(values, MEASURE_FIELDS)
    require(permissions.can_add_measure(actor))
    values = {**values, "name": (values.get("name") or "").strip(), "definition": (values.get("definition") or "").strip()}
    if values["name"] and OutcomeMeasure.objects.filter(name__iexact=values["name"]).exists():
        raise Invalid({"name": "The library already has a measure with this name: use it, or choose another name."})
    measure = validated(OutcomeMeasure(**values))
    with transaction.atomic():
        audited(measure, actor).save()
    return measure


def project_measure_save(*, actor, project: Project, values: dict, project_measure: ProjectMeasure | None = None,
                         version: int | None = None):
    """Add a measure from the library to a project for a year, with its baseline and targets, or change them
    (at the `version` the form was drawn at: targets saved since are not overwritten)."""
    unknown_fields(values, PROJECT_MEASURE_FIELDS)
    require(permissions.can_edit_project(actor, project))
    years = {q.financial_year for q in project.quarters()}
    if values.get("financial_year") not in years:
        raise Invalid({"financial_year": "Choose a financial year the project runs in."})
    with transaction.atomic():
        lock_allocation(project.allocation_id)
        if project_measure is None:
            target = ProjectMeasure(project=project, **values)
        else:
            target = claim(project_measure, None, version, PROJECT_MEASURE_STALE, project=project)
            if values["measure"] != target.measure and target.values.exists():
                raise Invalid({"measure": "Returns report values for this measure: it cannot be swapped for another."})
            for name, value in values.items():
                setattr(target, name, value)
        validated(target, messages={"__all__": "The project already reports this measure in this year."})
        audited(target, actor).save()
        kept.refresh_measures([project.pk])  # its targets set the figures to date against them
    return target


def check_delete_project_measure(project_measure: ProjectMeasure) -> str:
    """What stops the measure being removed from the project: a return reporting a value for it (the
    `reported` the project page's selector annotates, when there). "" when nothing does."""
    reported = getattr(project_measure, "reported", None)
    if reported is None:
        reported = project_measure.values.exists()
    if reported:
        return "Returns report values for this measure: it cannot be removed."
    return ""


def project_measure_delete(*, actor, project_measure: ProjectMeasure) -> None:
    require(permissions.can_edit_project(actor, project_measure.project))
    with transaction.atomic():
        lock_allocation(project_measure.project.allocation_id)
        target = ProjectMeasure.objects.select_for_update().get(pk=project_measure.pk)
        problem = check_delete_project_measure(target)
        if problem:
            raise Invalid({"__all__": problem})
        audited(target, actor, "Measure removed").delete()


__all__ = [
    "project_create", "project_update", "budget_line_save", "budget_line_delete", "measure_create",
    "project_measure_save", "project_measure_delete", "check_delete_budget_line", "check_delete_project_measure",
]
