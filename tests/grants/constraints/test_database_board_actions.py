"""
The database holds a board action's state together: an open action has no closing date, a closed one
(done or no longer needed) has one and says its outcome; its free text is capped at TEXT_MAX characters.
"""

from datetime import date

import pytest

from grants.models import BoardAction
from grants.models.common import TEXT_MAX
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def action():
    owner = f.OrganisationFactory(kind="csp")
    return BoardAction.objects.create(owner=owner, board="Scrutiny Commission", resolved_on=date(2023, 7, 20),
                                      title="A report back", resolution="That a report come back.",
                                      action_owner="Partnership manager", due_date=date(2024, 1, 31))


def rows(action):
    return BoardAction.objects.filter(pk=action.pk)


def test_an_open_action_has_no_closing_date(action):
    assert_refused_by("board_action_closed_when_done", lambda: rows(action).update(closed_on=date(2024, 1, 1)))


def test_a_closed_action_has_a_closing_date(action):
    assert_refused_by("board_action_closed_when_done",
                      lambda: rows(action).update(status="done", outcome="Reported."))


def test_a_closed_action_says_its_outcome(action):
    assert_refused_by("board_action_closed_with_outcome",
                      lambda: rows(action).update(status="dropped", closed_on=date(2024, 1, 1)))


def test_a_closed_action_with_its_date_and_outcome_is_kept(action):
    rows(action).update(status="done", closed_on=date(2024, 1, 1), outcome="Reported to the Commission.")
    assert rows(action).get().status == "done"


@pytest.mark.parametrize("field, constraint", [("resolution", "board_action_resolution_length"),
                                               ("outcome", "board_action_outcome_length")])
def test_its_free_text_is_capped(action, field, constraint):
    rows(action).update(**{field: "é" * TEXT_MAX})
    assert len(getattr(rows(action).get(), field)) == TEXT_MAX

    assert_refused_by(constraint, lambda: rows(action).update(**{field: "x" * (TEXT_MAX + 1)}))
