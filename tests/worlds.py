"""
The named scenarios the tests build, and the few helpers every module used to copy.

Each builder is a plain function named for what it makes (`two_providers_one_programme`,
`a_return_in_every_state`, ...) that creates rows through the factories or the real services and
returns a SimpleNamespace of what it made. Fixtures with the same kind of name call them: per test
where a test writes, or once per module (`built_once_per_module`) where the tests of a module only
read, inside a transaction rolled back at the end of the module, each test in a savepoint on top.

    two_providers_one_programme                 the base actors (tests/conftest.py: `actors`)
    a_return_and_a_payment_each_and_a_second_funder     who may see what (tests/grants/test_scoping.py)
    project_a_with_a_measure_of_every_unit      the return services (tests/grants/return_services/)
    project_a_with_named_people                 the return views (tests/grants/return_views/)
    a_return_in_every_state                     ... with A's Q1-Q3 and B's Q1 in several states
    a_second_officer_of_each_kind               the commissioning services (tests/grants/commissioning/)
    money_in_flight_on_an_advance_programme     ... and their pages, on 15 May 2024
    project_a_and_its_twin_equipped             the provider's template (tests/reporting/test_return_*)
    two_programmes_with_returns_in_every_status the commissioner's workbook (tests/reporting/)
    two_years_with_priorities_and_an_outsider   the lists and their downloads (tests/reporting/test_lists_*)
"""

import copy
from contextlib import nullcontext
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings

from grants.models import Allocation, BudgetLine, Clawback, Organisation, OutcomeMeasure, Payment, Programme, Project, User
from grants.models import Virement
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
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
    return BudgetLine.objects.create(
        project=project, financial_year=year, category=category, description=description, amount=amount,
        profile_q1=profile[0], profile_q2=profile[1], profile_q3=profile[2], profile_q4=profile[3],
    )


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


# --- Who may see what ------------------------------------------------------------------------------


def released_payment(allocation, quarter, amount, **kwargs):
    return f.PaymentFactory(
        allocation=allocation,
        quarter=quarter,
        amount=Decimal(amount),
        status=Payment.Status.RELEASED,
        reference=f"PAY-{allocation.pk}-{quarter}",
        paid_on=date(2023, 7, 1),
        **kwargs,
    )


def a_return_and_a_payment_each_and_a_second_funder(w):
    """The actors, each project with a return and each allocation with a payment,
    and a second commissioner funding its own programme."""
    elsewhere_programme = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund")
    elsewhere_recipient = f.OrganisationFactory(name="Elsewhere Provider")
    elsewhere_allocation = f.AllocationFactory(programme=elsewhere_programme, recipient=elsewhere_recipient)
    elsewhere_project = f.ProjectFactory(allocation=elsewhere_allocation)
    w.elsewhere_programme = elsewhere_programme
    w.elsewhere_allocation = elsewhere_allocation
    w.elsewhere_project = elsewhere_project
    w.return_a = f.QuarterlyReturnFactory(project=w.project_a)
    w.return_b = f.QuarterlyReturnFactory(project=w.project_b)
    w.elsewhere_return = f.QuarterlyReturnFactory(project=elsewhere_project)
    w.payment_a = released_payment(w.allocation_a, 1, "25000.00")
    w.payment_b = f.PaymentFactory(allocation=w.allocation_b, quarter=1)
    w.elsewhere_payment = released_payment(elsewhere_allocation, 1, "25000.00")
    return w


# --- Returns ---------------------------------------------------------------------------------------


def project_a_with_a_measure_of_every_unit(w):
    """Project A with two budget lines profiled at £10,000 and £1,000 a quarter, and one outcome
    measure of each unit, all for 2023-24; a second commissioner officer and a colleague of A's user."""
    project = w.project_a
    w.staff = f.BudgetLineFactory(
        project=project, category=BudgetLine.Category.STAFF, description="Youth workers",
    )
    w.venue = f.BudgetLineFactory(
        project=project, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000.00"),
        profile_q1=Decimal("1000.00"), profile_q2=Decimal("1000.00"),
        profile_q3=Decimal("1000.00"), profile_q4=Decimal("1000.00"),
    )
    w.people = f.ProjectMeasureFactory(
        project=project, measure=f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, aggregation="events"),
    )
    w.satisfaction = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, aggregation="level"),
    )
    w.policy = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("1"),
        measure=f.OutcomeMeasureFactory(name="Safeguarding policy reviewed", unit=Unit.YES_NO, aggregation="milestone"),
    )
    w.match_funding = f.ProjectMeasureFactory(
        project=project, annual_target=Decimal("5000"),
        measure=f.OutcomeMeasureFactory(name="Match funding secured", unit=Unit.MONEY, aggregation="events"),
    )
    w.other_commissioner = f.UserFactory(
        username="commissioner-2", organisation=w.commissioner_org, role=User.Role.COMMISSIONER,
    )
    w.colleague_a = f.UserFactory(username="provider-a-2", organisation=w.provider_a, role=User.Role.PROVIDER)
    return w


def project_a_with_named_people(w):
    """Project A with two budget lines and two outcome measures for 2023-24; named people, a colleague
    of A's user and a second commissioner officer."""
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


def complete_input(w, **changes) -> ReturnInput:
    """Every figure of project A's return (project_a_with_named_people's lines and measures) filled in."""
    fields = dict(progress="Ran 24 evening sessions.", self_rag="green")
    fields.update(changes)
    return ReturnInput(
        spend={w.staff.pk: SpendInput(actual=Decimal("10000")), w.venue.pk: SpendInput(actual=Decimal("1000"))},
        measures={w.people.pk: MeasureInput(value=Decimal("35")), w.satisfaction.pk: MeasureInput(value=Decimal("92"))},
        **fields,
    )


def a_return_in_every_state(w):
    """On project_a_with_named_people: A's Q1 submitted, Q2 a draft, Q3 approved, Q4 not started;
    B's Q1 submitted."""
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


# --- Commissioning and finance ---------------------------------------------------------------------


def a_second_officer_of_each_kind(w):
    """The actors with a second commissioner officer and finance officer, so that "two people at once"
    is two real users, and a finance officer of the other funder."""
    w.commissioner_2 = f.UserFactory(username="commissioner-2", organisation=w.commissioner_org,
                                     role=User.Role.COMMISSIONER)
    w.finance_2 = f.UserFactory(username="finance-2", organisation=w.commissioner_org, role=User.Role.FINANCE)
    w.outsider_finance = f.UserFactory(username="outsider-finance", organisation=w.other_commissioner_org,
                                       role=User.Role.FINANCE)
    return w


def money_in_flight_on_an_advance_programme(w):
    """On a_second_officer_of_each_kind (see tests/grants/commissioning/views_world.py): CSF pays in
    advance; allocation A has a scheduled Q1 payment and a released Q2 one with a clawback asked for;
    allocation B is settled and funds a project delivered by A; a draft allocation to A; project A with
    three budget lines, a measure and a virement requested by A."""
    line = budget_line
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


# --- Figures on every surface ----------------------------------------------------------------------


def measures_of_every_kind():
    A = OutcomeMeasure.Aggregation
    return {
        "sessions": f.OutcomeMeasureFactory(name="Sessions run", unit="count", aggregation=A.EVENTS),
        "people": f.OutcomeMeasureFactory(name="Unique young people", unit="count", aggregation=A.PEOPLE),
        "caseload": f.OutcomeMeasureFactory(name="Open cases at quarter end", unit="count", aggregation=A.LEVEL,
                                            direction="lower"),
        "satisfied": f.OutcomeMeasureFactory(name="Satisfied (survey %)", unit="percentage", aggregation=A.LEVEL),
        "engaged": f.OutcomeMeasureFactory(name="Engaged of those offered", unit="percentage", aggregation=A.RATE),
        "agreement": f.OutcomeMeasureFactory(name="Agreement signed", unit="yes_no", aggregation=A.MILESTONE),
        "reports": f.OutcomeMeasureFactory(name="Incidents reported", unit="count", aggregation=A.EVENTS,
                                           direction="none"),
        "match": f.OutcomeMeasureFactory(name="Match funding raised", unit="money", aggregation=A.EVENTS),
    }


def equip_with_every_kind(project, library, seed):
    lines = [
        f.BudgetLineFactory(project=project, description="Staff", amount=Decimal("40001.00"), profile_q1=Decimal("10000.25"),
                            profile_q2=Decimal("10000.25"), profile_q3=Decimal("10000.25"), profile_q4=Decimal("10000.25")),
        f.BudgetLineFactory(project=project, category="capital", description="Equipment", amount=Decimal("9000.00"),
                            profile_q1=Decimal("6000.00"), profile_q2=Decimal("0.00"), profile_q3=Decimal("3000.00"),
                            profile_q4=Decimal("0.00")),
    ]
    targets = {"sessions": (Decimal("150"), [None] * 4), "people": (Decimal("60"), [None, Decimal("35"), None, None]),
               "caseload": (Decimal("20"), [None] * 4), "satisfied": (Decimal("85"), [None, Decimal("80"), None, None]),
               "engaged": (Decimal("90"), [None] * 4), "agreement": (Decimal("1"), [Decimal("0"), Decimal("1"), Decimal("1"), Decimal("1")]),
               "reports": (None, [None] * 4), "match": (Decimal("100.01"), [None] * 4)}
    pms = {}
    for key, measure in library.items():
        annual, quarters = targets[key]
        pms[key] = f.ProjectMeasureFactory(project=project, measure=measure, annual_target=annual,
                                           target_q1=quarters[0], target_q2=quarters[1], target_q3=quarters[2],
                                           target_q4=quarters[3])
    return lines, pms


def figures_for_quarter(lines, pms, number, seed):
    values = {"sessions": 30 + seed + number, "people": 10 * number + seed, "caseload": 18 + number,
              "satisfied": Decimal("79.5") + number, "agreement": 1 if number > 1 else 0,
              "reports": 100 + 7 * number, "match": Decimal("20.01") * number}
    measures = {pms[k].pk: MeasureInput(value=Decimal(v)) for k, v in values.items()}
    measures[pms["engaged"].pk] = MeasureInput(numerator=Decimal(20 + number + seed), denominator=Decimal(24 + number))
    spend = {lines[0].pk: SpendInput(Decimal("9876.54") + number, "Recruitment slipped a month."),
             lines[1].pk: SpendInput(Decimal("1234.56") * number, "Equipment arrived in another quarter.")}
    return ReturnInput(progress=f"Quarter {number} delivered.", self_rag=["green", "amber", "red"][number % 3],
                       spend=spend, measures=measures, personal_data_checked=True)


# Each project's quarters in three_projects_with_every_kind_of_measure: what happens to its return.
PLANS = {
    "A-1": ["approved", "approved", "approved", "approved"],
    "B-1": ["approved", "submitted", "returned", "draft"],
    "C-1": ["approved", "verified", None, "submitted"],
}


def three_projects_with_every_kind_of_measure(w):
    """The actors with a second programme (SVD, project C-1 of B), measures of every kind on A-1, B-1 and
    C-1, returns in every status as PLANS says, payments released to A and a clawback received."""
    svd = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Duty", code="SVD")
    allocation_c = f.AllocationFactory(programme=svd, recipient=w.provider_b, title="Violence reduction")
    f.ProjectFactory(allocation=allocation_c, reference="C-1", name="Project C", provider=w.provider_b)
    library = measures_of_every_kind()
    users = {"A-1": w.user_a, "B-1": w.user_b, "C-1": w.user_b}
    for seed, (ref, plan) in enumerate(PLANS.items()):
        project = Project.objects.get(reference=ref)
        lines, pms = equip_with_every_kind(project, library, seed)
        for number, what in enumerate(plan, start=1):
            if what is None:
                continue
            quarter = Quarter(2023, number)
            data = figures_for_quarter(lines, pms, number, seed)
            if what == "draft":
                s.return_save_draft(actor=users[ref], project=project, quarter=quarter, version=None, data=data)
                continue
            ret = s.return_submit(actor=users[ref], project=project, quarter=quarter, version=None, data=data)
            if what in ("approved", "verified"):
                ret = s.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")
            if what == "verified":
                s.return_verify_spend(actor=w.finance, ret=ret, version=ret.version)
            if what == "returned":
                s.return_send_back(actor=w.commissioner, ret=ret, version=ret.version, comment="Check the spend.")
    f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("16111.79"), status="released",
                     reference="PAY-A-1", paid_on=date(2023, 7, 20), released_by=w.finance)
    f.PaymentFactory(allocation=w.allocation_a, quarter=2, amount=Decimal("17346.35"), status="released",
                     reference="PAY-A-2", paid_on=date(2023, 10, 20), released_by=w.finance)
    Clawback.objects.create(allocation=w.allocation_a, kind=Clawback.Kind.INELIGIBLE, amount=Decimal("345.67"),
                            status=Clawback.Status.RECEIVED, reason="A trip outside the agreement.",
                            requested_on=date(2024, 1, 5), received_on=date(2024, 2, 1), recorded_by=w.finance)
    w.allocation_a.decision_reference = "DEC-A"
    return w


# --- The provider's template -----------------------------------------------------------------------


def one_measure_of_every_unit():
    """One library measure of every unit (and a count that is better lower)."""
    return {
        "engaged": f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, aggregation="events"),
        "rate": f.OutcomeMeasureFactory(name="Voluntary engagement rate", unit=Unit.PERCENTAGE, aggregation="level"),
        "raised": f.OutcomeMeasureFactory(name="Match funding raised", unit=Unit.MONEY, aggregation="events"),
        "met": f.OutcomeMeasureFactory(name="Steering group met", unit=Unit.YES_NO, aggregation="milestone"),
        "repeat": f.OutcomeMeasureFactory(name="Repeat victims", unit=Unit.COUNT, aggregation="events",
                                          direction=OutcomeMeasure.Direction.LOWER),
    }


def equip_with_a_line_of_each_category(project, measures):
    """Three budget lines and one project measure per library measure, for 2023-24."""
    lines = {
        "staff": f.BudgetLineFactory(project=project, category=BudgetLine.Category.STAFF, description="Youth workers"),
        "venue": f.BudgetLineFactory(
            project=project, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000.00"),
            profile_q1=Decimal("1000.00"), profile_q2=Decimal("1000.00"), profile_q3=Decimal("1000.00"),
            profile_q4=Decimal("1000.00"),
        ),
        "minibus": f.BudgetLineFactory(
            project=project, category=BudgetLine.Category.CAPITAL, description="Minibus", amount=Decimal("30000.00"),
            profile_q1=Decimal("0.00"), profile_q2=Decimal("30000.00"), profile_q3=Decimal("0.00"),
            profile_q4=Decimal("0.00"),
        ),
    }
    targets = {"engaged": Decimal("100"), "rate": Decimal("90"), "raised": Decimal("5000"), "met": Decimal("1"),
               "repeat": Decimal("10")}
    pms = {key: f.ProjectMeasureFactory(project=project, measure=measure, annual_target=targets[key])
           for key, measure in measures.items()}
    return lines, pms


def first_quarter_figures(lines, pms) -> ReturnInput:
    return ReturnInput(
        progress="Recruited two youth workers.", self_rag="green",
        spend={lines["staff"].pk: SpendInput(Decimal("9800.00")), lines["venue"].pk: SpendInput(Decimal("1000.00")),
               lines["minibus"].pk: SpendInput(Decimal("0.00"))},
        measures={pms["engaged"].pk: MeasureInput(Decimal("20")), pms["rate"].pk: MeasureInput(Decimal("88.5")),
                  pms["raised"].pk: MeasureInput(Decimal("500.00")), pms["met"].pk: MeasureInput(Decimal("1")),
                  pms["repeat"].pk: MeasureInput(Decimal("3"))},
    )


def project_a_and_its_twin_equipped(w):
    """Project A-1 equipped, its Q1 submitted; twin project A-2 of the same provider, equipped the same way."""
    measures = one_measure_of_every_unit()
    w.lines, w.measures = equip_with_a_line_of_each_category(w.project_a, measures)
    w.twin = f.ProjectFactory(allocation=w.allocation_a, reference="A-2", name="Twin project of A")
    w.twin_lines, w.twin_measures = equip_with_a_line_of_each_category(w.twin, measures)
    for project, lines, pms in ((w.project_a, w.lines, w.measures), (w.twin, w.twin_lines, w.twin_measures)):
        s.return_submit(actor=w.user_a, project=project, quarter=Quarter(2023, 1), version=None,
                        data=first_quarter_figures(lines, pms))
    return w


# --- The commissioner's workbook and the lists ---------------------------------------------------


def submit_a_complete_return(user, project, number, spend, values, **narrative):
    """Save and submit a complete return; `values` maps project measure to a value or a not-collected reason."""
    measures = {
        pm.pk: MeasureInput(value=Decimal(v)) if not isinstance(v, tuple) else MeasureInput(not_collected=True, reason=v[0])
        for pm, v in values.items()
    }
    narrative.setdefault("progress", "Sessions ran as planned.")
    narrative.setdefault("self_rag", "green")
    data = ReturnInput(spend={ln.pk: SpendInput(actual=Decimal(a), explanation="Invoices fell in another quarter.")
                              for ln, a in spend.items()}, measures=measures,
                       personal_data_checked=True, **narrative)
    return s.return_submit(actor=user, project=project, quarter=Quarter(2023, number), version=None, data=data)


def two_programmes_with_returns_in_every_status(w):
    """Two programmes of the commissioner in 2023-24 (CSF: projects A-1 and B-1; SVD: project C-1, whose
    name looks like a formula), a draft allocation's project, and another commissioner's programme (also
    coded CSF) with approved returns (tests/reporting/workbook_fixtures.py has the table of returns)."""
    csf = w.programme
    w.svd = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Duty", code="SVD")
    w.allocation_c = f.AllocationFactory(programme=w.svd, recipient=w.provider_b, title="Violence reduction for B")
    w.project_c = f.ProjectFactory(allocation=w.allocation_c, reference="C-1", name=FORMULA_NAME)
    draft = f.AllocationFactory(programme=csf, recipient=w.provider_a, title="Draft allocation",
                                status=Allocation.Status.DRAFT)
    w.project_d = f.ProjectFactory(allocation=draft, reference="D-1", name="Project on a draft allocation")

    elsewhere = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="CSF")
    w.allocation_x = f.AllocationFactory(programme=elsewhere, title="Elsewhere allocation")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Elsewhere project")

    # Budget lines, with pence that would show any rounding.
    w.a_staff = line_with_profile(w.project_a, "Youth workers", ["10000.25", "10000.25", "10000.25", "10000.25"])
    w.a_venue = line_with_profile(w.project_a, "Venue hire", ["1000", "1000", "1000", "1000"], BudgetLine.Category.NON_STAFF)
    w.b_staff = line_with_profile(w.project_b, "Caseworker", ["3000.01", "3000.01", "3000.01", "3000.00"])
    w.c_capital = line_with_profile(w.project_c, "CCTV", ["5000", "5000", "5000", "5000"], BudgetLine.Category.CAPITAL)
    w.x_staff = line_with_profile(w.project_x, "Elsewhere staff", ["7777.77", "7777.77", "7777.77", "7777.77"])
    line_with_profile(w.project_d, "Draft line", ["1", "1", "1", "1"])

    people = f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT, aggregation="events")
    rate = f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, aggregation="level")
    incidents = f.OutcomeMeasureFactory(name="Incidents reported", unit=Unit.COUNT, aggregation="events",
                                        direction=OutcomeMeasure.Direction.LOWER)
    w.a_people = f.ProjectMeasureFactory(project=w.project_a, measure=people, annual_target=Decimal("100"))
    w.a_rate = f.ProjectMeasureFactory(project=w.project_a, measure=rate, annual_target=Decimal("90"),
                                       baseline=Decimal("75.5"))
    w.a_incidents = f.ProjectMeasureFactory(project=w.project_a, measure=incidents, annual_target=Decimal("200"),
                                            baseline=Decimal("260"))
    w.b_people = f.ProjectMeasureFactory(project=w.project_b, measure=people, annual_target=Decimal("80"),
                                         target_q1=Decimal("20"), target_q2=Decimal("30"),
                                         target_q3=Decimal("15"), target_q4=Decimal("15"))
    w.b_rate = f.ProjectMeasureFactory(project=w.project_b, measure=rate, annual_target=Decimal("90"),
                                       target_q2=Decimal("80"))
    w.c_people = f.ProjectMeasureFactory(project=w.project_c, measure=people, annual_target=Decimal("40"))
    w.x_people = f.ProjectMeasureFactory(project=w.project_x, measure=people, annual_target=Decimal("10"))

    a_user, officer = w.user_a, w.commissioner
    w.a1 = approve(officer, submit_a_complete_return(a_user, w.project_a, 1, {w.a_staff: "10000.25", w.a_venue: "900.50"},
                                   {w.a_people: "30", w.a_rate: "85", w.a_incidents: "60"}))
    a2 = submit_a_complete_return(a_user, w.project_a, 2, {w.a_staff: "9500.10", w.a_venue: "1100.00"},
                {w.a_people: "20", w.a_rate: "92.5", w.a_incidents: "50"},
                progress="=1+1 evening sessions in two youth centres.", challenges="Recruitment.",
                case_study="Young person A returned to school.", risks="@risk: the venue lease ends in March.",
                self_rag="amber")
    w.a2 = approve(officer, a2, rag="amber")
    w.a2 = s.return_verify_spend(actor=w.finance, ret=w.a2, version=w.a2.version)
    w.a3 = approve(officer, submit_a_complete_return(a_user, w.project_a, 3, {w.a_staff: "55555.55", w.a_venue: "5555.55"},
                                   {w.a_people: "500", w.a_rate: "10", w.a_incidents: "900"}))

    b_user = w.user_b
    w.b1 = approve(officer, submit_a_complete_return(b_user, w.project_b, 1, {w.b_staff: "3000.01"},
                                   {w.b_people: "10", w.b_rate: ("No survey closed this quarter.",)}))
    b2 = submit_a_complete_return(b_user, w.project_b, 2, {w.b_staff: "6000.00"}, {w.b_people: "99", w.b_rate: "50"},
                progress="Not to be counted.")
    w.b2 = s.return_send_back(actor=officer, ret=b2, version=b2.version, comment="Please check the spend.",
                              officer_rag="red")

    w.c1 = s.return_save_draft(actor=b_user, project=w.project_c, quarter=Quarter(2023, 1), version=None,
                               data=ReturnInput(spend={w.c_capital.pk: SpendInput(actual=Decimal("1234.56"))},
                                                measures={w.c_people.pk: MeasureInput(value=Decimal("7"))}))

    x_user = f.UserFactory(username="provider-x", organisation=w.allocation_x.recipient, role="provider")
    for number in (1, 2):
        approve(w.outsider, submit_a_complete_return(x_user, w.project_x, number, {w.x_staff: "7777.77"}, {w.x_people: "3"}))

    f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("25000.00"), status=Payment.Status.RELEASED,
                     reference="PAY-A-1", paid_on=Quarter(2023, 1).end)
    f.PaymentFactory(allocation=w.allocation_a, quarter=2, amount=Decimal("25000.00"))
    f.PaymentFactory(allocation=w.allocation_a, quarter=3, amount=Decimal("12345.67"), status=Payment.Status.WITHHELD,
                     withheld_reason="Q2 monitoring is late.")
    f.PaymentFactory(allocation=w.allocation_b, quarter=1, amount=Decimal("1000.01"), status=Payment.Status.RELEASED,
                     reference="PAY-B-1", paid_on=Quarter(2023, 1).end)
    f.PaymentFactory(allocation=w.allocation_x, quarter=1, amount=Decimal("999.99"), status=Payment.Status.RELEASED,
                     reference="PAY-X-1", paid_on=Quarter(2023, 1).end)
    return w


def report(user, project, quarter: Quarter, spend: dict, *, submit=True, self_rag="green"):
    """A return with spend on the given lines, submitted (or saved as a draft) by the provider's user."""
    data = ReturnInput(
        spend={ln.pk: SpendInput(actual=Decimal(a), explanation="Invoices fell in another quarter.")
               for ln, a in spend.items()},
        progress="Sessions ran as planned.", self_rag=self_rag, personal_data_checked=True,
    )
    act = s.return_submit if submit else s.return_save_draft
    return act(actor=user, project=project, quarter=quarter, version=None, data=data)


def pay(allocation, quarter, amount, status=Payment.Status.SCHEDULED, **fields):
    if status == Payment.Status.RELEASED:
        fields.setdefault("paid_on", Quarter(allocation.programme.financial_year, quarter).end)
    return f.PaymentFactory(allocation=allocation, quarter=quarter, amount=Decimal(amount), status=status, **fields)


def two_years_with_priorities_and_an_outsider(w):
    """The actors with two priorities, a second programme in 2024-25 (SSF: project A-2), an outsider
    funder's project X-1, returns in several states and payments (tests/reporting/lists_fixtures.py has
    the table)."""
    w.violence = f.PriorityFactory(commissioner=w.commissioner_org, code="violence", name="Serious violence")
    w.asb = f.PriorityFactory(commissioner=w.commissioner_org, code="asb", name="Anti-social behaviour")
    w.project_a.priorities.set([w.violence])
    w.project_b.priorities.set([w.violence, w.asb])

    w.streets = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Safer Streets", code="SSF",
                                   financial_year=2024, total_budget=Decimal("500000.00"))
    w.allocation_a2 = f.AllocationFactory(programme=w.streets, recipient=w.provider_a, title="Safer streets for A",
                                          amount=Decimal("50000.00"))
    w.project_a2 = f.ProjectFactory(allocation=w.allocation_a2, reference="A-2", name="Street lighting")
    w.project_a2.priorities.set([w.asb])

    w.provider_x = f.OrganisationFactory(name="Provider X")
    elsewhere = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="EF")
    w.allocation_x = f.AllocationFactory(programme=elsewhere, recipient=w.provider_x, title="Elsewhere allocation")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Elsewhere project")
    w.user_x = f.UserFactory(username="provider-x", organisation=w.provider_x, role=User.Role.PROVIDER)

    a_line, b_line, a2_line, x_line = evenly_profiled_line(w.project_a), evenly_profiled_line(w.project_b), evenly_profiled_line(w.project_a2), evenly_profiled_line(w.project_x)
    q1, q2 = Quarter(2023, 1), Quarter(2023, 2)
    w.a1 = approve(w.commissioner, report(w.user_a, w.project_a, q1, {a_line: "9500.25"}), "green")
    w.a1 = s.return_verify_spend(actor=w.finance, ret=w.a1, version=w.a1.version)
    w.a2 = report(w.user_a, w.project_a, q2, {a_line: "10000.00"}, self_rag="amber")
    w.b1 = approve(w.commissioner, report(w.user_b, w.project_b, q1, {b_line: "8000.10"}), "red")
    w.a2_q1 = report(w.user_a, w.project_a2, Quarter(2024, 1), {a2_line: "1234.56"}, submit=False)
    w.x1 = approve(w.outsider, report(w.user_x, w.project_x, q1, {x_line: "7777.77"}), "green")

    pay(w.allocation_a, 1, "25000.00", Payment.Status.RELEASED, reference="PAY-A-1")
    pay(w.allocation_a, 2, "25000.00")
    pay(w.allocation_b, 1, "20000.50", Payment.Status.RELEASED, reference="PAY-B-1")
    pay(w.allocation_b, 2, "20000.50", Payment.Status.WITHHELD, withheld_reason="The Q1 return was late.")
    pay(w.allocation_x, 1, "999.99", Payment.Status.RELEASED, reference="PAY-X-1")
    return w


# --- One of everything for each organisation (the permission matrix) --------------------------------


def _one_of_everything(programme, allocation, project, provider_user, finance_user, draft_allocation):
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


def three_organisations_with_one_of_everything() -> SimpleNamespace:
    """The people of two_providers_one_programme with a provider X funded by the outsider's organisation
    and, for each organisation ("A", "B", "X"), one of every object: its allocation under its funder's
    programme, its project (A-1, B-1, X-1) with two budget lines and two outcome measures, a submitted
    return for 2023-24 Q1 and a draft for Q2, a scheduled payment for Q1, a released one for Q2 with a
    clawback asked for, a virement asked for by the provider, and a draft allocation. `w.of[owner]`
    holds each organisation's objects. Built on 15 May 2024 (tests/test_permission_matrix.py)."""
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
        "A": _one_of_everything(w.programme, w.allocation_a, w.project_a, w.user_a, w.finance,
                      draft_to(w.programme, w.provider_a)),
        "B": _one_of_everything(w.programme, w.allocation_b, w.project_b, w.user_b, w.finance,
                      draft_to(w.programme, w.provider_b)),
        "X": _one_of_everything(w.other_programme, w.allocation_x, w.project_x, w.user_x, w.outsider_finance,
                      draft_to(w.other_programme, w.provider_x)),
    }
    return w
