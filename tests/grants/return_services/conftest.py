"""
The project the return service tests are about: project A of the base actors
(tests/conftest.py) with two budget lines and one outcome measure of each unit.
"""

from decimal import Decimal

import pytest

from grants.models import BudgetLine, User
from tests import factories as f
from tests.grants.return_services.helpers import Unit


@pytest.fixture
def world(actors):
    """Project A with two budget lines profiled at £10,000 and £1,000 a quarter, and one
    outcome measure of each unit, all for 2023-24."""
    project = actors.project_a
    actors.staff = f.BudgetLineFactory(
        project=project, category=BudgetLine.Category.STAFF, description="Youth workers",
    )
    actors.venue = f.BudgetLineFactory(
        project=project, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000.00"),
        profile_q1=Decimal("1000.00"), profile_q2=Decimal("1000.00"),
        profile_q3=Decimal("1000.00"), profile_q4=Decimal("1000.00"),
    )
    actors.people = f.ProjectMeasureFactory(
        project=project, measure=f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, aggregation="events"),
    )
    actors.satisfaction = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, aggregation="level"),
    )
    actors.policy = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("1"),
        measure=f.OutcomeMeasureFactory(name="Safeguarding policy reviewed", unit=Unit.YES_NO, aggregation="milestone"),
    )
    actors.match_funding = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("5000"),
        measure=f.OutcomeMeasureFactory(name="Match funding secured", unit=Unit.MONEY, aggregation="events"),
    )
    actors.other_commissioner = f.UserFactory(
        username="commissioner-2", organisation=actors.commissioner_org, role=User.Role.COMMISSIONER,
    )
    actors.colleague_a = f.UserFactory(username="provider-a-2", organisation=actors.provider_a, role=User.Role.PROVIDER)
    return actors
