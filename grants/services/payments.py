"""
Money out: the payment schedule, releasing and withholding payments, closing an allocation,
the underspend and clawback.

The schedule follows the programme's payment terms:

- **In advance**: once the agreement is signed, one payment per quarter the allocation covers,
  in equal instalments to the penny (the last instalment takes the pennies left over).
- **In arrears**: one payment per quarter that has ended, of the spend verified for it, capped
  by what is left of the allocation after the earlier quarters' payments and anything already
  released. The amount is known once every project running in the quarter has an approved
  return whose spend finance has verified: only then does updating the schedule make the
  quarter's payment (until then the quarter is "worked out when its returns are approved", not
  a payment of £0.00). Updating the schedule brings an unreleased payment's amount up to date
  with the verified spend; a payment whose returns have been reopened since waits again.

    scheduled ──release (finance, reference + date)──▶ released
        │  ▲                                              ▲
   withhold │ (the arrears amount can still be updated)   │
        ▼  │                                              │
      withheld ───────────release─────────────────────────┘

Nothing is released beyond the allocation: the release locks the allocation and adds up what
has gone out before it. Two people releasing one payment at once give one release and one
"this payment changed" message.

Underspend is worked out from verified spend and released payments: money paid but not
verified as spent can be recovered; a clawback is requested, then received or waived with
a reason.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from grants import figures, permissions
from grants.choices import ALLOCATION_SIGNED, PAYMENT_UNRELEASED
from grants.models import Allocation, BudgetLine, Clawback, Payment, Programme
from grants.models.common import ZERO
from grants.periods import Quarter
from grants.selectors.finance import allocation_quarters, ever_scheduled, quarter_spend, underspend
from grants.selectors.finance_codes import current_codes

from . import kept, years
from .base import Invalid, NotAllowed, audited, check_money, claim, lock_allocation, money_text, require
from .commissioning import ALLOCATION_STALE, TRANSITIONS
from .documents import missing_documents_for_release

PaymentStatus = Payment.Status
UNRELEASED = PAYMENT_UNRELEASED

PAYMENT_STALE = (
    "This payment changed since you opened it: someone else released, withheld or updated it. "
    "Nothing was saved. Open it again to see the latest version."
)
CLAWBACK_STALE = (
    "This clawback changed since you opened it: someone else recorded what happened to it. "
    "Nothing was saved. Open it again to see the latest version."
)


def instalments(amount: Decimal, quarters: list[Quarter]) -> dict[Quarter, Decimal]:
    """Equal quarterly instalments to the penny; the last one takes what is left over."""
    return figures.split_by_weights(amount, {quarter: 1 for quarter in quarters})


def advance_instalments(allocation: Allocation, quarters: list[Quarter]) -> dict[Quarter, Decimal]:
    """What each quarter of an allocation paid in advance is paid. Each financial year's amount (the
    whole amount for an allocation of one year) is shared between that year's quarters: in proportion to
    the spend its projects' budget lines profile for each quarter (the programme's default), or equally
    (`advance_split`, or when nothing is profiled for the year yet). To the penny: each year's quarters
    add up to its amount."""
    by_year: dict[int, list[Quarter]] = {}
    for quarter in quarters:
        by_year.setdefault(quarter.financial_year, []).append(quarter)
    amounts = years.allocation_amounts(allocation)
    profiled = {}
    if allocation.programme.advance_split == Programme.AdvanceSplit.PROFILE:
        rows = (BudgetLine.objects.filter(project__allocation=allocation, financial_year__in=list(by_year))
                .values("financial_year").annotate(**{f"q{n}": Sum(f"profile_q{n}") for n in (1, 2, 3, 4)}))
        for row in rows:
            for n in (1, 2, 3, 4):
                profiled[Quarter(row["financial_year"], n)] = row[f"q{n}"] or ZERO
    shares = {}
    for year, in_year in by_year.items():
        shares |= figures.split_by_weights(amounts.get(year, ZERO), {q: profiled.get(q, ZERO) for q in in_year})
    return shares


def arrears_due(allocation: Allocation, quarter: Quarter, verified: Decimal, payments: list[Payment]) -> Decimal:
    """What a quarter in arrears pays: its verified spend, capped by what is left of the allocation
    after the earlier quarters' payments and anything released for later ones."""
    taken = sum(
        (p.amount for p in payments
         if p.period != quarter and (p.period < quarter or p.status == PaymentStatus.RELEASED)),
        ZERO,
    )
    return max(min(verified, allocation.amount - taken), ZERO)


def _payments_of(allocation: Allocation, lock=False) -> list[Payment]:
    payments = Payment.objects.filter(allocation=allocation)
    if lock:
        payments = payments.select_for_update()
    return list(payments.order_by("financial_year", "quarter"))


# The schedule -------------------------------------------------------------------------------


@dataclass
class ScheduleChange:
    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    gone: list = field(default_factory=list)  # quarters whose payment was deleted: never scheduled again
    waiting: list = field(default_factory=list)  # ended quarters in arrears whose returns are not all in yet

    def __str__(self) -> str:
        missing = ""
        if self.gone:
            missing = (" A payment recorded for " + ", ".join(q.label for q in self.gone) + " is no longer there; "
                       "it was not scheduled again, so the quarter cannot be paid twice. Ask an administrator "
                       "to look at its audit history.")
        if self.waiting:
            labels = [q.label for q in self.waiting]
            named = labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]
            missing += (f" {named} {'is' if len(labels) == 1 else 'are'} worked out when "
                        f"{'its' if len(labels) == 1 else 'their'} returns are approved with verified spend.")
        if not self.created and not self.updated:
            return "The payment schedule is up to date: nothing changed." + missing
        parts = []
        if self.created:
            parts.append(f"{len(self.created)} payment{'s' if len(self.created) != 1 else ''} scheduled")
        if self.updated:
            parts.append(f"{len(self.updated)} amount{'s' if len(self.updated) != 1 else ''} brought up to date "
                         "with the verified spend")
        return "Payment schedule updated: " + " and ".join(parts) + "." + missing


def payment_schedule_update(*, actor, allocation: Allocation, today: date | None = None) -> ScheduleChange:
    """Draw up the allocation's payments from the programme's terms, or bring them up to date."""
    require(permissions.can_manage_payments(actor, allocation))
    today = today or timezone.localdate()
    change = ScheduleChange()
    with transaction.atomic():
        locked = lock_allocation(allocation.pk)
        require(permissions.can_manage_payments(actor, locked))
        payments = _payments_of(locked, lock=True)
        existing = {p.period: p for p in payments if p.balance_of_id is None}  # a quarter's first payment
        quarters = allocation_quarters(locked)
        gone = ever_scheduled(locked) - set(existing)
        change.gone = sorted(q for q in gone if q in quarters)
        if locked.programme.payment_terms == Programme.PaymentTerms.ADVANCE:
            left = locked.amount - sum((p.amount for p in payments), ZERO)
            for quarter, share in advance_instalments(locked, quarters).items():
                if quarter in existing or quarter in gone:
                    continue
                amount = min(share, max(left, ZERO))
                left -= amount
                payment = Payment(allocation=locked, financial_year=quarter.financial_year, quarter=quarter.number,
                                  amount=amount)
                payment.full_clean()
                audited(payment, actor, "Scheduled in advance").save()
                change.created.append(payment)
        else:
            ended = [q for q in quarters if q.end < today]
            spend = quarter_spend([locked.pk], {locked.pk: ended})
            for quarter in ended:
                quarter_spend_ = spend[locked.pk, quarter]
                if not quarter_spend_.projects or quarter in gone:
                    continue
                payment = existing.get(quarter)
                if not quarter_spend_.ready:
                    # The amount is not known until every return is in: no payment yet (nor a change
                    # to one that waits again because a return was reopened).
                    if payment is None or payment.status in UNRELEASED:
                        change.waiting.append(quarter)
                    continue
                due = arrears_due(locked, quarter, quarter_spend_.verified, payments)
                if payment is None:
                    payment = Payment(allocation=locked, financial_year=quarter.financial_year,
                                      quarter=quarter.number, amount=due)
                    payment.full_clean()
                    audited(payment, actor, "Scheduled in arrears from verified spend").save()
                    payment.returns.set(quarter_spend_.returns)
                    payments.append(payment)
                    payments.sort(key=lambda p: p.period)
                    change.created.append(payment)
                elif payment.status == PaymentStatus.RELEASED and any(p.balance_of_id == payment.pk for p in payments):
                    # Paid in part: the balance is what the verified spend makes due beyond what is paid.
                    _update_balance(payment, due, payments, actor, change)
                elif payment.status in UNRELEASED and payment.amount != due:
                    payment.amount = due
                    payment.version += 1
                    payment.full_clean()
                    audited(payment, actor, "Amount brought up to date with verified spend").save()
                    payment.returns.set(quarter_spend_.returns)
                    change.updated.append(payment)
    return change


def _update_balance(first: Payment, due: Decimal, payments: list[Payment], actor, change: ScheduleChange) -> None:
    """Bring the unreleased balance of a quarter paid in part up to date with what its spend makes due."""
    in_quarter = [p for p in payments if p.period == first.period]
    paid = sum((p.amount for p in in_quarter if p.status == PaymentStatus.RELEASED), ZERO)
    balance = next((p for p in in_quarter if p.status in UNRELEASED), None)
    if balance is not None and balance.amount != max(due - paid, ZERO):
        balance.amount = max(due - paid, ZERO)
        balance.version += 1
        balance.full_clean()
        audited(balance, actor, "Balance brought up to date with verified spend").save()
        change.updated.append(balance)


def _release_problem(payment: Payment, allocation: Allocation) -> tuple[str, list[int] | None]:
    """What stops the payment being released now, and (in arrears) the returns it pays."""
    others = _payments_of(allocation)
    paid_returns = None
    programme = allocation.programme
    missing = missing_documents_for_release(payment, allocation)
    if missing:
        return missing, None
    if programme.payment_terms == Programme.PaymentTerms.ARREARS:
        spend = quarter_spend([allocation.pk], {allocation.pk: [payment.period]})[allocation.pk, payment.period]
        if not spend.ready:
            return (f"{payment.period.label} cannot be paid in arrears yet: "
                    + "; ".join(spend.waiting or ["no project runs in this quarter"]) + "."), None
        due = arrears_due(allocation, payment.period, spend.verified, others)
        # A quarter paid in part: what is left to pay of it is its balance.
        paid_in_part = sum((p.amount for p in others if p.period == payment.period and p.pk != payment.pk
                            and p.status == PaymentStatus.RELEASED), ZERO)
        if due - paid_in_part != payment.amount:
            return (f"The verified spend for {payment.period.label} now makes {money_text(due - paid_in_part)} due, "
                    f"not the {money_text(payment.amount)} scheduled: update the schedule, check the amount and "
                    "release it again."), None
        paid_returns = spend.returns
    elif programme.hold_advance_for_returns:
        previous = payment.period.previous()
        if previous in allocation_quarters(allocation):
            held = quarter_spend([allocation.pk], {allocation.pk: [previous]})[allocation.pk, previous]
            if held.not_approved:
                return (f"The programme holds each advance until the previous quarter's returns are approved: "
                        f"{payment.period.label} waits for {previous.label} ("
                        + "; ".join(held.not_approved) + ")."), None
    released = sum((p.amount for p in others if p.status == PaymentStatus.RELEASED and p.pk != payment.pk), ZERO)
    if released + payment.amount > allocation.amount:
        return (f"{money_text(released)} has already been released against an allocation of "
                f"{money_text(allocation.amount)}: releasing {money_text(payment.amount)} would pay more than the "
                "allocation."), None
    return "", paid_returns


def check_release_payment(payment: Payment) -> str:
    """What stops a payment being released now, once the right person asks and it is unreleased under a
    signed agreement (grants.permissions): in arrears, every return for its quarter approved with verified
    spend, and its amount what that spend makes due; never beyond the allocation. "" when nothing does."""
    return _release_problem(payment, payment.allocation)[0]


def payment_release(*, actor, payment: Payment, version: int, reference: str, paid_on: date | None,
                    today: date | None = None, amount: Decimal | None = None, withhold_reason: str = "") -> Payment:
    """Release a payment with its reference and date. In arrears, only once the quarter's returns are
    approved with verified spend, for the amount that spend makes due; in advance, where the programme
    holds advances, only once the previous quarter's returns are approved; never beyond the allocation,
    and never before the documents the programme requires are attached.

    `amount` below the payment's pays the undisputed part now: the rest becomes the payment's balance,
    withheld with `withhold_reason` and released later. The finance codes of the recipient, programme
    and allocation are copied onto the payment as it is released."""
    require(permissions.can_release_payment(actor, payment))
    today = today or timezone.localdate()
    reference = (reference or "").strip()
    withhold_reason = (withhold_reason or "").strip()
    errors = {}
    if not reference:
        errors["reference"] = "Enter the payment reference from the finance system."
    if paid_on is None:
        errors["paid_on"] = "Enter the date the payment was made."
    elif paid_on > today:
        errors["paid_on"] = "The payment date cannot be in the future: release it on the day it is paid."
    if amount is not None:
        check_money(errors, "amount", amount, "the amount paid now", positive=True)
        if "amount" not in errors and amount > payment.amount:
            errors["amount"] = (f"The payment is {money_text(payment.amount)}: no more than that can be paid now. "
                                "Leave it empty to pay it all.")
        elif "amount" not in errors and amount < payment.amount and not withhold_reason:
            errors["withhold_reason"] = (f"Say why the other {money_text(payment.amount - amount)} is withheld, "
                                         "for example which spend is queried.")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        # The allocation first, then the payment: every release of the allocation queues here,
        # so the total released is added up one release at a time.
        allocation = lock_allocation(payment.allocation_id)
        locked = claim(payment, UNRELEASED, version, PAYMENT_STALE)
        if allocation.status not in ALLOCATION_SIGNED:
            raise NotAllowed(f"The allocation is {allocation.get_status_display().lower()}: no payment can be released.")
        problem, paid_returns = _release_problem(locked, allocation)
        if problem:
            raise Invalid({"__all__": problem})
        if amount is not None and amount > locked.amount:
            raise Invalid({"amount": f"The payment is now {money_text(locked.amount)}: no more than that can be "
                                     "paid now."})
        balance = None
        if amount is not None and amount < locked.amount:
            balance = Payment(allocation=allocation, financial_year=locked.financial_year, quarter=locked.quarter,
                              amount=locked.amount - amount, status=PaymentStatus.WITHHELD,
                              withheld_reason=withhold_reason, balance_of=locked)
            locked.amount = amount
        codes = current_codes(allocation)
        locked.status = PaymentStatus.RELEASED
        locked.reference = reference
        locked.paid_on = paid_on
        locked.released_by = actor
        locked.released_at = timezone.now()
        locked.supplier_number, locked.cost_centre = codes.supplier_number, codes.cost_centre
        locked.ledger_code, locked.purchase_order = codes.ledger_code, codes.purchase_order
        locked.full_clean()
        audited(locked, actor, f"Released: {reference}" if balance is None
                else f"Released in part: {reference}, {money_text(balance.amount)} withheld").save()
        if balance is not None:
            balance.full_clean()
            audited(balance, actor, f"Balance of a part payment withheld: {withhold_reason}").save()
        if paid_returns is not None:
            # The returns it pays: each is then protected from deletion while the payment stands.
            locked.returns.set(paid_returns)
    return locked


def payment_withhold(*, actor, payment: Payment, version: int, reason: str) -> Payment:
    """Hold a scheduled payment back, saying why (for example, a return is missing)."""
    require(permissions.can_withhold_payment(actor, payment))
    reason = (reason or "").strip()
    if not reason:
        raise Invalid({"reason": "Say why the payment is withheld, for example which return is missing."})
    with transaction.atomic():
        lock_allocation(payment.allocation_id)
        locked = claim(payment, (PaymentStatus.SCHEDULED,), version, PAYMENT_STALE)
        locked.status = PaymentStatus.WITHHELD
        locked.withheld_reason = reason
        locked.full_clean()
        audited(locked, actor, "Withheld").save()
    return locked


# Underspend, closing and clawback -----------------------------------------------------------


def check_close_allocation(allocation: Allocation, today: date) -> str:
    """What stops the allocation being closed now, once finance asks of a signed or active one
    (grants.permissions): a payment still scheduled, or (in arrears) an ended quarter whose verified
    spend has no payment yet. "" when nothing does."""
    payments = _payments_of(allocation)
    scheduled = [p for p in payments if p.status == PaymentStatus.SCHEDULED]
    if scheduled:
        return ("Release or withhold the scheduled payments before closing: "
                + ", ".join(f"{p.period.label} ({money_text(p.amount)})" for p in scheduled) + ".")
    if allocation.programme.payment_terms == Programme.PaymentTerms.ARREARS:
        paid = {p.period for p in payments}
        ended = [q for q in allocation_quarters(allocation) if q.end < today and q not in paid]
        spend = quarter_spend([allocation.pk], {allocation.pk: ended})
        unpaid = [q for q in ended if spend[allocation.pk, q].verified > 0]
        ready = [q for q in unpaid if spend[allocation.pk, q].ready]
        if ready:
            return ("Verified spend has no payment yet for " + ", ".join(q.label for q in ready)
                    + ": update the payment schedule first.")
        if unpaid:
            waiting = [f"{q.label} ({'; '.join(spend[allocation.pk, q].waiting)})" for q in unpaid]
            return ("Verified spend is waiting to be paid for " + ", ".join(waiting)
                    + ": its payment is worked out once every return for the quarter is approved with verified "
                    "spend, then update the payment schedule.")
    return ""


def check_record_clawback(allocation: Allocation) -> str:
    """What stops money being asked back now, once finance asks under a signed or closed agreement
    (grants.permissions): something must have been released and not already asked back."""
    if underspend(allocation).recoverable_at_most <= ZERO:
        return NOTHING_TO_RECOVER
    return ""


NOTHING_TO_RECOVER = ("Nothing has been released that is not already asked back: money can be recovered once "
                      "a payment is released.")


def allocation_close(*, actor, allocation: Allocation, version: int, today: date | None = None) -> Allocation:
    """Close the allocation once its payments are settled: none still scheduled, and (in arrears)
    every ended quarter with verified spend has its payment."""
    require(permissions.can_close_allocation(actor, allocation))
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = claim(allocation, TRANSITIONS["close"][0], version, ALLOCATION_STALE)
        problem = check_close_allocation(locked, today)
        if problem:
            raise Invalid({"__all__": problem})
        locked.status = TRANSITIONS["close"][1]
        locked.full_clean()
        audited(locked, actor, "Closed").save()
        kept.allocation_moved(locked)
    return locked


def clawback_request(*, actor, allocation: Allocation, amount: Decimal | None, reason: str,
                     requested_on: date | None, today: date | None = None,
                     kind: str = Clawback.Kind.UNDERSPEND) -> Clawback:
    """Ask for money back: no more than has been released and not already asked back. Unspent grant, or
    spend found ineligible, which then no longer counts as verified spend."""
    require(permissions.can_record_clawback(actor, allocation))
    today = today or timezone.localdate()
    errors = {}
    if kind not in Clawback.Kind.values:
        errors["kind"] = "Choose whether this is unspent grant or ineligible spend."
    check_money(errors, "amount", amount, "the amount to recover", positive=True)
    if not (reason or "").strip():
        errors["reason"] = "Say why the money is being recovered, for example the underspend at year end."
    if requested_on is None:
        errors["requested_on"] = "Enter the date the money was asked for."
    elif requested_on > today:
        errors["requested_on"] = "The request date cannot be in the future."
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = lock_allocation(allocation.pk)
        require(permissions.can_record_clawback(actor, locked))
        figures = underspend(locked)
        if figures.recoverable_at_most <= ZERO:
            raise Invalid({"amount": NOTHING_TO_RECOVER})
        if amount > figures.recoverable_at_most:
            raise Invalid({"amount": (
                f"Only {money_text(figures.recoverable_at_most)} has been released and not already asked back: "
                "no more than that can be recovered."
            )})
        clawback = Clawback(allocation=locked, kind=kind, amount=amount, reason=reason.strip(), requested_on=requested_on,
                            recorded_by=actor)
        clawback.full_clean()
        audited(clawback, actor, "Requested").save()
    return clawback


def _settle(*, actor, clawback: Clawback, version: int, errors: dict, reason: str, **changes) -> Clawback:
    require(permissions.can_settle_clawback(actor, clawback))
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        lock_allocation(clawback.allocation_id)
        locked = claim(clawback, (Clawback.Status.REQUESTED,), version, CLAWBACK_STALE)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.full_clean()
        audited(locked, actor, reason).save()
    return locked


def clawback_receive(*, actor, clawback: Clawback, version: int, received_on: date | None,
                     today: date | None = None) -> Clawback:
    today = today or timezone.localdate()
    errors = {}
    if received_on is None:
        errors["received_on"] = "Enter the date the money was received."
    elif received_on > today:
        errors["received_on"] = "The date received cannot be in the future."
    elif received_on < clawback.requested_on:
        errors["received_on"] = f"The money cannot arrive before it was asked for ({clawback.requested_on:%-d %B %Y})."
    return _settle(actor=actor, clawback=clawback, version=version, errors=errors, reason="Received",
                   status=Clawback.Status.RECEIVED, received_on=received_on)


def clawback_waive(*, actor, clawback: Clawback, version: int, reason: str, today: date | None = None) -> Clawback:
    today = today or timezone.localdate()
    reason = (reason or "").strip()
    errors = {} if reason else {"waived_reason": "Say why the money will not be recovered."}
    return _settle(actor=actor, clawback=clawback, version=version, errors=errors, reason="Waived",
                   status=Clawback.Status.WAIVED, waived_reason=reason, waived_on=today)


__all__ = [
    "instalments", "arrears_due", "payment_schedule_update", "payment_release", "payment_withhold",
    "allocation_close", "clawback_request", "clawback_receive", "clawback_waive", "check_release_payment",
    "check_close_allocation", "check_record_clawback",
]
