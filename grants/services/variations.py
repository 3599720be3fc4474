"""
Variations: a change to an approved allocation's amount, end date or conditions.

    requested ──approve──▶ approved   (the allocation changes)
        └──────refuse────▶ refused    (with a note the recipient sees)

The recipient asks; a commissioner officer approves or refuses with a note. A commissioner officer
may also make one, decided at once with its reason. The rules are checked when it is asked for and
again, on the locked rows, when it is approved (`check_variation`):

- the allocation is approved, signed or active;
- a new amount fits the programme's budget plus its allowance with every other decided allocation,
  is not below what has been released to the recipient, nor below what its projects' budget lines
  add up to (cut those first, which cannot go below the spend reported on them);
- a new end date is not before the start, nor before a project's end (change the project first);
- something changes.

The allocation's own history records the change with the variation's number.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from grants import permissions
from grants.choices import ALLOCATION_LIVE
from grants.models import Allocation, BudgetLine, Payment, Programme, Variation
from grants.selectors.commissioning import committed_total

from .base import Invalid, NotAllowed, audited, check_money, claim, money_text

Status = Variation.Status
ZERO = Decimal("0.00")

STALE = ("This variation changed since you opened it: someone else approved or refused it. Nothing was saved. "
         "Open it again to see the decision.")


def check_variation(allocation: Allocation, amount: Decimal | None, end_date, conditions: str,
                    programme: Programme | None = None) -> dict:
    """What stops these changes being made to `allocation` now, by field; {} if nothing."""
    errors = {}
    if allocation.status not in ALLOCATION_LIVE:
        return {"__all__": f"The allocation is {allocation.get_status_display().lower()}: it can no longer be varied."}
    if amount is None and end_date is None and not conditions:
        return {"__all__": "Enter a new amount, a new end date or new conditions: a variation must change something."}
    if amount is not None:
        check_money(errors, "amount", amount, "the new amount")
        if not errors and amount == allocation.amount:
            errors["amount"] = f"The allocation is already {money_text(amount)}."
    if amount is not None and "amount" not in errors:
        programme = programme or allocation.programme
        left = programme.allocation_ceiling - committed_total(programme.pk, exclude_allocation_id=allocation.pk)
        released = Payment.objects.filter(allocation=allocation, status=Payment.Status.RELEASED).aggregate(
            total=Sum("amount"))["total"] or ZERO
        budgeted = BudgetLine.objects.filter(project__allocation=allocation).aggregate(total=Sum("amount"))["total"] or ZERO
        if amount > left:
            errors["amount"] = (
                f"{money_text(amount)} would take {programme.name} past its budget plus allowance "
                f"({money_text(programme.allocation_ceiling)}): at most {money_text(max(left, ZERO))} is possible.")
        elif amount < released:
            errors["amount"] = (f"{money_text(released)} has already been paid under this allocation: the amount "
                                "cannot be less.")
        elif amount < budgeted:
            errors["amount"] = (
                f"The projects' budget lines add up to {money_text(budgeted)}: reduce them to {money_text(amount)} "
                "or less first.")
    if end_date is not None:
        latest = allocation.projects.aggregate(latest=Max("end_date"))["latest"]
        if end_date == allocation.end_date:
            errors["end_date"] = f"The allocation already ends on {end_date:%-d %B %Y}."
        elif end_date < allocation.start_date:
            errors["end_date"] = f"The end date cannot be before the start ({allocation.start_date:%-d %B %Y})."
        elif latest is not None and end_date < latest:
            errors["end_date"] = (f"A project runs until {latest:%-d %B %Y}: change its end date first, or choose a "
                                  "later date.")
    return errors


def _clean(conditions, reason):
    return (conditions or "").strip(), (reason or "").strip()


def variation_request(*, actor, allocation: Allocation, amount: Decimal | None, end_date, conditions: str,
                      reason: str) -> Variation:
    """The recipient asks for a variation, or a commissioner officer makes one, decided at once."""
    allowed, why = permissions.can_request_variation(actor, allocation)
    if not allowed:
        raise NotAllowed(why)
    conditions, reason = _clean(conditions, reason)
    errors = check_variation(allocation, amount, end_date, conditions)
    if not reason:
        errors["reason"] = "Say why the allocation needs to change: the decision rests on this reason."
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        variation = Variation(allocation=allocation, amount=amount, end_date=end_date, conditions=conditions,
                              reason=reason, requested_by=actor)
        variation.full_clean()
        audited(variation, actor, "Requested").save()
        if permissions.can_decide_variation(actor, variation)[0]:
            variation = variation_approve(actor=actor, variation=variation, version=variation.version,
                                          note="Made by the commissioner.")
    return variation


def _decide(*, actor, variation: Variation, version: int, errors: dict, apply, event: str) -> Variation:
    allowed, why = permissions.can_decide_variation(actor, variation)
    if not allowed:
        raise NotAllowed(why)
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().select_related("programme").get(pk=variation.allocation_id)
        locked = claim(Variation, variation.pk, (Status.REQUESTED,), version, STALE)
        apply(locked, allocation)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.full_clean()
        audited(locked, actor, event).save()
    return locked


def variation_approve(*, actor, variation: Variation, version: int, note: str = "") -> Variation:
    """Approve: the allocation changes, if the rules still allow it."""

    def apply(locked, allocation):
        programme = Programme.objects.select_for_update().get(pk=allocation.programme_id)
        problems = check_variation(allocation, locked.amount, locked.end_date, locked.conditions, programme)
        if problems:
            raise Invalid({"__all__": "This variation can no longer be made: " + next(iter(problems.values()))})
        locked.previous_amount, locked.previous_end_date = allocation.amount, allocation.end_date
        if locked.amount is not None:
            allocation.amount = locked.amount
        if locked.end_date is not None:
            allocation.end_date = locked.end_date
        if locked.conditions:
            allocation.conditions = locked.conditions
        allocation.version += 1  # open edit forms for the allocation are now out of date
        allocation.full_clean()
        audited(allocation, actor, f"Variation {locked.pk} approved").save()
        locked.status = Status.APPROVED
        locked.decision_note = (note or "").strip()

    return _decide(actor=actor, variation=variation, version=version, errors={}, apply=apply, event="Approved")


def variation_refuse(*, actor, variation: Variation, version: int, note: str) -> Variation:
    note = (note or "").strip()
    errors = {} if note else {"note": "Say why the variation is refused: the recipient sees this note."}

    def apply(locked, allocation):
        locked.status = Status.REFUSED
        locked.decision_note = note

    return _decide(actor=actor, variation=variation, version=version, errors=errors, apply=apply, event="Refused")


def check_approve_variation(variation: Variation) -> str:
    """What stops approving the requested variation now; "" when nothing does (refusing is always possible)."""
    problems = check_variation(variation.allocation, variation.amount, variation.end_date, variation.conditions)
    return ("This variation can no longer be made: " + next(iter(problems.values()))) if problems else ""


__all__ = ["STALE", "check_variation", "check_approve_variation", "variation_request", "variation_approve",
           "variation_refuse"]
