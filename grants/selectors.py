"""
Reads shared by views, tables and exports, each scoped to the user.

Every function here starts from a `for_user()` QuerySet, so that nothing
outside the user's reach can leak into a page. Sums are correlated subqueries
rather than joins, so that the number of queries and the figures stay right
however many rows there are.
"""

from django.db.models import DecimalField, ExpressionWrapper, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .models import Allocation, Payment, Programme, Project, QuarterlyReturn
from .models.common import ZERO

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


def programmes_for_user(user):
    """The user's programmes with the total of their committed allocations."""
    committed = Allocation.objects.committed().filter(programme=OuterRef("pk"))
    return (
        Programme.objects.for_user(user)
        .select_related("commissioner")
        .annotate(allocated=_sum_of(committed, "amount"))
        .annotate(left_to_allocate=ExpressionWrapper(F("total_budget") - F("allocated"), output_field=_MONEY))
        .order_by("-financial_year", "name")
    )


def allocations_for_user(user):
    """The user's allocations with what has been released to them so far."""
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .select_related("programme", "recipient")
        .annotate(released=_sum_of(released, "amount"))
        .annotate(left_to_pay=ExpressionWrapper(F("amount") - F("released"), output_field=_MONEY))
        .order_by("-programme__financial_year", "programme__name", "recipient__name")
    )
