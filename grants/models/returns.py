"""Quarterly returns: what a provider reports each quarter, and what happened to it."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from grants.choices import RETURN_AWAITING, RETURN_REPORTED, ReturnStatus, SpendStatus
from grants.figures import rate
from grants.periods import Quarter

from .common import RAG, ZERO, FinancialYearField, long_text, non_negative, quarter_field, quarter_range, text_limits
from .projects import (
    BudgetLine,
    OutcomeMeasure,
    Project,
    ProjectMeasure,
    check_measure_value,
    check_rate_parts,
    measure_value_constraints,
)
from .scoping import ScopedQuerySet, allocation_scope, project_scope


class ReturnQuerySet(ScopedQuerySet):
    scope = (project_scope, "project__")

    def approved(self):
        """Only approved figures count in reports."""
        return self.filter(status=ReturnStatus.APPROVED)

    def reported(self):
        """Returns sent to the commissioner at least once: submitted, sent back or approved."""
        return self.filter(status__in=RETURN_REPORTED)

    def awaiting(self):
        """Reported but not approved: their figures are shown apart, as awaiting approval."""
        return self.filter(status__in=RETURN_AWAITING)


class SpendLineQuerySet(models.QuerySet):
    """Which returns' spend counts, by name: each surface says which one it shows."""

    def entered(self):
        """Spend typed on a return, whatever its status (the return's own page and list row)."""
        return self.filter(actual__isnull=False)

    def reported(self):
        """Spend on returns sent at least once (not drafts): what a budget line cannot be cut below."""
        return self.entered().filter(quarterly_return__status__in=RETURN_REPORTED)

    def approved(self):
        """Spend on approved returns: what every report, list and workbook counts as spent."""
        return self.entered().filter(quarterly_return__status=ReturnStatus.APPROVED)

    def verified(self):
        """Spend on approved returns that finance has verified: what is paid in arrears."""
        return self.approved().filter(quarterly_return__spend_status=SpendStatus.VERIFIED)


class QuarterlyReturn(models.Model):
    """One project's monitoring return for one quarter."""

    Status = ReturnStatus
    SpendStatus = SpendStatus

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="returns")
    financial_year = FinancialYearField()
    quarter = quarter_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    spend_status = models.CharField(max_length=12, choices=SpendStatus.choices, default=SpendStatus.NOT_CHECKED)
    spend_note = long_text("finance note")
    progress = long_text("progress this quarter")
    challenges = long_text("challenges")
    case_study = long_text(
        "case study", help_text="Anonymised: no names, addresses or anything that identifies a person."
    )
    risks = long_text("risks and issues")
    self_rag = models.CharField("provider's RAG rating", max_length=5, choices=RAG.choices, blank=True)
    officer_rag = models.CharField("officer's RAG rating", max_length=5, choices=RAG.choices, blank=True)
    # Bumped by every change, so that an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Under an allocation the partnership reports on: when the partnership passed the submitted return on to
    # the commissioner (in its partnership return for the quarter); empty until then and once sent back.
    passed_on_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = ReturnQuerySet.as_manager()

    class Meta:
        ordering = ["project", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["project", "financial_year", "quarter"], name="one_return_per_project_quarter"),
            quarter_range("return_quarter_1_to_4"),
            # Only a return sent to the partnership can have been passed on.
            models.CheckConstraint(condition=models.Q(passed_on_at__isnull=True)
                                   | models.Q(status__in=[ReturnStatus.SUBMITTED, ReturnStatus.APPROVED]),
                                   name="return_passed_on_when_submitted"),
            *text_limits("return", "spend_note", "progress", "challenges", "case_study", "risks"),
        ]

    def __str__(self):
        return f"{self.project} — {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)


class SpendLine(models.Model):
    """Actual spend in the quarter against one budget line."""

    # PROTECT throughout: a return's figures and timeline go only with it, and a return is never deleted.
    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="spend_lines")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="spend_lines")
    # Empty until the provider enters it: £0 spent and "not entered yet" differ.
    actual = models.DecimalField(
        "actual spend this quarter", max_digits=12, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(ZERO, message="Enter an amount of £0 or more.")],
    )
    variance_explanation = long_text()
    history = HistoricalRecords()

    objects = SpendLineQuerySet.as_manager()

    class Meta:
        ordering = ["budget_line"]
        constraints = [
            models.UniqueConstraint(fields=["quarterly_return", "budget_line"], name="one_spend_line_per_budget_line"),
            non_negative("actual", "spend_actual_not_negative"),
            *text_limits("spend", "variance_explanation"),
        ]


class MeasureValue(models.Model):
    """The value reported for one outcome measure in the quarter."""

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="measure_values")
    project_measure = models.ForeignKey(ProjectMeasure, on_delete=models.PROTECT, related_name="values")
    # Copied from the measure so that the database can refuse impossible values.
    unit = models.CharField(max_length=12, choices=OutcomeMeasure.Unit.choices, editable=False)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    # A rate's parts: the value is worked out from them (figures.rate), so that rates pool honestly
    # over quarters and across projects.
    numerator = models.PositiveIntegerField(null=True, blank=True)
    denominator = models.PositiveIntegerField(null=True, blank=True)
    not_collected = models.BooleanField("not collected this quarter", default=False)
    not_collected_reason = long_text()
    history = HistoricalRecords()

    class Meta:
        ordering = ["project_measure"]
        constraints = [
            models.UniqueConstraint(fields=["quarterly_return", "project_measure"], name="one_value_per_measure"),
            models.CheckConstraint(
                condition=models.Q(not_collected=False) | models.Q(value__isnull=True),
                name="measure_value_or_not_collected",
            ),
            models.CheckConstraint(
                condition=models.Q(numerator__isnull=True, denominator__isnull=True)
                | models.Q(numerator__isnull=False, denominator__isnull=False, denominator__gt=0,
                           numerator__lte=models.F("denominator")),
                name="measure_value_rate_parts",
            ),
        ] + measure_value_constraints("value", "measure_value") + text_limits("measure_value", "not_collected_reason")

    def clean_fields(self, exclude=None):
        if self.project_measure_id:
            self.unit = self.project_measure.unit
        super().clean_fields(exclude)

    def clean(self):
        if self.project_measure_id:
            message = check_measure_value(self.unit, self.value, self.project_measure.measure.name)
            if message:
                raise ValidationError({"value": message})
            name = self.project_measure.measure.name
            has_parts = self.numerator is not None or self.denominator is not None
            if has_parts and not self.project_measure.measure.is_rate:
                raise ValidationError({"value": f"{name} is not a rate: it has no numerator or denominator."})
            if has_parts:
                message = check_rate_parts(self.numerator, self.denominator, name)
                if message:
                    raise ValidationError({"value": message})
                if self.value != rate(self.numerator, self.denominator):
                    raise ValidationError({"value": f"{name} must be its numerator over its denominator."})
        if self.not_collected and self.value is not None:
            raise ValidationError({"value": "Either enter a value or say it was not collected, not both."})
        if self.not_collected and not self.not_collected_reason.strip():
            raise ValidationError({"not_collected_reason": "Say why this measure was not collected this quarter."})

    def save(self, *args, **kwargs):
        self.unit = self.project_measure.unit
        super().save(*args, **kwargs)


class ReturnEvent(models.Model):
    """One thing that happened to a return: who, when, what."""

    class Kind(models.TextChoices):
        CREATED = "created", "Created"
        SAVED = "saved", "Saved as draft"
        IMPORTED = "imported", "Imported from a workbook"
        SUBMITTED = "submitted", "Submitted"
        PASSED_ON = "passed_on", "Passed on to the commissioner"
        RETURNED = "returned", "Returned for amendment"
        APPROVED = "approved", "Approved"
        REOPENED = "reopened", "Reopened"
        SPEND_VERIFIED = "spend_verified", "Spend verified"
        SPEND_QUERIED = "spend_queried", "Spend queried"
        REMINDER_SENT = "reminder_sent", "Reminder sent"
        REMINDER_FAILED = "reminder_failed", "Reminder could not be sent"

    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    comment = long_text()
    # The timeline is in the audit history too, so that a changed or removed event leaves a trace.
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["quarterly_return", "at"], name="return_event_timeline")]
        constraints = text_limits("return_event", "comment")

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%d %b %Y %H:%M}"


class ReminderSent(models.Model):
    """A reminder e-mailed for a return, kept so that none is sent twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Before the due date"
        DUE = "due", "On the due date"
        OVERDUE = "overdue", "Overdue"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reminders")
    financial_year = FinancialYearField()
    quarter = quarter_field()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()
    recipients = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "financial_year", "quarter", "kind"], name="one_reminder_of_each_kind"),
            quarter_range("reminder_quarter_1_to_4"),
        ]


class PartnershipReturnQuerySet(ScopedQuerySet):
    scope = (allocation_scope, "allocation__")


class PartnershipReturn(models.Model):
    """A partnership's report to the commissioner for one quarter of an allocation it reports on: its
    projects' returns, reviewed and passed on by the partnership, with its own narrative
    (grants.services.partnership). Approving it approves the project returns in it."""

    Status = ReturnStatus

    allocation = models.ForeignKey("grants.Allocation", on_delete=models.PROTECT, related_name="partnership_returns")
    financial_year = FinancialYearField()
    quarter = quarter_field()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    narrative = long_text("the partnership's report",
                          help_text="How the partnership's funded services did this quarter, what it decided and why.")
    version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = PartnershipReturnQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "financial_year", "quarter"],
                                    name="one_partnership_return_per_quarter"),
            quarter_range("partnership_return_quarter_1_to_4"),
            models.CheckConstraint(condition=models.Q(status=ReturnStatus.DRAFT) | models.Q(submitted_at__isnull=False),
                                   name="partnership_return_submitted_when_sent"),
            *text_limits("partnership_return", "narrative"),
        ]

    def __str__(self):
        return f"{self.allocation.recipient} — {self.period}"

    @property
    def period(self) -> Quarter:
        return Quarter(self.financial_year, self.quarter)


class PartnershipReturnEvent(models.Model):
    """One thing that happened to a partnership return: who, when, what."""

    class Kind(models.TextChoices):
        SAVED = "saved", "Saved as draft"
        SUBMITTED = "submitted", "Submitted to the commissioner"
        RETURNED = "returned", "Returned for amendment"
        APPROVED = "approved", "Approved"
        REOPENED = "reopened", "Reopened"

    partnership_return = models.ForeignKey(PartnershipReturn, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    at = models.DateTimeField()
    comment = long_text()
    history = HistoricalRecords()

    class Meta:
        ordering = ["at", "pk"]
        constraints = text_limits("partnership_return_event", "comment")

    def __str__(self):
        return f"{self.get_kind_display()} at {self.at:%d %b %Y %H:%M}"
