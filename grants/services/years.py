"""
Programmes and allocations over several financial years.

A programme belongs to its first financial year and may run over the years after it, with a budget
for each (ProgrammeYear). One programme over several years, rather than one programme per year that
an allocation is charged to in part: the programme's rules (payment terms, variance threshold,
allowance) are decided once, and a service funded for several years is then one allocation and one
project, reported by its programme across the years without joining several programmes.

A programme of one year keeps no year rows: its budget is `total_budget`, in `financial_year`. With
years, `total_budget` is their sum, kept by `programme_year_save` and `programme_year_remove`.

An allocation inside one financial year keeps no year rows either: its amount is in the year it
starts. One that runs over several keeps a row for each year it runs in (AllocationYear), adding up
to its amount: split by months (`figures.split_by_year`) when it is drafted or while a draft its
amount or dates change, and changed by the commissioner while it is a draft (`allocation_years_save`).

The rules, each refused with what is wrong:
- each year's approved allocations fit that year's budget plus the allowance: what is left to
  allocate is worked out per year (`year_totals`), and checked when an allocation is approved;
- an allocation cannot run past the programme's last year (add the year to the programme first);
- a year's budget cannot fall below what is approved in it, nor can a year with money in it be
  removed; only the last year can be removed.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from grants import figures, permissions
from grants.choices import ALLOCATION_COMMITTED
from grants.figures.year_end import amounts_by_year
from grants.models import Allocation, AllocationYear, Programme, ProgrammeYear
from grants.periods import FinancialYear

from .base import Invalid, audited, check_money, claim, money_text, require

ZERO = Decimal("0.00")
PROGRAMME_STALE = ("This programme changed since you opened it: someone else saved it. Nothing was saved. "
                   "Check its budget by year and try again.")
ALLOCATION_STALE = ("This allocation changed since you opened it: someone else saved it. Nothing was saved. "
                    "Check its amount by year and try again.")


# --- Reading the years ------------------------------------------------------------------------


def programme_budgets(programme: Programme) -> dict[int, Decimal]:
    """{financial year: budget} of the programme, first year first."""
    rows = {row.financial_year: row.budget for row in programme.years.order_by("financial_year")}
    return rows or {programme.financial_year: programme.total_budget}


def last_year(programme: Programme) -> FinancialYear:
    return FinancialYear(max(programme_budgets(programme)))


def allocation_amounts(allocation: Allocation) -> dict[int, Decimal]:
    """{financial year: amount} of the allocation, first year first (the rule: figures.year_end.amounts_by_year)."""
    return amounts_by_year(allocation.start_date, allocation.amount,
                           allocation.years.values_list("financial_year", "amount"))


def runs_over_years(allocation: Allocation) -> bool:
    return len(figures.months_by_year(allocation.start_date, allocation.end_date)) > 1


def committed_by_year(programme_id: int, exclude_allocation_id: int | None = None) -> dict[int, Decimal]:
    """What the programme's approved (and later) allocations add up to in each financial year: two
    queries, whatever the number of allocations."""
    allocations = Allocation.objects.filter(programme_id=programme_id, status__in=ALLOCATION_COMMITTED)
    if exclude_allocation_id:
        allocations = allocations.exclude(pk=exclude_allocation_id)
    totals: dict[int, Decimal] = {}
    split = AllocationYear.objects.filter(allocation__in=allocations).values_list("allocation_id", "financial_year",
                                                                                    "amount")
    with_rows = set()
    for allocation_id, year, amount in split:
        with_rows.add(allocation_id)
        totals[year] = totals.get(year, ZERO) + amount
    for pk, start, amount in allocations.values_list("pk", "start_date", "amount"):
        if pk not in with_rows:
            year = FinancialYear.from_date(start).start_year
            totals[year] = totals.get(year, ZERO) + amount
    return totals


def committed_in_year_sql(year: int, programme: str = "pk"):
    """`committed_by_year`'s figure for one year as an expression over Programme (the programme's row named by
    `programme`): each approved (and later) allocation's row for the year, or, having no rows, its whole
    amount when it starts in the year. For a page that lists many programmes in one query."""
    fy = FinancialYear(year)
    money = Value(ZERO, output_field=Allocation._meta.get_field("amount"))
    parts = AllocationYear.objects.filter(allocation__programme=OuterRef(programme), financial_year=year,
                                          allocation__status__in=ALLOCATION_COMMITTED)
    whole = Allocation.objects.filter(programme=OuterRef(programme), status__in=ALLOCATION_COMMITTED,
                                      start_date__gte=fy.start, start_date__lte=fy.end).exclude(
        Exists(AllocationYear.objects.filter(allocation=OuterRef("pk"))))
    return (Coalesce(Subquery(parts.order_by().values("financial_year").annotate(total=Sum("amount"))
                              .values("total")), money)
            + Coalesce(Subquery(whole.order_by().values("programme").annotate(total=Sum("amount"))
                                .values("total")), money))


@dataclass(frozen=True)
class YearTotals:
    """One financial year of a programme: its budget, the most that may be approved in it, what is
    approved, and what is left to allocate."""

    year: FinancialYear
    budget: Decimal
    ceiling: Decimal
    committed: Decimal
    left: Decimal


def year_totals(programme: Programme, exclude_allocation_id: int | None = None) -> list[YearTotals]:
    committed = committed_by_year(programme.pk, exclude_allocation_id)
    rows = []
    for year, budget in programme_budgets(programme).items():
        ceiling = figures.allocation_ceiling(budget, programme.over_allocation_percent)
        spent = committed.get(year, ZERO)
        rows.append(YearTotals(FinancialYear(year), budget, ceiling, spent,
                               figures.left_to_allocate(budget, programme.over_allocation_percent, spent)))
    return rows


def check_years_fit(programme: Programme, amounts: dict[int, Decimal], exclude_allocation_id=None) -> str:
    """What stops `amounts` ({year: amount}) being approved in the programme beside its other approved
    allocations, year by year; "" when nothing does."""
    if len(amounts) <= 1 and not programme.years.exists():
        return ""  # one year in a programme of one year: the programme's total check says it all
    totals = {row.year.start_year: row for row in year_totals(programme, exclude_allocation_id)}
    for year, amount in sorted(amounts.items()):
        row = totals.get(year)
        if row is None:
            if amount:
                return (f"{money_text(amount)} falls in {FinancialYear(year)}, which is not one of the programme's "
                        "years: add the year to the programme first.")
            continue
        if amount > row.left:
            return (f"{money_text(amount)} in {row.year} would take {programme.name} past its {row.year} budget plus "
                    f"allowance ({money_text(row.ceiling)}): only {money_text(max(row.left, ZERO))} is left to "
                    f"allocate in {row.year}.")
    return ""


# --- Keeping an allocation's split ------------------------------------------------------------


def keep_split(allocation: Allocation) -> None:
    """A draft allocation's year rows after its amount or dates changed: split by months when it runs over
    several years, none when it runs in one. In the caller's transaction."""
    AllocationYear.objects.filter(allocation=allocation).delete()
    if runs_over_years(allocation):
        AllocationYear.objects.bulk_create(
            AllocationYear(allocation=allocation, financial_year=year, amount=amount)
            for year, amount in figures.split_by_year(allocation.amount, allocation.start_date,
                                                      allocation.end_date).items())


def amounts_after(allocation: Allocation, new_amount: Decimal, year: int | None = None) -> dict[int, Decimal]:
    """The allocation's amount by year once its amount changes: the difference falls on `year`, one of
    the years it runs in (its last when None)."""
    amounts = allocation_amounts(allocation)
    amounts[max(amounts) if year is None else year] += new_amount - allocation.amount
    return amounts


def apply_amount(allocation: Allocation, new_amount: Decimal, actor, reason: str, year: int | None = None) -> None:
    """Write the year rows of an allocation over several years whose amount changes (on `year`, or its last)."""
    if not allocation.years.exists():
        return
    for year, amount in amounts_after(allocation, new_amount, year).items():
        row = AllocationYear.objects.get(allocation=allocation, financial_year=year)
        if row.amount != amount:
            row.amount = amount
            audited(row, actor, reason).save()


def check_dates_in_programme(programme: Programme, end_date) -> str:
    last = last_year(programme)
    if end_date is not None and end_date > last.end:
        return (f"The programme runs to {last.end:%-d %B %Y}: add {last.next()} to the programme first, or end the "
                "allocation by then.")
    return ""


def allocation_years_save(*, actor, allocation: Allocation, version: int | None,
                          amounts: dict[int, Decimal | None]) -> Allocation:
    """Change how a draft allocation over several years is split between them: one amount for each
    year it runs in, adding up to the allocation's amount."""
    require(permissions.can_edit_allocation(actor, allocation))
    if allocation.status != Allocation.Status.DRAFT:
        raise Invalid({"__all__": "The allocation is approved: its amount by year changes by a variation."})
    years = [year for year, _ in figures.months_by_year(allocation.start_date, allocation.end_date)]
    if len(years) < 2:
        raise Invalid({"__all__": "The allocation runs in one financial year: its whole amount is in that year."})
    errors = {}
    if set(amounts) != set(years):
        raise Invalid({"__all__": "Give an amount for each financial year the allocation runs in, and no other."})
    for year in years:
        check_money(errors, f"year_{year}", amounts[year], f"the amount for {FinancialYear(year)}")
    if errors:
        raise Invalid(errors)
    total = sum(amounts.values(), ZERO)
    if total != allocation.amount:
        raise Invalid({f"year_{years[-1]}": (
            f"The years add up to {money_text(total)} but the allocation is {money_text(allocation.amount)}: "
            "change the amounts, or change the allocation's amount first.")})
    with transaction.atomic():
        locked = claim(allocation, (Allocation.Status.DRAFT,), version, ALLOCATION_STALE)
        AllocationYear.objects.filter(allocation=locked).delete()
        for year in years:
            audited(AllocationYear(allocation=locked, financial_year=year, amount=amounts[year]), actor,
                    "Amount by year changed").save()
        audited(locked, actor, "Amount by year changed").save()
    return locked


# --- A programme's years ----------------------------------------------------------------------


def programme_year_save(*, actor, programme: Programme, version: int | None, financial_year: int,
                        budget: Decimal | None) -> Programme:
    """Set a year's budget, or add the year after the programme's last with its budget. The programme's
    total budget becomes the sum of its years'."""
    require(permissions.can_edit_programme(actor, programme))
    errors = {}
    check_money(errors, "budget", budget, "the budget for the year")
    if errors:
        raise Invalid(errors)
    with transaction.atomic():
        locked = claim(programme, None, version, PROGRAMME_STALE)
        budgets = programme_budgets(locked)
        year = FinancialYear(financial_year)
        if financial_year not in budgets and financial_year != max(budgets) + 1:
            raise Invalid({"__all__": f"{year} is not the year after the programme's last "
                                      f"({FinancialYear(max(budgets))}): a programme's years follow one another."})
        committed = committed_by_year(locked.pk).get(financial_year, ZERO)
        ceiling = figures.allocation_ceiling(budget, locked.over_allocation_percent)
        if committed > ceiling:
            raise Invalid({"budget": (
                f"Allocations of {money_text(committed)} are already approved in {year}: its budget plus the "
                f"allowance ({money_text(ceiling)}) cannot be less than that.")})
        budgets[financial_year] = budget
        _write_years(locked, budgets, actor, f"Budget for {year} set to {money_text(budget)}")
    return locked


def programme_year_remove(*, actor, programme: Programme, version: int | None, financial_year: int) -> Programme:
    """Remove the programme's last year, if no allocation runs into it."""
    require(permissions.can_edit_programme(actor, programme))
    with transaction.atomic():
        locked = claim(programme, None, version, PROGRAMME_STALE)
        budgets = programme_budgets(locked)
        year = FinancialYear(financial_year)
        if len(budgets) < 2 or financial_year != max(budgets):
            raise Invalid({"__all__": "Only the last of a programme's several years can be removed."})
        running = locked.allocations.exclude(status=Allocation.Status.WITHDRAWN).filter(end_date__gte=year.start)
        if running.exists():
            raise Invalid({"__all__": f"{', '.join(running.values_list('title', flat=True)[:3])} runs into {year}: "
                                      "change its dates first."})
        del budgets[financial_year]
        _write_years(locked, budgets, actor, f"{year} removed")
    return locked


def _write_years(programme: Programme, budgets: dict[int, Decimal], actor, reason: str) -> None:
    ProgrammeYear.objects.filter(programme=programme).delete()
    if len(budgets) > 1:
        for year, budget in sorted(budgets.items()):
            audited(ProgrammeYear(programme=programme, financial_year=year, budget=budget), actor, reason).save()
    programme.total_budget = sum(budgets.values(), ZERO)
    programme.last_financial_year = max(budgets) if len(budgets) > 1 else None
    audited(programme, actor, reason).save()


__all__ = [
    "YearTotals", "allocation_amounts", "amounts_after", "apply_amount", "allocation_years_save", "check_dates_in_programme", "check_years_fit",
    "committed_by_year", "keep_split", "last_year", "programme_budgets", "programme_year_remove",
    "programme_year_save", "runs_over_years", "year_totals",
]
