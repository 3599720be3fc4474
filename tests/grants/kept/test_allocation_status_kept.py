"""
The kept quarter figures hold their project's programme and its allocation's status (so the funder's
dashboard adds up a programme's rows without joins): they follow an allocation from draft to closed or
withdrawn, and the dashboard counts a project only once its allocation is decided.
"""

from datetime import date
from decimal import Decimal

from grants.models import Allocation, ProjectQuarter
from grants.periods import Quarter
from grants.services import commissioning, kept, payments
from reporting.dashboards import funder_dashboard
from tests import factories as f
from tests import worlds

Status = Allocation.Status
TODAY = date(2024, 6, 1)


def kept_rows() -> dict:
    return {kept.key(row): kept.values(row) for row in ProjectQuarter.objects.all()}


def recomputed() -> dict:
    return {kept.key(row): kept.values(row) for row in kept.rows_for()}


def statuses_kept(allocation) -> set:
    return set(ProjectQuarter.objects.filter(project__allocation=allocation).values_list("allocation_status",
                                                                                          flat=True))


def running_on_the_dashboard(w) -> int:
    board = funder_dashboard(w.commissioner, quarter=Quarter(2023, 1), today=TODAY)
    return next(row.running for row in board.programmes if row.programme == w.programme)


def a_draft_with_a_project(w, title):
    allocation = commissioning.allocation_create(actor=w.commissioner, programme=w.programme, values=dict(
        recipient=w.provider_b, title=title, amount=Decimal("20000.00"), start_date=date(2023, 4, 1),
        end_date=date(2024, 3, 31)))
    f.ProjectFactory(allocation=allocation, provider=w.provider_b)
    return allocation


def test_an_allocation_moving_on_moves_its_projects_kept_rows(actors):
    w = worlds.project_a_with_named_people(actors)
    before = running_on_the_dashboard(w)
    allocation = a_draft_with_a_project(w, "Youth outreach")
    assert statuses_kept(allocation) == {Status.DRAFT} and kept_rows() == recomputed()
    assert running_on_the_dashboard(w) == before  # a draft is not counted

    allocation = commissioning.allocation_approve(actor=w.commissioner, allocation=allocation,
                                                  version=allocation.version, decision_reference="DEC-9",
                                                  decision_date=date(2023, 3, 1), today=TODAY)
    assert statuses_kept(allocation) == {Status.APPROVED} and kept_rows() == recomputed()
    assert running_on_the_dashboard(w) == before + 1
    allocation = commissioning.allocation_sign(actor=w.other_commissioner, allocation=allocation,
                                               version=allocation.version, signed_on=date(2023, 3, 20), today=TODAY)
    assert statuses_kept(allocation) == {Status.AGREEMENT_SIGNED} and kept_rows() == recomputed()
    allocation = commissioning.allocation_activate(actor=w.commissioner, allocation=allocation,
                                                   version=allocation.version)
    assert statuses_kept(allocation) == {Status.ACTIVE} and kept_rows() == recomputed()
    allocation = payments.allocation_close(actor=w.finance, allocation=allocation, version=allocation.version,
                                           today=TODAY)
    assert statuses_kept(allocation) == {Status.CLOSED} and kept_rows() == recomputed()
    assert running_on_the_dashboard(w) == before + 1  # closed still counts

    withdrawn = a_draft_with_a_project(w, "Night-time economy")
    withdrawn = commissioning.allocation_withdraw(actor=w.commissioner, allocation=withdrawn,
                                                  version=withdrawn.version, reason="The provider could not recruit.")
    assert statuses_kept(withdrawn) == {Status.WITHDRAWN} and kept_rows() == recomputed()
    assert running_on_the_dashboard(w) == before + 1
