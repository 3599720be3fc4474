"""
The world the commissioning and finance tests share: the base actors (tests/conftest.py)
with a second commissioner officer and finance officer, so that "two people at once" is two
real users; and, for the page tests, `pages` on a fixed `today` (described in views_world.py).
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine

from grants.models import BudgetLine, Clawback, Programme, User, Virement
from tests import factories as f
from tests.grants.commissioning.helpers import line

TODAY = date(2024, 5, 15)


@pytest.fixture
def world(actors):
    w = actors
    w.commissioner_2 = f.UserFactory(username="commissioner-2", organisation=w.commissioner_org,
                                     role=User.Role.COMMISSIONER)
    w.finance_2 = f.UserFactory(username="finance-2", organisation=w.commissioner_org, role=User.Role.FINANCE)
    w.outsider_finance = f.UserFactory(username="outsider-finance", organisation=w.other_commissioner_org,
                                       role=User.Role.FINANCE)
    return w


@pytest.fixture
def today():
    with time_machine.travel(date(2024, 5, 15), tick=False):
        yield TODAY


@pytest.fixture
def pages(world, today):
    w = world
    Programme.objects.filter(pk=w.programme.pk).update(payment_terms=Programme.PaymentTerms.ADVANCE)
    w.programme.refresh_from_db()
    w.staff = line(w.project_a, "Youth workers", "40000.00")
    w.venue = line(w.project_a, "Venue hire", "4000.00", category=BudgetLine.Category.NON_STAFF)
    w.spare = line(w.project_a, "Contingency", "400.00", category=BudgetLine.Category.OTHER)
    w.measure = f.OutcomeMeasureFactory(name="Young people engaged")
    w.project_measure = f.ProjectMeasureFactory(project=w.project_a, measure=w.measure)
    w.virement = Virement.objects.create(from_line=w.staff, to_line=w.venue, amount=Decimal("500.00"), quarter=4,
                                         reason="Evening sessions.", requested_by=w.user_a)
    w.q1 = f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("25000.00"))
    w.q2 = f.PaymentFactory(allocation=w.allocation_a, quarter=2, amount=Decimal("25000.00"), status="released",
                            reference="PAY-2", paid_on=date(2023, 7, 3), released_by=w.finance)
    w.clawback = Clawback.objects.create(allocation=w.allocation_a, amount=Decimal("1000.00"), reason="Underspend.",
                                         requested_on=date(2024, 5, 1), recorded_by=w.finance)
    w.b_payment = f.PaymentFactory(allocation=w.allocation_b, quarter=1, amount=Decimal("10000.00"),
                                   status="released", reference="PAY-B1", paid_on=date(2023, 4, 3))
    w.b_2 = f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_a, reference="B-2",
                             name="Delivered by A for B")
    w.draft = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Draft to A",
                                  amount=Decimal("5000.00"), status="draft", decision_reference="", decision_date=None)
    return w
