"""Money out: payments, clawback of unspent grant, and virements between budget lines."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from grants import figures
from grants.choices import ClawbackKind, ClawbackStatus, PaymentStatus
from grants.periods import Quarter

from .common import FinancialYearField, long_text, money_field, non_negative, quarter_field, quarter_range, single_line, text_limits
from .programmes import Allocation
from .projects import BudgetLine
from .returns import QuarterlyReturn
from .scoping import ScopedQuerySet, payment_scope, project_scope


class PaymentQuerySet(ScopedQuerySet):
    scope = (payment_scope, "")


class Payment(models.Model):
    """A payment due or made against an allocation for one quarter."""

    Status = PaymentStatus

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="payments")
    financial_year = FinancialYearField()
    quarter = quarter_field()
    amount = money_field("amount")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    returns = models.ManyToManyField(
        QuarterlyReturn, through="PaymentReturn", blank=True, related_name="payments",
        help_text="For payment in arrears: the returns whose verified spend it pays.",
    )
    reference = models.CharField("payment reference", max_length=100, blank=True, validators=[single_line])
    paid_on = models.DateField(null=True, blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    released_at = models.DateTimeField(null=True, blank=True)
    withheld_reason = long_text()
    # Part of a quarter paid: the rest, withheld with its reason, is this payment's balance (a payment of the
    # same quarter whose `balance_of` is the part paid), released later.
    balance_of = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True, related_name="balance")
    # The finance codes, copied from the recipient, programme and allocation when the payment is released.
    supplier_number = models.CharField(max_length=30, blank=True, editable=False)
    cost_centre = models.CharField(max_length=30, blank=True, editable=False)
    ledger_code = models.CharField(max_length=30, blank=True, editable=False)
    purchase_order = models.CharField(max_length=30, blank=True, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = PaymentQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "financial_year", "quarter", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "financial_year", "quarter"],
                                    condition=models.Q(balance_of__isnull=True),
                                    name="one_payment_per_allocation_quarter"),
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
            *text_limits("payment", "withheld_reason"),
        ]

    def __str__(self):
        return f"Payment for {self.period.label}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)


class PaymentReturn(models.Model):
    """A return whose verified spend a payment in arrears pays: the return cannot be deleted while paid."""

    payment = models.ForeignKey(Payment, on_delete=models.CASCADE, related_name="+")
    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "quarterly_return"], name="payment_return_once"),
        ]


class ClawbackQuerySet(ScopedQuerySet):
    scope = (payment_scope, "")


class Clawback(models.Model):
    """Recovery of unspent or misspent grant from an allocation."""

    Status = ClawbackStatus
    Kind = ClawbackKind

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="clawbacks")
    kind = models.CharField(
        "what is recovered", max_length=10, choices=Kind.choices, default=Kind.UNDERSPEND,
        help_text="Unspent grant, or spend found ineligible (which then no longer counts as verified spend).",
    )
    amount = money_field("amount")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    reason = long_text(blank=False, help_text="Why money is being recovered, or why recovery was waived.")
    requested_on = models.DateField()
    received_on = models.DateField(null=True, blank=True)
    waived_on = models.DateField(null=True, blank=True)
    waived_reason = long_text(help_text="Why the commissioner will not recover the money.")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = ClawbackQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "requested_on", "pk"]
        constraints = [
            non_negative("amount", "clawback_amount_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(status="received") | models.Q(received_on__isnull=False),
                name="received_clawback_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="waived") | (~models.Q(waived_reason="") & models.Q(waived_on__isnull=False)),
                name="waived_clawback_has_reason_and_date",
            ),
            *text_limits("clawback", "reason", "waived_reason"),
        ]

    def __str__(self):
        return f"Clawback of £{self.amount:,.2f} from {self.allocation}"


class VirementQuerySet(ScopedQuerySet):
    """Virements on the lines of projects the user reaches (through either line)."""

    def for_user(self, user):
        from_line = project_scope(user, "from_line__project__")
        to_line = project_scope(user, "to_line__project__")
        if from_line is None:
            return self.none()
        return self.filter(from_line | to_line)


class Virement(models.Model):
    """A request to move budget from one line to another, decided by the commissioner."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Requested"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    from_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="virements_out")
    to_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="virements_in")
    amount = money_field("amount")
    # The quarter whose profile moves: the from line's profile for it goes down by
    # the amount and the to line's goes up.
    quarter = models.PositiveSmallIntegerField(
        "quarter",
        choices=[(1, "Q1 (Apr–Jun)"), (2, "Q2 (Jul–Sep)"), (3, "Q3 (Oct–Dec)"), (4, "Q4 (Jan–Mar)")],
    )
    reason = long_text(blank=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = long_text()
    # Set on approval when the money crossed between capital and revenue, as the lines stood then.
    crossed_capital_revenue = models.BooleanField("crossed between capital and revenue", default=False,
                                                  editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = VirementQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="virement_amount_positive"),
            models.CheckConstraint(condition=~models.Q(from_line=models.F("to_line")), name="virement_between_two_lines"),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4),
                name="virement_quarter_1_to_4",
            ),
            *text_limits("virement", "reason", "decision_note"),
        ]

    def __str__(self):
        return f"Virement of £{self.amount:,.2f} from {self.from_line.description} to {self.to_line.description}"

    @property
    def crosses_capital_revenue(self) -> bool:
        """Whether the money crosses (or, once approved, crossed) between capital and revenue."""
        if self.status == self.Status.APPROVED:
            return self.crossed_capital_revenue
        return figures.crosses_capital_revenue(self.from_line.category, self.to_line.category)
