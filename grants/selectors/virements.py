"""
Reads for a project's budget and measures and for virements: the budget lines with their spend,
the measures, the virements in the user's reach and the lines money may move between.
"""

from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, Sum
from django.shortcuts import get_object_or_404

from grants.choices import (
    RETURN_AWAITING,
)
from grants.models import (
    BudgetLine,
    MeasureValue,
    Project,
    ProjectMeasure,
    SpendLine,
    Virement,
)
from grants.models.common import ZERO

from .common import _sum_of


def project_lines(project: Project):
    """The project's budget lines with the spend approved on each, and the spend on returns awaiting
    approval (submitted or sent back) apart; whether any return reports on it, or any virement names it."""
    spent = SpendLine.objects.approved().filter(budget_line=OuterRef("pk"))
    awaiting = SpendLine.objects.entered().filter(budget_line=OuterRef("pk"),
                                                  quarterly_return__status__in=RETURN_AWAITING)
    return (
        BudgetLine.objects.filter(project=project)
        .annotate(spent=_sum_of(spent, "actual"), awaiting=_sum_of(awaiting, "actual"),
                  reported=Exists(SpendLine.objects.filter(budget_line=OuterRef("pk"))),
                  in_virements=Exists(Virement.objects.filter(Q(from_line=OuterRef("pk")) | Q(to_line=OuterRef("pk")))))
        .order_by("financial_year", "category", "description")
    )


def project_measures(project: Project):
    """The project's measures, with whether any return reports a value for each."""
    return ProjectMeasure.objects.filter(project=project).select_related("measure").annotate(
        reported=Exists(MeasureValue.objects.filter(project_measure=OuterRef("pk")))).order_by(
        "financial_year", "measure__name")


def virements_for_user(user, *, status: str | None = None, project: Project | None = None):
    virements = Virement.objects.for_user(user).select_related(
        "from_line__project__allocation__programme", "to_line__project", "requested_by", "decided_by")
    if status:
        virements = virements.filter(status=status)
    if project is not None:
        virements = virements.filter(Q(from_line__project=project) | Q(to_line__project=project))
    return virements.order_by("-requested_at", "-pk")


def virement_for_user(user, pk: int) -> Virement:
    return get_object_or_404(virements_for_user(user), pk=pk)


def virement_lines(user, project: Project):
    """The lines a provider may move money between from `project`: its allocation's lines, in projects
    the user's organisation delivers (or all of them for the allocation's recipient)."""
    lines = BudgetLine.objects.filter(project__allocation_id=project.allocation_id).select_related("project")
    if project.allocation.recipient_id != user.organisation_id:
        lines = lines.filter(project__provider_id=user.organisation_id)
    return lines.order_by("project__name", "financial_year", "category", "description")


def spent_on(line_id: int, quarter: int | None = None) -> Decimal:
    """Spend entered against a budget line in any return (draft or not), or in one quarter of its year:
    what a line's budget or profile cannot be cut below."""
    spend = SpendLine.objects.entered().filter(budget_line_id=line_id)
    if quarter is not None:
        spend = spend.filter(quarterly_return__quarter=quarter)
    return spend.aggregate(total=Sum("actual"))["total"] or ZERO
