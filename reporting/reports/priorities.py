"""
The report by priority: funding, spend and key outcomes for each priority of the user's
organisation's Police and Crime Plan, a row for projects with no priority, and a total that counts
each project once (the rules: reporting.reports).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from django.utils import timezone

from grants.models import Priority, Project

from .rows import SpendTotals, gather_projects, key_outcomes
from .subjects import Subject, Window, priorities_subject


@dataclass(eq=False)
class PriorityRow(SpendTotals):
    priority: Priority | None  # None: projects with no priority
    projects: list

    @property
    def name(self) -> str:
        return self.priority.name if self.priority else "No priority"

    @cached_property
    def key_outcomes(self) -> list:
        return key_outcomes(self.projects)


@dataclass
class PriorityReport:
    subject: Subject
    window: Window
    user: object
    generated_at: datetime
    rows: list
    total: PriorityRow  # every project once


def priority_report(user, window: Window) -> PriorityReport:
    """Funding, spend and key outcomes per priority of the user's organisation's plan."""
    projects = gather_projects(user, window, narrative=False)
    by_pk = {p.pk: p for p in projects}
    priorities = list(Priority.objects.filter(commissioner_id=user.organisation_id).order_by("name", "pk"))
    tagged = defaultdict(list)
    # The plan's tags; only those of projects already read from the user's reach are used.
    for project_id, priority_id in (
        Project.priorities.through.objects.filter(priority__commissioner_id=user.organisation_id)
        .values_list("project_id", "priority_id")
    ):
        if project_id in by_pk:
            tagged[priority_id].append(project_id)
            by_pk[project_id].priorities.append(priority_id)
    order = {pk: n for n, pk in enumerate(by_pk)}
    rows = [PriorityRow(priority, [by_pk[pk] for pk in sorted(tagged[priority.pk], key=order.__getitem__)])
            for priority in priorities]
    untagged = [p for p in projects if not p.priorities]
    if untagged:
        rows.append(PriorityRow(None, untagged))
    return PriorityReport(priorities_subject(), window, user, timezone.now(), rows, PriorityRow(None, projects))
