"""
The project the return view tests are about, and its returns: project A of the
base actors (tests/conftest.py) with two budget lines and two outcome measures,
people with names, and returns of A and B in several states.
"""

from decimal import Decimal

import pytest

from grants.models import BudgetLine, User
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import ReturnInput
from tests import factories as f
from tests.grants.return_views.helpers import Unit, complete_input


@pytest.fixture
def project(actors):
    """Project A with two budget lines and two outcome measures for 2023-24; named people."""
    w = actors
    w.staff = f.BudgetLineFactory(project=w.project_a, category=BudgetLine.Category.STAFF, description="Youth workers")
    w.venue = f.BudgetLineFactory(
        project=w.project_a, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000"),
        profile_q1=Decimal("1000"), profile_q2=Decimal("1000"), profile_q3=Decimal("1000"), profile_q4=Decimal("1000"),
    )
    w.people = f.ProjectMeasureFactory(
        project=w.project_a, measure=f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT),
    )
    w.satisfaction = f.ProjectMeasureFactory(
        project=w.project_a, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, aggregation="level"),
    )
    for user, first, last in [(w.user_a, "Asha", "Patel"), (w.commissioner, "Chris", "Okafor"),
                              (w.finance, "Fran", "Lewis")]:
        user.first_name, user.last_name = first, last
        user.save()
    w.colleague_a = f.UserFactory(username="provider-a-2", organisation=w.provider_a, role=User.Role.PROVIDER,
                                  first_name="Sam", last_name="Reid")
    w.other_commissioner = f.UserFactory(username="commissioner-2", organisation=w.commissioner_org,
                                         role=User.Role.COMMISSIONER, first_name="Dana", last_name="Hughes")
    return w


@pytest.fixture
def world(project):
    """A's Q1 submitted, Q2 a draft, Q3 approved, Q4 not started; B's Q1 submitted."""
    w = project

    def submit(quarter):
        return s.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, quarter), version=None,
                               data=complete_input(w))

    w.q1 = submit(1)
    w.q2 = s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 2), version=None,
                               data=complete_input(w, progress="Half done."))
    q3 = submit(3)
    w.q3 = s.return_approve(actor=w.commissioner, ret=q3, version=q3.version, officer_rag="green")
    w.b1 = s.return_submit(actor=w.user_b, project=w.project_b, quarter=Quarter(2023, 1), version=None,
                           data=ReturnInput(progress="B's progress.", self_rag="amber"))
    return w
