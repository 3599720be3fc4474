"""
What the commissioner's workbook reads, in a fixed number of queries.

The programmes, then every project with its budget lines, returns and measures over the year to
date through the one reader of project × quarter figures (reporting.quarters, at budget-line
detail), then the allocations and their payments. Each read is scoped with `for_user`, whatever
the number of projects, so that the sheets can be written in one pass with no query per row.

Drafts are never read. A quarter's figures count when its return is approved; a return submitted or
sent back is "awaiting approval", and its spend is shown apart. The status of every return is read
so that the workbook can say what is missing.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from grants.choices import ALLOCATION_COMMITTED
from grants.models import Allocation, AllocationYear, Organisation, PartnershipReturn, Payment, Programme, Project
from grants.periods import Quarter
from reporting import quarters as reader
from reporting.permissions import can_export_commissioner_workbook


class UnknownProgramme(ValueError):
    """No programme with that code in that year, among those the user may see."""


@dataclass
class WorkbookData:
    user: object
    quarter: Quarter
    programme_code: str | None
    commissioner: Organisation | None
    programmes: list
    generated_at: datetime
    # Projects in the order the sheets list them (programme, recipient, project), each over the
    # year to date (reporting.quarters.ProjectQuarters, window Q1 to the quarter).
    projects: list = field(default_factory=list)
    allocations: list = field(default_factory=list)
    payments: dict = field(default_factory=dict)  # (allocation id, quarter) -> payment row
    # The quarter's return of each allocation its partnership reports on: (allocation row, PartnershipReturn or None).
    partnerships: list = field(default_factory=list)

    @property
    def window(self) -> list[Quarter]:
        return self.quarter.year_to_date()


def gather(user, quarter: Quarter, programme_code: str | None = None) -> WorkbookData:
    """Everything the workbook shows for `quarter` (year to date: Q1 to `quarter`), within the
    user's reach. Raises PermissionDenied for a user who may not export, UnknownProgramme for a
    code with no programme in that year that the user can see."""
    allowed, reason = can_export_commissioner_workbook(user)
    if not allowed:
        raise PermissionDenied(reason)
    year = quarter.financial_year

    programmes = Programme.objects.for_user(user).running_in(year).select_related("commissioner")
    if programme_code:
        programmes = programmes.filter(code=programme_code)
    programmes = list(programmes.order_by("name", "code"))
    if programme_code and not programmes:
        raise UnknownProgramme(
            f"There is no programme with the code “{programme_code}” in {quarter.year} among the programmes you can see."
        )
    programme_ids = [p.pk for p in programmes]
    data = WorkbookData(
        user=user, quarter=quarter, programme_code=programme_code or None,
        commissioner=programmes[0].commissioner if programmes else user.organisation,
        programmes=programmes, generated_at=timezone.now(),
    )

    # Every project of the programmes under a decided allocation, whether or not it runs in the
    # year to date (its quarters then read "Not due").
    projects = Project.objects.for_user(user).filter(
        allocation__programme__in=programme_ids, allocation__status__in=ALLOCATION_COMMITTED)
    # The Narrative sheet shows the quarter's own return: no other quarter's narrative is read.
    data.projects = reader.read(user, data.window, projects=projects, lines=True, narrative=quarter, priorities=True,
                                funding=True)

    allocations = Allocation.objects.for_user(user).filter(programme__in=programme_ids,
                                                           status__in=ALLOCATION_COMMITTED)
    data.allocations = list(
        allocations.annotate(programme_name=F("programme__name"), recipient_name=F("recipient__name"))
        .order_by("programme_name", "programme__code", "recipient_name", "title", "pk")
        .values_list("pk", "programme_name", "recipient_name", "title", "amount", "partnership_reports", named=True)
    )
    # An allocation over several years shows its amount for the workbook's year (grants.services.years).
    in_year = dict(AllocationYear.objects.filter(allocation__in=allocations, financial_year=year)
                   .values_list("allocation_id", "amount"))
    if in_year:
        data.allocations = [a._replace(amount=in_year[a.pk]) if a.pk in in_year else a for a in data.allocations]
    reporting = [a for a in data.allocations if a.partnership_reports]
    reports = {r.allocation_id: r for r in PartnershipReturn.objects.for_user(user).filter(
        allocation__in=[a.pk for a in reporting], financial_year=year, quarter=quarter.number)} if reporting else {}
    data.partnerships = [(a, reports.get(a.pk)) for a in reporting]
    data.payments = {
        (p.allocation_id, p.quarter): p
        for p in Payment.objects.for_user(user)
        .filter(allocation__in=allocations, financial_year=year)
        .order_by()
        .values_list("allocation_id", "quarter", "amount", "status", "reference", "paid_on", "withheld_reason", named=True)
    }
    return data
