"""
The filters of the lists, as django-filter FilterSets.

Every choice a filter offers comes from the user's reach: the programmes, organisations,
priorities and years of rows they may see, so that a drop-down never names another
organisation. A value outside those choices (a programme of another funder typed into
the address) is an error on the form, never a way round the scope.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q

from grants.models import RAG, Allocation, Organisation, Payment, Priority, Programme, Project, QuarterlyReturn
from grants.periods import FinancialYear

from .lists import has_project

QUARTERS = [(1, "Q1 (Apr–Jun)"), (2, "Q2 (Jul–Sep)"), (3, "Q3 (Oct–Dec)"), (4, "Q4 (Jan–Mar)")]
NOT_RATED = "none"
RAG_CHOICES = [*RAG.choices, (NOT_RATED, "Not rated")]


def _choice(label: str, empty: str, message: str, **kwargs) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        label=label, empty_label=empty, error_messages={"invalid_choice": message}, **kwargs
    )


def _model_choice(label: str, empty: str, message: str, **kwargs) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=label, empty_label=empty, queryset=Organisation.objects.none(),
        error_messages={"invalid_choice": message}, **kwargs,
    )


def year_filter(field_name: str):
    return _choice("Financial year", "All years", "Choose one of the financial years in the list.",
                   field_name=field_name, choices=())


def quarter_filter():
    return _choice("Quarter", "All quarters", "Choose a quarter from Q1 to Q4.", field_name="quarter", choices=QUARTERS)


def programme_filter(field_name: str):
    return _model_choice("Programme", "All programmes", "Choose one of your programmes.", field_name=field_name)


def priority_filter(**kwargs):
    return _model_choice("Priority", "All priorities", "Choose one of the priorities in the list.", **kwargs)


def organisation_filter(label: str, **kwargs):
    return _model_choice(label, "All organisations", "Choose one of the organisations in the list.", **kwargs)


def status_filter(choices, label="Status", field_name="status", empty="All statuses"):
    return _choice(label, empty, "Choose one of the statuses in the list.", field_name=field_name, choices=choices)


def rag_filter():
    return _choice("RAG rating", "All ratings", "Choose red, amber, green or not rated.", method="filter_rag",
                   choices=RAG_CHOICES)


def _organisations_with(queryset, *paths: str):
    """Organisations that some row of `queryset` (already scoped) reaches through one of `paths`."""
    condition = Q()
    for path in paths:
        condition |= Q(Exists(queryset.filter(**{path: OuterRef("pk")})))
    return Organisation.objects.filter(condition).order_by("name")


class ListFilter(django_filters.FilterSet):
    """A list's filters, with choices from `user`'s reach (the rows of `queryset`, already scoped)."""

    year_path = "financial_year"

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset=queryset, **kwargs)
        self.user = user
        if "financial_year" in self.filters:
            years = queryset.order_by().values_list(self.year_path, flat=True).distinct()
            self.filters["financial_year"].extra["choices"] = [
                (year, FinancialYear(year).label) for year in sorted(set(years), reverse=True)
            ]
        if "programme" in self.filters:
            self.filters["programme"].queryset = Programme.objects.for_user(user).order_by("-financial_year", "name")
        if "priority" in self.filters:
            self.filters["priority"].queryset = self.priority_choices(user)
        if "organisation" in self.filters:
            self.filters["organisation"].queryset = self.organisation_choices(user)

    def drop_downs(self):
        """Each field of the form with its options as (value, label, selected), read once. A template
        looping over a model field's choices, or list(), would count them first: a query more each."""
        fields = []
        for field in self.form:
            chosen = "" if field.value() is None else str(field.value())
            options = []
            for value, label in field.field.choices:
                value = "" if value is None else str(value)
                options.append((value, label, value == chosen))
            fields.append((field, options))
        return fields

    @staticmethod
    def priority_choices(user):
        """The funder's own priorities; for a provider, those of the projects it reaches."""
        if user.is_funder_side:
            return Priority.objects.filter(commissioner_id=user.organisation_id).order_by("name")
        reached = Project.objects.for_user(user).filter(priorities=OuterRef("pk"))
        return Priority.objects.filter(Exists(reached)).order_by("name")

    def organisation_choices(self, user):
        raise NotImplementedError

    def filter_rag(self, queryset, name, value):
        if value == NOT_RATED:
            return queryset.filter(rag__isnull=True)
        return queryset.filter(rag=value)


class ProgrammeFilter(ListFilter):
    financial_year = year_filter("financial_year")
    organisation = organisation_filter("Funded organisation", method="filter_organisation")
    priority = priority_filter(method="filter_priority")

    class Meta:
        model = Programme
        fields = ["financial_year", "organisation", "priority"]

    def organisation_choices(self, user):
        return _organisations_with(Allocation.objects.for_user(user), "recipient")

    def filter_organisation(self, queryset, name, value):
        allocations = Allocation.objects.for_user(self.user).filter(programme=OuterRef("pk"), recipient=value)
        return queryset.filter(Exists(allocations))

    def filter_priority(self, queryset, name, value):
        return queryset.filter(has_project(self.user, "allocation__programme", priorities=value))


class AllocationFilter(ListFilter):
    year_path = "programme__financial_year"

    financial_year = year_filter("programme__financial_year")
    programme = programme_filter("programme")
    organisation = organisation_filter("Recipient", field_name="recipient")
    priority = priority_filter(method="filter_priority")
    status = status_filter(Allocation.Status.choices)

    class Meta:
        model = Allocation
        fields = ["financial_year", "programme", "organisation", "priority", "status"]

    def organisation_choices(self, user):
        return _organisations_with(Allocation.objects.for_user(user), "recipient")

    def filter_priority(self, queryset, name, value):
        return queryset.filter(has_project(self.user, "allocation", priorities=value))


class ProjectFilter(ListFilter):
    year_path = "allocation__programme__financial_year"

    financial_year = year_filter("allocation__programme__financial_year")
    programme = programme_filter("allocation__programme")
    organisation = organisation_filter("Organisation (delivers or receives)", method="filter_organisation")
    priority = priority_filter(field_name="priorities")
    rag = rag_filter()

    class Meta:
        model = Project
        fields = ["financial_year", "programme", "organisation", "priority", "rag"]

    def organisation_choices(self, user):
        return _organisations_with(Project.objects.for_user(user), "provider", "allocation__recipient")

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
        return _organisations_with(Project.objects.for_user(user), "provider", "allocation__recipient")

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
        return _organisations_with(Payment.objects.for_user(user), "allocation__recipient")
