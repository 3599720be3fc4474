"""The base actors, with a partnership manager of provider B (a community safety partnership) and an
administrator of the funder, and helpers that record actions through the service."""

from datetime import date

import pytest

from grants.models import User
from grants.services import board_actions as services
from tests import factories as f

TODAY = date(2024, 5, 15)


def values(**changes) -> dict:
    found = {"board": "Communities Scrutiny Commission", "resolved_on": date(2023, 7, 20),
             "title": "The needs assessment to come back", "resolution": "That the assessment come back.",
             "action_owner": "Partnership manager", "assignee": None, "due_date": date(2024, 1, 31),
             "programmes": [], "projects": []}
    found.update(changes)
    return found


@pytest.fixture
def people(actors):
    w = actors
    w.manager_b = f.UserFactory(username="manager-b", organisation=w.provider_b, role=User.Role.PARTNERSHIP)
    w.administrator = f.UserFactory(username="administrator", organisation=w.commissioner_org,
                                    role=User.Role.ADMINISTRATOR)
    w.other_programme = f.ProgrammeFactory(commissioner=w.other_commissioner_org, code="EF")
    return w


def record(actor, **changes):
    return services.board_action_save(actor=actor, owner=actor.organisation, values=values(**changes))
