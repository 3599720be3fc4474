"""
A work list: what needs the signed-in person now, by role, each kind with how many there are and
the oldest date among them. The home page shows it first, each line linking to where the work is done.

A fixed number of queries whatever the number of rows: each kind is one aggregate, and the returns
owed are worked out from one query of projects and one of returns (`returns.owed_returns`).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, Min, Q

from grants.choices import ALLOCATION_LIVE, RETURN_SPEND_CHECKABLE
from grants.models import (
    Allocation, Clawback, PartnershipReturn, Payment, Project, QuarterlyReturn, Variation, Virement,
)

from .administration import organisations_for_administrator, users_for_administrator
from .finance import arrears_to_schedule, payments_due
from .places import board_actions_for
from .returns import owed_returns


@dataclass(frozen=True)
class WorkItem:
    """One kind of work: `key` names where it is done (the view turns it into a link)."""

    key: str
    label: str
    count: int
    oldest: date | None
    oldest_label: str  # what the oldest date is: "oldest submitted", "due since"…


def _day(value) -> date | None:
    return value.date() if isinstance(value, datetime) else value


def _aggregate(queryset, field: str) -> tuple[int, date | None]:
    row = queryset.order_by().aggregate(count=Count("pk"), oldest=Min(field))
    return row["count"], _day(row["oldest"])


def _item(key, label, queryset, field, oldest_label) -> WorkItem:
    count, oldest = _aggregate(queryset, field)
    return WorkItem(key, label, count, oldest, oldest_label)


def _owed_items(rows, today: date, *, overdue_label: str, due_label: str) -> list[WorkItem]:
    """Returns overdue, and returns whose quarter has ended that are not yet overdue."""
    overdue = [row for row in rows if row.overdue]
    due = [row for row in rows if not row.overdue and row.owed and row.quarter.end < today]
    return [
        WorkItem("returns-overdue", overdue_label, len(overdue), min((r.due for r in overdue), default=None),
                 "due since"),
        WorkItem("returns-due", due_label, len(due), min((r.due for r in due), default=None), "first due"),
    ]


def _actions_overdue(user, today: date) -> WorkItem:
    """Open board actions past their due date that the user reaches (for a partnership its own; for a
    funder its own and those of the organisations it funds), in one aggregate."""
    return _item("board-actions-overdue", "Board actions overdue", board_actions_for(user).filter(
        status="open", due_date__lt=today), "due_date", "due since")


def _to_decide(user):
    """Returns the commissioner decides one by one: submitted, under allocations no partnership reports on."""
    return QuarterlyReturn.objects.for_user(user).filter(status=QuarterlyReturn.Status.SUBMITTED).exclude(
        project__allocation__partnership_reports=True)


def _partnership_returns(user):
    return PartnershipReturn.objects.for_user(user).filter(status=PartnershipReturn.Status.SUBMITTED)


def _commissioner(user, today: date) -> list[WorkItem]:
    allocations = Allocation.objects.for_user(user)
    return [
        _item("review", "Returns to review", _to_decide(user), "submitted_at", "oldest submitted"),
        _item("partnership-returns", "Partnership returns to decide", _partnership_returns(user), "submitted_at",
              "oldest submitted"),
        _item("virements", "Virements to decide", Virement.objects.for_user(user).filter(
            status=Virement.Status.REQUESTED), "requested_at", "oldest asked"),
        _item("variations", "Variations and re-profiles to decide", Variation.objects.for_user(user).filter(
            status=Variation.Status.REQUESTED), "requested_at", "oldest asked"),
        _item("allocations-draft", "Allocations to approve", allocations.filter(
            status=Allocation.Status.DRAFT), "created_at", "oldest drafted"),
        _item("allocations-approved", "Agreements to sign", allocations.filter(
            status=Allocation.Status.APPROVED), "decision_date", "oldest approved"),
        _item("allocations-signed", "Signed allocations to mark as active", allocations.filter(
            status=Allocation.Status.AGREEMENT_SIGNED), "decision_date", "oldest approved"),
        *_owed_items(owed_returns(Project.objects.for_user(user), today), today,
                     overdue_label="Returns overdue from providers", due_label="Returns due from providers"),
        _actions_overdue(user, today),
    ]


def _viewer(user, today: date) -> list[WorkItem]:
    return [
        _item("review", "Returns awaiting the commissioner", _to_decide(user), "submitted_at", "oldest submitted"),
        _item("partnership-returns", "Partnership returns awaiting the commissioner", _partnership_returns(user),
              "submitted_at", "oldest submitted"),
        *_owed_items(owed_returns(Project.objects.for_user(user), today), today,
                     overdue_label="Returns overdue from providers", due_label="Returns due from providers"),
    ]


def _finance(user, today: date) -> list[WorkItem]:
    due = [row for row in payments_due(user) if row.due <= today]
    ready = [row for row in due if row.ready]
    waiting = [row for row in due if not row.ready]
    to_schedule = arrears_to_schedule(user, today)
    return [
        _item("review", "Spend to verify", QuarterlyReturn.objects.for_user(user).filter(
            status__in=RETURN_SPEND_CHECKABLE).exclude(spend_status=QuarterlyReturn.SpendStatus.VERIFIED),
            "submitted_at", "oldest submitted"),
        WorkItem("arrears-to-schedule", "Quarters paid in arrears ready to schedule", len(to_schedule),
                 min((r.due for r in to_schedule), default=None), "due since"),
        WorkItem("payments-ready", "Payments due to release", len(ready), min((r.due for r in ready), default=None),
                 "due since"),
        WorkItem("payments-waiting", "Payments due but waiting for returns", len(waiting),
                 min((r.due for r in waiting), default=None), "due since"),
        _item("payments-withheld", "Payments withheld", Payment.objects.for_user(user).filter(
            status=Payment.Status.WITHHELD), "allocation__decision_date", "oldest allocation decided"),
        _item("clawbacks", "Clawbacks awaiting money", Clawback.objects.for_user(user).filter(
            status=Clawback.Status.REQUESTED), "requested_on", "oldest asked"),
    ]


def _provider(user, today: date) -> list[WorkItem]:
    returns = QuarterlyReturn.objects.for_user(user).filter(project__provider_id=user.organisation_id)
    delivered = Project.objects.for_user(user).filter(provider_id=user.organisation_id)
    return [
        _item("returns-returned", "Returns sent back to you for amendment",
              returns.filter(status=QuarterlyReturn.Status.RETURNED), "submitted_at", "oldest sent"),
        *_owed_items(owed_returns(delivered, today), today, overdue_label="Returns overdue",
                     due_label="Returns due"),
        _item("virements-mine", "Virement requests awaiting a decision", Virement.objects.for_user(user).filter(
            status=Virement.Status.REQUESTED, from_line__project__provider_id=user.organisation_id), "requested_at",
            "oldest asked"),
        _item("variations-mine", "Variations and re-profiles awaiting a decision", Variation.objects.for_user(user).filter(
            Q(allocation__recipient_id=user.organisation_id) | Q(project__provider_id=user.organisation_id),
            status=Variation.Status.REQUESTED), "requested_at", "oldest asked"),
    ]


def _partnership_manager(user, today: date) -> list[WorkItem]:
    """What a partnership's own review owes: its providers' submitted returns, and its returns sent back."""
    org = user.organisation_id
    return [
        _item("partnership-review", "Providers' returns to review", QuarterlyReturn.objects.for_user(user).filter(
            status=QuarterlyReturn.Status.SUBMITTED, passed_on_at__isnull=True,
            project__allocation__partnership_reports=True, project__allocation__recipient_id=org),
            "submitted_at", "oldest submitted"),
        _item("partnership-returned", "Partnership returns sent back to you for amendment",
              PartnershipReturn.objects.for_user(user).filter(
                  status=PartnershipReturn.Status.RETURNED, allocation__recipient_id=org), "submitted_at",
              "oldest submitted"),
        _actions_overdue(user, today),
    ]


def _administrator(user, today: date) -> list[WorkItem]:
    people = users_for_administrator(user).filter(is_active=True)
    # Funded organisations (holding an allocation or delivering a project that still reports) with nobody
    # who can sign in to send their returns.
    funded = organisations_for_administrator(user).filter(
        Q(allocations__status__in=ALLOCATION_LIVE, allocations__programme__commissioner_id=user.organisation_id)
        | Q(projects_delivered__allocation__status__in=ALLOCATION_LIVE,
            projects_delivered__allocation__programme__commissioner_id=user.organisation_id),
    ).exclude(pk=user.organisation_id).distinct()
    return [
        # An invited person's password is unusable until they set one from the invitation's link.
        _item("invitations", "Invitations not yet accepted", people.filter(
            password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login__isnull=True), "date_joined", "oldest sent"),
        WorkItem("organisations-unstaffed", "Funded organisations with nobody to sign in",
                 funded.filter(user_count=0).count(), None, ""),
    ]


def work_list(user, today: date) -> list[WorkItem]:
    """What needs `user` now, by role. Every kind their role acts on is listed, none or some."""
    if not user.organisation_id or not user.role:
        return []
    if user.is_partnership_manager:
        return [*_partnership_manager(user, today), *_provider(user, today)]
    if user.is_provider:
        return _provider(user, today)
    if user.is_finance:
        return _finance(user, today)
    if user.is_commissioner:
        return _commissioner(user, today)
    if user.is_viewer:
        return _viewer(user, today)
    if user.is_administrator:
        return _administrator(user, today)
    return []
