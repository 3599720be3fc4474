"""
Variations: a change to an approved allocation's amount, end date or conditions, a re-profile of one
project's quarterly spend for a year, or a reallocation of underspend from one allocation to another.

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

A re-profile (`reprofile_request`) moves a budget line's profiled spend between the quarters of a year:
each line keeps its total, no quarter goes below zero, and a quarter already reported (its return
submitted or further on) keeps its profile, so spend is never compared with a plan made afterwards.

A new amount of an allocation over several years falls on one of its years, chosen (its last by
default): that year's part changes, checked against that year's budget.

A reallocation (`reallocate`) is the commissioner's: one variation down on the allocation with the
underspend and one up on another, approved together in one decision, each checked as above in turn.
It moves money within one financial year (this year by default), which both allocations run in: each
change falls on that year.

The allocation's (or budget line's) own history records the change with the variation's number.
"""

from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from grants import permissions

from grants.choices import ALLOCATION_LIVE, RETURN_EDITABLE
from grants.models import Allocation, BudgetLine, Payment, ProfileChange, Programme, Project, QuarterlyReturn, Variation
from grants.periods import FinancialYear
from grants.selectors.commissioning import committed_total

from . import kept, years
from .base import Invalid, NotAllowed, audited, check_money, claim, lock_allocation, money_text

Status = Variation.Status
ZERO = Decimal("0.00")
QUARTER_FIELDS = ("profile_q1", "profile_q2", "profile_q3", "profile_q4")

STALE = ("This variation changed since you opened it: someone else approved or refused it. Nothing was saved. "
         "Open it again to see the decision.")


def check_variation(allocation: Allocation, amount: Decimal | None, end_date, conditions: str,
                    programme: Programme | None = None, year: int | None = None) -> dict:
    """What stops these changes being made to `allocation` now, by field; {} if nothing. `year` is the
    financial year a new amount falls on (the allocation's last when None)."""
    errors = {}
    if allocation.status not in ALLOCATION_LIVE:
        return {"__all__": f"The allocation is {allocation.get_status_display().lower()}: it can no longer be varied."}
    if amount is None and end_date is None and not conditions:
        return {"__all__": "Enter a new amount, a new end date or new conditions: a variation must change something."}
    if year is not None:
        runs_in = years.allocation_amounts(allocation)
        if amount is None:
            errors["financial_year"] = "A year is chosen only for a new amount: leave it empty, or enter the amount."
        elif year not in runs_in:
            errors["financial_year"] = (f"The allocation does not run in {FinancialYear(year)}: a change of amount "
                                        f"falls on {' or '.join(FinancialYear(y).label for y in runs_in)}.")
    if amount is not None:
        check_money(errors, "amount", amount, "the new amount")
        if "amount" not in errors and amount == allocation.amount:
            errors["amount"] = f"The allocation is already {money_text(amount)}."
    if amount is not None and "amount" not in errors and "financial_year" not in errors:
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
        elif allocation.years.exists():
            after = years.amounts_after(allocation, amount, year)
            falls_on = max(after) if year is None else year
            if after[falls_on] < 0:
                holds = after[falls_on] - amount + allocation.amount
                where = (f"the allocation's last year, {FinancialYear(falls_on)}," if year is None
                         else f"{FinancialYear(falls_on)},")
                errors["amount"] = (f"The change of amount falls on {where} which holds {money_text(holds)}: the "
                                    f"new amount cannot be below {money_text(allocation.amount - holds)}.")
            else:
                problem = years.check_years_fit(programme, after, exclude_allocation_id=allocation.pk)
                if problem:
                    errors["amount"] = problem
    if end_date is not None:
        latest = allocation.projects.aggregate(latest=Max("end_date"))["latest"]
        if end_date == allocation.end_date:
            errors["end_date"] = f"The allocation already ends on {end_date:%-d %B %Y}."
        elif end_date < allocation.start_date:
            errors["end_date"] = f"The end date cannot be before the start ({allocation.start_date:%-d %B %Y})."
        elif latest is not None and end_date < latest:
            errors["end_date"] = (f"A project runs until {latest:%-d %B %Y}: change its end date first, or choose a "
                                  "later date.")
        else:
            cut = {year: money for year, money in years.allocation_amounts(allocation).items()
                   if money and FinancialYear(year).start > end_date}
            if cut:
                year = min(cut)
                errors["end_date"] = (f"{money_text(cut[year])} of the allocation is in {FinancialYear(year)}: the "
                                      "allocation cannot end before that year.")
    return errors


def reported_quarters(project: Project, financial_year: int) -> set[int]:
    """The quarters of `financial_year` whose return for `project` is submitted or further on."""
    return set(QuarterlyReturn.objects.filter(project=project, financial_year=financial_year)
               .exclude(status__in=RETURN_EDITABLE).values_list("quarter", flat=True))


def reprofile_lines(project: Project, financial_year: int, lock=False):
    lines = BudgetLine.objects.filter(project=project, financial_year=financial_year).order_by(
        "category", "description", "pk")
    return list(lines.select_for_update() if lock else lines)


def profile_key(line_pk: int, quarter: int) -> str:
    """The name of one line's quarter, in errors and on the form."""
    return f"line_{line_pk}_q{quarter}"


def check_reprofile(project: Project, financial_year: int, profiles: dict[int, list], lines=None) -> dict:
    """What stops `profiles` ({line id: [Q1, Q2, Q3, Q4]}) being the project's profile for the year; {} if
    nothing. Lines left out keep their profile."""
    allocation = project.allocation
    if allocation.status not in ALLOCATION_LIVE:
        return {"__all__": f"The allocation is {allocation.get_status_display().lower()}: its projects' spend "
                           "can no longer be re-profiled."}
    lines = {line.pk: line for line in (lines if lines is not None else reprofile_lines(project, financial_year))}
    year = FinancialYear(financial_year)
    if not lines:
        return {"__all__": f"The project has no budget lines in {year}: there is nothing to re-profile."}
    unknown = set(profiles) - set(lines)
    if unknown:
        return {"__all__": f"A budget line in the request is not one of this project's lines for {year}."}
    reported = reported_quarters(project, financial_year)
    errors, changed = {}, False
    for pk, new in profiles.items():
        line = lines[pk]
        for n, value in enumerate(new, start=1):
            check_money(errors, profile_key(pk, n), value, f"the new Q{n} profile of {line.description}")
        if any(profile_key(pk, n) in errors for n in (1, 2, 3, 4)):
            continue
        for n in sorted(reported):
            if new[n - 1] != line.profile_for(n):
                errors[profile_key(pk, n)] = (
                    f"Q{n} {year} has been reported: the profile of {line.description} for it stays "
                    f"{money_text(line.profile_for(n))}.")
        total = sum(new, ZERO)
        if total != line.amount and profile_key(pk, 4) not in errors:
            errors[profile_key(pk, 4)] = (
                f"The new profile of {line.description} adds up to {money_text(total)} but the line is "
                f"{money_text(line.amount)}: a re-profile moves spend between quarters, it does not change the "
                "line (ask for a virement or a variation for that).")
        changed = changed or list(new) != line.profile
    if not errors and not changed:
        errors["__all__"] = "The new profile is the same as the old one: change at least one quarter."
    return errors


def reprofile_request(*, actor, project: Project, financial_year: int, profiles: dict[int, list],
                      reason: str) -> Variation:
    """The provider or recipient asks to re-profile a project's spend for a year; a commissioner officer
    makes the re-profile, decided at once."""
    allowed, why = permissions.can_request_reprofile(actor, project)
    if not allowed:
        raise NotAllowed(why)
    reason = (reason or "").strip()
    lines = reprofile_lines(project, financial_year)
    errors = check_reprofile(project, financial_year, profiles, lines)
    if not reason:
        errors["reason"] = "Say why the spend needs re-profiling: the decision rests on this reason."
    if errors:
        raise Invalid(errors)
    by_pk = {line.pk: line for line in lines}
    with transaction.atomic():
        variation = Variation(allocation=project.allocation, project=project, financial_year=financial_year,
                              reason=reason, requested_by=actor)
        variation.full_clean()
        audited(variation, actor, "Requested").save()
        ProfileChange.objects.bulk_create(
            ProfileChange(variation=variation, line_id=pk, **dict(zip(QUARTER_FIELDS, new)))
            for pk, new in profiles.items() if list(new) != by_pk[pk].profile)
        if permissions.can_decide_variation(actor, variation)[0]:
            variation = variation_approve(actor=actor, variation=variation, version=variation.version,
                                          note="Made by the commissioner.")
    return variation


def requested_profiles(variation: Variation) -> dict[int, list]:
    return {change.line_id: change.profile for change in variation.profile_changes.all()}


def _apply_reprofile(actor, locked: Variation) -> None:
    project = Project.objects.select_related("allocation").get(pk=locked.project_id)
    lines = reprofile_lines(project, locked.financial_year, lock=True)
    profiles = requested_profiles(locked)
    problems = check_reprofile(project, locked.financial_year, profiles, lines)
    if problems:
        raise Invalid({"__all__": "This re-profile can no longer be made: " + next(iter(problems.values()))})
    by_pk = {line.pk: line for line in lines}
    for change in locked.profile_changes.all():
        line = by_pk[change.line_id]
        change.previous_q1, change.previous_q2, change.previous_q3, change.previous_q4 = line.profile
        change.save(update_fields=["previous_q1", "previous_q2", "previous_q3", "previous_q4"])
        for name, value in zip(QUARTER_FIELDS, change.profile):
            setattr(line, name, value)
        line.version += 1  # open edit forms for the line are now out of date
        line.full_clean()
        audited(line, actor, f"Re-profiled by variation {locked.pk}").save()
    kept.refresh([project.pk])


def _clean(conditions, reason):
    return (conditions or "").strip(), (reason or "").strip()


def variation_request(*, actor, allocation: Allocation, amount: Decimal | None, end_date, conditions: str,
                      reason: str, financial_year: int | None = None) -> Variation:
    """The recipient asks for a variation, or a commissioner officer makes one, decided at once. A new
    amount of an allocation over several years falls on `financial_year` (its last year when None)."""
    allowed, why = permissions.can_request_variation(actor, allocation)
    if not allowed:
        raise NotAllowed(why)
    conditions, reason = _clean(conditions, reason)
    errors = check_variation(allocation, amount, end_date, conditions, year=financial_year)
    if not reason:
        errors["reason"] = "Say why the allocation needs to change: the decision rests on this reason."
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        variation = Variation(allocation=allocation, amount=amount, end_date=end_date, conditions=conditions,
                              financial_year=financial_year, reason=reason, requested_by=actor)
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
        allocation = lock_allocation(variation.allocation_id)
        locked = claim(variation, (Status.REQUESTED,), version, STALE)
        apply(locked, allocation)
        locked.decided_by, locked.decided_at = actor, timezone.now()
        locked.full_clean()
        audited(locked, actor, event).save()
    return locked


def variation_approve(*, actor, variation: Variation, version: int, note: str = "") -> Variation:
    """Approve: the allocation changes, if the rules still allow it."""

    def apply(locked, allocation):
        locked.status = Status.APPROVED
        locked.decision_note = (note or "").strip()
        if locked.is_reprofile:
            _apply_reprofile(actor, locked)
            return
        programme = Programme.objects.select_for_update().get(pk=allocation.programme_id)
        problems = check_variation(allocation, locked.amount, locked.end_date, locked.conditions, programme,
                                   locked.financial_year)
        if problems:
            raise Invalid({"__all__": "This variation can no longer be made: " + next(iter(problems.values()))})
        locked.previous_amount, locked.previous_end_date = allocation.amount, allocation.end_date
        if locked.amount is not None:
            years.apply_amount(allocation, locked.amount, actor, f"Variation {locked.pk} approved",
                               locked.financial_year)
            allocation.amount = locked.amount
        if locked.end_date is not None:
            allocation.end_date = locked.end_date
        if locked.conditions:
            allocation.conditions = locked.conditions
        allocation.version += 1  # open edit forms for the allocation are now out of date
        allocation.full_clean()
        audited(allocation, actor, f"Variation {locked.pk} approved").save()

    return _decide(actor=actor, variation=variation, version=version, errors={}, apply=apply, event="Approved")


def variation_refuse(*, actor, variation: Variation, version: int, note: str) -> Variation:
    note = (note or "").strip()
    errors = {} if note else {"note": "Say why the variation is refused: the recipient sees this note."}

    def apply(locked, allocation):
        locked.status = Status.REFUSED
        locked.decision_note = note

    return _decide(actor=actor, variation=variation, version=version, errors=errors, apply=apply, event="Refused")


def reallocation_years(allocation: Allocation) -> list[int]:
    """The financial years underspend on `allocation` can move in: the years it runs in."""
    return list(years.allocation_amounts(allocation))


def default_reallocation_year(allocation: Allocation, today=None) -> int:
    """The year a reallocation falls in unless another is chosen: this financial year when the allocation
    runs in it, else its last."""
    runs_in = reallocation_years(allocation)
    now = FinancialYear.from_date(today or timezone.localdate()).start_year
    return now if now in runs_in else runs_in[-1]


def reallocation_targets(allocation: Allocation, year: int | None = None):
    """The allocations underspend on `allocation` can move to: the funder's other approved, signed or
    active allocations that run in `year` (with None, in any year `allocation` runs in)."""
    runs_in = [year] if year is not None else reallocation_years(allocation)
    first, last = FinancialYear(min(runs_in)), FinancialYear(max(runs_in))
    return (Allocation.objects.filter(programme__commissioner_id=allocation.programme.commissioner_id,
                                      status__in=ALLOCATION_LIVE, start_date__lte=last.end, end_date__gte=first.start)
            .exclude(pk=allocation.pk).select_related("programme", "recipient").order_by("programme__name", "title"))


def _first(problems: dict) -> str:
    return next(iter(problems.values()))


def reallocate(*, actor, source: Allocation, target: Allocation | None, amount: Decimal | None,
               reason: str, financial_year: int | None = None) -> Variation:
    """Move `amount` of underspend from `source` to `target` in `financial_year` (by default this year when
    the source runs in it, else its last), in one decision: a variation down on the one and up on the
    other, both approved, or neither, each falling on that year. Returns the variation down (its
    `moves_to` is the other)."""
    allowed, why = permissions.can_reallocate(actor, source)
    if not allowed:
        raise NotAllowed(why)
    errors, reason = {}, (reason or "").strip()
    year = default_reallocation_year(source) if financial_year is None else financial_year
    check_money(errors, "amount", amount, "the amount to move", positive=True)
    if year not in reallocation_years(source):
        errors["financial_year"] = (f"{source.title} does not run in {FinancialYear(year)}: choose "
                                    f"{' or '.join(FinancialYear(y).label for y in reallocation_years(source))}.")
    elif target is None:
        errors["target"] = "Choose the allocation the money moves to."
    elif target.pk not in set(reallocation_targets(source, year).values_list("pk", flat=True)):
        errors["target"] = ("Choose one of the funder's other approved, signed or active allocations that run in "
                            f"{FinancialYear(year)}.")
    if not reason:
        errors["reason"] = "Say why the money moves: the decision rests on this reason."
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        for allocation_id in sorted((source.pk, target.pk)):  # the first lock of every change (kept)
            kept.figures_moved(allocation_id=allocation_id)
        # Both allocations locked in one order, so two reallocations the other way round cannot deadlock.
        locked = {a.pk: a for a in Allocation.objects.select_for_update().select_related("programme")
                  .filter(pk__in=[source.pk, target.pk]).order_by("pk")}
        src, dst = locked[source.pk], locked[target.pk]
        problems = check_variation(src, src.amount - amount, None, "", year=year)
        if problems:
            raise Invalid({"amount": f"{money_text(amount)} cannot come off {src.title}: {_first(problems)}"})
        down = Variation(allocation=src, amount=src.amount - amount, financial_year=year, reason=reason,
                         requested_by=actor)
        down.full_clean()
        audited(down, actor, "Requested").save()
        note = f"Reallocation of {money_text(amount)} from {src.title} to {dst.title}."
        down = variation_approve(actor=actor, variation=down, version=down.version, note=note)
        problems = check_variation(dst, dst.amount + amount, None, "", year=year)
        if problems:
            raise Invalid({"amount": f"{money_text(amount)} cannot go to {dst.title}: {_first(problems)}"})
        up = Variation(allocation=dst, amount=dst.amount + amount, financial_year=year, reason=reason,
                       requested_by=actor)
        up.full_clean()
        audited(up, actor, "Requested").save()
        down.moves_to = variation_approve(actor=actor, variation=up, version=up.version, note=note)
        audited(down, actor, f"Paired with variation {up.pk}").save(update_fields=["moves_to"])
    return down


def check_approve_variation(variation: Variation) -> str:
    """What stops approving the requested variation now; "" when nothing does (refusing is always possible)."""
    if variation.is_reprofile:
        problems = check_reprofile(variation.project, variation.financial_year, requested_profiles(variation))
        return ("This re-profile can no longer be made: " + next(iter(problems.values()))) if problems else ""
    problems = check_variation(variation.allocation, variation.amount, variation.end_date, variation.conditions,
                               year=variation.financial_year)
    return ("This variation can no longer be made: " + next(iter(problems.values()))) if problems else ""


__all__ = ["STALE", "reallocate", "reallocation_targets", "reallocation_years", "default_reallocation_year", "check_variation", "check_approve_variation", "check_reprofile", "profile_key", "reported_quarters",
           "reprofile_lines", "reprofile_request", "requested_profiles", "variation_request", "variation_approve",
           "variation_refuse"]
