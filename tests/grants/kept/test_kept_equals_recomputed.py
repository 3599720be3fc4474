"""
The kept quarter figures (grants.models.ProjectQuarter) after any sequence of service calls are the
figures worked out again from scratch (grants.services.kept.rows_for), and the ones the figures reader
(reporting.quarters) reads from the source tables: saving, submitting, approving, sending back and
reopening returns, verifying and querying spend, changing and removing budget lines, virements,
a project's dates and a measure's targets, with refused calls among them. So are the measures' figures
to date (grants.models.MeasureToDate), against the figures reader's figure to date of each quarter.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Q
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grants.figures import NOT_STARTED
from grants.models import (
    Allocation, BudgetLine, MeasureToDate, Programme, Project, ProjectMeasure, ProjectQuarter, QuarterlyReturn,
)
from grants.periods import Quarter
from grants.services import ServiceError, kept, projects, returns, virements
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from reporting import groups
from reporting import quarters as reader
from tests import worlds

QUARTERS = [Quarter(2023, n) for n in (1, 2, 3, 4)]
amounts = st.sampled_from([None, Decimal("0"), Decimal("0.01"), Decimal("999.99"), Decimal("10000")])
rags = st.sampled_from(["red", "amber", "green", ""])

people = st.sampled_from([Decimal("0"), Decimal("35"), Decimal("400")])
saves = st.tuples(st.sampled_from(["draft", "submit", "submit"]), st.sampled_from("ab"), st.integers(1, 4), amounts,
                  amounts, rags, people)
decisions = st.tuples(st.sampled_from(["approve", "approve", "send_back", "reopen", "verify", "query"]),
                      st.sampled_from("ab"), st.integers(1, 4), rags)
step = st.one_of(
    saves, decisions, saves, decisions,
    st.tuples(st.just("profile"), st.integers(1, 4), st.sampled_from([Decimal("0"), Decimal("250"), Decimal("1000")])),
    st.tuples(st.just("add_line"), st.sampled_from("ab"), st.sampled_from([2023, 2024])),
    st.tuples(st.just("remove_line"), st.sampled_from("ab")),
    st.tuples(st.just("virement"), st.integers(1, 4), st.sampled_from([Decimal("100"), Decimal("50000")])),
    st.tuples(st.just("dates"), st.sampled_from("ab"), st.sampled_from([date(2023, 9, 30), date(2024, 3, 31),
                                                                          date(2024, 6, 30)])),
    st.tuples(st.just("targets"), st.sampled_from([None, Decimal("0"), Decimal("100"), Decimal("141")]),
              st.sampled_from([None, Decimal("30")])),
)


def the_return(project, number):
    return QuarterlyReturn.objects.filter(project=project, financial_year=2023, quarter=number).first()


def run(w, action):
    name, *args = action
    project = {"a": w.project_a, "b": w.project_b}.get(args[0]) if args and isinstance(args[0], str) else None
    if name in ("draft", "submit"):
        _, number, staff, venue, rag, engaged = args
        # Every line gets an amount (£0 where none is drawn, so that a submission is complete) with
        # an explanation, and project A's measures a value.
        lines = sorted(BudgetLine.objects.filter(project=project, financial_year=2023).values_list("pk", flat=True))
        drawn = (staff, venue) if name == "draft" else (staff or Decimal("0"), venue or Decimal("0"))
        spend = {pk: SpendInput(actual=amount, explanation="Costs moved between quarters.")
                 for pk, amount in zip(lines, drawn + (Decimal("0"),) * len(lines))}
        measures = {**worlds.complete_input(w).measures, w.people.pk: MeasureInput(value=engaged)} \
            if project == w.project_a else {}
        found = the_return(project, number)
        service = returns.return_submit if name == "submit" else returns.return_save_draft
        user = w.user_a if project == w.project_a else w.user_b
        service(actor=user, project=project, quarter=Quarter(2023, number), version=found.version if found else None,
                data=ReturnInput(spend=spend, measures=measures, progress="Work done.", self_rag=rag))
    elif name in ("approve", "send_back", "reopen", "verify", "query"):
        _, number, rag = args
        ret = the_return(project, number)
        if ret is None:
            return
        if name == "approve":
            returns.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag=rag)
        elif name == "send_back":
            returns.return_send_back(actor=w.commissioner, ret=ret, version=ret.version, comment="Check the venue.",
                                     officer_rag=rag)
        elif name == "reopen":
            returns.return_reopen(actor=w.commissioner, ret=ret, version=ret.version, reason="Invoice was wrong.")
        elif name == "verify":
            returns.return_verify_spend(actor=w.finance, ret=ret, version=ret.version)
        else:
            returns.return_query_spend(actor=w.finance, ret=ret, version=ret.version, note="Which invoice?")
    elif name == "profile":
        number, amount = args
        line = BudgetLine.objects.get(pk=w.venue.pk)
        profile = {f"profile_q{n}": line_profile for n, line_profile in
                   ((n, getattr(line, f"profile_q{n}")) for n in (1, 2, 3, 4))}
        profile[f"profile_q{number}"] = amount
        projects.budget_line_save(actor=w.commissioner, project=line.project, line=line, version=line.version, values={
            "financial_year": line.financial_year, "category": line.category, "description": line.description,
            "amount": sum(profile.values()), **profile})
    elif name == "add_line":
        year = args[1]
        projects.budget_line_save(actor=w.commissioner, project=project, values={
            "financial_year": year, "category": BudgetLine.Category.NON_STAFF,
            "description": f"Equipment {year}", "amount": Decimal("400"), "profile_q1": Decimal("100"),
            "profile_q2": Decimal("100"), "profile_q3": Decimal("100"), "profile_q4": Decimal("100")})
    elif name == "remove_line":
        line = BudgetLine.objects.filter(project=project, description__startswith="Equipment").first()
        if line is not None:
            projects.budget_line_delete(actor=w.commissioner, line=line, version=line.version)
    elif name == "virement":
        number, amount = args
        virement = virements.virement_request(actor=w.user_a, from_line=BudgetLine.objects.get(pk=w.staff.pk),
                                              to_line=BudgetLine.objects.get(pk=w.venue.pk), amount=amount,
                                              quarter=number, reason="Venue costs rose.")
        virements.virement_approve(actor=w.commissioner, virement=virement, version=virement.version)
    elif name == "dates":
        end = args[1]
        fresh = Project.objects.get(pk=project.pk)
        projects.project_update(actor=w.commissioner, project=fresh, version=fresh.version, values={"end_date": end})
    elif name == "targets":
        annual, q2 = args
        pm = ProjectMeasure.objects.get(pk=w.people.pk)
        projects.project_measure_save(
            actor=w.commissioner, project=pm.project, project_measure=pm, version=pm.version,
            values={"measure": pm.measure, "financial_year": 2023, "baseline": None, "annual_target": annual,
                    "target_q1": None, "target_q2": q2, "target_q3": None, "target_q4": None})


def kept_rows() -> dict:
    return {kept.key(row): kept.values(row) for row in ProjectQuarter.objects.all()}


def recomputed() -> dict:
    return {kept.key(row): kept.values(row) for row in kept.rows_for()}


def read_by_the_reader(w) -> dict:
    """(project, year, quarter) -> (plan, status, spent), as reporting.quarters reads the source tables: with
    the budget lines, which it adds up (without them it reads the kept rows themselves)."""
    window = list(Quarter.range(Quarter(2023, 1), Quarter(2024, 4)))
    result = {}
    for row in reader.read(w.commissioner, window, lines=True, measures=False):
        for i, q in enumerate(window):
            if row.runs[i]:
                result[row.pk, q.financial_year, q.number] = (row.plan[i], row.statuses[i], row.spent[i])
    return result


def kept_measures() -> dict:
    return {kept.measure_key(row): kept.measure_values(row) for row in MeasureToDate.objects.all()}


def measures_recomputed() -> dict:
    return {kept.measure_key(row): kept.measure_values(row) for row in kept.measure_rows_for()}


def measures_by_the_reader(w) -> dict:
    """(project measure, quarter) -> (figure to date, its target), as reporting.quarters reads the source
    tables, for each quarter of 2023-24 with an approved value."""
    result = {}
    for row in reader.read(w.commissioner, QUARTERS):
        for m in row.measures:
            for i, value in enumerate(m.values):
                if value is not None:
                    figure = m.figure(i + 1)
                    result[m.years[2023].pk, i + 1] = (figure.actual, figure.target)
    return result


def by_programme_kept(w, quarter) -> dict:
    return {k: v.spend for k, v in groups.group_kept(lambda prefix: Q(**{f"{prefix}pk__isnull": False}), quarter,
                                                     "allocation__programme_id").items()}


def by_programme_from_the_sources(w, quarter) -> dict:
    return groups.group_spend(lambda prefix: Q(**{f"{prefix}pk__isnull": False}), quarter, "allocation__programme_id")


@pytest.fixture
def world(actors):
    w = worlds.project_a_with_named_people(actors)
    w.b_line = worlds.budget_line(w.project_b)
    kept.rebuild()
    return w


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=12))
def test_after_any_sequence_of_service_calls_the_kept_figures_are_the_recomputed_ones(world, steps):
    with transaction.atomic():
        for action in each_call(world, steps):
            have = kept_rows()
            assert have == recomputed(), action
            assert {k: (v[0], v[1], v[6]) for k, v in have.items()} == read_by_the_reader(world), action
            assert_measures_recomputed(world, action)
        for q in QUARTERS:  # the kept rows added up are the source tables added up
            assert by_programme_kept(world, q) == by_programme_from_the_sources(world, q), q
            # and read by the programme each row holds, without a join, they are the same
            every = groups.group_kept(lambda prefix: Q(**{f"{prefix}pk__isnull": False}), q, "allocation__programme_id")
            assert groups.group_by_programme(Programme.objects.values_list("pk", flat=True), q,
                                             Allocation.Status.values) == every, q
        transaction.set_rollback(True)


def each_call(world, steps):
    """Run each step in its own savepoint (a refused call is part of the sequence), yielding it after
    it ran: the kept figures are checked after every call, not only the last, since a later call that
    works out a whole project again would hide a call that left its figures behind."""
    for action in steps:
        try:
            with transaction.atomic():
                run(world, action)
        except ServiceError:
            pass
        yield action


def assert_measures_recomputed(world, action):
    measures = kept_measures()
    assert measures == measures_recomputed(), action
    assert {k: (v[2], v[3]) for k, v in measures.items()} == measures_by_the_reader(world), action


# Project A's measures alone, on two quarters, so that submissions, approvals and reopenings meet often.
rated = st.sampled_from(["red", "amber", "green"])
measure_step = st.one_of(
    st.tuples(st.just("submit"), st.just("a"), st.integers(1, 2), st.just(Decimal("10")), st.just(Decimal("10")),
              rated, people),
    st.tuples(st.sampled_from(["approve", "approve", "reopen", "send_back"]), st.just("a"), st.integers(1, 2), rated),
    st.tuples(st.just("targets"), st.sampled_from([None, Decimal("0"), Decimal("100"), Decimal("141")]),
              st.sampled_from([None, Decimal("30")])),
    st.tuples(st.just("dates"), st.just("a"), st.sampled_from([date(2023, 6, 30), date(2024, 3, 31)])),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(measure_step, min_size=2, max_size=10))
def test_after_any_sequence_of_approvals_and_target_changes_the_measures_figures_are_recomputed(world, steps):
    with transaction.atomic():
        for action in each_call(world, steps):
            assert_measures_recomputed(world, action)
        transaction.set_rollback(True)


def test_a_return_moves_its_quarter_in_the_same_transaction(world):
    ret = returns.return_submit(actor=world.user_a, project=world.project_a, quarter=QUARTERS[0], version=None,
                                data=worlds.complete_input(world))
    row = ProjectQuarter.objects.get(project=world.project_a, financial_year=2023, quarter=1)
    assert (row.status, row.spent, row.rag) == ("submitted", Decimal("11000.00"), "green")
    returns.return_approve(actor=world.commissioner, ret=ret, version=ret.version, officer_rag="red")
    row.refresh_from_db()
    assert (row.status, row.rag, row.officer_rag) == ("approved", "red", "red")
    assert ProjectQuarter.objects.get(project=world.project_a, financial_year=2023, quarter=2).status == NOT_STARTED


def test_a_refused_call_leaves_the_kept_figures_as_they_were(world):
    before = kept_rows()
    with pytest.raises(ServiceError):
        returns.return_submit(actor=world.user_b, project=world.project_a, quarter=QUARTERS[0], version=None,
                              data=worlds.complete_input(world))
    assert kept_rows() == before


def test_the_command_rebuilds_what_went_round_the_services_and_checks(world, capsys):
    ProjectQuarter.objects.all().delete()
    with pytest.raises(Exception, match="differ"):
        call_command("rebuild_kept_figures", "--check")
    call_command("rebuild_kept_figures")
    assert kept_rows() == recomputed() and kept_rows()
    call_command("rebuild_kept_figures", "--check")
    assert "agree" in capsys.readouterr().out


