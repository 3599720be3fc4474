"""
What a report is of: the period (twelve months ending with a quarter) and the subject (a
programme, an organisation, a priority, or every priority side by side).
"""

from dataclasses import dataclass

from django.db.models import Q

from grants import figures
from grants.models import Organisation, Priority, Programme
from grants.periods import Quarter

PROGRAMME, ORGANISATION, PRIORITY, PRIORITIES = "programme", "organisation", "priority", "priorities"


@dataclass(frozen=True)
class Window:
    """Twelve months ending with quarter `end`."""

    end: Quarter

    @property
    def quarters(self) -> list[Quarter]:
        return self.end.last_twelve_months()

    @property
    def first(self) -> Quarter:
        return self.quarters[0]

    @property
    def title(self) -> str:
        return f"12 months to {self.end.end:%-d %B %Y}"

    @property
    def span(self) -> str:
        return f"{self.first.label} to {self.end.label}"

    @property
    def years(self) -> list[int]:
        return sorted({q.financial_year for q in self.quarters})

    def q(self, prefix: str = "") -> Q:
        return figures.quarters_sql(self.quarters, prefix)

    @property
    def slug(self) -> str:
        return f"12-months-to-{self.end.end:%Y-%m-%d}"


@dataclass(frozen=True)
class Subject:
    kind: str
    key: str  # the programme's code, or the organisation's or priority's id; "" for every priority
    title: str
    description: str

    def condition(self) -> Q:
        """Which projects the report covers, as a condition on Project."""
        if self.kind == PROGRAMME:
            return Q(allocation__programme__code=self.key)
        if self.kind == ORGANISATION:
            return Q(allocation__recipient_id=int(self.key)) | Q(provider_id=int(self.key))
        if self.kind == PRIORITY:
            return Q(priorities__id=int(self.key))
        return Q()

    @property
    def slug(self) -> str:
        return f"{self.kind}-{self.key}" if self.key else self.kind


def programme_subject(user, code: str) -> Subject | None:
    programme = Programme.objects.for_user(user).filter(code=code).order_by("-financial_year").first()
    if programme is None:
        return None
    return Subject(PROGRAMME, code, f"{programme.name} ({code})",
                   f"Every project funded by the {programme.name} ({code}), in every financial year of the period.")


def organisation_subject(organisation: Organisation) -> Subject:
    return Subject(ORGANISATION, str(organisation.pk), organisation.name,
                   f"Every project funded through an allocation to {organisation.name}, or delivered by it.")


def priority_subject(priority: Priority) -> Subject:
    return Subject(PRIORITY, str(priority.pk), priority.name,
                   f"Every project tagged with the Police and Crime Plan priority “{priority.name}”.")


def priorities_subject() -> Subject:
    return Subject(PRIORITIES, "", "Police and Crime Plan priorities",
                   "Funding, spend and key outcomes for each priority of the Police and Crime Plan.")
