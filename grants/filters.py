"""
The filter components every filtered page uses (the lists of reporting/filters.py and the review
queue here): django-filter filters whose empty choice says "All …", financial years chosen from those
present, and a FilterSet base whose choices come from the user's reach. A value outside those choices
is an error on the form, never a way round the scope. Pages draw them with templates/includes/filters.html.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q

from grants.models import RAG, Organisation, Priority, Programme, Project, QuarterlyReturn
from grants.periods import FinancialYear

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


def year_filter(field_name: str | None = None, **kwargs):
    return _choice("Financial year", "All years", "Choose one of the financial years in the list.",
                   field_name=field_name, choices=(), **kwargs)


def years_between(pairs) -> set[int]:
    """Every financial year from each (start date, end date) pair's first to its last."""
    years = set()
    for start, end in pairs:
        years.update(range(FinancialYear.from_date(start).start_year, FinancialYear.from_date(end).start_year + 1))
    return years


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


def organisations_with(queryset, *paths: str):
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
            self.filters["financial_year"].extra["choices"] = [
                (year, FinancialYear(year).label) for year in sorted(self.years(queryset), reverse=True)
            ]
        if "programme" in self.filters:
            self.filters["programme"].queryset = Programme.objects.for_user(user).order_by("-financial_year", "name")
        if "priority" in self.filters:
            self.filters["priority"].queryset = self.priority_choices(user)
        if "organisation" in self.filters:
            self.filters["organisation"].queryset = self.organisation_choices(user)

    def years(self, queryset) -> set[int]:
        """The financial years the rows of `queryset` belong to: the year filter's choices."""
        return set(queryset.order_by().values_list(self.year_path, flat=True).distinct())

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


class ReviewQueueFilter(ListFilter):
    """The review queue's filters: the returns waiting for the officer, by year, quarter, programme and
    provider, each choice drawn from the returns in the queue (the user's reach)."""

    financial_year = year_filter("financial_year")
    quarter = quarter_filter()
    programme = programme_filter("project__allocation__programme")
    provider = _model_choice("Provider", "All providers", "Choose one of the providers in the list.",
                             field_name="project__provider")

    class Meta:
        model = QuarterlyReturn
        fields = ["financial_year", "quarter", "programme", "provider"]

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset=queryset, user=user, **kwargs)
        self.filters["provider"].queryset = organisations_with(queryset, "project__provider")


class RunningListFilter(ListFilter):
    """A list of rows with a start and an end date (allocations, projects): a financial year chooses the rows
    that run in it, so that a service funded over several years is in each of them, and the choices are every
    year some row runs in."""

    financial_year = year_filter(method="filter_running_in")

    def years(self, queryset) -> set[int]:
        return years_between(queryset.order_by().values_list("start_date", "end_date").distinct())

    def filter_running_in(self, queryset, name, value):
        year = FinancialYear(int(value))
        return queryset.filter(start_date__lte=year.end, end_date__gte=year.start)
