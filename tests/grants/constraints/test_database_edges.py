"""
What the database accepts right at the edge of each of its rules, and the guard
that every named constraint of the grant models has a test in this folder.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from grants import models
from tests import factories as f
from tests.grants.constraints.helpers import NO_TARGETS, Unit, measure, named_constraints

pytestmark = pytest.mark.django_db


# --- What the database accepts, at the edges -------------------------------------


def _measure_value(project, unit, value, **kwargs):
    quarterly_return = f.QuarterlyReturnFactory(project=project)
    targets = {**NO_TARGETS, "annual_target": value, "target_q4": value}
    project_measure = f.ProjectMeasureFactory(project=project, measure=measure(unit), **targets)
    return f.MeasureValueFactory(quarterly_return=quarterly_return, project_measure=project_measure, value=value, **kwargs)


def _virement_of_a_penny(project, user):
    from_line, to_line = f.BudgetLineFactory(project=project), f.BudgetLineFactory(project=project)
    return models.Virement.objects.create(
        from_line=from_line, to_line=to_line, amount=Decimal("0.01"), quarter=1, reason="Moving money", requested_by=user
    )


def _two(make):
    return [make(), make()]


# Writes right at the edge of each rule, which the database must take.
EDGE_VALUES = {
    "a programme with no budget": lambda p, u: f.ProgrammeFactory(total_budget=0),
    "a variance threshold of 0 and 100 percent": lambda p, u: [
        f.ProgrammeFactory(variance_threshold_percent=0), f.ProgrammeFactory(variance_threshold_percent=100)
    ],
    "an over-allocation allowance of 0 and 100 percent": lambda p, u: [
        f.ProgrammeFactory(over_allocation_percent=0), f.ProgrammeFactory(over_allocation_percent=100)
    ],
    "an allocation of nothing": lambda p, u: f.AllocationFactory(amount=0),
    "a draft allocation with no decision yet": lambda p, u: f.AllocationFactory(
        status="draft", decision_reference="", decision_date=None
    ),
    "a withdrawn allocation with a reason and no decision": lambda p, u: f.AllocationFactory(
        status="withdrawn", decision_reference="", decision_date=None, withdrawn_reason="No match funding"
    ),
    "an unpublished allocation with a reason": lambda p, u: f.AllocationFactory(
        do_not_publish=True, do_not_publish_reason="Names a refuge"
    ),
    "a one-day allocation": lambda p, u: f.AllocationFactory(start_date=date(2023, 4, 1), end_date=date(2023, 4, 1)),
    "a one-day project": lambda p, u: f.ProjectFactory(
        allocation=p.allocation, start_date=date(2023, 4, 1), end_date=date(2023, 4, 1)
    ),
    "a budget line of nothing": lambda p, u: f.BudgetLineFactory(
        project=p, amount=0, profile_q1=0, profile_q2=0, profile_q3=0, profile_q4=0
    ),
    "no spend": lambda p, u: f.SpendLineFactory(quarterly_return__project=p, actual=0),
    "spend not entered yet": lambda p, u: f.SpendLineFactory(quarterly_return__project=p, actual=None),
    "a percentage of 0": lambda p, u: _measure_value(p, Unit.PERCENTAGE, Decimal("0")),
    "a percentage of 100": lambda p, u: _measure_value(p, Unit.PERCENTAGE, Decimal("100.00")),
    "a yes": lambda p, u: _measure_value(p, Unit.YES_NO, Decimal("1")),
    "a no": lambda p, u: _measure_value(p, Unit.YES_NO, Decimal("0")),
    "a count of 0": lambda p, u: _measure_value(p, Unit.COUNT, Decimal("0")),
    "a large count": lambda p, u: _measure_value(p, Unit.COUNT, Decimal("1000")),
    "a value not collected": lambda p, u: _measure_value(p, Unit.PERCENTAGE, None, not_collected=True),
    "a cumulative money measure": lambda p, u: f.OutcomeMeasureFactory(unit=Unit.MONEY, aggregation="events"),
    "a payment of nothing": lambda p, u: f.PaymentFactory(allocation=p.allocation, amount=0),
    "a released payment with its reference and date": lambda p, u: f.PaymentFactory(
        allocation=p.allocation, status="released", reference="PAY-2", paid_on=date(2023, 10, 31)
    ),
    "a withheld payment with its reason": lambda p, u: f.PaymentFactory(
        allocation=p.allocation, status="withheld", withheld_reason="Return overdue"
    ),
    "payments for the same quarter of different years": lambda p, u: [
        f.PaymentFactory(allocation=p.allocation, financial_year=2023, quarter=4),
        f.PaymentFactory(allocation=p.allocation, financial_year=2024, quarter=4),
    ],
    "a received clawback of nothing with its date": lambda p, u: models.Clawback.objects.create(
        allocation=p.allocation, amount=0, status="received", reason="Underspend",
        requested_on=date(2024, 4, 30), received_on=date(2024, 5, 31), recorded_by=u,
    ),
    "a virement of a penny": _virement_of_a_penny,
    "returns for Q1 and Q4": lambda p, u: [
        f.QuarterlyReturnFactory(project=p, quarter=1), f.QuarterlyReturnFactory(project=p, quarter=4)
    ],
    "returns for the same quarter of different years": lambda p, u: [
        f.QuarterlyReturnFactory(project=p, financial_year=2023, quarter=2),
        f.QuarterlyReturnFactory(project=p, financial_year=2024, quarter=2),
    ],
    "two organisations without an identifier": lambda p, u: _two(lambda: f.OrganisationFactory(org_identifier="")),
    "a user with neither role nor organisation": lambda p, u: f.UserFactory(organisation=None, role=""),
    "the same priority code for two commissioners": lambda p, u: _two(lambda: f.PriorityFactory(code="violence")),
    "two areas without a code": lambda p, u: _two(lambda: models.Area.objects.create(name="Somewhere")),
}


@pytest.mark.parametrize("make", EDGE_VALUES.values(), ids=EDGE_VALUES.keys())
def test_the_database_accepts_a_value_right_at_the_edge_of_a_rule(project, user, make):
    made = make(project, user)
    for instance in made if isinstance(made, list) else [made]:
        assert type(instance).objects.filter(pk=instance.pk).exists()


def test_every_named_constraint_has_a_test_here():
    """Here is every test module of this folder: a constraint named in none of them has no test."""
    source = "\n".join(path.read_text() for path in sorted(Path(__file__).parent.glob("test_*.py")))
    untested = sorted(name for name in named_constraints() if f'"{name}"' not in source)
    assert untested == []
