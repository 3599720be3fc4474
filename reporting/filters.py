"""
The filters of the lists, as django-filter FilterSets, made of the filter components of
grants/filters.py (which the review queue uses too).

Every choice a filter offers comes from the user's reach: the programmes, organisations,
priorities and years of rows they may see, so that a drop-down never names another
organisation. A value outside those choices (a programme of another funder typed into
the address) is an error on the form, never a way round the scope.
"""

from django.db.models import Exists, OuterRef, Q

from grants.filters import (
    ListFilter,
    RunningListFilter,
    organisation_filter,
    organisations_with,
    priority_filter,
    programme_filter,
    quarter_filter,
    rag_filter,
    status_filter,
    year_filter,
)
from grants.models import Allocation, Payment, Programme, Project, QuarterlyReturn

from .lists import has_project


class ProgrammeFilter(ListFilter):
    # A programme over several years is in each of them.
    financial_year = year_filter(method="filter_running_in")
    organisation = organisation_filter("Funded organisation", method="filter_organisation")
    priority = priority_filter(method="filter_priority")

    class Meta:
        model = Programme
        fields = ["financial_year", "organisation", "priority"]

    def years(self, queryset) -> set[int]:
        years = set()
        for first, last in queryset.order_by().values_list("financial_year", "last_financial_year").distinct():
            years.update(range(first, (last or first) + 1))
        return years

    def filter_running_in(self, queryset, name, value):
        return queryset.running_in(int(value))

    def organisation_choices(self, user):
        return organisations_with(Allocation.objects.for_user(user), "recipient")

    def filter_organisation(self, queryset, name, value):
        allocations = Allocation.objects.for_user(self.user).filter(programme=OuterRef("pk"), recipient=value)
        return queryset.filter(Exists(allocations))

    def filter_priority(self, queryset, name, value):
        return queryset.filter(has_project(self.user, "allocation__programme", priorities=value))


class AllocationFilter(RunningListFilter):
    programme = programme_filter("programme")
    organisation = organisation_filter("Recipient", field_name="recipient")
    priority = priority_filter(method="filter_priority")
    status = status_filter(Allocation.Status.choices)

    class Meta:
        model = Allocation
        fields = ["financial_year", "programme", "organisation", "priority", "status"]

    def organisation_choices(self, user):
        return organisations_with(Allocation.objects.for_user(user), "recipient")

    def filter_priority(self, queryset, name, value):
        return queryset.filter(has_project(self.user, "allocation", priorities=value))


class ProjectFilter(RunningListFilter):
    programme = programme_filter("allocation__programme")
    organisation = organisation_filter("Organisation (delivers or receives)", method="filter_organisation")
    priority = priority_filter(field_name="priorities")
    rag = rag_filter()

    class Meta:
        model = Project
        fields = ["financial_year", "programme", "organisation", "priority", "rag"]

    def organisation_choices(self, user):
        return organisations_with(Project.objects.for_user(user), "provider", "allocation__recipient")

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Q(provider=value) | Q(allocation__recipient=value))


class ReturnFilter(ListFilter):
    financial_year = year_filter("financial_year")
    quarter = quarter_filter()
    programme = programme_filter("project__allocation__programme")
    organisation = organisation_filter("Organisation (delivers or receives)", method="filter_organisation")
    priority = priority_filter(field_name="project__priorities")
    status = status_filter(QuarterlyReturn.Status.choices)
    spend_status = status_filter(QuarterlyReturn.SpendStatus.choices, label="Spend check", field_name="spend_status",
                                 empty="All")
    rag = rag_filter()

    class Meta:
        model = QuarterlyReturn
        fields = ["financial_year", "quarter", "programme", "organisation", "priority", "status", "spend_status",
                  "rag"]

    def organisation_choices(self, user):
        return organisations_with(Project.objects.for_user(user), "provider", "allocation__recipient")

    def filter_organisation(self, queryset, name, value):
        return queryset.filter(Q(project__provider=value) | Q(project__allocation__recipient=value))


class PaymentFilter(ListFilter):
    financial_year = year_filter("financial_year")
    quarter = quarter_filter()
    programme = programme_filter("allocation__programme")
    organisation = organisation_filter("Recipient", field_name="allocation__recipient")
    status = status_filter(Payment.Status.choices)

    class Meta:
        model = Payment
        fields = ["financial_year", "quarter", "programme", "organisation", "status"]

    def organisation_choices(self, user):
        return organisations_with(Payment.objects.for_user(user), "allocation__recipient")
