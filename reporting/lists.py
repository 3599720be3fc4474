"""
The rows of the lists: programmes, allocations, projects, returns and payments.

Each function starts from the model's scoped QuerySet (`for_user`) and adds what a
row shows as joins (`select_related`) and correlated subqueries, so that a page or
an export runs the same number of queries however many rows there are.

Every sum is taken over rows the user may see as well: a provider that delivers a
project under another organisation's allocation sees that allocation, but the spend
counted is that of the projects it reaches, and the payments are only those made to
its own organisation (payments follow `payment_scope`). Only approved returns count
as spent, as in every report; a return's own spend is shown whatever its status.
"""

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact

from grants import figures
from grants.choices import ALLOCATION_COMMITTED
from grants.models import Allocation, BudgetLine, Payment, Programme, Project, QuarterlyReturn, SpendLine
from grants.models.common import ZERO
from grants.models.scoping import project_scope

MONEY = DecimalField(max_digits=14, decimal_places=2)
Status = QuarterlyReturn.Status


def summed(queryset, field):
    """The sum of `field` (a name or an expression) over `queryset` (already correlated with OuterRef)
    as a subquery, or £0."""
    total = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(total=Sum(field)).values("total")
    return Coalesce(Subquery(total, output_field=MONEY), Value(ZERO), output_field=MONEY)


def counted(queryset):
    """How many rows `queryset` (already correlated with OuterRef) has, as a subquery."""
    number = queryset.order_by().annotate(_one=Value(1)).values("_one").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(number, output_field=IntegerField()), Value(0))


def _reached_projects(user):
    """Projects in the user's reach, as a plain filter (no Exists) that subqueries can take."""
    condition = project_scope(user)
    return Project.objects.none() if condition is None else Project.objects.filter(condition)


def _approved_spend(user, **correlation):
    """Spend lines of approved returns of projects the user reaches, correlated by `correlation`."""
    condition = project_scope(user, "quarterly_return__project__")
    lines = SpendLine.objects.approved().filter(**correlation)
    return lines.filter(condition) if condition is not None else lines.none()


def _released(user, **correlation):
    return Payment.objects.for_user(user).filter(status=Payment.Status.RELEASED, **correlation)


def effective_rag():
    """The RAG a return counts as, in SQL (the twin of grants.figures.return_rag)."""
    return figures.return_rag_sql()


def programme_rows(user):
    """The user's programmes with what is allocated (committed), spent (approved) and paid (released)
    within their reach, and how many allocations and projects they reach."""
    allocations = Allocation.objects.for_user(user).filter(programme=OuterRef("pk"))
    return (
        Programme.objects.for_user(user)
        .select_related("commissioner")
        .annotate(
            allocated=summed(allocations.filter(status__in=ALLOCATION_COMMITTED), "amount"),
            spent=summed(_approved_spend(user, quarterly_return__project__allocation__programme=OuterRef("pk")),
                         "actual"),
            paid=summed(_released(user, allocation__programme=OuterRef("pk")), "amount"),
            allocation_count=counted(allocations),
            project_count=counted(_reached_projects(user).filter(allocation__programme=OuterRef("pk"))),
        )
        .order_by("-financial_year", "name", "pk")
    )


def allocation_rows(user):
    """The user's allocations with the spend of the projects they reach (approved) and what was paid."""
    return (
        Allocation.objects.for_user(user)
        .select_related("programme", "recipient")
        .annotate(
            spent=summed(_approved_spend(user, quarterly_return__project__allocation=OuterRef("pk")), "actual"),
            paid=summed(_released(user, allocation=OuterRef("pk")), "amount"),
            project_count=counted(_reached_projects(user).filter(allocation=OuterRef("pk"))),
        )
        .order_by("-programme__financial_year", "programme__name", "recipient__name", "title", "pk")
    )


def project_rows(user):
    """The user's projects with their budget, approved spend, latest return and latest RAG: that of
    the latest return past draft, as it counts (`effective_rag`). Priorities are prefetched (one
    query for a page); exports fetch them in one query."""
    returns = QuarterlyReturn.objects.filter(project=OuterRef("pk")).order_by("-financial_year", "-quarter")
    sent = returns.exclude(status=Status.DRAFT).annotate(rag=effective_rag())
    return (
        Project.objects.for_user(user)
        .select_related("allocation__programme", "allocation__recipient", "provider", "area")
        .prefetch_related("priorities")
        .annotate(
            budget=summed(BudgetLine.objects.filter(project=OuterRef("pk")), "amount"),
            spent=summed(_approved_spend(user, quarterly_return__project=OuterRef("pk")), "actual"),
            latest_year=Subquery(returns.values("financial_year")[:1]),
            latest_quarter=Subquery(returns.values("quarter")[:1]),
            latest_status=Subquery(returns.values("status")[:1]),
            rag=Subquery(sent.values("rag")[:1], output_field=CharField()),
        )
        .order_by("name", "reference", "pk")
    )


def _profile_for_quarter():
    """The profiled spend of the return's quarter over its project's budget lines for the year:
    one subquery, each line giving the profile of the outer row's quarter."""
    quarter = OuterRef("quarter")
    this_quarter = Case(*[When(Exact(quarter, n), then=F(f"profile_q{n}")) for n in (1, 2, 3, 4)],
                        output_field=MONEY)
    lines = BudgetLine.objects.filter(project=OuterRef("project"), financial_year=OuterRef("financial_year"))
    return summed(lines, this_quarter)


def return_rows(user):
    """The user's returns with the quarter's spend (as entered, whatever the status), its profile and
    the RAG it counts as. The variance (spend less profile) is worked out from the two: in SQL it would
    repeat both subqueries, so the table adds it to the query only to sort by it."""
    spend = SpendLine.objects.entered().filter(quarterly_return=OuterRef("pk"))
    return (
        QuarterlyReturn.objects.for_user(user)
        .select_related("project__allocation__programme", "project__allocation__recipient", "project__provider")
        .annotate(
            spend=summed(spend, "actual"),
            profile=_profile_for_quarter(),
            rag=effective_rag(),
        )
        .order_by("-financial_year", "-quarter", "project__name", "pk")
    )


def payment_rows(user):
    """The payments the user may see: made by their organisation (funder side) or to it (providers)."""
    return (
        Payment.objects.for_user(user)
        .select_related("allocation__programme", "allocation__recipient")
        .order_by("-financial_year", "-quarter", "allocation__recipient__name", "allocation__title", "pk")
    )


def has_project(user, path: str, **conditions):
    """A condition on a programme or an allocation: some project under it (`path` leads from the
    project to the row) that the user reaches meets `conditions`."""
    return Q(Exists(_reached_projects(user).filter(**{path: OuterRef("pk")}, **conditions)))
