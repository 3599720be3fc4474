"""
A provider's dashboard: its projects, the returns it owes, those sent back to it, and its
organisation's payments. Everything starts from the user's reach (`for_user`).
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, OuterRef, Subquery, Sum

from grants import selectors
from grants.choices import ReturnStatus
from grants.figures import latest_ended_quarter, pennies
from grants.models import Payment, QuarterlyReturn, ReturnEvent
from grants.periods import Quarter

from .funder import LIST_LENGTH

Status = ReturnStatus


@dataclass
class ProviderDashboard:
    today: date
    latest_ended: Quarter
    projects: list
    overdue: list  # ReturnRow from grants.selectors.provider_returns
    due: list
    sent_back: list
    payments: list
    payment_totals: list  # (status, label, count, total), for the statuses there are


def provider_dashboard(user, *, today: date) -> ProviderDashboard:
    """A provider's projects, the returns it owes, those sent back to it, and its organisation's
    payments. Six queries."""
    latest = latest_ended_quarter(today)
    projects = list(selectors.projects_with_latest_return(user))
    owed = [
        row for row in selectors.provider_returns(user, today)
        if row.quarter <= latest and row.status in ("", Status.DRAFT)
    ]
    owed.sort(key=lambda row: (row.due, row.project.name))
    comment = ReturnEvent.objects.filter(quarterly_return=OuterRef("pk"), kind=ReturnEvent.Kind.RETURNED).order_by(
        "-at", "-pk")
    sent_back = list(
        QuarterlyReturn.objects.for_user(user)
        .filter(status=Status.RETURNED, project__provider_id=user.organisation_id)
        .select_related("project__allocation__programme")
        .annotate(comment=Subquery(comment.values("comment")[:1]), returned_at=Subquery(comment.values("at")[:1]))
        .order_by("financial_year", "quarter", "project__name")
    )
    payments = Payment.objects.for_user(user)
    sums = {
        status: (count, pennies(total))
        for status, count, total in payments.values_list("status").annotate(n=Count("pk"), total=Sum("amount"))
        .values_list("status", "n", "total").order_by()
    }
    totals = [(status, label, *sums[status]) for status, label in Payment.Status.choices if status in sums]
    return ProviderDashboard(
        today=today, latest_ended=latest, projects=projects,
        overdue=[row for row in owed if row.overdue], due=[row for row in owed if not row.overdue],
        sent_back=sent_back,
        payments=list(payments.select_related("allocation__programme").order_by(
            "-financial_year", "-quarter", "allocation__title")[:LIST_LENGTH]),
        payment_totals=totals,
    )
