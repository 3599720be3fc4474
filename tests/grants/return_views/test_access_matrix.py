"""
Who gets what answer from every quarterly return URL, through the test client: a
matrix of status codes by route and actor, the reason given for a refusal, and
what the lists of returns show each actor.

Reach decides 404 (another organisation's return does not exist for you),
permission decides 403 (you can see it but not do that), and a refused or
anonymous request changes nothing.
"""

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from grants.models import QuarterlyReturn
from grants.services import returns as s
from tests.grants.return_views.helpers import ACTORS, SIGN_IN, client_for, detail, state_of_every_return, table_rows
from tests import worlds


# Built once for this module (tests/worlds.py: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
returns_once = worlds.built_once_per_module(
    lambda: worlds.a_return_in_every_state(worlds.project_a_with_named_people(worlds.two_providers_one_programme())))


@pytest.fixture
def returns_in_every_state(returns_once, db):
    return worlds.fresh(returns_once)


# --- Who gets what: the matrix ---------------------------------------------------------------


def _version(w, reference, quarter):
    ret = QuarterlyReturn.objects.filter(project__reference=reference, financial_year=2023, quarter=quarter).first()
    return "" if ret is None else str(ret.version)


@dataclass
class Route:
    method: str
    path: str
    data: Callable = lambda w: {}


ROUTES = {
    "GET my returns": Route("GET", "/returns/"),
    "GET the review queue": Route("GET", "/review/"),
    "GET A's submitted Q1": Route("GET", detail("A-1", 2023, 1)),
    "GET A's draft Q2": Route("GET", detail("A-1", 2023, 2)),
    "GET A's unstarted Q4": Route("GET", detail("A-1", 2023, 4)),
    "GET B's submitted Q1": Route("GET", detail("B-1", 2023, 1)),
    "POST figures to A's draft Q2": Route(
        "POST", detail("A-1", 2023, 2), lambda w: {"version": _version(w, "A-1", 2), "action": "save",
                                                   "progress": "Edited.", s.spend_key(w.staff.pk): "9,000"}),
    "POST figures to A's unstarted Q4": Route(
        "POST", detail("A-1", 2023, 4), lambda w: {"version": "", "action": "save", "progress": "Started."}),
    "POST figures to A's submitted Q1": Route(
        "POST", detail("A-1", 2023, 1), lambda w: {"version": _version(w, "A-1", 1), "action": "save",
                                                   "progress": "Edited."}),
    "POST approve on A's submitted Q1": Route(
        "POST", detail("A-1", 2023, 1, "review"), lambda w: {"version": _version(w, "A-1", 1), "action": "approve",
                                                             "officer_rag": "green", "comment": ""}),
    "POST send back on A's submitted Q1": Route(
        "POST", detail("A-1", 2023, 1, "review"), lambda w: {"version": _version(w, "A-1", 1), "action": "send_back",
                                                             "officer_rag": "", "comment": "Add a case study."}),
    "POST approve on A's draft Q2": Route(
        "POST", detail("A-1", 2023, 2, "review"), lambda w: {"version": _version(w, "A-1", 2), "action": "approve",
                                                             "officer_rag": "green"}),
    "POST approve on A's unstarted Q4": Route(
        "POST", detail("A-1", 2023, 4, "review"), lambda w: {"version": "0", "action": "approve",
                                                             "officer_rag": "green"}),
    "POST reopen on A's approved Q3": Route(
        "POST", detail("A-1", 2023, 3, "reopen"), lambda w: {"version": _version(w, "A-1", 3),
                                                             "reason": "Venue invoice was wrong."}),
    "POST reopen on A's submitted Q1": Route(
        "POST", detail("A-1", 2023, 1, "reopen"), lambda w: {"version": _version(w, "A-1", 1), "reason": "Why not."}),
    "POST verify spend on A's submitted Q1": Route(
        "POST", detail("A-1", 2023, 1, "spend"), lambda w: {"version": _version(w, "A-1", 1), "action": "verify"}),
    "POST verify spend on A's approved Q3": Route(
        "POST", detail("A-1", 2023, 3, "spend"), lambda w: {"version": _version(w, "A-1", 3), "action": "verify"}),
    "POST query spend on A's draft Q2": Route(
        "POST", detail("A-1", 2023, 2, "spend"), lambda w: {"version": _version(w, "A-1", 2), "action": "query",
                                                            "note": "Too early."}),
    "GET the history of A's Q1": Route("GET", detail("A-1", 2023, 1, "history")),
    "GET the history of A's unstarted Q4": Route("GET", detail("A-1", 2023, 4, "history")),
    "GET a POST-only URL": Route("GET", detail("A-1", 2023, 1, "review")),
    "GET A's 2024-25 Q1, after the project ends": Route("GET", detail("A-1", 2024, 1)),
    "GET A's 2022-23 Q4, before the project starts": Route("GET", detail("A-1", 2022, 4)),
    "GET year 0": Route("GET", detail("A-1", 0, 1)),
    "GET quarter 5": Route("GET", detail("A-1", 2023, 5)),
    "GET quarter 0": Route("GET", detail("A-1", 2023, 0)),
    "POST figures to quarter 5": Route(
        "POST", detail("A-1", 2023, 5), lambda w: {"version": "", "action": "save", "progress": "Nope."}),
    "POST approve on quarter 5": Route(
        "POST", detail("A-1", 2023, 5, "review"), lambda w: {"version": "1", "action": "approve", "officer_rag": "red"}),
    "GET the history of quarter 5": Route("GET", detail("A-1", 2023, 5, "history")),
    "GET a project that does not exist": Route("GET", detail("NO-SUCH", 2023, 1)),
}

# 302 for anonymous is the redirect to sign in; for anyone else it is the action done and the
# redirect back to the return page.
MATRIX = """
                                                 anonymous user_a user_b viewer commissioner finance outsider
GET my returns                                      302     200    200    403      403        403     403
GET the review queue                                302     403    403    200      200        200     200
GET A's submitted Q1                                302     200    404    200      200        200     404
GET A's draft Q2                                    302     200    404    200      200        200     404
GET A's unstarted Q4                                302     200    404    200      200        200     404
GET B's submitted Q1                                302     404    200    200      200        200     404
POST figures to A's draft Q2                        302     302    404    403      403        403     404
POST figures to A's unstarted Q4                    302     302    404    403      403        403     404
POST figures to A's submitted Q1                    302     403    404    403      403        403     404
POST approve on A's submitted Q1                    302     403    404    403      302        403     404
POST send back on A's submitted Q1                  302     403    404    403      302        403     404
POST approve on A's draft Q2                        302     403    404    403      403        403     404
POST approve on A's unstarted Q4                    302     404    404    404      404        404     404
POST reopen on A's approved Q3                      302     403    404    403      302        403     404
POST reopen on A's submitted Q1                     302     403    404    403      403        403     404
POST verify spend on A's submitted Q1               302     403    404    403      403        302     404
POST verify spend on A's approved Q3                302     403    404    403      403        302     404
POST query spend on A's draft Q2                    302     403    404    403      403        403     404
GET the history of A's Q1                           302     200    404    200      200        200     404
GET the history of A's unstarted Q4                 302     404    404    404      404        404     404
GET a POST-only URL                                 302     405    405    405      405        405     405
GET A's 2024-25 Q1, after the project ends          302     404    404    404      404        404     404
GET A's 2022-23 Q4, before the project starts       302     404    404    404      404        404     404
GET year 0                                          302     404    404    404      404        404     404
GET quarter 5                                       302     404    404    404      404        404     404
GET quarter 0                                       302     404    404    404      404        404     404
POST figures to quarter 5                           302     404    404    404      404        404     404
POST approve on quarter 5                           302     404    404    404      404        404     404
GET the history of quarter 5                        302     404    404    404      404        404     404
GET a project that does not exist                   302     404    404    404      404        404     404
"""


def _cases():
    lines = [line for line in MATRIX.strip().splitlines()[1:]]
    cases = []
    for line in lines:
        label, codes = re.match(r"^(.*?)\s+((?:\d{3}\s*){7})$", line).groups()
        assert label in ROUTES, label
        for actor, code in zip(ACTORS, codes.split()):
            cases.append(pytest.param(label, actor, int(code), id=f"{label} as {actor}"))
    assert {c.values[0] for c in cases} == set(ROUTES)
    return cases


@pytest.mark.parametrize("route, actor, expected", _cases())
def test_every_return_url_answers_every_actor_as_the_matrix_says(returns_in_every_state, route, actor, expected):
    route = ROUTES[route]
    user = None if actor == "anonymous" else getattr(returns_in_every_state, actor)
    before = state_of_every_return()

    if route.method == "GET":
        response = client_for(user).get(route.path)
    else:
        response = client_for(user).post(route.path, route.data(returns_in_every_state))

    assert response.status_code == expected, response.content.decode()[:2000]
    done = expected == 302 and user is not None
    if expected == 302 and user is None:
        assert response["Location"].startswith(f"{SIGN_IN}?next=")
    if done:
        assert response["Location"] == re.sub(r"(review|reopen|spend)/$", "", route.path)
        assert state_of_every_return() != before
    else:
        assert state_of_every_return() == before


def test_a_refusal_says_why_on_the_page(returns_in_every_state):
    response = client_for(returns_in_every_state.finance).post(detail("A-1", 2023, 1, "review"),
                                              {"version": returns_in_every_state.q1.version, "action": "approve", "officer_rag": "green"})

    assert response.status_code == 403
    assert "Only a commissioner officer of the funder can approve or return a return." in response.content.decode()


def test_the_review_queue_of_another_funder_lists_none_of_our_returns(returns_in_every_state):
    response = client_for(returns_in_every_state.outsider).get("/review/")

    assert response.status_code == 200
    assert table_rows(response, "review-queue") == [["Nothing is waiting."]]


def test_the_review_queue_lists_the_submitted_returns_of_both_providers(returns_in_every_state):
    rows = table_rows(client_for(returns_in_every_state.commissioner).get("/review/"), "review-queue")

    assert sorted(row[1] for row in rows) == ["Project of A A-1", "Project of B B-1"]


def test_my_returns_lists_every_quarter_of_the_providers_own_project_only(returns_in_every_state):
    rows = table_rows(client_for(returns_in_every_state.user_a).get("/returns/"), "my-returns")

    assert [(row[0], row[3]) for row in rows] == [
        ("2023-24 Q4 Jan–Mar", "Not started"), ("2023-24 Q3 Oct–Dec", "Approved"),
        ("2023-24 Q2 Jul–Sep", "Draft"), ("2023-24 Q1 Apr–Jun", "Submitted"),
    ]
    assert all("A-1" in row[1] for row in rows)
