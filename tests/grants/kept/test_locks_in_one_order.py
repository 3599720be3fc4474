"""
A return's approval and another change to its project at the same moment, each in its own database
connection: both land, and the kept figures hold both. Needs PostgreSQL (SQLite lets one transaction
write at a time).

Two deadlocks were found here, each ended by PostgreSQL cancelling one change (a 500 for its user):
- the approval claimed the return with its project and allocation locked in one statement, the project
  first, while a budget or dates change held the allocation and waited for the project (the approval
  now claims the return's row alone);
- a change that locked the project (a change of dates), its budget lines and projects (a virement's
  approval) or the kept rows (a rebuild) before moving the figures' tokens, while the approval held the
  tokens and waited for that project (every change now moves the tokens first: grants.services.kept).
The second needs the changes to meet in one order, which `in_turn` makes happen every time.
"""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from grants.models import BudgetLine, OutcomeMeasure, Project, ProjectQuarter, QuarterlyReturn
from grants.periods import Quarter
from grants.services import kept, projects, returns, virements
from grants import kept_pages
from tests import worlds
from tests.races import at_once, in_turn, wait_until_waiting

ROUNDS = 3  # a deadlock, were there one, need not show the first time


def pages_seen(w):
    """The tokens the provider's and the funder's pages are kept under, there as a day's pages leave them
    (a test's database starts without them, and a change then moves no token and holds none)."""
    for user in (w.user_a, w.commissioner):
        kept_pages.tokens(user)
    return w


def budget_change(w):
    venue = BudgetLine.objects.get(pk=w.venue.pk)
    profile = {f"profile_q{n}": getattr(venue, f"profile_q{n}") for n in (1, 2, 3, 4)}
    profile["profile_q4"] += Decimal("100.00")  # a later quarter's: Q1's return stays within its threshold
    values = {"financial_year": 2023, "category": venue.category, "description": venue.description,
              "amount": sum(profile.values()), **profile}

    def change():
        projects.budget_line_save(actor=w.commissioner, project=w.project_a, line=venue, version=venue.version,
                                  values=values)

    def landed():
        return BudgetLine.objects.get(pk=venue.pk).profile_q4 == profile["profile_q4"]

    return change, landed


def dates_change(w):
    project = Project.objects.get(pk=w.project_a.pk)
    end = date(2024, 3, 31) if project.end_date != date(2024, 3, 31) else date(2024, 3, 30)

    def change():
        projects.project_update(actor=w.commissioner, project=project, version=project.version,
                                values={"end_date": end})

    def landed():
        return Project.objects.get(pk=project.pk).end_date == end

    return change, landed


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other_change", [budget_change, dates_change])
def test_an_approval_and_a_change_to_its_project_at_once_both_land(actors, other_change):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    w = pages_seen(worlds.project_a_with_named_people(actors))
    q1 = Quarter(2023, 1)
    ret = returns.return_submit(actor=w.user_a, project=w.project_a, quarter=q1, version=None,
                                data=worlds.complete_input(w))
    for round_ in range(ROUNDS):
        change, landed = other_change(w)

        outcomes = at_once(
            lambda: returns.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="amber"),
            change)

        assert [repr(error) for error in outcomes if error is not None] == [], round_
        assert landed()
        row = ProjectQuarter.objects.get(project=w.project_a, financial_year=2023, quarter=1)
        assert (row.status, row.rag) == ("approved", "amber")
        have = {kept.key(r): kept.values(r) for r in ProjectQuarter.objects.all()}
        assert have == {kept.key(r): kept.values(r) for r in kept.rows_for()}
        # Back to submitted for the next round.
        approved = QuarterlyReturn.objects.get(pk=ret.pk)
        reopened = returns.return_reopen(actor=w.commissioner, ret=approved, version=approved.version,
                                         reason="The venue invoice was wrong.")
        ret = returns.return_submit(actor=w.user_a, project=w.project_a, quarter=q1, version=reopened.version,
                                    data=worlds.complete_input(w))


def virement_approval(w):
    staff, venue = BudgetLine.objects.get(pk=w.staff.pk), BudgetLine.objects.get(pk=w.venue.pk)
    virement = virements.virement_request(actor=w.user_a, from_line=staff, to_line=venue, amount=Decimal("50.00"),
                                          quarter=4, reason="Venue costs rose.")

    def change():
        virements.virement_approve(actor=w.commissioner, virement=virement, version=virement.version)

    def landed():
        return BudgetLine.objects.get(pk=venue.pk).profile_q4 == venue.profile_q4 + Decimal("50.00")

    return change, landed


def rebuild(w):
    """The kept figures rebuilt from scratch (the rebuild_kept_figures command)."""
    return kept.rebuild, lambda: True


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("other_change, held", [(dates_change, "project"), (budget_change, "project"),
                                                (virement_approval, "project"), (rebuild, "kept row")])
def test_a_change_queued_behind_its_project_and_an_approval_behind_it_both_land(actors, other_change, held):
    """Two changes, in the order that deadlocked whenever it happened, made to happen: something holds
    the project (or its kept rows); the other change starts and waits for it; the approval starts and
    waits; then what was held is let go. When the other change locked the project (or the kept rows)
    before moving the figures' tokens, and the approval moved the tokens before locking the project,
    each then waited for the other and PostgreSQL cancelled one. Every change now moves the tokens
    first, so the later one waits for the earlier to commit. The budget change already did: it stays
    here so that it keeps doing so."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    w = pages_seen(worlds.project_a_with_named_people(actors))
    ret = returns.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 1), version=None,
                                data=worlds.complete_input(w))
    change, landed = other_change(w)

    hold = {
        "project": lambda: list(Project.objects.select_for_update().filter(pk=w.project_a.pk)),
        "kept row": lambda: list(ProjectQuarter.objects.select_for_update().filter(project=w.project_a)),
    }[held]

    outcomes = in_turn(
        hold,
        change,
        lambda: returns.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="amber"))

    assert [repr(error) for error in outcomes if error is not None] == []
    assert landed()
    assert QuarterlyReturn.objects.get(pk=ret.pk).status == "approved"
    have = {kept.key(r): kept.values(r) for r in ProjectQuarter.objects.all()}
    assert have == {kept.key(r): kept.values(r) for r in kept.rows_for()}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_moving_the_shared_token_and_then_a_funders_and_a_change_under_that_funder_both_land(actors):
    """A measure of the library changed in the admin moves the shared token (its save), then the tokens of
    the funders whose projects report it (their figures to date worked out again). A change under one of
    those funders moves its token and the one every change moves in one statement. When that statement
    locked the rows in the order the table held them, and the table held the funder's row before the one
    every change moves (rewritten since by a change to a shared row), it took the funder's row and waited
    for the other, which the measure's change held while it waited for the funder's: PostgreSQL cancelled
    one. The rows are locked in the order of their scope, the one every change moves first."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    w = pages_seen(worlds.project_a_with_named_people(actors))
    kept.figures_moved(row=w.provider_a)  # a shared row changed: its token rows are rewritten after the funder's
    measure = OutcomeMeasure.objects.get(pk=w.people.measure_id)
    shared_moved, go_on = threading.Event(), threading.Event()
    outcomes = {}

    def measure_changed():  # as OutcomeMeasureAdmin.save_model, in the admin's transaction
        try:
            with transaction.atomic():
                measure.direction = "lower" if measure.direction != "lower" else "higher"
                measure.save()
                shared_moved.set()
                go_on.wait(timeout=10)
                kept.refresh_library_measure(measure)
        except Exception as error:
            outcomes["measure"] = error
        finally:
            shared_moved.set()
            connections.close_all()

    def dates_changed():
        try:
            dates_change(w)[0]()
        except Exception as error:
            outcomes["dates"] = error
        finally:
            connections.close_all()

    first = threading.Thread(target=measure_changed)
    first.start()
    shared_moved.wait(timeout=10)
    second = threading.Thread(target=dates_changed)
    second.start()
    try:
        wait_until_waiting(1)
    finally:
        go_on.set()
        first.join(timeout=30)
        second.join(timeout=30)

    assert {name: repr(error) for name, error in outcomes.items()} == {}
    assert OutcomeMeasure.objects.get(pk=measure.pk).direction == measure.direction
