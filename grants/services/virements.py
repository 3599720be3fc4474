"""
Virements: moving budget between lines, asked for by the provider and decided by the commissioner.

    requested ──approve──▶ approved   (the budgets and profiles change)
        └──────refuse────▶ refused    (with a note the provider sees)

A virement names one quarter of the lines' financial year. On approval the amount comes
off the "from" line's budget and off its profile for that quarter, and goes onto the "to"
line's budget and its profile for the same quarter, so both profiles still add up to their
lines and the allocation's total does not change. The rules are checked when the provider
asks and again, on the locked rows, when the commissioner approves:

- the lines belong to the same financial year of projects under the same allocation;
- the "from" line's profile for the quarter is at least the amount (nothing goes negative);
- the "from" line keeps at least what has been reported spent on it, in the year and in
  that quarter;
- money crosses between capital and revenue (figures.crosses_capital_revenue) only where the
  programme allows it, and then only with the commissioner's explicit confirmation.

The lines' audit history records the change with the virement's number, so the project's
history shows each line before and after.
"""

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from grants import figures, permissions
from grants.models import BudgetLine, Virement
from grants.selectors.virements import spent_on

from . import kept
from .base import Invalid, NotAllowed, audited, check_money, claim, lock_allocation, money_text

Status = Virement.Status

STALE = (
    "This virement changed since you opened it: someone else approved or refused it. "
    "Nothing was saved. Open it again to see the decision."
)


def check_move(from_line: BudgetLine, to_line: BudgetLine, amount: Decimal | None, quarter: int | None) -> dict:
    """What stops `amount` moving from one line to the other in `quarter`, by field; {} if nothing."""
    errors = {}
    if from_line.pk == to_line.pk:
        errors["to_line"] = "Choose a different line to move the money to."
    elif from_line.project.allocation_id != to_line.project.allocation_id:
        errors["to_line"] = "Money can only move between projects funded by the same allocation."
    elif from_line.financial_year != to_line.financial_year:
        errors["to_line"] = "Money can only move between lines of the same financial year."
    if quarter not in (1, 2, 3, 4):
        errors["quarter"] = "Choose the quarter whose profile changes."
    check_money(errors, "amount", amount, "the amount to move", positive=True)
    if errors:
        return errors
    if figures.crosses_capital_revenue(from_line.category, to_line.category):
        programme = from_line.project.allocation.programme
        if programme.forbid_capital_revenue_virements:
            return {"to_line": (
                f"{programme.name} does not allow money to move between capital and revenue: "
                f"{from_line.description} is {from_line.kind} and {to_line.description} is {to_line.kind}. "
                "Choose a line of the same kind."
            )}
    profiled = from_line.profile_for(quarter)
    spent = spent_on(from_line.pk)
    spent_in_quarter = spent_on(from_line.pk, quarter)
    if amount > profiled:
        errors["amount"] = (
            f"Only {money_text(profiled)} is profiled on {from_line.description} in Q{quarter}: "
            "no more than that can move from this quarter."
        )
    elif from_line.amount - amount < spent:
        errors["amount"] = (
            f"{money_text(spent)} has already been reported spent on {from_line.description}: "
            f"at most {money_text(from_line.amount - spent)} can move from it."
        )
    elif profiled - amount < spent_in_quarter:
        errors["amount"] = (
            f"{money_text(spent_in_quarter)} was reported spent on {from_line.description} in Q{quarter}: "
            f"at most {money_text(profiled - spent_in_quarter)} can move from that quarter."
        )
    return errors


def virement_request(*, actor, from_line: BudgetLine, to_line: BudgetLine, amount: Decimal | None,
                     quarter: int | None, reason: str) -> Virement:
    """A provider asks to move budget between its lines, or between projects of the same allocation."""
    allowed, why = permissions.can_request_virement(actor, from_line.project)
    if not allowed:
        raise NotAllowed(why)
    errors = {}
    if not permissions.can_request_virement(actor, to_line.project)[0]:
        errors["to_line"] = "You can only move money to lines of projects your organisation delivers or funds."
    errors = {**check_move(from_line, to_line, amount, quarter), **errors}
    if not (reason or "").strip():
        errors["reason"] = "Say why the money needs to move: the commissioner decides on this reason."
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        virement = Virement(from_line=from_line, to_line=to_line, amount=amount, quarter=quarter,
                            reason=reason.strip(), requested_by=actor)
        virement.full_clean()
        audited(virement, actor, "Requested").save()
    return virement


def check_approve_virement(virement: Virement, allocation=None, from_line=None, to_line=None) -> str:
    """What stops the virement being approved now, once a commissioner asks while it is requested
    (grants.permissions): the allocation still under a signed agreement, and the move still within the
    rules as the budget stands (check_move). "" when nothing does; refusing is always possible."""
    allocation = allocation or virement.from_line.project.allocation
    if allocation.status not in permissions.SIGNED_ALLOCATION:
        return f"The allocation is {allocation.get_status_display().lower()}: its budget can no longer change."
    problems = check_move(from_line or virement.from_line, to_line or virement.to_line, virement.amount,
                          virement.quarter)
    if problems:
        return "This virement can no longer be made: " + next(iter(problems.values()))
    return ""


def _decide(*, actor, virement: Virement, version: int, errors: dict, apply, event: str = ""):
    allowed, why = permissions.can_decide_virement(actor, virement)
    if not allowed:
        raise NotAllowed(why)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        allocation = lock_allocation(virement.from_line.project.allocation_id)
        locked = claim(virement, (Status.REQUESTED,), version, STALE)
        apply(locked, allocation)
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.full_clean()
        audited(locked, actor, event or locked.get_status_display()).save()
    return locked


def crossing_text(virement: Virement) -> str:
    """"from capital to revenue" (or the other way) for a virement that crosses between them; "" otherwise."""
    source, target = virement.from_line, virement.to_line
    if not figures.crosses_capital_revenue(source.category, target.category):
        return ""
    return f"from {source.kind} to {target.kind}"


def virement_approve(*, actor, virement: Virement, version: int, note: str = "",
                     crossing_confirmed: bool = False) -> Virement:
    """Approve: the budgets and the quarter's profiles change, if the rules still allow it. A virement
    that crosses between capital and revenue needs `crossing_confirmed`."""
    crossing = crossing_text(virement)
    errors = {}
    if crossing and not crossing_confirmed:
        errors["confirm_crossing"] = (
            f"This virement moves {money_text(virement.amount)} {crossing}: tick the box to confirm that you "
            "approve money crossing between them."
        )

    def apply(locked, allocation):
        lines = {line.pk: line for line in BudgetLine.objects.select_for_update().select_related("project")
                 .filter(pk__in=[locked.from_line_id, locked.to_line_id])}
        source, target = lines[locked.from_line_id], lines[locked.to_line_id]
        problem = check_approve_virement(locked, allocation, source, target)
        if problem:
            raise Invalid({"__all__": problem})
        field = f"profile_q{locked.quarter}"
        for line, sign in ((source, -1), (target, 1)):
            line.amount += sign * locked.amount
            setattr(line, field, getattr(line, field) + sign * locked.amount)
            line.version += 1  # open edit forms for the line are now out of date
            line.full_clean()
            audited(line, actor, f"Virement {locked.pk} approved").save()
        kept.refresh({source.project_id, target.project_id})
        locked.status = Status.APPROVED
        locked.decision_note = (note or "").strip()
        locked.crossed_capital_revenue = bool(crossing)

    return _decide(actor=actor, virement=virement, version=version, errors=errors, apply=apply,
                   event=f"Approved, crossing {crossing}" if crossing else "")


def virement_refuse(*, actor, virement: Virement, version: int, note: str) -> Virement:
    note = (note or "").strip()
    errors = {} if note else {"note": "Say why the virement is refused: the provider sees this note."}

    def apply(locked, allocation):
        locked.status = Status.REFUSED
        locked.decision_note = note

    return _decide(actor=actor, virement=virement, version=version, errors=errors, apply=apply)


__all__ = ["check_move", "check_approve_virement", "crossing_text", "virement_request", "virement_approve", "virement_refuse"]
