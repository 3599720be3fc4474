"""
A quarterly return form posted after someone else changed the return, through
the test client: it is refused with a message, keeps what was typed and changes
nothing; and a refusal for want of permission is not turned into that message.
"""

import pytest

from grants.models import QuarterlyReturn
from tests.grants.return_views.helpers import (
    STALE,
    client_for,
    complete_form,
    detail,
    error_summary_links,
    state_of_every_return,
    version_on,
)


# --- A form posted after someone else changed the return --------------------------------------


def _colleague_saves(w):
    client = client_for(w.colleague_a)
    page = detail("A-1", 2023, 2)
    assert client.post(page, {"version": version_on(client.get(page)), "action": "save",
                              "progress": "Colleague's words."}).status_code == 302


def _colleague_submits(w):
    client = client_for(w.colleague_a)
    page = detail("A-1", 2023, 2)
    assert client.post(page, complete_form(w, version_on(client.get(page)))).status_code == 302


def _finance_verifies(w):
    client = client_for(w.finance)
    page = detail("A-1", 2023, 1)
    assert client.post(detail("A-1", 2023, 1, "spend"), {"version": version_on(client.get(page)),
                                                          "action": "verify"}).status_code == 302


def _other_commissioner_approves(w):
    client = client_for(w.other_commissioner)
    page = detail("A-1", 2023, 1)
    assert client.post(detail("A-1", 2023, 1, "review"), {"version": version_on(client.get(page)),
                                                           "action": "approve", "officer_rag": "red"}).status_code == 302




@pytest.mark.parametrize(
    "who, quarter, action, meanwhile, post",
    [
        pytest.param("user_a", 2, "", _colleague_saves,
                     lambda w: {"action": "save", "progress": "My own words."}, id="a colleague saved the draft"),
        pytest.param("commissioner", 1, "review", _finance_verifies,
                     lambda w: {"action": "approve", "officer_rag": "green"}, id="finance verified the spend"),
        pytest.param("commissioner", 1, "review", _other_commissioner_approves,
                     lambda w: {"action": "send_back", "comment": "Fix the venue line."},
                     id="another commissioner approved it",
                     ),
        pytest.param("user_a", 2, "", _colleague_submits,
                     lambda w: {"action": "save", "progress": "My own words."}, id="a colleague submitted it",
                     ),
    ],
)
def test_a_form_posted_after_someone_else_changed_the_return_is_refused_with_a_message(
    returns_in_every_state, who, quarter, action, meanwhile, post
):
    client = client_for(getattr(returns_in_every_state, who))
    page = detail("A-1", 2023, quarter)
    old_version = version_on(client.get(page))
    meanwhile(returns_in_every_state)
    before = state_of_every_return()

    response = client.post(detail("A-1", 2023, quarter, action), {"version": old_version, **post(returns_in_every_state)})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert state_of_every_return() == before


def test_the_refused_stale_form_keeps_what_the_provider_typed(returns_in_every_state):
    client = client_for(returns_in_every_state.user_a)
    page = detail("A-1", 2023, 2)
    old_version = version_on(client.get(page))
    _colleague_saves(returns_in_every_state)

    response = client.post(page, {"version": old_version, "action": "save", "progress": "My own words."})

    assert response.status_code == 400
    assert error_summary_links(response)  # the message is in the summary, linked into the form
    assert "My own words.</textarea>" in response.content.decode()
    assert QuarterlyReturn.objects.get(pk=returns_in_every_state.q2.pk).progress == "Colleague's words."


def test_a_form_posted_without_a_version_over_an_existing_return_is_stale(returns_in_every_state):
    response = client_for(returns_in_every_state.user_a).post(detail("A-1", 2023, 2), {"version": "", "action": "save",
                                                                       "progress": "Overwrite?"})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert QuarterlyReturn.objects.get(pk=returns_in_every_state.q2.pk).progress == "Half done."


def test_an_old_version_does_not_turn_a_refusal_into_a_changed_message_for_the_wrong_person(returns_in_every_state):
    finance = client_for(returns_in_every_state.finance)
    old_version = version_on(finance.get(detail("A-1", 2023, 1)))
    _other_commissioner_approves(returns_in_every_state)

    response = finance.post(detail("A-1", 2023, 1, "review"), {"version": old_version, "action": "approve",
                                                                "officer_rag": "green"})

    assert response.status_code == 403
    assert STALE not in response.content.decode()
