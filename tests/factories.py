"""Factories for the grant domain: valid, coherent objects with the least typing."""

from datetime import date
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from grants import models

DEMO_PASSWORD = "correct-horse-battery-staple"


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = models.Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = models.Organisation.Kind.CHARITY


class CommissionerFactory(OrganisationFactory):
    name = factory.Sequence(lambda n: f"Office of the Police and Crime Commissioner {n}")
    kind = models.Organisation.Kind.COMMISSIONER


class UserFactory(DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organisation = factory.SubFactory(OrganisationFactory)
    role = models.User.Role.PROVIDER
    password = factory.django.Password(DEMO_PASSWORD)


class PriorityFactory(DjangoModelFactory):
    class Meta:
        model = models.Priority

    commissioner = factory.SubFactory(CommissionerFactory)
    code = factory.Sequence(lambda n: f"priority-{n}")
    name = factory.Sequence(lambda n: f"Priority {n}")


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = models.Programme

    commissioner = factory.SubFactory(CommissionerFactory)
    name = "Community Safety Fund"
    code = factory.Sequence(lambda n: f"CSF-{n}")
    financial_year = 2023
    funding_source = "OPCC Police and Crime grant"
    total_budget = Decimal("1000000.00")


class AllocationFactory(DjangoModelFactory):
    class Meta:
        model = models.Allocation

    programme = factory.SubFactory(ProgrammeFactory)
    recipient = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Allocation {n}")
    amount = Decimal("100000.00")
    status = models.Allocation.Status.ACTIVE
    decision_reference = factory.Sequence(lambda n: f"DEC-{n}")
    decision_date = date(2023, 3, 1)
    # Signed, active and closed allocations say when their agreement was signed.
    agreement_signed_on = factory.LazyAttribute(
        lambda a: date(a.programme.financial_year, 3, 15) if a.status in ("agreement_signed", "active", "closed")
        else None)
    start_date = factory.LazyAttribute(lambda a: date(a.programme.financial_year, 4, 1))
    end_date = factory.LazyAttribute(lambda a: date(a.programme.financial_year + 1, 3, 31))


class KeepsFigures(DjangoModelFactory):
    """Rows a factory writes go round the services, so the project's kept figures (grants.services.kept:
    quarter figures and measures' figures to date) are worked out again, as the services would have done."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = super()._create(model_class, *args, **kwargs)
        from grants.services import kept

        if isinstance(obj, models.Project):
            project_id = obj.pk
        elif isinstance(obj, (models.SpendLine, models.MeasureValue)):
            project_id = obj.quarterly_return.project_id
        else:
            project_id = obj.project_id
        if isinstance(obj, (models.ProjectMeasure, models.MeasureValue)):
            kept.refresh_measures([project_id])
        else:  # a new project, budget line, return or spend line: no measure has a figure it reads yet
            kept.refresh([project_id], measures=False)
        return obj


class ProjectFactory(KeepsFigures):
    class Meta:
        model = models.Project

    allocation = factory.SubFactory(AllocationFactory)
    provider = factory.SelfAttribute("allocation.recipient")
    reference = factory.Sequence(lambda n: f"PRJ-{n}")
    name = factory.Sequence(lambda n: f"Project {n}")
    start_date = factory.SelfAttribute("allocation.start_date")
    end_date = factory.SelfAttribute("allocation.end_date")


class BudgetLineFactory(KeepsFigures):
    class Meta:
        model = models.BudgetLine

    project = factory.SubFactory(ProjectFactory)
    financial_year = factory.SelfAttribute("project.allocation.programme.financial_year")
    category = models.BudgetLine.Category.STAFF
    description = factory.Sequence(lambda n: f"Budget line {n}")
    amount = Decimal("40000.00")
    profile_q1 = Decimal("10000.00")
    profile_q2 = Decimal("10000.00")
    profile_q3 = Decimal("10000.00")
    profile_q4 = Decimal("10000.00")


class OutcomeMeasureFactory(DjangoModelFactory):
    class Meta:
        model = models.OutcomeMeasure

    name = factory.Sequence(lambda n: f"People helped {n}")
    definition = "People who took part at least once in the quarter."
    unit = models.OutcomeMeasure.Unit.COUNT
    # How it adds up, by its unit unless given: counts and money add up, percentages are levels, yes or no
    # a milestone.
    aggregation = factory.LazyAttribute(
        lambda m: {"count": "events", "money": "events", "percentage": "level", "yes_no": "milestone"}[m.unit])


class ProjectMeasureFactory(KeepsFigures):
    class Meta:
        model = models.ProjectMeasure

    project = factory.SubFactory(ProjectFactory)
    measure = factory.SubFactory(OutcomeMeasureFactory)
    financial_year = factory.SelfAttribute("project.allocation.programme.financial_year")
    annual_target = Decimal("100")


class QuarterlyReturnFactory(KeepsFigures):
    class Meta:
        model = models.QuarterlyReturn

    project = factory.SubFactory(ProjectFactory)
    financial_year = factory.SelfAttribute("project.allocation.programme.financial_year")
    quarter = 1


class SpendLineFactory(KeepsFigures):
    class Meta:
        model = models.SpendLine

    quarterly_return = factory.SubFactory(QuarterlyReturnFactory)
    budget_line = factory.SubFactory(BudgetLineFactory, project=factory.SelfAttribute("..quarterly_return.project"))
    actual = Decimal("9500.00")


class MeasureValueFactory(KeepsFigures):
    class Meta:
        model = models.MeasureValue

    quarterly_return = factory.SubFactory(QuarterlyReturnFactory)
    project_measure = factory.SubFactory(ProjectMeasureFactory, project=factory.SelfAttribute("..quarterly_return.project"))
    value = Decimal("20")


class PaymentFactory(DjangoModelFactory):
    class Meta:
        model = models.Payment

    allocation = factory.SubFactory(AllocationFactory)
    financial_year = factory.SelfAttribute("allocation.programme.financial_year")
    quarter = 1
    amount = Decimal("25000.00")
