"""
Reads for money out: the quarters an allocation covers and what its returns say about each, the
payment schedule, where every pound of an allocation stands (the underspend), the finance page and a
provider's own funding.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, OuterRef, Prefetch, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone

from grants import figures
from grants.choices import (
    ALLOCATION_COMMITTED,
    ALLOCATION_SIGNED,
    RETURN_SPEND_CHECKABLE,
)
from grants.models import (
    Allocation,
    Clawback,
    Payment,
    Programme,
    Project,
    QuarterlyReturn,
    SpendLine,
)
from grants.models.common import ZERO
from grants.periods import FinancialYear, Quarter

from .common import _sum_of
from .documents import documents_missing_for


def allocation_quarters(allocation: Allocation) -> list[Quarter]:
    return list(Quarter.covering(allocation.start_date, allocation.end_date))


@dataclass
class QuarterSpend:
    """The allocation's verified spend in one quarter, and whether every return for it is in."""

    quarter: Quarter
    verified: Decimal = ZERO
    waiting: list[str] = field(default_factory=list)  # what stops the quarter being paid in arrears
    not_approved: list[str] = field(default_factory=list)  # the returns of the quarter missing or not approved
    projects: int = 0
    returns: list[int] = field(default_factory=list)  # the approved returns whose verified spend it pays

    @property
    def ready(self) -> bool:
        return self.projects > 0 and not self.waiting


def quarter_spend(allocation_ids, quarters_by_allocation: dict[int, list[Quarter]]) -> dict[tuple[int, Quarter], QuarterSpend]:
    """For each allocation and quarter asked for: the spend verified on approved returns, and which
    projects' returns are missing, unapproved or unverified. Three queries whatever the numbers."""
    projects = list(Project.objects.filter(allocation_id__in=allocation_ids).only(
        "pk", "name", "allocation_id", "start_date", "end_date").order_by("name", "pk"))
    returns = {
        (row["project_id"], Quarter(row["financial_year"], row["quarter"])): {**row, "spent": ZERO}
        for row in QuarterlyReturn.objects.filter(project__allocation_id__in=allocation_ids)
        .values("pk", "project_id", "financial_year", "quarter", "status", "spend_status")
    }
    # Added up here, in decimals, so that the pennies are exact on every database.
    by_pk = {row["pk"]: row for row in returns.values()}
    for return_id, actual in SpendLine.objects.entered().filter(
            quarterly_return__project__allocation_id__in=allocation_ids,
    ).values_list("quarterly_return_id", "actual"):
        by_pk[return_id]["spent"] += actual
    result = {}
    for allocation_id, quarters in quarters_by_allocation.items():
        for quarter in quarters:
            spend = QuarterSpend(quarter)
            for project in projects:
                if project.allocation_id != allocation_id or not project.first_quarter <= quarter <= project.last_quarter:
                    continue
                spend.projects += 1
                row = returns.get((project.pk, quarter))
                if row is None:
                    spend.waiting.append(f"{project.name}: no return yet")
                    spend.not_approved.append(spend.waiting[-1])
                    continue
                approved = row["status"] == QuarterlyReturn.Status.APPROVED
                verified = row["spend_status"] == QuarterlyReturn.SpendStatus.VERIFIED
                if approved and verified:
                    spend.verified += row["spent"]
                    spend.returns.append(row["pk"])
                elif not approved:
                    spend.waiting.append(f"{project.name}: return {QuarterlyReturn.Status(row['status']).label.lower()}")
                    spend.not_approved.append(spend.waiting[-1])
                else:
                    spend.waiting.append(f"{project.name}: spend {QuarterlyReturn.SpendStatus(row['spend_status']).label.lower()}")
            result[allocation_id, quarter] = spend
    return result


def ever_scheduled(allocation: Allocation) -> set[Quarter]:
    """Every quarter the allocation has had a payment for, from the audit history: a payment deleted
    since (which the services never do) still counts, so that its quarter is never paid twice."""
    return {Quarter(year, number) for year, number in
            Payment.history.filter(allocation_id=allocation.pk).values_list("financial_year", "quarter").distinct()}


@dataclass
class Underspend:
    """Where every pound of an allocation stands."""

    amount: Decimal
    verified_spend: Decimal  # net of spend found ineligible (figures.eligible_spend)
    unverified_spend: Decimal  # reported on returns but not yet approved and verified
    released: Decimal
    scheduled: Decimal
    withheld: Decimal
    clawback_requested: Decimal
    clawback_received: Decimal
    clawback_waived: Decimal
    ineligible: Decimal = ZERO  # spend found ineligible and asked back (requested or received)
    known: bool = True  # whether the underspend can be told yet (figures.underspend_known)

    @property
    def not_spent(self) -> Decimal | None:
        """The underspend: the part of the allocation not verified as spent, once the allocation has
        ended or closed; None ("not yet known") before then."""
        return figures.final_underspend(self.amount, self.verified_spend, self.known)

    @property
    def not_paid(self) -> Decimal:
        """The part of the allocation not released."""
        return self.amount - self.released

    @property
    def paid_not_spent(self) -> Decimal:
        """Released but not verified as spent: what could be recovered."""
        return max(self.released - self.verified_spend, ZERO)

    @property
    def to_recover(self) -> Decimal:
        """What is paid but not spent and not yet asked back (or waived)."""
        return max(self.paid_not_spent - self.clawback_requested - self.clawback_received - self.clawback_waived, ZERO)

    @property
    def recoverable_at_most(self) -> Decimal:
        """The most a new clawback may ask for: what was released, less clawbacks not waived."""
        return max(self.released - self.clawback_requested - self.clawback_received, ZERO)

    @property
    def net_paid(self) -> Decimal:
        return figures.net_paid(self.released, self.clawback_received)


def underspend(allocation: Allocation, today: date | None = None) -> Underspend:
    """The allocation's money, from verified spend, payments and clawbacks, added up in decimals, with
    whether its underspend is known on `today` (the local date unless given). Three queries."""
    today = today or timezone.localdate()
    verified = reported = ZERO
    for status, spend_status, actual in SpendLine.objects.reported().filter(
            quarterly_return__project__allocation=allocation,
    ).values_list("quarterly_return__status", "quarterly_return__spend_status", "actual"):
        if status == QuarterlyReturn.Status.APPROVED and spend_status == QuarterlyReturn.SpendStatus.VERIFIED:
            verified += actual
        reported += actual
    payments, clawbacks, ineligible = {}, {}, ZERO
    for status, amount in Payment.objects.filter(allocation=allocation).values_list("status", "amount"):
        payments[status] = payments.get(status, ZERO) + amount
    for status, kind, amount in Clawback.objects.filter(allocation=allocation).values_list("status", "kind", "amount"):
        clawbacks[status] = clawbacks.get(status, ZERO) + amount
        if kind == Clawback.Kind.INELIGIBLE and status != Clawback.Status.WAIVED:
            ineligible += amount
    return Underspend(
        amount=allocation.amount, verified_spend=figures.eligible_spend(verified, ineligible),
        unverified_spend=reported - verified, ineligible=ineligible,
        released=payments.get(Payment.Status.RELEASED, ZERO), scheduled=payments.get(Payment.Status.SCHEDULED, ZERO),
        withheld=payments.get(Payment.Status.WITHHELD, ZERO),
        clawback_requested=clawbacks.get(Clawback.Status.REQUESTED, ZERO),
        clawback_received=clawbacks.get(Clawback.Status.RECEIVED, ZERO),
        clawback_waived=clawbacks.get(Clawback.Status.WAIVED, ZERO),
        known=figures.underspend_known(allocation.status, allocation.end_date, today),
    )


@dataclass
class ScheduleRow:
    """One quarter of an allocation: its payment (or none yet) and, in arrears, what its returns say."""

    quarter: Quarter
    payment: Payment | None
    spend: QuarterSpend | None  # None for payment in advance
    due: date
    balance: bool = False  # the balance of a quarter paid in part, on a row of its own

    @property
    def waiting(self) -> list[str]:
        return self.spend.waiting if self.spend is not None else []

    @property
    def not_yet(self) -> str:
        """Why the quarter has no payment (yet); "" once it has one. In arrears the amount is not known
        until every return for the quarter is approved with verified spend: no payment before then."""
        if self.payment is not None:
            return ""
        if self.spend is None:
            return "Not scheduled yet"
        if not self.spend.projects:
            return "No project runs in this quarter"
        if self.spend.ready:
            return "Returns approved with verified spend: the payment is scheduled next"
        returns = "returns are" if self.spend.projects > 1 else "return is"
        return f"Worked out when the {self.quarter.label} {returns} approved"


def payment_schedule(user, allocation: Allocation, today: date) -> list[ScheduleRow]:
    """Every quarter the allocation covers with its payment, as the user may see it. Three queries."""
    quarters = allocation_quarters(allocation)
    payments, balances = {}, {}
    for p in Payment.objects.for_user(user).filter(allocation=allocation).select_related("released_by"):
        if p.balance_of_id is None:
            payments[p.period] = p
        else:
            balances.setdefault(p.period, []).append(p)
    advance = allocation.programme.payment_terms == Programme.PaymentTerms.ADVANCE
    spend = {} if advance else quarter_spend([allocation.pk], {allocation.pk: quarters})
    rows = []
    for quarter in quarters:
        due = quarter.start if advance else quarter.due_date(allocation.programme.return_due_days)
        rows.append(ScheduleRow(quarter, payments.get(quarter), spend.get((allocation.pk, quarter)), due))
        rows += [ScheduleRow(quarter, p, spend.get((allocation.pk, quarter)), due, balance=True)
                 for p in balances.get(quarter, [])]
    return rows


def payment_for_user(user, pk: int) -> Payment:
    return get_object_or_404(
        Payment.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient",
                                                       "released_by"),
        pk=pk,
    )


def clawbacks_for(user, allocation: Allocation):
    return Clawback.objects.for_user(user).filter(allocation=allocation).select_related("recorded_by").order_by(
        "requested_on", "pk")


def clawback_for_user(user, pk: int) -> Clawback:
    return get_object_or_404(
        Clawback.objects.for_user(user).select_related("allocation__programme__commissioner", "allocation__recipient"),
        pk=pk,
    )


@dataclass
class DueRow:
    payment: Payment
    due: date
    waiting: list

    @property
    def ready(self) -> bool:
        return not self.waiting


@dataclass
class VarianceRow:
    allocation: Allocation
    profile: Decimal
    actual: Decimal

    @property
    def variance(self) -> Decimal:
        return figures.variance(self.actual, self.profile)

    @property
    def percent(self) -> Decimal | None:
        return figures.shown_percent(figures.variance_percent(self.actual, self.profile))


@dataclass
class FinancePage:
    due: list
    withheld: list
    to_verify: object
    variances: list
    released_by_programme: list
    year: FinancialYear
    clawbacks: list
    to_schedule: list
    verified_by_kind: list  # VerifiedByKind per programme: the year's verified spend, capital and revenue apart


@dataclass
class VerifiedByKind:
    programme_id: int
    programme: str
    financial_year: int
    capital: Decimal = ZERO
    revenue: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.capital + self.revenue


def verified_by_kind(user, year: FinancialYear) -> list[VerifiedByKind]:
    """Spend verified on the returns of `year`, by programme, capital and revenue apart (figures.spend_kind).
    One grouped query."""
    rows: dict[int, VerifiedByKind] = {}
    for programme_id, name, programme_year, kind, total in (
        SpendLine.objects.verified()
        .filter(quarterly_return__project__in=Project.objects.for_user(user),
                quarterly_return__financial_year=year.start_year)
        .annotate(kind=figures.spend_kind_sql("budget_line__category"))
        .values_list("quarterly_return__project__allocation__programme_id",
                     "quarterly_return__project__allocation__programme__name",
                     "quarterly_return__project__allocation__programme__financial_year", "kind")
        .annotate(total=Sum("actual"))
        .order_by("quarterly_return__project__allocation__programme__name", "quarterly_return__project__allocation__programme_id")
    ):
        row = rows.setdefault(programme_id, VerifiedByKind(programme_id, name, programme_year))
        setattr(row, kind, getattr(row, kind) + figures.pennies(total))
    return list(rows.values())


def _held_for(payment: Payment) -> Quarter | None:
    """The quarter whose returns an advance waits for, where its programme holds advances until the previous
    quarter's returns are approved and the allocation ran in that quarter; None otherwise."""
    allocation = payment.allocation
    if not allocation.programme.hold_advance_for_returns:
        return None
    previous = payment.period.previous()
    return previous if previous in allocation_quarters(allocation) else None


def _due_rows(user, payments) -> list[DueRow]:
    """Each payment with what it waits for, as its release would say: in arrears, its quarter's returns; in
    advance where the programme holds advances, the previous quarter's approvals; the documents the
    programme requires. A fixed number of queries."""
    payments = list(payments)
    wanted: dict[int, list] = {}
    for p in payments:
        if p.allocation.programme.payment_terms == Programme.PaymentTerms.ARREARS:
            wanted.setdefault(p.allocation_id, []).append(p.period)
        elif _held_for(p) is not None:
            wanted.setdefault(p.allocation_id, []).append(_held_for(p))
    spend = quarter_spend(list(wanted), wanted) if wanted else {}
    documents = documents_missing_for(payments)
    rows = []
    for p in payments:
        programme = p.allocation.programme
        waiting = list(documents.get(p.pk, []))
        if programme.payment_terms == Programme.PaymentTerms.ARREARS:
            rows.append(DueRow(p, p.period.due_date(programme.return_due_days),
                               spend[p.allocation_id, p.period].waiting + waiting))
            continue
        held = _held_for(p)
        if held is not None:
            waiting = [f"{held.label} {note}" for note in spend[p.allocation_id, held].not_approved] + waiting
        rows.append(DueRow(p, p.period.start, waiting))
    return rows


def payments_due(user) -> list[DueRow]:
    """Scheduled payments on signed agreements, those that can be released first, then by due date.
    A fixed number of queries."""
    payments = Payment.objects.for_user(user).select_related("allocation__programme", "allocation__recipient")
    due = _due_rows(user, payments.filter(status=Payment.Status.SCHEDULED, allocation__status__in=ALLOCATION_SIGNED)
                    .order_by("financial_year", "quarter", "pk"))
    due.sort(key=lambda row: (not row.ready, row.due, row.payment.allocation.title))
    return due


@dataclass
class ToSchedule:
    """An ended quarter of an allocation paid in arrears whose returns are all approved with verified
    spend, and which has no payment yet: drawing up the schedule makes its payment."""

    allocation: Allocation
    quarter: Quarter
    verified: Decimal
    due: date


def arrears_to_schedule(user, today: date) -> list[ToSchedule]:
    """Every such quarter in the user's reach, oldest first. Five queries whatever the numbers."""
    allocations = {a.pk: a for a in Allocation.objects.for_user(user).filter(
        status__in=ALLOCATION_SIGNED, programme__payment_terms=Programme.PaymentTerms.ARREARS,
    ).select_related("programme", "recipient")}
    ended = {pk: [q for q in allocation_quarters(a) if q.end < today] for pk, a in allocations.items()}
    ended = {pk: quarters for pk, quarters in ended.items() if quarters}
    if not ended:
        return []
    # A quarter that ever had a payment (the audit history keeps deleted ones) is never scheduled again.
    scheduled = {(pk, Quarter(year, number)) for pk, year, number in Payment.history.filter(
        allocation_id__in=list(ended)).values_list("allocation_id", "financial_year", "quarter").distinct()}
    spend = quarter_spend(list(ended), ended)
    rows = [
        ToSchedule(allocations[pk], quarter, spend[pk, quarter].verified,
                   quarter.due_date(allocations[pk].programme.return_due_days))
        for pk, quarters in ended.items() for quarter in quarters
        if (pk, quarter) not in scheduled and spend[pk, quarter].ready
    ]
    rows.sort(key=lambda row: (row.quarter, row.allocation.title, row.allocation.pk))
    return rows


def largest_variances(user, limit: int = 10) -> list[VarianceRow]:
    """Allocations whose approved spend is furthest from the profile of the same quarters, largest first.
    Two queries whatever the number of allocations and returns."""
    allocations = {a.pk: a for a in Allocation.objects.for_user(user).filter(
        status__in=ALLOCATION_COMMITTED).select_related("programme", "recipient")}
    totals: dict[int, list] = {}
    rows = SpendLine.objects.approved().filter(
        quarterly_return__project__allocation_id__in=list(allocations),
    ).values_list("quarterly_return__project__allocation_id", "quarterly_return__quarter", "actual",
                  "budget_line__profile_q1", "budget_line__profile_q2", "budget_line__profile_q3",
                  "budget_line__profile_q4")
    for allocation_id, quarter, actual, *profile in rows:
        total = totals.setdefault(allocation_id, [ZERO, ZERO])
        total[0] += profile[quarter - 1]
        total[1] += actual
    result = [VarianceRow(allocations[pk], profile, actual) for pk, (profile, actual) in totals.items()]
    result = [row for row in result if row.variance]
    result.sort(key=lambda row: (-abs(row.variance), row.allocation.title))
    return result[:limit]


def finance_page(user, today: date, year: FinancialYear | None = None) -> FinancePage:
    """Payments due, returns awaiting spend verification, the largest variances and what was released
    in a financial year (this one unless asked) per programme. A fixed number of queries."""
    year = year or FinancialYear.from_date(today)
    payments = Payment.objects.for_user(user).select_related("allocation__programme", "allocation__recipient")
    withheld = list(payments.filter(status=Payment.Status.WITHHELD).order_by("financial_year", "quarter", "pk"))
    released = (
        Payment.objects.for_user(user)
        .filter(status=Payment.Status.RELEASED, paid_on__gte=year.start, paid_on__lte=year.end)
        .values("allocation__programme_id", "allocation__programme__name", "allocation__programme__financial_year")
        .annotate(total=Sum("amount"), count=Count("pk"))
        .order_by("allocation__programme__name", "allocation__programme__financial_year")
    )
    to_verify = (
        QuarterlyReturn.objects.for_user(user)
        .filter(status__in=RETURN_SPEND_CHECKABLE)
        .exclude(spend_status=QuarterlyReturn.SpendStatus.VERIFIED)
        .select_related("project__allocation__programme", "project__provider")
        .order_by("submitted_at", "pk")
    )
    clawbacks = (
        Clawback.objects.for_user(user).filter(status=Clawback.Status.REQUESTED)
        .select_related("allocation__recipient").order_by("requested_on", "pk")
    )
    return FinancePage(due=payments_due(user), withheld=withheld, to_verify=to_verify,
                       variances=largest_variances(user), released_by_programme=list(released), year=year,
                       clawbacks=list(clawbacks), to_schedule=arrears_to_schedule(user, today),
                       verified_by_kind=verified_by_kind(user, year))


# A provider's funding ------------------------------------------------------------------------


def provider_allocations(user):
    """The allocations made to the user's organisation, with their payments and clawbacks (read-only)."""
    released = Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
    return (
        Allocation.objects.for_user(user)
        .filter(recipient_id=user.organisation_id, status__in=ALLOCATION_COMMITTED)
        .select_related("programme")
        .annotate(released=_sum_of(released, "amount"))
        .prefetch_related(
            Prefetch("payments", queryset=Payment.objects.for_user(user).order_by("financial_year", "quarter")),
            Prefetch("clawbacks", queryset=Clawback.objects.for_user(user).order_by("requested_on", "pk")),
        )
        .order_by("-programme__financial_year", "title")
    )
