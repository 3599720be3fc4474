"""
Commissioning: programmes and allocations from decision to agreement (projects, their
budget lines and outcome measures are in `projects`).

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
    PartnershipReturn,
    Payment,
    Programme,
)
from grants.models.common import ZERO
from grants.selectors.commissioning import committed_total

from . import kept, years
from .base import (
    Invalid,
    audited,
    check_money,
    claim,
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

PROGRAMME_FIELDS = (
    "name", "code", "financial_year", "funding_source", "description", "total_budget", "payment_terms",
    "cost_centre", "ledger_code",
    "return_due_days", "reminder_days_before", "overdue_reminder_days", "variance_threshold_percent",
    "over_allocation_percent", "forbid_capital_revenue_virements", "agreement_before_payment",
    "safeguarding_before_payment",
)
ALLOCATION_FIELDS = (
    "recipient", "title", "purpose", "award_reason", "amount", "start_date", "end_date", "conditions", "is_regrant",
    "partnership_reports", "do_not_publish", "do_not_publish_reason",
)
# Fixed once the allocation is approved: changing them needs a new decision.
ALLOCATION_DECIDED_FIELDS = ("recipient", "amount", "start_date", "end_date")


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
        locked = claim(programme, None, version, PROGRAMME_STALE)
        if values.get("financial_year", locked.financial_year) != locked.financial_year and locked.allocations.exists():
            errors["financial_year"] = "The programme has allocations: its financial year cannot change."
        if (values.get("payment_terms", locked.payment_terms) != locked.payment_terms
                and Payment.objects.filter(allocation__programme=locked).exists()):
            errors["payment_terms"] = "Payments are already scheduled under these terms: they cannot change."
        if locked.years.exists():
            if values.get("financial_year", locked.financial_year) != locked.financial_year:
                errors["financial_year"] = ("The programme runs over several years: its first year cannot change. "
                                            "Remove its later years first.")
            if values.get("total_budget", locked.total_budget) != locked.total_budget:
                errors["total_budget"] = ("The programme runs over several years: its total is the sum of its years' "
                                          "budgets. Change them under Budget by year.")
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
    past_the_end = years.check_dates_in_programme(programme, values.get("end_date"))
    if past_the_end:
        errors["end_date"] = past_the_end
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
        years.keep_split(allocation)
    return allocation


def allocation_update(*, actor, allocation: Allocation, version: int, values: dict) -> Allocation:
    """Change an allocation's details. The recipient, amount and dates are fixed once it is approved."""
    unknown_fields(values, ALLOCATION_FIELDS)
    require(permissions.can_edit_allocation(actor, allocation))
    errors = _check_allocation(allocation.programme, values, partial=True)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = claim(allocation, permissions.OPEN_ALLOCATION, version, ALLOCATION_STALE)
        if locked.status != Status.DRAFT:
            for name in ALLOCATION_DECIDED_FIELDS:
                if name in values and values[name] != getattr(locked, name):
                    label = locked._meta.get_field(name).verbose_name
                    errors[name] = f"The {label} was fixed by the approval decision and cannot change."
        if locked.partnership_reports and values.get("partnership_reports") is False:
            waiting = locked.partnership_returns.filter(status=PartnershipReturn.Status.SUBMITTED).first()
            if waiting is not None:
                errors["partnership_reports"] = (f"The partnership's return for {waiting.period} is with you: approve "
                                                 "or return it before its projects report to you one by one.")
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
        if locked.status == Status.DRAFT and any(name in values for name in ("amount", "start_date", "end_date")):
            years.keep_split(locked)
    return locked


def _transition(*, actor, allocation, version, action, check, errors=None, reason="", before_save=None, **changes):
    """Move the allocation along TRANSITIONS. Permission comes first, then the form's errors."""
    require(check(actor, allocation))
    if errors:
        raise Invalid(errors)
    from_statuses, to_status = TRANSITIONS[action]
    with transaction.atomic():
        locked = claim(allocation, from_statuses, version, ALLOCATION_STALE)
        locked.status = to_status
        for name, value in changes.items():
            setattr(locked, name, value)
        if before_save is not None:
            before_save(locked)
        validated(locked)
        audited(locked, actor, reason).save()
        kept.allocation_moved(locked)
    return locked


# What stands in the way of an allocation's next step, once the right person asks in the right status
# (grants.permissions): the page asks beforehand, to show the step disabled with what to do first, and
# the service asks again on the locked rows. "" when nothing does.


def check_approve_allocation(allocation: Allocation, programme: Programme | None = None) -> str:
    """The amount must fit in what is left of the programme's budget plus its allowance, and in each
    year's for an allocation or programme over several years."""
    programme = programme or allocation.programme
    past_the_end = years.check_dates_in_programme(programme, allocation.end_date)
    if past_the_end:
        return past_the_end
    by_year = years.check_years_fit(programme, years.allocation_amounts(allocation), exclude_allocation_id=allocation.pk)
    if by_year:
        return by_year
    committed = committed_total(programme.pk, exclude_allocation_id=allocation.pk)
    left = programme.allocation_ceiling - committed
    if allocation.amount > left:
        return (
            f"Approving {money_text(allocation.amount)} would take the programme past its budget plus "
            f"{programme.over_allocation_percent.normalize():f}% allowance ({money_text(programme.allocation_ceiling)}): "
            f"only {money_text(max(left, ZERO))} is left to allocate."
        )
    return ""


def check_activate_allocation(allocation: Allocation) -> str:
    """Delivery starts on a project: at least one must be set up."""
    if not allocation.projects.exists():
        return "Set up at least one project before the allocation becomes active."
    return ""


def check_withdraw_allocation(allocation: Allocation) -> str:
    """Nothing may have been paid under it."""
    if allocation.payments.filter(status=Payment.Status.RELEASED).exists():
        return ("Money has been released under this allocation: it cannot be withdrawn. "
                "Close it and recover what was not spent instead.")
    return ""


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
        problem = check_approve_allocation(locked, programme=programme)
        if problem:
            raise Invalid({"amount": problem})

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
        problem = check_activate_allocation(locked)
        if problem:
            raise Invalid({"__all__": problem})

    return _transition(
        actor=actor, allocation=allocation, version=version, action="activate",
        check=permissions.can_activate_allocation, before_save=has_projects, reason="Delivery started",
    )


def allocation_withdraw(*, actor, allocation: Allocation, version: int, reason: str) -> Allocation:
    """Withdraw the allocation, with the reason. Not once money has been released under it."""
    reason = (reason or "").strip()
    errors = {} if reason else {"reason": "Say why the allocation is being withdrawn."}

    def nothing_paid(locked):
        problem = check_withdraw_allocation(locked)
        if problem:
            raise Invalid({"reason": problem})
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


__all__ = [
    "programme_create", "programme_update", "allocation_create", "allocation_update", "allocation_approve",
    "allocation_sign", "allocation_activate", "allocation_withdraw", "check_approve_allocation",
    "check_activate_allocation", "check_withdraw_allocation",
]
