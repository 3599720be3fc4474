"""The context of a place beside its grants: indicator series of an area (recorded crime, survey
results, figures a partner provides) and the actions a board or scrutiny committee resolves."""

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .common import long_text, percent_field, single_line, text_limits
from .organisations import Area, Organisation
from .programmes import Programme
from .projects import Project


class IndicatorKind(models.TextChoices):
    CRIME = "crime", "Recorded crime count"
    SURVEY = "survey", "Survey result"
    OTHER = "other", "Other figure a partner provides"


class PeriodType(models.TextChoices):
    MONTH = "month", "Month"
    QUARTER = "quarter", "Quarter (financial year)"
    YEAR = "year", "Financial year"


class Indicator(models.Model):
    """One series kept by an organisation (a commissioner or a partnership): what is counted or asked,
    where it comes from, what it means and what to beware of, with its values by area and period."""

    Kind = IndicatorKind

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="indicators")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    name = models.CharField(max_length=200, validators=[single_line],
                            help_text="For example “Hate crime” or “Feel safe outside after dark”.")
    theme = models.SlugField(max_length=40, help_text="The theme it belongs to, for example hate-crime.")
    category = models.CharField(max_length=200, blank=True, validators=[single_line],
                                help_text="For recorded crime, the crime category as the source names it.")
    source = models.CharField(max_length=200, validators=[single_line],
                              help_text="Where the figures come from, for example “police.uk recorded crime”.")
    unit = models.CharField(max_length=40, validators=[single_line], help_text="For example crimes, %, referrals.")
    definition = long_text(help_text="What is counted or asked, exactly.")
    caveats = long_text(help_text="What a reader must bear in mind, for example a change in recording practice.")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["theme", "name", "category", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name", "category"], name="one_indicator_per_name"),
            *text_limits("indicator", "definition", "caveats"),
        ]

    def __str__(self):
        return f"{self.name} ({self.category})" if self.category else self.name


class IndicatorImport(models.Model):
    """One file of indicator values, confirmed after its preview."""

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="indicator_imports")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+", help_text="Empty for an import from the command line.")
    imported_at = models.DateTimeField(auto_now_add=True)
    layout = models.CharField(max_length=20)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-imported_at", "-pk"]

    def __str__(self):
        return f"{self.file_name} ({self.imported_at:%-d %B %Y})"


class IndicatorValue(models.Model):
    """An indicator's figure for one area and period (and, for a survey, one breakdown such as a
    deprivation quintile, or none for everyone). A survey's percentage comes with its sample, response
    rate and 95% confidence interval."""

    PeriodType = PeriodType

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="indicator_values")
    period_type = models.CharField(max_length=10, choices=PeriodType.choices)
    period_start = models.DateField(help_text="The first day of the month, financial quarter or financial year.")
    breakdown = models.CharField(max_length=100, blank=True, validators=[single_line],
                                 help_text="For example “Most deprived fifth”; empty for everyone.")
    value = models.DecimalField(max_digits=14, decimal_places=2)
    sample_size = models.PositiveIntegerField(null=True, blank=True)
    response_rate = percent_field("response rate (%)", null=True, blank=True)
    ci_low = percent_field("95% confidence interval, lower (%)", null=True, blank=True)
    ci_high = percent_field("95% confidence interval, upper (%)", null=True, blank=True)
    imported_in = models.ForeignKey(IndicatorImport, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="values")

    class Meta:
        ordering = ["indicator", "area", "period_type", "period_start", "breakdown"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "area", "period_type", "period_start", "breakdown"],
                                    name="one_indicator_value_per_period"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="indicator_value_not_negative"),
            models.CheckConstraint(
                condition=(models.Q(ci_low__isnull=True, ci_high__isnull=True)
                           | models.Q(ci_low__isnull=False, ci_high__isnull=False, ci_low__lte=models.F("value"),
                                      ci_high__gte=models.F("value"))),
                name="indicator_interval_holds_value"),
        ]
        indexes = [models.Index(fields=["area", "period_start"], name="indicator_value_area_period")]


class BoardAction(models.Model):
    """An action a board or scrutiny committee resolved (for example “a further report in Autumn 2020”),
    with who owes it and by when, linked to the programmes and projects it concerns."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        DROPPED = "dropped", "No longer needed"

    owner = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="board_actions",
                              help_text="The partnership or commissioner whose board resolved it.")
    board = models.CharField(max_length=200, validators=[single_line],
                             help_text="For example “Communities Scrutiny Commission”.")
    resolved_on = models.DateField()
    title = models.CharField(max_length=200, validators=[single_line])
    resolution = long_text(blank=False, help_text="What the board resolved, in its words.")
    action_owner = models.CharField("owner", max_length=200, validators=[single_line],
                                    help_text="Who owes the action: a person or a role.")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+", help_text="The user who owes it, when they have an account.")
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_on = models.DateField(null=True, blank=True)
    outcome = long_text(help_text="What was done, or why it is no longer needed.")
    programmes = models.ManyToManyField(Programme, blank=True, related_name="board_actions")
    projects = models.ManyToManyField(Project, blank=True, related_name="board_actions")
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(status="open", closed_on__isnull=True)
                                   | (~models.Q(status="open") & models.Q(closed_on__isnull=False)),
                                   name="board_action_closed_when_done"),
            models.CheckConstraint(condition=models.Q(status="open") | ~models.Q(outcome=""),
                                   name="board_action_closed_with_outcome"),
            *text_limits("board_action", "resolution", "outcome"),
        ]

    def __str__(self):
        return self.title
