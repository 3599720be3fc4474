"""The helpers every test module shares, building a scenario once for a module or class, and the base actors."""

import copy
from contextlib import nullcontext
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from grants.models import BudgetLine, Organisation, OutcomeMeasure, User
from grants.services import kept
from grants.services import returns as s
from tests import factories as f

FORMULA_NAME = '=HYPERLINK("http://x","click")'  # a name a spreadsheet would run as a formula
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PENNY = Decimal("0.01")
# Who asks, in the order of the permission table's columns: signed out, each provider's user, the
# funder's viewer, commissioner officer and finance officer, and a commissioner officer of another funder.
ACTORS = ["anonymous", "user_a", "user_b", "viewer", "commissioner", "finance", "outsider"]
Unit = OutcomeMeasure.Unit


# --- Helpers the test modules share ----------------------------------------------------------------


def client_for(user) -> Client:
    """A test client signed in as `user` (signed out for None)."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def penny(value) -> Decimal:
    """A number (a cell's, a page's) as pounds and pence."""
    return Decimal(str(value)).quantize(PENNY)


def approve(officer, ret, rag="green"):
    """The officer approves the return through the service, with their rating."""
    return s.return_approve(actor=officer, ret=ret, version=ret.version, officer_rag=rag)


def line_with_profile(project, description, profile, category=BudgetLine.Category.STAFF):
    """A budget line whose amount is the sum of its four quarters' profile."""
    profile = [Decimal(p) for p in profile]
    return f.BudgetLineFactory(
        project=project, description=description, category=category, amount=sum(profile),
        profile_q1=profile[0], profile_q2=profile[1], profile_q3=profile[2], profile_q4=profile[3],
    )


def evenly_profiled_line(project, amount="40000.00", description="Staff"):
    """A staff line of `amount` profiled evenly over the year (the pennies left over in Q4)."""
    quarter = (Decimal(amount) / 4).quantize(PENNY)
    return f.BudgetLineFactory(
        project=project, description=description, category=BudgetLine.Category.STAFF, amount=Decimal(amount),
        profile_q1=quarter, profile_q2=quarter, profile_q3=quarter, profile_q4=Decimal(amount) - 3 * quarter,
    )


def budget_line(project, description="Youth workers", amount="40000.00", profile=None, *,
                category=BudgetLine.Category.STAFF, year=2023) -> BudgetLine:
    """A budget line saved straight to the database (set-up, not the thing under test), profiled
    evenly unless a profile is given."""
    amount = Decimal(amount)
    profile = [Decimal(p) for p in (profile or [amount / 4] * 4)]
    line = BudgetLine.objects.create(
        project=project, financial_year=year, category=category, description=description, amount=amount,
        profile_q1=profile[0], profile_q2=profile[1], profile_q3=profile[2], profile_q4=profile[3],
    )
    kept.refresh([project.pk])  # as budget_line_save would
    return line


# --- Built once per module -------------------------------------------------------------------------


def built_once(build, *, scope="module", on=None):
    """A fixture of the given scope (module or class) giving what `build()` makes, built once for the
    tests of the module (or class) inside a transaction rolled back when they are done, as Django's
    TestCase.setUpTestData does. The per-test fixture that hands it out also asks for `db`, so each
    test runs in a savepoint on top and what it writes is rolled back before the next test; hand it
    out through `fresh(...)` when a test may change the Python objects. `on`: the day it is built on.

    Only for modules (classes) whose every database test uses the scenario: the rows are there for
    all of them, and none may use transactional_db (which would empty the tables)."""

    @pytest.fixture(scope=scope)
    def once(django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            outer = transaction.atomic()
            outer.__enter__()
            try:
                with (time_machine.travel(on, tick=False) if on else nullcontext()), \
                        override_settings(PASSWORD_HASHERS=FAST_HASHER):
                    world = build()
                yield world
            finally:
                transaction.set_rollback(True)
                outer.__exit__(None, None, None)

    return once


def built_once_per_module(build, *, on=None):
    return built_once(build, scope="module", on=on)


def fresh(world):
    """A copy of a module's scenario for one test: the rows are shared (and rolled back after each
    test), the Python objects are not, so a test that changes one in memory leaves the next test's alone."""
    return copy.deepcopy(world)


# --- The demo -------------------------------------------------------------------------------------


def the_demo() -> SimpleNamespace:
    """The demo data (fixtures/demo.json, made by grants/demo.py): two funders with years of returns."""
    call_command("loaddata", "demo", verbosity=0)
    kept.rebuild()  # as load_demo does: a fixture loads round the services
    return SimpleNamespace()


# --- The base actors -------------------------------------------------------------------------------


def two_providers_one_programme() -> SimpleNamespace:
    """One commissioner organisation with a commissioner officer, a finance officer and a viewer; two
    provider organisations (A and B) with a user each, each funded by its own allocation under the
    programme CSF with one project (A-1, B-1); and an outsider: a commissioner officer of another funder."""
    commissioner_org = f.CommissionerFactory(name="Office of the Police and Crime Commissioner for Testshire")
    other_commissioner_org = f.CommissionerFactory(name="Office of the Police and Crime Commissioner for Elsewhere")
    provider_a = f.OrganisationFactory(name="Provider A", kind=Organisation.Kind.CHARITY)
    provider_b = f.OrganisationFactory(name="Provider B", kind=Organisation.Kind.CSP)

    programme = f.ProgrammeFactory(commissioner=commissioner_org, name="Community Safety Fund", code="CSF")
    allocation_a = f.AllocationFactory(programme=programme, recipient=provider_a, title="Allocation to A")
    allocation_b = f.AllocationFactory(programme=programme, recipient=provider_b, title="Allocation to B")
    project_a = f.ProjectFactory(allocation=allocation_a, reference="A-1", name="Project of A")
    project_b = f.ProjectFactory(allocation=allocation_b, reference="B-1", name="Project of B")

    return SimpleNamespace(
        commissioner_org=commissioner_org,
        other_commissioner_org=other_commissioner_org,
        provider_a=provider_a,
        provider_b=provider_b,
        programme=programme,
        allocation_a=allocation_a,
        allocation_b=allocation_b,
        project_a=project_a,
        project_b=project_b,
        commissioner=f.UserFactory(username="commissioner", organisation=commissioner_org, role=User.Role.COMMISSIONER),
        finance=f.UserFactory(username="finance", organisation=commissioner_org, role=User.Role.FINANCE),
        viewer=f.UserFactory(username="viewer", organisation=commissioner_org, role=User.Role.VIEWER),
        user_a=f.UserFactory(username="provider-a", organisation=provider_a, role=User.Role.PROVIDER),
        user_b=f.UserFactory(username="provider-b", organisation=provider_b, role=User.Role.PROVIDER),
        outsider=f.UserFactory(
            username="outsider", organisation=other_commissioner_org, role=User.Role.COMMISSIONER
        ),
    )
