"""
Commissioning: programmes, allocations from decision to agreement, projects, their
budget lines and outcome measures, and the measure library.

The allocation's workflow:

    draft ──approve──▶ approved ──sign──▶ agreement signed ──activate──▶ active ──close──▶ closed
      │  (decision ref + date)  │                 │                                (finance,
      └───────────┬─────────────┴─────────────────┘                                 payments settled)
                withdraw (with a reason) ──▶ withdrawn

The total approved for a programme may not exceed its budget plus the over-allocation
allowance; the lines of all the projects under an allocation may not exceed it. Each
state change claims the row with a conditional update on (status, version) and locks
what its check adds up (the programme for approvals, the allocation for budget lines),
so two people acting at once give one success and one "this changed" message.
"""

from datetime import date

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from grants import permissions
from grants.choices import ALLOCATION_SIGNED
from grants.models import (
    Allocation,
    BudgetLine,
    Organisation,
    OutcomeMeasure,
    Payment,
    Programme,
    Project,
    ProjectMeasure,
    QuarterlyReturn,
)
from grants.models.common import ZERO
from grants.models.projects import TARGET_FIELDS
from grants.periods import FinancialYear, Quarter
from grants.selectors.commissioning import committed_total
from grants.selectors.virements import spent_on

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

Status = Allocation.Status

# The one table of allowed transitions: action -> (from statuses, to status).
TRANSITIONS = {
    "approve": ((Status.DRAFT,), Status.APPROVED),
    "sign": ((Status.APPROVED,), Status.AGREEMENT_SIGNED),
    "activate": ((Status.AGREEMENT_SIGNED,), Status.ACTIVE),
    "withdraw": ((Status.DRAFT, Status.APPROVED, Status.AGREEMENT_SIGNED), Status.WITHDRAWN),
    "close": (ALLOCATION_SIGNED, Status.CLOSED),
}

ALLOCATION_STALE = (
    "This allocation changed since you opened it: someone else changed its details or its status. "
    "Nothing was saved. Open it again to see the latest version."
)
PROGRAMME_STALE = (
    "This programme changed since you opened it: someone else saved it. Nothing was saved. "
    "Open it again to see the latest version, then make your change again."
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

PROGRAMME_FIELDS = (
    "name", "code", "financial_year", "funding_source", "description", "total_budget", "payment_terms",
    "return_due_days", "reminder_days_before", "overdue_reminder_days", "variance_threshold_percent",
    "over_allocation_percent",
)
ALLOCATION_FIELDS = (
    "recipient", "title", "purpose", "amount", "start_date", "end_date", "conditions", "is_regrant",
    "do_not_publish", "do_not_publish_reason",
)
# Fixed once the allocation is approved: changing them needs a new decision.
ALLOCATION_DECIDED_FIELDS = ("recipient", "amount", "start_date", "end_date")
PROJECT_FIELDS = ("reference", "name", "description", "provider", "start_date", "end_date", "area")
LINE_FIELDS = ("financial_year", "category", "description", "amount", "profile_q1", "profile_q2", "profile_q3",
               "profile_q4")
MEASURE_FIELDS = ("name", "definition", "unit", "direction", "aggregation")
PROJECT_MEASURE_FIELDS = ("measure", "financial_year") + TARGET_FIELDS


# Programmes ---------------------------------------------------------------------------------


def _check_programme(values: dict) -> dict[str, str]:
    errors = {}
    check_money(errors, "total_budget", values.get("total_budget"), "the total budget")
    for key, label in (("variance_threshold_percent", "The variance threshold"),
                       ("over_allocation_percent", "The over-allocation allowance")):
        value = values.get(key)
        if value is not None and (value < 0 or value > 100 or value.as_tuple().exponent < -2):
            errors[key] = f"{label} is a percentage from 0 to 100, with at most 2 decimal places."
    return errors


def programme_create(*, actor, values: dict) -> Programme:
    """A new programme for the actor's own organisation."""
    unknown_fields(values, PROGRAMME_FIELDS)
    require(permissions.can_create_programme(actor))
    errors = _check_programme(values)
    if errors:
        raise Invalid(errors)
    programme = Programme(commissioner_id=actor.organisation_id, **values)
    validated(programme, messages={
        "__all__": "You already have a programme with this code in this financial year: choose another code.",
    })
    with transaction.atomic():
        audited(programme, actor).save()
    return programme


def programme_update(*, actor, programme: Programme, version: int | None, values: dict) -> Programme:
    """Change a programme's terms. The budget plus allowance may not fall below what is approved;
    the year cannot move once allocations are made, nor the payment terms once payments are scheduled.
    `version` is the one the form was drawn at: a programme saved since is not overwritten."""
    unknown_fields(values, PROGRAMME_FIELDS)
    require(permissions.can_edit_programme(actor, programme))
    errors = _check_programme(values)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = claim(Programme, programme.pk, None, version, PROGRAMME_STALE)
        if values.get("financial_year", locked.financial_year) != locked.financial_year and locked.allocations.exists():
            errors["financial_year"] = "The programme has allocations: its financial year cannot change."
        if (values.get("payment_terms", locked.payment_terms) != locked.payment_terms
                and Payment.objects.filter(allocation__programme=locked).exists()):
            errors["payment_terms"] = "Payments are already scheduled under these terms: they cannot change."
        for name, value in values.items():
            setattr(locked, name, value)
        committed = committed_total(locked.pk)
        if not errors and committed > locked.allocation_ceiling:
            errors["total_budget"] = (
                f"Allocations of {money_text(committed)} are already approved: the budget plus the allowance "
                f"({money_text(locked.allocation_ceiling)}) cannot be less than that."
            )
        if errors:
            raise Invalid(errors)
        validated(locked, messages={
            "__all__": "You already have a programme with this code in this financial year: choose another code.",
        })
        audited(locked, actor).save()
    return locked


# Allocations --------------------------------------------------------------------------------


def _check_allocation(programme: Programme, values: dict, partial=False) -> dict[str, str]:
    errors = {}
    if not partial or "amount" in values:
        check_money(errors, "amount", values.get("amount"), "the amount", positive=True)
    recipient = values.get("recipient")
    if recipient is not None and recipient.pk == programme.commissioner_id:
        errors["recipient"] = "Choose the organisation that receives the money, not the funder itself."
    start = values.get("start_date")
    if start is not None and start < programme.year.start:
        errors["start_date"] = (
            f"The allocation cannot start before the programme's financial year ({programme.year.start:%-d %B %Y})."
        )
    return errors


def allocation_create(*, actor, programme: Programme, values: dict) -> Allocation:
    """A draft allocation: nothing is committed until it is approved."""
    unknown_fields(values, ALLOCATION_FIELDS)
    require(permissions.can_create_allocation(actor, programme))
    errors = _check_allocation(programme, values)
    if errors:
        raise Invalid(errors)
    allocation = Allocation(programme=programme, status=Status.DRAFT, **values)
    validated(allocation)
    with transaction.atomic():
        audited(allocation, actor).save()
    return allocation


def allocation_update(*, actor, allocation: Allocation, version: int, values: dict) -> Allocation:
    """Change an allocation's details. The recipient, amount and dates are fixed once it is approved."""
    unknown_fields(values, ALLOCATION_FIELDS)
    require(permissions.can_edit_allocation(actor, allocation))
    errors = _check_allocation(allocation.programme, values, partial=True)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = claim(Allocation, allocation.pk, permissions.OPEN_ALLOCATION, version, ALLOCATION_STALE)
        if locked.status != Status.DRAFT:
            for name in ALLOCATION_DECIDED_FIELDS:
                if name in values and values[name] != getattr(locked, name):
                    label = locked._meta.get_field(name).verbose_name
                    errors[name] = f"The {label} was fixed by the approval decision and cannot change."
        for name, value in values.items():
            setattr(locked, name, value)
        outside = [p.name for p in locked.projects.all()
                   if p.start_date < locked.start_date or p.end_date > locked.end_date]
        if outside and "start_date" not in errors:
            errors["start_date"] = (
                f"{', '.join(outside)} would run outside the allocation's dates: change the project's dates first."
            )
        budgeted = BudgetLine.objects.filter(project__allocation=locked).aggregate(total=Sum("amount"))["total"] or ZERO
        if budgeted > locked.amount and "amount" not in errors:
            errors["amount"] = (
                f"The projects' budget lines already add up to {money_text(budgeted)}: the allocation cannot be less."
            )
        if errors:
            raise Invalid(errors)
        validated(locked)
        audited(locked, actor).save()
    return locked


def _transition(*, actor, allocation, version, action, check, errors=None, reason="", before_save=None, **changes):
    """Move the allocation along TRANSITIONS. Permission comes first, then the form's errors."""
    require(check(actor, allocation))
    if errors:
        raise Invalid(errors)
    from_statuses, to_status = TRANSITIONS[action]
    with transaction.atomic():
        locked = claim(Allocation, allocation.pk, from_statuses, version, ALLOCATION_STALE)
        locked.status = to_status
        for name, value in changes.items():
            setattr(locked, name, value)
        if before_save is not None:
            before_save(locked)
        validated(locked)
        audited(locked, actor, reason).save()
    return locked


def allocation_approve(*, actor, allocation: Allocation, version: int, decision_reference: str,
                       decision_date: date | None, today: date | None = None) -> Allocation:
    """Record the decision. The programme's approved total may not go past its budget plus allowance."""
    today = today or timezone.localdate()
    reference = (decision_reference or "").strip()
    errors = {}
    if not reference:
        errors["decision_reference"] = "Enter the reference of the decision that approved this allocation."
    if decision_date is None:
        errors["decision_date"] = "Enter the date of the decision that approved this allocation."
    elif decision_date > today:
        errors["decision_date"] = "The decision date cannot be in the future."

    def within_ceiling(locked):
        # Lock the programme so that two approvals at once are added up one after the other.
        programme = Programme.objects.select_for_update().get(pk=locked.programme_id)
        committed = committed_total(programme.pk, exclude_allocation_id=locked.pk)
        left = programme.allocation_ceiling - committed
        if locked.amount > left:
            raise Invalid({"amount": (
                f"Approving {money_text(locked.amount)} would take the programme past its budget plus "
                f"{programme.over_allocation_percent.normalize():f}% allowance ({money_text(programme.allocation_ceiling)}): "
                f"only {money_text(max(left, ZERO))} is left to allocate."
            )})

    return _transition(
        actor=actor, allocation=allocation, version=version, action="approve",
        check=permissions.can_approve_allocation, errors=errors, before_save=within_ceiling,
        reason=f"Approved: {reference}", decision_reference=reference, decision_date=decision_date,
    )


def allocation_sign(*, actor, allocation: Allocation, version: int, signed_on: date | None,
                    today: date | None = None) -> Allocation:
    """Record that the grant agreement is signed: payments can now be scheduled."""
    today = today or timezone.localdate()
    errors = {}
    if signed_on is None:
        errors["signed_on"] = "Enter the date the grant agreement was signed."
    elif signed_on > today:
        errors["signed_on"] = "The agreement cannot be signed in the future."
    elif allocation.decision_date and signed_on < allocation.decision_date:
        errors["signed_on"] = (
            f"The agreement cannot be signed before the decision to approve it ({allocation.decision_date:%-d %B %Y})."
        )
    return _transition(
        actor=actor, allocation=allocation, version=version, action="sign", check=permissions.can_sign_allocation,
        errors=errors, reason="Grant agreement signed", agreement_signed_on=signed_on,
    )


def allocation_activate(*, actor, allocation: Allocation, version: int) -> Allocation:
    """Delivery starts: the allocation needs at least one project."""

    def has_projects(locked):
        if not locked.projects.exists():
            raise Invalid({"__all__": "Set up at least one project before the allocation becomes active."})

    return _transition(
        actor=actor, allocation=allocation, version=version, action="activate",
        check=permissions.can_activate_allocation, before_save=has_projects, reason="Delivery started",
    )


def allocation_withdraw(*, actor, allocation: Allocation, version: int, reason: str) -> Allocation:
    """Withdraw the allocation, with the reason. Not once money has been released under it."""
    reason = (reason or "").strip()
    errors = {} if reason else {"reason": "Say why the allocation is being withdrawn."}

    def nothing_paid(locked):
        if locked.payments.filter(status=Payment.Status.RELEASED).exists():
            raise Invalid({"reason": (
                "Money has been released under this allocation: it cannot be withdrawn. "
                "Close it and recover what was not spent instead."
            )})
        # Payments already scheduled will not be made: hold them back, saying why.
        for payment in locked.payments.select_for_update().filter(status=Payment.Status.SCHEDULED):
            payment.status = Payment.Status.WITHHELD
            payment.withheld_reason = f"The allocation was withdrawn: {reason}"
            payment.version += 1
            audited(payment, actor, "Allocation withdrawn").save()

    return _transition(
        actor=actor, allocation=allocation, version=version, action="withdraw",
        check=permissions.can_withdraw_allocation, errors=errors, before_save=nothing_paid,
        reason="Withdrawn", withdrawn_reason=reason,
    )


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
        locked = claim(Project, project.pk, None, version, PROJECT_STALE)
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
            target = claim(BudgetLine, line.pk, None, version, LINE_STALE, project=project)
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
    return target


def budget_line_delete(*, actor, line: BudgetLine, version: int) -> None:
    require(permissions.can_edit_project(actor, line.project))
    with transaction.atomic():
        lock_allocation(line.project.allocation_id)
        target = claim(BudgetLine, line.pk, None, version, LINE_STALE)
        if target.spend_lines.exists():
            raise Invalid({"__all__": "Returns report spend against this line: it cannot be removed."})
        if target.virements_out.exists() or target.virements_in.exists():
            raise Invalid({"__all__": "Virements name this line: it cannot be removed. Set its budget to £0 instead."})
        audited(target, actor, "Budget line removed").delete()


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
            target = claim(ProjectMeasure, project_measure.pk, None, version, PROJECT_MEASURE_STALE, project=project)
            if values["measure"] != target.measure and target.values.exists():
                raise Invalid({"measure": "Returns report values for this measure: it cannot be swapped for another."})
            for name, value in values.items():
                setattr(target, name, value)
        validated(target, messages={"__all__": "The project already reports this measure in this year."})
        audited(target, actor).save()
    return target


def project_measure_delete(*, actor, project_measure: ProjectMeasure) -> None:
    require(permissions.can_edit_project(actor, project_measure.project))
    with transaction.atomic():
        lock_allocation(project_measure.project.allocation_id)
        target = ProjectMeasure.objects.select_for_update().get(pk=project_measure.pk)
        if target.values.exists():
            raise Invalid({"__all__": "Returns report values for this measure: it cannot be removed."})
        audited(target, actor, "Measure removed").delete()


__all__ = [
    "programme_create", "programme_update", "allocation_create", "allocation_update", "allocation_approve",
    "allocation_sign", "allocation_activate", "allocation_withdraw", "project_create", "project_update",
    "budget_line_save", "budget_line_delete", "measure_create", "project_measure_save", "project_measure_delete",
]
