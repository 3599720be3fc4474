import django_filters

from grants.models import Organisation, Programme, QuarterlyReturn


class ReviewQueueFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(
        field_name="project__allocation__programme", label="Programme", queryset=Programme.objects.none()
    )
    provider = django_filters.ModelChoiceFilter(
        field_name="project__provider", label="Provider", queryset=Organisation.objects.none()
    )
    financial_year = django_filters.NumberFilter(label="Financial year (e.g. 2023 for 2023-24)")
    quarter = django_filters.ChoiceFilter(choices=QuarterlyReturn._meta.get_field("quarter").choices)

    class Meta:
        model = QuarterlyReturn
        fields = ["programme", "provider", "financial_year", "quarter"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Choices come from the user's reach only, so a filter cannot reveal other organisations.
        self.filters["programme"].queryset = Programme.objects.for_user(user)
        self.filters["provider"].queryset = Organisation.objects.filter(
            projects_delivered__in=QuarterlyReturn.objects.for_user(user).values("project")
        ).distinct()
