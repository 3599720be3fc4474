"""
Reads for commissioning: programmes and what their allocations add up to, allocations and their
projects, projects whose funding ends soon.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404

from grants import figures
from grants.choices import (
    ALLOCATION_COMMITTED,
    ALLOCATION_LIVE,
)
from grants.models import (
    Allocation,
    BudgetLine,
    Payment,
    Programme,
    Project,
    Variation,
)
from grants.models.common import ZERO

from .common import _sum_of, add_months


def funding_ending(user, today: date, months: int):
    """Projects in the user's reach whose funding ends within `months` from today (the allocation
    still running), soonest first, so that continuation can be decided in time."""
    return (
        Project.objects.for_user(user)
        .filter(end_date__gte=today, end_date__lte=add_months(today, months), allocation__status__in=ALLOCATION_LIVE)
        .select_related("allocation__programme", "provider")
        .order_by("end_date", "name")
    )


def programme_for_user(user, pk: int) -> Programme:
    return get_object_or_404(Programme.objects.for_user(user).select_related("commissioner"), pk=pk)


@dataclass
class ProgrammeTotals:
    budget: Decimal
    allowance_percent: Decimal
    ceiling: Decimal
    approved: Decimal  # approved, signed, active and closed allocations
    drafts: Decimal
    withdrawn: Decimal

    @property
    def left_to_allocate(self) -> Decimal:
        """What more may be approved: the budget plus the allowance, less what is approved."""
        return figures.left_to_allocate(self.budget, self.allowance_percent, self.approved)

    @property
    def left_within_budget(self) -> Decimal:
        return self.budget - self.approved


def programme_totals(programme: Programme) -> ProgrammeTotals:
    """The programme's budget and what its allocations add up to, by stage. One query."""
    by_status = dict(
        Allocation.objects.filter(programme=programme).values("status").annotate(total=Sum("amount"))
        .values_list("status", "total")
    )
    approved = sum((by_status.get(s, ZERO) for s in ALLOCATION_COMMITTED), ZERO)
    return ProgrammeTotals(
        budget=programme.total_budget, allowance_percent=programme.over_allocation_percent,
        ceiling=programme.allocation_ceiling, approved=approved,
        drafts=by_status.get(Allocation.Status.DRAFT, ZERO), withdrawn=by_status.get(Allocation.Status.WITHDRAWN, ZERO),
    )


def programme_list(user):
    """The user's programmes with what is approved and what is left to allocate (budget plus allowance)."""
    committed = Allocation.objects.committed().filter(programme=OuterRef("pk"))
    programmes = list(
        Programme.objects.for_user(user)
        .select_related("commissioner")
        .annotate(approved=_sum_of(committed, "amount"), allocation_count=Count("allocations"))
        .order_by("-financial_year", "name")
    )
    for programme in programmes:
        programme.left_to_allocate = figures.left_to_allocate(programme.total_budget,
                                                              programme.over_allocation_percent, programme.approved)
    return programmes


def programme_allocations(user, programme: Programme):
    """The programme's allocations in the user's reach, with what their projects budget and what is released."""
    budgeted = BudgetLine.objects.filter(project__allocation=OuterRef("pk"))
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .filter(programme=programme)
        .select_related("recipient")
        .annotate(budgeted=_sum_of(budgeted, "amount"), released=_sum_of(released, "amount"),
                  project_count=Count("projects"))
        .order_by("recipient__name", "title")
    )


def allocation_for_user(user, pk: int) -> Allocation:
    return get_object_or_404(
        # The recipient's accountable body too: the page's finance codes name it (finance_codes.current_codes).
        Allocation.objects.for_user(user).select_related("programme__commissioner", "recipient__accountable_body"),
        pk=pk,
    )


def allocation_projects(user, allocation: Allocation):
    """The allocation's projects in the user's reach (a provider delivering one project under a
    partnership's allocation sees only its own), with what each budgets."""
    budgeted = BudgetLine.objects.filter(project=OuterRef("pk"))
    return (
        Project.objects.for_user(user).filter(allocation=allocation).select_related("provider", "area")
        .prefetch_related("priorities")
        .annotate(budgeted=_sum_of(budgeted, "amount"))
        .order_by("name", "reference")
    )


def allocation_budgeted(allocation: Allocation) -> Decimal:
    return BudgetLine.objects.filter(project__allocation=allocation).aggregate(total=Sum("amount"))["total"] or ZERO


def committed_total(programme_id: int, exclude_allocation_id: int | None = None) -> Decimal:
    """What the programme's approved (and later) allocations add up to."""
    allocations = Allocation.objects.committed().filter(programme_id=programme_id)
    if exclude_allocation_id:
        allocations = allocations.exclude(pk=exclude_allocation_id)
    return allocations.aggregate(total=Sum("amount"))["total"] or ZERO


def variations_for_user(user, allocation: Allocation | None = None):
    """Variations of allocations the user reaches. A provider sees only its own allocations' variations,
    and the re-profiles of the projects it delivers: one that only delivers a project under another's
    allocation does not see that allocation's money."""
    variations = Variation.objects.for_user(user).select_related(
        "allocation__programme__commissioner", "allocation__recipient", "project", "requested_by", "decided_by")
    if user.is_provider:
        variations = variations.filter(Q(allocation__recipient_id=user.organisation_id)
                                       | Q(project__provider_id=user.organisation_id))
    if allocation is not None:
        variations = variations.filter(allocation=allocation)
    return variations.order_by("-requested_at", "-pk")


def variation_for_user(user, pk: int) -> Variation:
    return get_object_or_404(variations_for_user(user), pk=pk)
