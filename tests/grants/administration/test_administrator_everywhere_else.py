"""
Everywhere outside the administration pages, the funder's administrator gets the answer the funder's viewer
gets: the same reach (everything the funder funds, read only) and no decision about returns or money. Every
URL row of the permission table (tests/test_permission_matrix.py) is asked again as an administrator.
"""

import pytest
import time_machine

from grants.models import User
from tests import factories as f
from tests import worlds
from tests.test_permission_matrix import ACTORS, TODAY, path_for, rows
from tests.worlds import client_for

ADMINISTRATION = {"administration", "organisation-list", "organisation-create", "organisation-edit",
                  "organisation-detail", "user-list", "user-invite", "user-detail", "user-role", "user-resend",
                  "user-deactivate", "user-reactivate", "priority-list", "priority-create", "priority-edit",
                  "area-list", "area-create", "area-edit"}

world_once = worlds.built_once(worlds.three_organisations_with_one_of_everything, on=TODAY)


@pytest.fixture
def world(world_once, db):
    with time_machine.travel(TODAY, tick=False):
        world_once.administrator = f.UserFactory(username="administrator", organisation=world_once.commissioner_org,
                                                 role=User.Role.ADMINISTRATOR)
        yield world_once


def test_the_administrator_gets_the_viewers_answer_on_every_other_url(world):
    wrong = []
    client = client_for(world.administrator)
    for (method, name, owner), codes in rows().items():
        if name in ADMINISTRATION or name in ("login", "logout"):
            continue
        expected = dict(zip(ACTORS, codes))["viewer"]
        path = path_for(world, name, owner)
        response = client.get(path) if method == "GET" else client.post(path, {})
        if response.status_code != expected:
            wrong.append(f"{method} {path}: {response.status_code}, the viewer gets {expected}")
    assert not wrong, "; ".join(wrong)
