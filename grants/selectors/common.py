"""
What every read starts from: sums as subqueries, the user's projects and allocations, a project by
its reference, the organisations a form may name, and month arithmetic for "ending soon".

Every function here starts from a `for_user()` QuerySet, so that nothing outside the user's reach
can leak into a page. Sums are correlated subqueries rather than joins, so that the number of queries
and the figures stay right however many rows there are.
"""

from calendar import monthrange
from datetime import date

from django.db.models import DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from grants import figures
from grants.models import (
    Allocation,
    Payment,
    Project,
    QuarterlyReturn,
)
from grants.models.common import ZERO

_MONEY = DecimalField(max_digits=14, decimal_places=2)


def _sum_of(queryset, field: str):
    """A subquery giving the sum of `field` over `queryset` (already correlated), or £0."""
    summed = queryset.order_by().annotate(_group=Value(1)).values("_group").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(summed, output_field=_MONEY), Value(ZERO), output_field=_MONEY)


def projects_with_latest_return(user):
    """The user's projects, each with the quarter and status of its latest return."""
    latest = QuarterlyReturn.objects.filter(project=OuterRef("pk")).order_by("-financial_year", "-quarter")
    return (
        Project.objects.for_user(user)
        .select_related("allocation__programme", "allocation__recipient", "provider")
        .annotate(
            latest_year=Subquery(latest.values("financial_year")[:1]),
            latest_quarter=Subquery(latest.values("quarter")[:1]),
            latest_status=Subquery(latest.values("status")[:1]),
        )
        .order_by("name", "reference")
    )


def allocations_for_user(user):
    """The user's allocations with what has been released to them so far and what is left to pay
    (figures.left_to_pay: none for drafts, closed and withdrawn allocations)."""
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .select_related("programme", "recipient")
        .annotate(released=_sum_of(released, "amount"))
        .annotate(left_to_pay=figures.left_to_pay_sql())
        .order_by("-programme__financial_year", "programme__name", "recipient__name")
    )


def project_for_user(user, reference: str) -> Project:
    """One project the user may see, or 404."""
    return get_object_or_404(
        Project.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient",
                                                     "provider", "area"),
        reference=reference,
    )


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
