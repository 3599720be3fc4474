"""Quarter figures kept per project: what the returns, budget lines and dates say, written down.

One row per project per quarter it runs in (figures.runs_in): the plan (its budget lines' profile
for the quarter), the return's status and ratings, and the spend the return holds once reported.
Nothing here is a new figure: every column is what reporting.quarters reads from the source tables,
kept by grants.services.kept.refresh in the same transaction as the service that moves it, and
rebuilt from scratch by `manage.py rebuild_kept_figures`. Not audited: the history is the source
tables'.
"""

from django.db import models

from .common import FinancialYearField, quarter_field, quarter_range
from .programmes import Programme
from .projects import Project, ProjectMeasure


class ProjectQuarter(models.Model):
    # PROTECT, as everything with money: a project is never deleted (the admin and the services offer no way).
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="kept_quarters")
    # The project's programme and its allocation's status, kept here so that the funder's dashboard adds
    # up a programme's rows without joining each to its project and allocation. A project never moves to
    # another allocation; an allocation's change of status writes its projects' rows in the same transaction.
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    allocation_status = models.CharField(max_length=20)
    financial_year = FinancialYearField()
    quarter = quarter_field()
    # The budget lines' profile for the quarter, added up.
    plan = models.DecimalField(max_digits=14, decimal_places=2)
    # The return's status, or figures.NOT_STARTED when there is none.
    status = models.CharField(max_length=12)
    officer_rag = models.CharField(max_length=5, blank=True)
    self_rag = models.CharField(max_length=5, blank=True)
    # figures.return_rag: the rating the return counts as (figures.NOT_RATED when it is not rated).
    rag = models.CharField(max_length=10)
    spend_status = models.CharField(max_length=12, blank=True)
    # The spend a reported return holds (£0 when none was entered); null for a draft or no return.
    spent = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["project", "financial_year", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["project", "financial_year", "quarter"], name="one_kept_row_per_project_quarter"),
            quarter_range("kept_quarter_1_to_4"),
        ]
        indexes = [
            models.Index(fields=["financial_year", "quarter"], name="kept_year_quarter"),
            # The quarters whose return is still owed (figures.is_owed), for the funder's dashboard's overdue
            # list: a few in a hundred rows.
            models.Index(fields=["financial_year", "quarter"], name="kept_owed",
                         condition=models.Q(status__in=["not_started", "draft", "returned"])),
        ]

    def __str__(self):
        return f"{self.project_id} {self.financial_year} Q{self.quarter}"


FIELDS = ("plan", "status", "officer_rag", "self_rag", "rag", "spend_status", "spent", "programme_id",
          "allocation_status")


class MeasureToDate(models.Model):
    """A project measure's figure to date at each quarter of its year whose value counts (an approved
    return holding a value for it): what figures.measure_figure makes of Q1 to that quarter against
    the target of the same quarters (figures.quarter_targets), and how far off target that is.

    Nothing here is a new figure: it is what the return page and the reports work out from the
    measure values, kept by grants.services.kept.refresh_measures in the same transaction as every
    approval, reopening, target change and measure edit, and rebuilt by `manage.py rebuild_kept_figures`.
    The funder's dashboard ranks the measures most off target from it. Not audited."""

    # The project is the project measure's own, kept here so that a user's reach reads it directly.
    project = models.ForeignKey(Project, on_delete=models.PROTECT, related_name="+")
    # PROTECT: a project measure with an approved value cannot be removed (grants.services.projects).
    project_measure = models.ForeignKey(ProjectMeasure, on_delete=models.PROTECT, related_name="kept_figures")
    financial_year = FinancialYearField()
    quarter = quarter_field()
    # figures.measure_figure over Q1 to the quarter: the figure and the target of the same quarters.
    actual = models.DecimalField(max_digits=16, decimal_places=2)
    target = models.DecimalField(max_digits=16, decimal_places=2, null=True, blank=True)
    # figures.shortfall as a number, to rank by: how far off target as a share of the target, 0 when on
    # target, without a target or for a measure with no better direction. Never shown.
    share = models.FloatField()

    class Meta:
        ordering = ["project_measure", "quarter"]
        constraints = [
            models.UniqueConstraint(fields=["project_measure", "quarter"], name="one_kept_figure_per_measure_quarter"),
            quarter_range("kept_measure_quarter_1_to_4"),
        ]
        indexes = [models.Index(fields=["financial_year", "quarter", "share"], name="kept_measure_ranking")]

    def __str__(self):
        return f"{self.project_measure_id} {self.financial_year} Q{self.quarter}"


MEASURE_FIELDS = ("project_id", "financial_year", "actual", "target", "share")


class FiguresVersion(models.Model):
    """Tokens that change, in the same transaction, with every change that can move a figure or a name
    a page shows (grants.services.kept.figures_moved). A page kept in the cache (grants/kept_pages.py)
    is kept under the tokens it was worked out at, so a change makes the kept pages it touches new
    again. One row per funder (`funder:<id>`, the rows under its programmes), one for what funders share
    (`shared`: organisations, the measures library, areas) and one that every change moves (`all`, for
    the pages of anyone neither a funder's nor a provider's, and the first lock of every change). Tokens are random, so that a database restored or
    emptied never meets a page kept under an old one."""

    ALL, SHARED = "all", "shared"

    scope = models.CharField(max_length=30, unique=True)
    commissioner = models.ForeignKey("grants.Organisation", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+")
    token = models.CharField(max_length=32)
    moved_at = models.DateTimeField()

    def __str__(self):
        return f"{self.scope}: {self.token} at {self.moved_at:%Y-%m-%d %H:%M:%S}"

    @staticmethod
    def funder_scope(organisation_id: int) -> str:
        return f"funder:{organisation_id}"

    @staticmethod
    def funder_of(scope: str) -> int | None:
        """The funder a `funder_scope` names; None for any other scope."""
        return int(scope.removeprefix("funder:")) if scope.startswith("funder:") else None
