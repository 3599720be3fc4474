"""Scenarios of the grants app: who may see what, returns, commissioning and finance, and one of everything for
each organisation (the permission table)."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

from grants.models import (
    Area, BudgetLine, Clawback, Organisation, OtherFunding, Payment, Programme, User, Variation, Virement,
)
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f
from tests.worlds.base import Unit, budget_line


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


# --- One of everything for each organisation (the permission matrix) --------------------------------


def _one_of_everything(programme, allocation, project, provider_user, finance_user, draft_allocation):
    o = SimpleNamespace(programme=programme, allocation=allocation, project=project,
                        draft_allocation=draft_allocation)
    o.staff = f.BudgetLineFactory(project=project, description="Youth workers")
    o.co_funding = OtherFunding.objects.create(project=project, financial_year=o.staff.financial_year,
                                               funder="The council", amount=Decimal("1000.00"))
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
    o.variation = Variation.objects.create(allocation=allocation, amount=allocation.amount + 1000,
                                           reason="More referrals.", requested_by=provider_user)
    return o


def an_administrator_for_each_funder(w):
    """The base actors with an administrator of the funder (`administrator`) and one of the other funder
    (`other_administrator`), who funds provider X (allocation and project X-1) so that it works with
    someone too; a priority of each funder's plan and an area (tests/grants/administration/)."""
    w.administrator = f.UserFactory(username="administrator", first_name="Ada", last_name="Admin",
                                    organisation=w.commissioner_org, role=User.Role.ADMINISTRATOR)
    w.other_administrator = f.UserFactory(username="other-administrator", organisation=w.other_commissioner_org,
                                          role=User.Role.ADMINISTRATOR)
    w.provider_x = f.OrganisationFactory(name="Provider X", kind=Organisation.Kind.CHARITY)
    w.user_x = f.UserFactory(username="provider-x", organisation=w.provider_x, role=User.Role.PROVIDER)
    w.other_programme = f.ProgrammeFactory(commissioner=w.other_commissioner_org, name="Elsewhere Fund", code="EF")
    w.allocation_x = f.AllocationFactory(programme=w.other_programme, recipient=w.provider_x, title="Allocation to X")
    w.project_x = f.ProjectFactory(allocation=w.allocation_x, reference="X-1", name="Project of X")
    w.priority = f.PriorityFactory(commissioner=w.commissioner_org, code="violence", name="Serious violence")
    w.other_priority = f.PriorityFactory(commissioner=w.other_commissioner_org, code="hate", name="Hate crime")
    w.area = Area.objects.create(name="Testshire district", code="E08000099", code_type=Area.CodeType.MD)
    return w


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
