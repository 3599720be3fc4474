"""Funding programmes and the allocations they make."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from grants import figures
from grants.choices import ALLOCATION_COMMITTED, ALLOCATION_LIVE, ALLOCATION_SIGNED, AllocationStatus, VariationStatus
from grants.periods import FinancialYear

from .common import (
    FinancialYearField, long_text, money_field, non_negative, percent_field, percent_range, single_line, text_limits,
)
from .organisations import Organisation
from .scoping import ScopedQuerySet, allocation_scope, programme_scope


class ProgrammeQuerySet(ScopedQuerySet):
    scope = (programme_scope, "")

    def running_in(self, financial_year: int):
        """Programmes of `financial_year`: those that start in it, and those over several years that run
        into it."""
        return self.filter(models.Q(financial_year=financial_year)
                           | models.Q(financial_year__lt=financial_year, last_financial_year__gte=financial_year))


class Programme(models.Model):
    """A funding stream for one financial year, with its own rules."""

    class PaymentTerms(models.TextChoices):
        ARREARS = "arrears", "Quarterly in arrears, against a return with verified spend"
        ADVANCE = "advance", "Quarterly in advance, once the agreement is signed"

    class AdvanceSplit(models.TextChoices):
        PROFILE = "profile", "As the projects' spend is profiled"
        EQUAL = "equal", "In equal instalments"

    commissioner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="programmes")
    name = models.CharField(max_length=200, validators=[single_line])
    code = models.SlugField(max_length=40, help_text="A short code used in exports, for example CSF-2023.")
    financial_year = FinancialYearField()
    # The last of several financial years (kept with the ProgrammeYear rows); None for a programme of one.
    last_financial_year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    funding_source = models.CharField(
        max_length=200, validators=[single_line],
        help_text="Where the money comes from, for example “Home Office Serious Violence Duty”.",
    )
    description = long_text()
    total_budget = money_field("total budget")
    payment_terms = models.CharField(max_length=10, choices=PaymentTerms.choices, default=PaymentTerms.ARREARS)
    # Paid in advance: how the allocation is split between its quarters, and whether an advance waits for the
    # returns of the quarter before it (not in advance of need).
    advance_split = models.CharField(
        "advance instalments", max_length=10, choices=AdvanceSplit.choices, default=AdvanceSplit.PROFILE,
        help_text="Paid in advance: each quarter's payment follows the projects' profiled spend, or is an equal "
        "share.")
    hold_advance_for_returns = models.BooleanField(
        "hold each advance until the previous quarter's returns are approved", default=False,
        help_text="Paid in advance: a quarter's payment is released only once every return of the quarter before "
        "it is approved.")
    # Documents the grant's conditions require before money is released (grants.services.documents).
    agreement_before_payment = models.BooleanField(
        "signed agreement attached before the first payment", default=False,
        help_text="The first payment of an allocation is released only once its signed agreement is attached.")
    safeguarding_before_payment = models.BooleanField(
        "safeguarding evidence attached before any payment", default=False,
        help_text="A payment is released only once evidence of safeguarding (for example DBS) checks is attached to "
        "the allocation.")
    # Finance codes, carried onto each payment.
    cost_centre = models.CharField(max_length=30, blank=True, validators=[single_line],
                                   help_text="The finance system's cost centre the programme is charged to.")
    ledger_code = models.CharField(max_length=30, blank=True, validators=[single_line],
                                   help_text="The finance system's ledger (nominal) code for the grant payments.")
    return_due_days = models.PositiveSmallIntegerField(
        "days after quarter end that returns are due", default=30, validators=[MaxValueValidator(120)]
    )
    reminder_days_before = models.PositiveSmallIntegerField(
        "reminder days before due date", default=7, validators=[MaxValueValidator(60)]
    )
    overdue_reminder_days = models.PositiveSmallIntegerField(
        "overdue reminder days after due date", default=7, validators=[MaxValueValidator(60)]
    )
    variance_threshold_percent = percent_field(
        "variance threshold (%)",
        default=Decimal("10.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Spend that differs from profile by more than this needs an explanation.",
    )
    over_allocation_percent = percent_field(
        "over-allocation allowance (%)",
        default=Decimal("0.00"),
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="How far approved allocations may exceed the budget, expecting underspend.",
    )
    forbid_capital_revenue_virements = models.BooleanField(
        "refuse virements between capital and revenue", default=False,
        help_text="Money may not move between capital and revenue budget lines. Where it may, each such "
        "virement is still approved explicitly.",
    )
    # Bumped by every change, so that an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = ProgrammeQuerySet.as_manager()

    class Meta:
        ordering = ["-financial_year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["commissioner", "code", "financial_year"], name="programme_code_unique_per_year"
            ),
            non_negative("total_budget", "programme_budget_not_negative"),
            percent_range("variance_threshold_percent", "programme_variance_threshold_0_100"),
            percent_range("over_allocation_percent", "programme_over_allocation_0_100"),
            *text_limits("programme", "description"),
        ]

    def __str__(self):
        return f"{self.name} {self.years_label}"

    @property
    def year(self) -> FinancialYear:
        """The programme's first (or only) financial year."""
        return FinancialYear(self.financial_year)

    @property
    def years_label(self) -> str:
        """"2023-24", or "2018-19 to 2019-20" for a programme over several years."""
        if self.last_financial_year and self.last_financial_year != self.financial_year:
            return f"{self.year} to {FinancialYear(self.last_financial_year)}"
        return str(self.year)

    @property
    def allocation_ceiling(self) -> Decimal:
        """The most that may be approved: the budget plus the over-allocation allowance."""
        return figures.allocation_ceiling(self.total_budget, self.over_allocation_percent)


class ProgrammeYear(models.Model):
    """One financial year's budget of a programme that runs over several (grants.services.years). A
    programme of one year has none: its budget is its `total_budget`, in its `financial_year`."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="years")
    financial_year = FinancialYearField()
    budget = money_field("budget for the year")
    history = HistoricalRecords()

    class Meta:
        ordering = ["programme", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "financial_year"], name="programme_year_once"),
            non_negative("budget", "programme_year_budget_not_negative"),
        ]

    def __str__(self):
        return f"{self.programme.name} {FinancialYear(self.financial_year)}"


class AllocationQuerySet(ScopedQuerySet):
    scope = (allocation_scope, "")

    def committed(self):
        """Decided allocations (approved, signed, active, closed): they count against the programme's
        budget, and are reported and published."""
        return self.filter(status__in=ALLOCATION_COMMITTED)

    def live(self):
        """Allocations still funding work (approved, signed, active): their projects owe returns."""
        return self.filter(status__in=ALLOCATION_LIVE)

    def signed(self):
        """Allocations under a signed agreement (signed, active): payments can be released."""
        return self.filter(status__in=ALLOCATION_SIGNED)


class Allocation(models.Model):
    """Money a programme awards to a recipient organisation under a grant agreement."""

    Status = AllocationStatus

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="allocations")
    recipient = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="allocations")
    title = models.CharField(max_length=200, validators=[single_line])
    purpose = long_text(help_text="What the grant is for, in a sentence or two.")
    award_reason = long_text("reason for the award", help_text="Why this recipient was funded, and how the amount "
                             "was set: for example, a formula or a competitive round.")
    amount = money_field("amount")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    decision_reference = models.CharField(max_length=100, blank=True, validators=[single_line])
    decision_date = models.DateField(null=True, blank=True)
    agreement_signed_on = models.DateField("grant agreement signed on", null=True, blank=True)
    purchase_order = models.CharField("purchase order", max_length=30, blank=True, validators=[single_line],
                                      help_text="The finance system's purchase order raised for the grant.")
    conditions = long_text()
    start_date = models.DateField()
    end_date = models.DateField()
    withdrawn_reason = long_text()
    is_regrant = models.BooleanField(
        "passed on as grants", default=False, help_text="The recipient passes the money on to other providers."
    )
    # The recipient is a partnership that reviews its providers' returns first and reports to the commissioner
    # in one partnership return a quarter (grants.services.partnership).
    partnership_reports = models.BooleanField(
        "the partnership reports", default=False,
        help_text="The partnership reviews its providers' returns and reports to you in one return a quarter.",
    )
    do_not_publish = models.BooleanField("do not publish as open data", default=False)
    do_not_publish_reason = long_text()
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["programme", "recipient__name"]
        constraints = [
            non_negative("amount", "allocation_amount_not_negative"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="allocation_ends_after_start"),
            # Anything past draft rests on a recorded decision.
            models.CheckConstraint(
                condition=models.Q(status__in=["draft", "withdrawn"])
                | (~models.Q(decision_reference="") & models.Q(decision_date__isnull=False)),
                name="allocation_decision_recorded",
            ),
            # Payments are made only under a signed agreement: signed, active and closed allocations say when.
            models.CheckConstraint(
                condition=~models.Q(status__in=["agreement_signed", "active", "closed"])
                | models.Q(agreement_signed_on__isnull=False),
                name="allocation_signed_has_date",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="withdrawn") | ~models.Q(withdrawn_reason=""),
                name="allocation_withdrawal_has_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(do_not_publish=False) | ~models.Q(do_not_publish_reason=""),
                name="allocation_unpublished_has_reason",
            ),
            *text_limits("allocation", "purpose", "award_reason", "conditions", "withdrawn_reason",
                         "do_not_publish_reason"),
        ]

    def __str__(self):
        return f"{self.title} ({self.recipient})"

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.status not in (self.Status.DRAFT, self.Status.WITHDRAWN):
            if not self.decision_reference:
                errors["decision_reference"] = "Enter the reference of the decision that approved this allocation."
            if not self.decision_date:
                errors["decision_date"] = "Enter the date of the decision that approved this allocation."
        if self.status == self.Status.WITHDRAWN and not self.withdrawn_reason:
            errors["withdrawn_reason"] = "Say why the allocation was withdrawn."
        if self.partnership_reports and self.recipient_id and self.recipient.kind != Organisation.Kind.CSP:
            errors["partnership_reports"] = (f"{self.recipient.name} is not a community safety partnership: only a "
                                             "partnership reports for its providers.")
        if self.do_not_publish and not self.do_not_publish_reason:
            errors["do_not_publish_reason"] = "Say why this allocation must not be published."
        if errors:
            raise ValidationError(errors)


class AllocationYear(models.Model):
    """One financial year's part of an allocation that runs over several, charged to that year of its
    programme (grants.services.years). An allocation of one year has none: its amount is all in the year
    it starts."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="years")
    financial_year = FinancialYearField()
    amount = money_field("amount for the year")
    history = HistoricalRecords()

    class Meta:
        ordering = ["allocation", "financial_year"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "financial_year"], name="allocation_year_once"),
            non_negative("amount", "allocation_year_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.allocation.title} {FinancialYear(self.financial_year)}"


class VariationQuerySet(ScopedQuerySet):
    scope = (allocation_scope, "allocation__")


class Variation(models.Model):
    """A change to an approved allocation: its amount, its end date or its conditions, asked for by the
    recipient or made by the commissioner, decided with a reason (grants.services.variations)."""

    Status = VariationStatus

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="variations")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    # What changes: None (or blank conditions) leaves it as it is.
    amount = models.DecimalField("new amount", max_digits=14, decimal_places=2, null=True, blank=True)
    end_date = models.DateField("new end date", null=True, blank=True)
    conditions = long_text("new conditions")
    # A re-profile of one project's quarterly spend for one year instead (its lines in `profile_changes`).
    project = models.ForeignKey("grants.Project", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="reprofiles")
    # The re-profile's year; for a new amount, the financial year the change falls on (None: the last).
    financial_year = FinancialYearField(null=True, blank=True)
    # A reallocation of underspend: this variation (down) and the one it moves to (up), decided together.
    moves_to = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="moved_from")
    reason = long_text(blank=False)
    # What they were, kept on approval.
    previous_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    previous_end_date = models.DateField(null=True, blank=True, editable=False)
    requested_by = models.ForeignKey("grants.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey("grants.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = long_text()
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = VariationQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(amount__isnull=False) | models.Q(end_date__isnull=False) | ~models.Q(conditions="")
                           | models.Q(project__isnull=False)),
                name="variation_changes_something",
            ),
            models.CheckConstraint(
                condition=(models.Q(project__isnull=True, financial_year__isnull=True)
                           | models.Q(project__isnull=True, financial_year__isnull=False, amount__isnull=False)
                           | models.Q(project__isnull=False, financial_year__isnull=False, amount__isnull=True,
                                      end_date__isnull=True, conditions="")),
                name="variation_reprofile_only_reprofiles",
            ),
            models.CheckConstraint(condition=models.Q(amount__isnull=True) | models.Q(amount__gte=0),
                                   name="variation_amount_not_negative"),
            *text_limits("variation", "conditions", "reason", "decision_note"),
        ]

    def __str__(self):
        return f"Variation {self.pk} of {self.allocation.title}"

    @property
    def is_reprofile(self) -> bool:
        return self.project_id is not None
