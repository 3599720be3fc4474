"""
Projects, their budget lines with a quarterly profile, and their outcome measures, through
their services: the profile adds up to the line, every project's lines together fit within the
allocation to the penny, a line keeps what has been spent on it, measures come from the shared
library with a baseline and targets, and only the funder's commissioner officers change them.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, Area, BudgetLine, OutcomeMeasure, Priority, Project, ProjectMeasure
from grants.services import Invalid, NotAllowed, Stale
from grants.services import projects as s
from tests import factories as f
from tests.grants.commissioning.helpers import Q, line, verified_return

Unit = OutcomeMeasure.Unit


def line_values(**changes):
    values = dict(financial_year=2023, category=BudgetLine.Category.STAFF, description="Youth workers",
                  amount=Decimal("60000.00"), profile_q1=Decimal("15000.00"), profile_q2=Decimal("15000.00"),
                  profile_q3=Decimal("15000.00"), profile_q4=Decimal("15000.00"))
    values.update(changes)
    return values


def project_values(w, **changes):
    values = dict(reference="YOUTH-2023", name="Youth outreach", description="Detached youth work.",
                  provider=w.provider_b, start_date=date(2023, 7, 1), end_date=date(2024, 3, 31), area=None)
    values.update(changes)
    return values


# --- Projects ---------------------------------------------------------------------------------


def test_a_commissioner_sets_up_a_project_with_its_provider_priorities_and_area(officers):
    violence = Priority.objects.create(commissioner=officers.commissioner_org, code="violence", name="Serious violence")
    bradford = Area.objects.create(name="Bradford district", code="E08000032", code_type=Area.CodeType.MD)
    project = s.project_create(actor=officers.commissioner, allocation=officers.allocation_a,
                               values=project_values(officers, area=bradford), priorities=[violence])

    project.refresh_from_db()
    assert (project.provider, project.area, list(project.priorities.all())) == (officers.provider_b, bradford, [violence])
    assert project.history.get().history_user == officers.commissioner


def test_a_project_takes_only_the_funders_own_priorities(officers):
    theirs = Priority.objects.create(commissioner=officers.other_commissioner_org, code="hate", name="Hate crime")
    with pytest.raises(Invalid) as refused:
        s.project_create(actor=officers.commissioner, allocation=officers.allocation_a, values=project_values(officers),
                         priorities=[theirs])
    assert refused.value.errors == {"priorities": "Choose priorities from your own Police and Crime Plan."}


@pytest.mark.parametrize("changes, errors", [
    (dict(reference="A-1"), {"reference": "Another project already has this reference: choose another."}),
    (dict(start_date=date(2023, 3, 1)),
     {"start_date": "The project cannot start before its allocation does (1 April 2023)."}),
    (dict(end_date=date(2024, 4, 1)), {"end_date": "The project cannot end after its allocation does (31 March 2024)."}),
])
def test_a_project_has_a_unique_reference_and_runs_within_its_allocation(officers, changes, errors):
    with pytest.raises(Invalid) as refused:
        s.project_create(actor=officers.commissioner, allocation=officers.allocation_a,
                         values=project_values(officers, **changes))
    assert refused.value.errors == errors
    assert not Project.objects.filter(name="Youth outreach").exists()


def test_a_project_is_delivered_by_a_provider_not_a_commissioner(officers):
    with pytest.raises(Invalid) as refused:
        s.project_create(actor=officers.commissioner, allocation=officers.allocation_a,
                         values=project_values(officers, provider=officers.other_commissioner_org))
    assert refused.value.errors == {"provider": "Choose the organisation that delivers the project, not a commissioner."}


def test_once_returns_are_made_the_provider_stays_and_the_dates_keep_their_quarters(officers):
    staff = line(officers.project_a)
    verified_return(officers, officers.project_a, Q(1), {staff: "10000.00"})
    values = {name: getattr(officers.project_a, name) for name in s.PROJECT_FIELDS}
    with pytest.raises(Invalid) as refused:
        s.project_update(actor=officers.commissioner, project=officers.project_a, version=officers.project_a.version,
                         values={**values, "provider": officers.provider_b, "start_date": date(2023, 7, 1)})
    assert refused.value.errors == {
        "provider": "Returns have been made for this project: its provider cannot change.",
        "start_date": "There is a return for 2023-24 Q1: the project's dates must still include that quarter.",
    }
    changed = s.project_update(actor=officers.commissioner, project=officers.project_a, version=officers.project_a.version,
                               values={**values, "name": "Project of A, renamed"})
    assert changed.name == "Project of A, renamed"


@pytest.mark.parametrize("actor", ["finance", "viewer", "user_a", "outsider"])
def test_only_the_funders_commissioner_officers_set_up_projects(officers, actor):
    with pytest.raises(NotAllowed):
        s.project_create(actor=getattr(officers, actor), allocation=officers.allocation_a, values=project_values(officers))
    assert not Project.objects.filter(reference="YOUTH-2023").exists()


@pytest.mark.parametrize("status", [Allocation.Status.CLOSED, Allocation.Status.WITHDRAWN])
def test_a_closed_or_withdrawn_allocation_takes_no_new_project_or_budget(officers, status):
    Allocation.objects.filter(pk=officers.allocation_a.pk).update(status=status, withdrawn_reason="Ended.")
    officers.allocation_a.refresh_from_db()
    with pytest.raises(NotAllowed):
        s.project_create(actor=officers.commissioner, allocation=officers.allocation_a, values=project_values(officers))
    with pytest.raises(NotAllowed):
        s.budget_line_save(actor=officers.commissioner, project=officers.project_a, values=line_values())


# --- Budget lines -----------------------------------------------------------------------------


def test_a_budget_line_is_saved_with_its_profile_and_its_author(officers):
    saved = s.budget_line_save(actor=officers.commissioner, project=officers.project_a, values=line_values(
        amount=Decimal("1000.00"), profile_q1=Decimal("333.33"), profile_q2=Decimal("333.33"),
        profile_q3=Decimal("333.34"), profile_q4=Decimal("0.00")))
    saved.refresh_from_db()
    assert saved.profile == [Decimal("333.33"), Decimal("333.33"), Decimal("333.34"), Decimal("0.00")]
    assert saved.history.get().history_user == officers.commissioner


def test_a_profile_must_add_up_to_its_line_to_the_penny(officers):
    with pytest.raises(Invalid) as refused:
        s.budget_line_save(actor=officers.commissioner, project=officers.project_a,
                           values=line_values(profile_q4=Decimal("14999.99")))
    assert refused.value.errors == {"profile_q4": (
        "The quarterly profile adds up to £59,999.99 but the budget line is £60,000.00: "
        "the quarters must add up to the line.")}


def test_the_lines_of_every_project_together_fit_within_the_allocation_to_the_penny(officers):
    # Allocation A is £100,000.00; project A gets £60,000.00; a second project under A the rest.
    s.budget_line_save(actor=officers.commissioner, project=officers.project_a, values=line_values())
    second = f.ProjectFactory(allocation=officers.allocation_a, provider=officers.provider_b, reference="A-2")
    over = line_values(description="Venue", amount=Decimal("40000.01"), profile_q1=Decimal("10000.01"),
                       profile_q2=Decimal("10000.00"), profile_q3=Decimal("10000.00"), profile_q4=Decimal("10000.00"))
    with pytest.raises(Invalid) as refused:
        s.budget_line_save(actor=officers.commissioner, project=second, values=over)
    assert refused.value.errors == {"amount": (
        "The budget lines of the allocation's projects would add up to £100,000.01, more than the allocation of "
        "£100,000.00: £40,000.00 is left for this line.")}

    exact = {**over, "amount": Decimal("40000.00"), "profile_q1": Decimal("10000.00")}
    s.budget_line_save(actor=officers.commissioner, project=second, values=exact)
    assert sum(BudgetLine.objects.filter(project__allocation=officers.allocation_a).values_list("amount", flat=True)) == \
        Decimal("100000.00")


def test_a_line_cannot_be_cut_below_what_has_been_reported_spent_on_it(officers):
    staff = line(officers.project_a, amount="40000.00")
    verified_return(officers, officers.project_a, Q(1), {staff: "12345.67"})
    values = line_values(amount=Decimal("12345.66"), profile_q1=Decimal("12345.66"), profile_q2=Decimal("0"),
                         profile_q3=Decimal("0"), profile_q4=Decimal("0"), description=staff.description)
    with pytest.raises(Invalid) as refused:
        s.budget_line_save(actor=officers.commissioner, project=officers.project_a, line=staff, version=staff.version,
                           values=values)
    assert refused.value.errors == {"amount": (
        "£12,345.67 has already been reported spent on this line: its budget cannot be less.")}
    staff.refresh_from_db()
    assert staff.amount == Decimal("40000.00")


def test_a_line_changed_since_it_was_opened_is_stale(officers):
    staff = line(officers.project_a)
    seen_version = staff.version
    s.budget_line_save(actor=officers.commissioner_2, project=officers.project_a, line=staff, version=seen_version,
                       values=line_values(description=staff.description, amount=Decimal("40000.00"),
                                          **{f"profile_q{n}": Decimal("10000.00") for n in (1, 2, 3, 4)}))
    with pytest.raises(Stale):
        s.budget_line_save(actor=officers.commissioner, project=officers.project_a, line=staff, version=seen_version,
                           values=line_values(description=staff.description))


def test_a_line_with_spend_against_it_cannot_be_removed(officers):
    staff = line(officers.project_a)
    verified_return(officers, officers.project_a, Q(1), {staff: "100.00"})
    with pytest.raises(Invalid) as refused:
        s.budget_line_delete(actor=officers.commissioner, line=staff, version=staff.version)
    assert refused.value.errors == {"__all__": "Returns report spend against this line: it cannot be removed."}

    spare = line(officers.project_a, description="Spare", amount="0.00")
    s.budget_line_delete(actor=officers.commissioner, line=spare, version=spare.version)
    assert not BudgetLine.objects.filter(pk=spare.pk).exists()
    assert BudgetLine.history.filter(id=spare.pk, history_type="-").get().history_user == officers.commissioner


# --- Outcome measures and the library ---------------------------------------------------------


def test_a_commissioner_adds_a_measure_to_the_library(officers):
    measure = s.measure_create(actor=officers.commissioner, values=dict(
        name=" Households made safer ", definition="Households where security measures were fitted.",
        unit=Unit.COUNT, direction="higher", aggregation="events"))
    assert (measure.name, measure.unit, measure.aggregation) == ("Households made safer", "count", "events")


@pytest.mark.parametrize("values, errors", [
    (dict(name="households MADE safer"),
     {"name": "The library already has a measure with this name: use it, or choose another name."}),
    (dict(name="Satisfaction", unit=Unit.PERCENTAGE, aggregation="events"),
     {"unit": "A measure that adds up as “Events or contacts: quarters add up” is a count or money (£)."}),
])
def test_the_library_keeps_one_measure_per_name_and_sums_only_what_adds_up(officers, values, errors):
    f.OutcomeMeasureFactory(name="Households made safer")
    base = dict(name="X", definition="Counted.", unit=Unit.COUNT, direction="higher", aggregation="level")
    with pytest.raises(Invalid) as refused:
        s.measure_create(actor=officers.commissioner, values={**base, **values})
    assert refused.value.errors == errors


@pytest.mark.parametrize("actor", ["finance", "viewer", "user_a"])
def test_only_commissioner_officers_add_to_the_library(officers, actor):
    with pytest.raises(NotAllowed):
        s.measure_create(actor=getattr(officers, actor), values=dict(name="Mine", definition="x", unit="count",
                                                                  direction="higher", aggregation="level"))


def test_a_project_reports_a_library_measure_with_its_baseline_and_targets(officers):
    rate = f.OutcomeMeasureFactory(name="Voluntary engagement rate", unit=Unit.PERCENTAGE, aggregation="level")
    pm = s.project_measure_save(actor=officers.commissioner, project=officers.project_a, values=dict(
        measure=rate, financial_year=2023, baseline=Decimal("85"), annual_target=Decimal("90"),
        target_q1=None, target_q2=None, target_q3=None, target_q4=Decimal("90")))
    pm.refresh_from_db()
    assert (pm.unit, pm.baseline, pm.annual_target, pm.target_q4) == ("percentage", Decimal("85"), Decimal("90"),
                                                                        Decimal("90"))

    with pytest.raises(Invalid) as refused:
        s.project_measure_save(actor=officers.commissioner, project=officers.project_a, project_measure=pm, version=pm.version,
                               values=dict(
            measure=rate, financial_year=2023, baseline=Decimal("85"), annual_target=Decimal("101"),
            target_q1=None, target_q2=None, target_q3=None, target_q4=None))
    assert refused.value.errors == {"annual_target": "Annual target is a percentage: enter a number from 0 to 100."}


def test_a_measure_is_reported_once_a_year_and_only_in_a_year_the_project_runs(officers):
    measure = f.OutcomeMeasureFactory()
    values = dict(measure=measure, financial_year=2023, baseline=None, annual_target=Decimal("10"), target_q1=None,
                  target_q2=None, target_q3=None, target_q4=None)
    s.project_measure_save(actor=officers.commissioner, project=officers.project_a, values=values)
    with pytest.raises(Invalid) as refused:
        s.project_measure_save(actor=officers.commissioner, project=officers.project_a, values=values)
    assert refused.value.errors == {"__all__": "The project already reports this measure in this year."}
    with pytest.raises(Invalid) as refused:
        s.project_measure_save(actor=officers.commissioner, project=officers.project_a,
                               values={**values, "financial_year": 2024})
    assert refused.value.errors == {"financial_year": "Choose a financial year the project runs in."}
    assert ProjectMeasure.objects.filter(project=officers.project_a).count() == 1
