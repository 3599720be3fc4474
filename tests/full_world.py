"""
A world with one of every object for each organisation, for the tests that walk every URL
(tests/test_permission_matrix.py) and throw bad input at the forms (tests/test_hostile_input.py).

The same people as the base actors (tests/conftest.py: a commissioner officer, a finance officer and a
viewer of the funder; provider A and provider B with a user each; an outsider commissioner of another
funder), with a provider X funded by the outsider's organisation, and on 15 May 2024:

- "A" and "B": each provider's allocation under the funder's programme, its project (A-1, B-1) with
  two budget lines and two outcome measures, a submitted return for 2023-24 Q1 and a draft for Q2,
  a scheduled payment for Q1, a released one for Q2 with a clawback asked for, and a virement asked
  for by the provider;
- "X": the same under another funder's programme, for provider X (the outsider commissioner's side);
- a draft allocation of each funder, a library measure, and each funder's programme.

`w.of[owner]` holds each organisation's objects by kind (see OBJECT_KINDS).
"""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.db import transaction
from django.test import override_settings

from grants.models import Clawback, Organisation, User, Virement
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f

TODAY = date(2024, 5, 15)
OWNERS = ("A", "B", "X")
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _objects(programme, allocation, project, provider_user, finance_user, draft_allocation):
    o = SimpleNamespace(programme=programme, allocation=allocation, project=project,
                        draft_allocation=draft_allocation)
    o.staff = f.BudgetLineFactory(project=project, description="Youth workers")
    o.venue = f.BudgetLineFactory(
        project=project, category="non_staff", description="Venue hire", amount=Decimal("4000"),
        profile_q1=Decimal("1000"), profile_q2=Decimal("1000"), profile_q3=Decimal("1000"), profile_q4=Decimal("1000"))
    o.people = f.ProjectMeasureFactory(project=project, measure=f.OutcomeMeasureFactory(name=f"Engaged {project}"))
    o.satisfied = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name=f"Satisfied {project}", unit="percentage", aggregation="level"))
    data = ReturnInput(
        progress="Ran 24 evening sessions.", self_rag="green",
        spend={o.staff.pk: SpendInput(actual=Decimal("10000")), o.venue.pk: SpendInput(actual=Decimal("1000"))},
        measures={o.people.pk: MeasureInput(value=Decimal("35")), o.satisfied.pk: MeasureInput(value=Decimal("92"))})
    o.submitted = s.return_submit(actor=provider_user, project=project, quarter=Quarter(2023, 1), version=None,
                                  data=data)
    o.draft = s.return_save_draft(actor=provider_user, project=project, quarter=Quarter(2023, 2), version=None,
                                  data=data)
    o.payment = f.PaymentFactory(allocation=allocation, quarter=1, amount=Decimal("25000.00"))
    o.released = f.PaymentFactory(allocation=allocation, quarter=2, amount=Decimal("25000.00"), status="released",
                                  reference=f"PAY-{project}", paid_on=date(2023, 7, 3), released_by=finance_user)
    o.clawback = Clawback.objects.create(allocation=allocation, amount=Decimal("1000.00"), reason="Underspend.",
                                         requested_on=date(2024, 5, 1), recorded_by=finance_user)
    o.virement = Virement.objects.create(from_line=o.staff, to_line=o.venue, amount=Decimal("500.00"), quarter=4,
                                         reason="Evening sessions.", requested_by=provider_user)
    return o


@pytest.fixture
def today():
    with time_machine.travel(TODAY, tick=False):
        yield TODAY


def build_full_world() -> SimpleNamespace:
    w = SimpleNamespace()
    w.commissioner_org = f.CommissionerFactory(name="Office of the Police and Crime Commissioner for Testshire")
    w.other_commissioner_org = f.CommissionerFactory(name="Office of the Police and Crime Commissioner for Elsewhere")
    w.provider_a = f.OrganisationFactory(name="Provider A", kind=Organisation.Kind.CHARITY)
    w.provider_b = f.OrganisationFactory(name="Provider B", kind=Organisation.Kind.CSP)
    w.provider_x = f.OrganisationFactory(name="Provider X", kind=Organisation.Kind.CHARITY)
    for username, org, role in [
        ("commissioner", w.commissioner_org, User.Role.COMMISSIONER), ("finance", w.commissioner_org, User.Role.FINANCE),
        ("viewer", w.commissioner_org, User.Role.VIEWER), ("user_a", w.provider_a, User.Role.PROVIDER),
        ("user_b", w.provider_b, User.Role.PROVIDER), ("user_x", w.provider_x, User.Role.PROVIDER),
        ("outsider", w.other_commissioner_org, User.Role.COMMISSIONER),
        ("outsider_finance", w.other_commissioner_org, User.Role.FINANCE),
    ]:
        setattr(w, username, f.UserFactory(username=username.replace("_", "-"), organisation=org, role=role))

    w.programme = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Community Safety Fund", code="CSF")
    w.other_programme = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="EF")
    w.allocation_a = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Allocation to A")
    w.allocation_b = f.AllocationFactory(programme=w.programme, recipient=w.provider_b, title="Allocation to B")
    w.allocation_x = f.AllocationFactory(programme=w.other_programme, recipient=w.provider_x, title="Allocation to X")
    w.project_a = f.ProjectFactory(allocation=w.allocation_a, reference="A-1", name="Project of A")
    w.project_b = f.ProjectFactory(allocation=w.allocation_b, reference="B-1", name="Project of B")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Project of X")

    def draft_to(programme, recipient):
        return f.AllocationFactory(programme=programme, recipient=recipient, title=f"Draft to {recipient.name}",
                                   amount=Decimal("5000.00"), status="draft", decision_reference="",
                                   decision_date=None)

    w.of = {
        "A": _objects(w.programme, w.allocation_a, w.project_a, w.user_a, w.finance,
                      draft_to(w.programme, w.provider_a)),
        "B": _objects(w.programme, w.allocation_b, w.project_b, w.user_b, w.finance,
                      draft_to(w.programme, w.provider_b)),
        "X": _objects(w.other_programme, w.allocation_x, w.project_x, w.user_x, w.outsider_finance,
                      draft_to(w.other_programme, w.provider_x)),
    }
    return w


@pytest.fixture(scope="module")
def _full_world_once(django_db_setup, django_db_blocker):
    """Built once per test module inside a transaction that is rolled back at the end, as Django's
    TestCase.setUpTestData does; each test runs in a savepoint within it (the `db` fixture)."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with time_machine.travel(TODAY, tick=False), override_settings(PASSWORD_HASHERS=FAST_HASHER):
                world = build_full_world()
            yield world
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def full_world(_full_world_once, db, today):
    return _full_world_once
