"""Projects, their budget lines with a quarterly profile, and their outcome measures."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.text import capfirst
from simple_history.models import HistoricalRecords

from grants import figures
from grants.choices import AGGREGATION_UNITS, BudgetCategory, FundingStatus, MeasureAggregation, MeasureDirection, MeasureUnit
from grants.periods import FinancialYear, Quarter

from .common import FIGURE_MAX, ZERO, FinancialYearField, long_text, money_field, non_negative, single_line, text_limits
from .organisations import Area, Organisation, Priority
from .programmes import Allocation
from .scoping import ScopedQuerySet, project_scope


class ProjectQuerySet(ScopedQuerySet):
    scope = (project_scope, "")

    def running_in(self, quarter: Quarter):
        """Projects whose dates share a day with `quarter` (the SQL twin of figures.runs_in)."""
        return self.filter(figures.running_in_sql(quarter))


class Project(models.Model):
    """Work funded by an allocation and delivered by a provider organisation."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="projects")
    provider = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="projects_delivered")
    reference = models.SlugField(max_length=40, unique=True, help_text="A short unique reference, for example BTC-2019.")
    name = models.CharField(max_length=200, validators=[single_line])
    description = long_text()
    start_date = models.DateField()
    end_date = models.DateField()
    priorities = models.ManyToManyField(Priority, through="ProjectPriority", blank=True, related_name="projects")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, null=True, blank=True, related_name="projects")
    created_at = models.DateTimeField(auto_now_add=True)
    # Bumped by every change, so that an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="project_ends_after_start"),
            *text_limits("project", "description"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date must be on or after the start date."
        if self.allocation_id and self.start_date and self.end_date:
            allocation = self.allocation
            if self.start_date < allocation.start_date:
                errors["start_date"] = f"The project cannot start before its allocation does ({allocation.start_date:%-d %B %Y})."
            if self.end_date > allocation.end_date:
                errors["end_date"] = f"The project cannot end after its allocation does ({allocation.end_date:%-d %B %Y})."
        if errors:
            raise ValidationError(errors)

    @property
    def first_quarter(self) -> Quarter:
        return Quarter.from_date(self.start_date)

    @property
    def last_quarter(self) -> Quarter:
        return Quarter.from_date(self.end_date)

    def quarters(self):
        return Quarter.range(self.first_quarter, self.last_quarter)


class ProjectPriority(models.Model):
    """A project carries a plan priority. A priority cannot be deleted while a project carries it: the
    reports by priority would lose the project's money without a trace."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    priority = models.ForeignKey(Priority, on_delete=models.PROTECT, related_name="+")

    class Meta:
        # The table Django made for the plain many-to-many field before this model named it.
        db_table = "grants_project_priorities"
        unique_together = [("project", "priority")]

    def __str__(self):
        return f"{self.project} — {self.priority}"


class BudgetLine(models.Model):
    """One line of a project's budget for one financial year, with its quarterly profile."""

    Category = BudgetCategory

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="budget_lines")
    financial_year = FinancialYearField()
    category = models.CharField(max_length=20, choices=Category.choices)
    description = models.CharField(max_length=200, validators=[single_line])
    amount = money_field("budget for the year")
    profile_q1 = money_field("profiled spend Q1 (Apr–Jun)")
    profile_q2 = money_field("profiled spend Q2 (Jul–Sep)")
    profile_q3 = money_field("profiled spend Q3 (Oct–Dec)")
    profile_q4 = money_field("profiled spend Q4 (Jan–Mar)")
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "financial_year", "category", "description"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "financial_year", "category", "description"], name="budget_line_unique_per_year"
            ),
            non_negative("amount", "budget_line_amount_not_negative"),
            non_negative("profile_q1", "budget_line_profile_q1_not_negative"),
            non_negative("profile_q2", "budget_line_profile_q2_not_negative"),
            non_negative("profile_q3", "budget_line_profile_q3_not_negative"),
            non_negative("profile_q4", "budget_line_profile_q4_not_negative"),
        ]

    def __str__(self):
        return f"{self.get_category_display()}: {self.description} ({FinancialYear(self.financial_year)})"

    @property
    def profile(self) -> list[Decimal]:
        return [self.profile_q1, self.profile_q2, self.profile_q3, self.profile_q4]

    @property
    def kind(self) -> str:
        """Capital or revenue (figures.spend_kind)."""
        return figures.spend_kind(self.category)

    def profile_for(self, quarter: int) -> Decimal:
        return self.profile[quarter - 1]

    def profile_to_date(self, quarter: int) -> Decimal:
        return sum(self.profile[:quarter], ZERO)

    @property
    def profile_total(self) -> Decimal:
        return sum(self.profile, ZERO)

    def clean(self):
        errors = {}
        if self.project_id and self.financial_year and 1900 <= self.financial_year <= 2999:
            years = {q.financial_year for q in self.project.quarters()}
            if self.financial_year not in years:
                errors["financial_year"] = (
                    f"The project does not run in {FinancialYear(self.financial_year)}: "
                    f"it runs from {self.project.start_date:%-d %B %Y} to {self.project.end_date:%-d %B %Y}."
                )
        # The database cannot add decimals exactly on SQLite, so the rule that a
        # profile adds up to its line is kept here, with the figures in the message.
        if None not in self.profile and self.amount is not None and self.profile_total != self.amount:
            errors["profile_q4"] = (
                f"The quarterly profile adds up to £{self.profile_total:,.2f} "
                f"but the budget line is £{self.amount:,.2f}: the quarters must add up to the line."
            )
        if errors:
            raise ValidationError(errors)


class ProfileChange(models.Model):
    """One budget line's new quarterly profile in a re-profile (a Variation with a project): its total
    stays the same, only when it is spent moves. The old profile is kept when it is approved."""

    variation = models.ForeignKey("grants.Variation", on_delete=models.PROTECT, related_name="profile_changes")
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="profile_changes")
    profile_q1 = money_field("new profile Q1 (Apr–Jun)")
    profile_q2 = money_field("new profile Q2 (Jul–Sep)")
    profile_q3 = money_field("new profile Q3 (Oct–Dec)")
    profile_q4 = money_field("new profile Q4 (Jan–Mar)")
    previous_q1 = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    previous_q2 = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    previous_q3 = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)
    previous_q4 = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True, editable=False)

    class Meta:
        ordering = ["variation", "line"]
        constraints = [
            models.UniqueConstraint(fields=["variation", "line"], name="profile_change_once_per_line"),
            non_negative("profile_q1", "profile_change_q1_not_negative"),
            non_negative("profile_q2", "profile_change_q2_not_negative"),
            non_negative("profile_q3", "profile_change_q3_not_negative"),
            non_negative("profile_q4", "profile_change_q4_not_negative"),
        ]

    def __str__(self):
        return f"New profile for {self.line}"

    @property
    def profile(self) -> list[Decimal]:
        return [self.profile_q1, self.profile_q2, self.profile_q3, self.profile_q4]

    @property
    def previous(self) -> list[Decimal | None]:
        return [self.previous_q1, self.previous_q2, self.previous_q3, self.previous_q4]


class OtherFunding(models.Model):
    """Money for a project from another funder in a financial year (co-funding or match funding), so that the
    project's total cost and the commissioner's share of it can be shown."""

    Status = FundingStatus

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="other_funding")
    financial_year = FinancialYearField()
    funder = models.CharField(max_length=200, validators=[single_line],
                              help_text="Who gives the money, for example “Bristol City Council: Domestic Abuse Act "
                              "new burdens funding”.")
    amount = money_field("amount for the year")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CONFIRMED)
    pays_for = models.CharField("what it pays for", max_length=300, blank=True, validators=[single_line])
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "financial_year", "funder"]
        constraints = [
            models.UniqueConstraint(fields=["project", "financial_year", "funder"],
                                    name="other_funding_unique_per_funder_and_year"),
            non_negative("amount", "other_funding_amount_not_negative"),
        ]

    def __str__(self):
        return f"{self.funder} ({FinancialYear(self.financial_year)})"

    def clean(self):
        if self.project_id and self.financial_year and 1900 <= self.financial_year <= 2999:
            years = {q.financial_year for q in self.project.quarters()}
            if self.financial_year not in years:
                raise ValidationError({"financial_year": (
                    f"The project does not run in {FinancialYear(self.financial_year)}: "
                    f"it runs from {self.project.start_date:%-d %B %Y} to {self.project.end_date:%-d %B %Y}.")})


class OutcomeMeasure(models.Model):
    """A measure in the shared library that projects report against."""

    Unit = MeasureUnit
    Direction = MeasureDirection
    Aggregation = MeasureAggregation

    name = models.CharField(max_length=200, unique=True, validators=[single_line])
    definition = long_text(
        blank=False, help_text="What is counted, and how, so that every provider counts it the same way.")
    unit = models.CharField(max_length=12, choices=Unit.choices)
    direction = models.CharField(
        max_length=6, choices=Direction.choices, default=Direction.HIGHER,
        help_text="Context only for a figure where more is not simply better or worse, such as reports of a "
        "crime that rise when more victims come forward: it is shown but never rated.",
    )
    aggregation = models.CharField(
        "how it adds up", max_length=10, choices=Aggregation.choices, default=Aggregation.EVENTS,
        help_text="Events or contacts add up over the quarters. People do not: the provider reports the unique "
        "people so far in the year. A level is its latest value. A rate is a numerator over a denominator "
        "(engaged of those offered), added up before it is divided. A milestone is yes or no.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            # Each way of adding up takes its own units (grants.choices.AGGREGATION_UNITS).
            models.CheckConstraint(
                condition=models.Q(
                    *[models.Q(aggregation=aggregation, unit__in=list(units))
                      for aggregation, units in AGGREGATION_UNITS.items()],
                    _connector=models.Q.OR,
                ),
                name="measure_unit_fits_aggregation",
            ),
            *text_limits("measure", "definition"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_rate(self) -> bool:
        return self.aggregation == self.Aggregation.RATE

    @property
    def adds_up(self) -> bool:
        """Whether quarters add up over the year (events) rather than the latest figure standing."""
        return self.aggregation == self.Aggregation.EVENTS

    def clean(self):
        errors = {}
        allowed = AGGREGATION_UNITS.get(self.aggregation, ())
        if self.unit and self.aggregation and self.unit not in allowed:
            names = " or ".join(MeasureUnit(u).label.lower() for u in allowed)
            errors["unit"] = f"A measure that adds up as “{MeasureAggregation(self.aggregation).label}” is a {names}."
        if self.pk:
            old = OutcomeMeasure.objects.filter(pk=self.pk).values_list("unit", "aggregation").first()
            if old and old != (self.unit, self.aggregation) and self.project_measures.exists():
                errors["unit"] = ("Projects already report against this measure: its unit and how it adds up "
                                  "cannot change.")
        if errors:
            raise ValidationError(errors)


TARGET_FIELDS = ("baseline", "annual_target", "target_q1", "target_q2", "target_q3", "target_q4")


def measure_value_constraints(field: str, prefix: str) -> list[models.CheckConstraint]:
    """What a value of a measure may be, given the unit stored beside it."""
    is_null = models.Q(**{f"{field}__isnull": True})
    return [
        models.CheckConstraint(condition=is_null | models.Q(**{f"{field}__gte": 0}), name=f"{prefix}_{field}_not_negative"),
        models.CheckConstraint(
            condition=is_null | ~models.Q(unit="percentage") | models.Q(**{f"{field}__lte": 100}),
            name=f"{prefix}_{field}_percentage_0_100",
        ),
        models.CheckConstraint(
            condition=is_null | ~models.Q(unit="yes_no") | models.Q(**{f"{field}__in": [0, 1]}),
            name=f"{prefix}_{field}_yes_no_0_or_1",
        ),
    ]


def check_measure_value(unit: str, value, label: str) -> str | None:
    """The message for a value that does not fit its unit, or None."""
    if value is None:
        return None
    if value < 0:
        return f"{label} must be 0 or more."
    if value > FIGURE_MAX:
        return f"{label} is too large: enter a figure below 1,000,000,000,000."
    if unit == OutcomeMeasure.Unit.PERCENTAGE and value > 100:
        return f"{label} is a percentage: enter a number from 0 to 100."
    if unit == OutcomeMeasure.Unit.COUNT and value != value.to_integral_value():
        return f"{label} is a count: enter a whole number."
    if unit == OutcomeMeasure.Unit.YES_NO and value not in (0, 1):
        return f"{label} is yes or no."
    if value.as_tuple().exponent < -2:
        return f"{label} can have at most 2 decimal places."
    return None


def check_rate_parts(numerator, denominator, name: str) -> str | None:
    """The message for a rate's numerator and denominator that cannot make a rate, or None."""
    if numerator is None and denominator is None:
        return None
    if numerator is None or denominator is None:
        return f"{name} is a rate: enter both how many (the numerator) and out of how many (the denominator)."
    for part, what in ((numerator, "how many"), (denominator, "out of how many")):
        if part < 0 or part != int(part):
            return f"{name}: {what} is a count of people or cases: enter a whole number, 0 or more."
        if part > 2_000_000_000:
            return f"{name}: {what} is too large."
    if denominator == 0:
        return (f"{name}: out of how many must be 1 or more. If there was nobody to count this quarter, say it "
                "was not collected and why.")
    if numerator > denominator:
        return f"{name}: how many ({numerator}) cannot be more than out of how many ({denominator})."
    return None


class ProjectMeasure(models.Model):
    """An outcome measure a project reports against in one financial year, with its targets."""

    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="measures")
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.PROTECT, related_name="project_measures")
    financial_year = FinancialYearField()
    # Copied from the measure so that the database itself can refuse a
    # percentage over 100 or a yes/no that is neither.
    unit = models.CharField(max_length=12, choices=OutcomeMeasure.Unit.choices, editable=False)
    baseline = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    annual_target = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_q1 = models.DecimalField("target Q1", max_digits=14, decimal_places=2, null=True, blank=True)
    target_q2 = models.DecimalField("target Q2", max_digits=14, decimal_places=2, null=True, blank=True)
    target_q3 = models.DecimalField("target Q3", max_digits=14, decimal_places=2, null=True, blank=True)
    target_q4 = models.DecimalField("target Q4", max_digits=14, decimal_places=2, null=True, blank=True)
    # Bumped by every change, so that an edit made on a stale copy is refused.
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["project", "financial_year", "measure__name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "measure", "financial_year"], name="project_measure_unique_per_year"),
        ] + [c for f in TARGET_FIELDS for c in measure_value_constraints(f, "project_measure")]

    def __str__(self):
        return f"{self.measure} ({FinancialYear(self.financial_year)})"

    @property
    def explicit_targets(self) -> list:
        """The quarterly targets as set, Q1 to Q4 (None where not set)."""
        return [self.target_q1, self.target_q2, self.target_q3, self.target_q4]

    @property
    def quarter_targets(self) -> list:
        """Each quarter's target by the rule of its measure (figures.quarter_targets)."""
        return figures.quarter_targets(self.measure.aggregation, self.unit, self.annual_target, self.explicit_targets)

    def target_to_date(self, number: int):
        return figures.target_to_date(self.measure.aggregation, self.unit, self.annual_target,
                                      self.explicit_targets, number)

    def clean_fields(self, exclude=None):
        if self.measure_id:
            self.unit = self.measure.unit
        super().clean_fields(exclude)

    def save(self, *args, **kwargs):
        self.unit = self.measure.unit
        super().save(*args, **kwargs)

    def clean(self):
        if not self.measure_id:
            return
        errors = {}
        for name in TARGET_FIELDS:
            label = capfirst(self._meta.get_field(name).verbose_name)
            message = check_measure_value(self.unit, getattr(self, name), label)
            if message:
                errors[name] = message
        targets = self.explicit_targets
        if (not errors and self.measure.aggregation == MeasureAggregation.EVENTS and self.annual_target is not None
                and None not in targets and sum(targets) != self.annual_target):
            errors["target_q4"] = (
                f"The quarterly targets add up to {sum(targets).normalize():,f} but the target for the year is "
                f"{self.annual_target.normalize():,f}: for a measure that adds up over the quarters they must agree."
            )
        if errors:
            raise ValidationError(errors)
