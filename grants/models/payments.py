"""Money out: payments, clawback of unspent grant, and virements between budget lines."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .common import FinancialYearField, money_field, non_negative, quarter_field, quarter_range
from .programmes import Allocation
from .projects import BudgetLine
from .returns import QuarterlyReturn
from .scoping import ScopedQuerySet, payment_scope


class PaymentQuerySet(ScopedQuerySet):
    scope = (payment_scope, "")


class Payment(models.Model):
    """A payment due or made against an allocation for one quarter."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        RELEASED = "released", "Released"
        WITHHELD = "withheld", "Withheld"

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="payments")
    financial_year = FinancialYearField()
    quarter = quarter_field()
    amount = money_field("amount")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    quarterly_return = models.ForeignKey(
        QuarterlyReturn, on_delete=models.PROTECT, null=True, blank=True, related_name="payments",
        help_text="For payment in arrears: the return whose verified spend it pays.",
    )
    reference = models.CharField("payment reference", max_length=100, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    withheld_reason = models.TextField(blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "financial_year", "quarter"], name="one_payment_per_allocation_quarter"),
            non_negative("amount", "payment_amount_not_negative"),
            quarter_range("payment_quarter_1_to_4"),
            models.CheckConstraint(
                condition=~models.Q(status="released") | (~models.Q(reference="") & models.Q(paid_on__isnull=False)),
                name="released_payment_has_reference_and_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withheld") | ~models.Q(withheld_reason=""),
                name="withheld_payment_has_reason",
            ),
        ]


class Clawback(models.Model):
    """Recovery of unspent or misspent grant from an allocation."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        RECEIVED = "received", "Received"
        WAIVED = "waived", "Waived"

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="clawbacks")
    amount = money_field("amount")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = models.TextField(help_text="Why money is being recovered, or why recovery was waived.")
    requested_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    class Meta:
        constraints = [
            non_negative("amount", "clawback_amount_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status="received") | models.Q(received_on__isnull=False),
                name="received_clawback_has_date",
            ),
        ]


class Virement(models.Model):
    """A request to move budget from one line to another, decided by the commissioner."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    from_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="virements_out")
    to_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="virements_in")
    amount = money_field("amount")
    reason = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="virement_amount_positive"),
            models.CheckConstraint(condition=~models.Q(from_line=models.F("to_line")), name="virement_between_two_lines"),
        ]
