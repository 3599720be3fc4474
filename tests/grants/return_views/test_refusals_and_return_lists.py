"""
The reason a refused return page gives, and what the lists of returns show each actor. The status
every return URL answers each actor with is in the one permission table, tests/test_permission_matrix.py
(its `returns` rows).
"""

import pytest

from tests import worlds
from tests.grants.return_views.helpers import client_for, detail, table_rows


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
returns_once = worlds.built_once_per_module(
    lambda: worlds.a_return_in_every_state(worlds.project_a_with_named_people(worlds.two_providers_one_programme())))


@pytest.fixture
def returns_in_every_state(returns_once, db):
    return worlds.fresh(returns_once)


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
