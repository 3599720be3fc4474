"""
The reason a refused commissioning or finance page gives. The status every commissioning and finance
URL answers each actor with is in the one permission table, tests/test_permission_matrix.py (its
`money` rows).
"""

from datetime import date

import pytest

from tests import worlds
from tests.grants.commissioning.helpers import client_for


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
pages_once = worlds.built_once_per_module(
    lambda: worlds.money_in_flight_on_an_advance_programme(
        worlds.a_second_officer_of_each_kind(worlds.two_providers_one_programme())),
    on=date(2024, 5, 15))


@pytest.fixture
def pages(pages_once, db, today):
    return worlds.fresh(pages_once)


@pytest.mark.parametrize("actor, method, path, reason", [
    ("finance", "GET", "/programmes/new/", "Only a commissioner officer can set up a programme."),
    ("viewer", "POST", "/allocations/{draft}/approve/",
     "Only a commissioner officer of the funder can approve an allocation."),
    ("commissioner", "POST", "/payments/{q1}/release/", "Only a finance officer of the funder can release a payment."),
    ("user_a", "POST", "/payments/{q1}/release/", "Only a finance officer of the funder can release a payment."),
    ("commissioner", "POST", "/allocations/{b}/close/", "Only a finance officer of the funder can close an allocation."),
    ("finance", "POST", "/virements/{virement}/decide/",
     "Only a commissioner officer of the funder can approve or refuse a virement."),
    ("user_a", "GET", "/programmes/", "Programmes are for the funder&#x27;s officers."),
    ("viewer", "GET", "/funding/", "“Funding” lists what a provider&#x27;s organisation is paid"),
])
def test_a_refusal_says_why(pages, actor, method, path, reason):
    path = path.format(draft=pages.draft.pk, q1=pages.q1.pk, b=pages.allocation_b.pk, virement=pages.virement.pk)
    client = client_for(getattr(pages, actor))
    response = client.get(path) if method == "GET" else client.post(path, {"version": 0})
    assert response.status_code == 403
    assert reason in response.content.decode()
