"""
Who gets what from every commissioning and finance URL: a matrix of status codes for every
actor. Reach decides 404 (another organisation's allocation does not exist for you),
permission decides 403 (you can see it but not do that, and the page says why), and a refused
or anonymous request changes nothing; a 302 for someone signed in is the action done.
"""

import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

import pytest

from tests.grants.commissioning.helpers import ACTORS, client_for
from tests.grants.commissioning.views_world import (
    allocation_data,
    allocation_edit_data,
    line_data,
    measure_data,
    programme_data,
    programme_edit_data,
    project_data,
    state,
)
from tests import worlds

SIGN_IN = "/sign-in/"


# Built once for this module (tests/worlds.py: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
pages_once = worlds.built_once_per_module(
    lambda: worlds.money_in_flight_on_an_advance_programme(
        worlds.a_second_officer_of_each_kind(worlds.two_providers_one_programme())),
    on=date(2024, 5, 15))


@pytest.fixture
def pages(pages_once, db, today):
    return worlds.fresh(pages_once)


@dataclass
class Route:
    method: str
    path: Callable
    data: Callable = lambda w: {}


ROUTES = {
    "GET programmes": Route("GET", lambda w: "/programmes/"),
    "GET new programme": Route("GET", lambda w: "/programmes/new/"),
    "POST new programme": Route("POST", lambda w: "/programmes/new/", programme_data),
    "GET the programme": Route("GET", lambda w: f"/programmes/{w.programme.pk}/"),
    "GET programme edit": Route("GET", lambda w: f"/programmes/{w.programme.pk}/edit/"),
    "POST programme edit": Route("POST", lambda w: f"/programmes/{w.programme.pk}/edit/", programme_edit_data),
    "GET allocate": Route("GET", lambda w: f"/programmes/{w.programme.pk}/allocate/"),
    "POST allocate": Route("POST", lambda w: f"/programmes/{w.programme.pk}/allocate/", allocation_data),
    "GET allocation A": Route("GET", lambda w: f"/allocations/{w.allocation_a.pk}/"),
    "GET allocation B": Route("GET", lambda w: f"/allocations/{w.allocation_b.pk}/"),
    "GET the draft to A": Route("GET", lambda w: f"/allocations/{w.draft.pk}/"),
    "GET allocation A edit": Route("GET", lambda w: f"/allocations/{w.allocation_a.pk}/edit/"),
    "POST allocation A edit": Route("POST", lambda w: f"/allocations/{w.allocation_a.pk}/edit/",
                                    lambda w: allocation_edit_data(w, w.allocation_a)),
    "POST approve the draft": Route("POST", lambda w: f"/allocations/{w.draft.pk}/approve/", lambda w: {
        "version": w.draft.version, "decision_reference": "DEC-9", "decision_date": "1/3/2023"}),
    "POST sign the draft": Route("POST", lambda w: f"/allocations/{w.draft.pk}/sign/", lambda w: {
        "version": w.draft.version, "signed_on": "2/3/2023"}),
    "POST withdraw the draft": Route("POST", lambda w: f"/allocations/{w.draft.pk}/withdraw/", lambda w: {
        "version": w.draft.version, "reason": "No match funding."}),
    "POST activate the draft": Route("POST", lambda w: f"/allocations/{w.draft.pk}/activate/",
                                     lambda w: {"version": w.draft.version}),
    "POST close allocation B": Route("POST", lambda w: f"/allocations/{w.allocation_b.pk}/close/",
                                     lambda w: {"version": w.allocation_b.version}),
    "GET a POST-only URL": Route("GET", lambda w: f"/allocations/{w.draft.pk}/approve/"),
    "GET new project under A": Route("GET", lambda w: f"/allocations/{w.allocation_a.pk}/projects/new/"),
    "POST new project under A": Route("POST", lambda w: f"/allocations/{w.allocation_a.pk}/projects/new/",
                                      project_data),
    "GET project A-1": Route("GET", lambda w: "/projects/A-1/"),
    "GET project B-2 (A delivers for B)": Route("GET", lambda w: "/projects/B-2/"),
    "GET project A-1 edit": Route("GET", lambda w: "/projects/A-1/edit/"),
    "POST project A-1 edit": Route("POST", lambda w: "/projects/A-1/edit/",
                                   lambda w: project_data(w, reference="A-1", name="Renamed",
                                                          version=str(type(w.project_a).objects.get(pk=w.project_a.pk)
                                                                      .version))),
    "GET new budget line": Route("GET", lambda w: "/projects/A-1/budget/new/"),
    "POST new budget line": Route("POST", lambda w: "/projects/A-1/budget/new/", line_data),
    "POST budget line edit": Route("POST", lambda w: f"/projects/A-1/budget/{w.venue.pk}/", lambda w: line_data(
        w, description="Venue hire", category="non_staff", amount="4,400", profile_q4="4,100",
        version=w.venue.version)),
    "POST remove budget line": Route("POST", lambda w: f"/projects/A-1/budget/{w.spare.pk}/remove/",
                                     lambda w: {"version": w.spare.version}),
    "GET another project's line": Route("GET", lambda w: f"/projects/B-1/budget/{w.venue.pk}/"),
    "GET new project measure": Route("GET", lambda w: "/projects/A-1/measures/new/"),
    "POST new project measure": Route("POST", lambda w: "/projects/A-1/measures/new/", measure_data),
    "POST remove project measure": Route("POST", lambda w: f"/projects/A-1/measures/{w.project_measure.pk}/remove/"),
    "GET the measure library": Route("GET", lambda w: "/measures/"),
    "GET new library measure": Route("GET", lambda w: "/measures/new/"),
    "POST new library measure": Route("POST", lambda w: "/measures/new/", lambda w: {
        "name": "Referrals received", "definition": "Referrals from any agency.", "unit": "count",
        "direction": "higher", "aggregation": "events"}),
    "GET virements": Route("GET", lambda w: "/virements/"),
    "GET A's virement": Route("GET", lambda w: f"/virements/{w.virement.pk}/"),
    "GET ask for a virement on A-1": Route("GET", lambda w: "/projects/A-1/virements/new/"),
    "POST ask for a virement on A-1": Route("POST", lambda w: "/projects/A-1/virements/new/", lambda w: {
        "from_line": w.venue.pk, "to_line": w.staff.pk, "amount": "100", "quarter": "2", "reason": "More staff."}),
    "POST approve A's virement": Route("POST", lambda w: f"/virements/{w.virement.pk}/decide/", lambda w: {
        "version": w.virement.version, "action": "approve", "note": ""}),
    "POST refuse A's virement": Route("POST", lambda w: f"/virements/{w.virement.pk}/decide/", lambda w: {
        "version": w.virement.version, "action": "refuse", "note": "Not now."}),
    "GET the finance page": Route("GET", lambda w: "/finance/"),
    "POST update A's schedule": Route("POST", lambda w: f"/allocations/{w.allocation_a.pk}/schedule/"),
    "GET A's Q1 payment": Route("GET", lambda w: f"/payments/{w.q1.pk}/"),
    "GET B's payment": Route("GET", lambda w: f"/payments/{w.b_payment.pk}/"),
    "POST release A's Q1": Route("POST", lambda w: f"/payments/{w.q1.pk}/release/", lambda w: {
        "version": w.q1.version, "reference": "BACS-1", "paid_on": "1/5/2024"}),
    "POST withhold A's Q1": Route("POST", lambda w: f"/payments/{w.q1.pk}/withhold/", lambda w: {
        "version": w.q1.version, "reason": "Q4 return missing."}),
    "POST release A's released Q2": Route("POST", lambda w: f"/payments/{w.q2.pk}/release/", lambda w: {
        "version": w.q2.version, "reference": "BACS-2", "paid_on": "1/5/2024"}),
    "GET recover money from A": Route("GET", lambda w: f"/allocations/{w.allocation_a.pk}/clawbacks/new/"),
    "POST recover money from A": Route("POST", lambda w: f"/allocations/{w.allocation_a.pk}/clawbacks/new/",
                                       lambda w: {"amount": "500", "reason": "Underspend.", "requested_on": "2/5/2024"}),
    "GET A's clawback": Route("GET", lambda w: f"/clawbacks/{w.clawback.pk}/"),
    "POST A's clawback received": Route("POST", lambda w: f"/clawbacks/{w.clawback.pk}/received/", lambda w: {
        "version": w.clawback.version, "received_on": "10/5/2024"}),
    "POST A's clawback waived": Route("POST", lambda w: f"/clawbacks/{w.clawback.pk}/waived/", lambda w: {
        "version": w.clawback.version, "waived_reason": "Spent after all."}),
    "GET funding": Route("GET", lambda w: "/funding/"),
    "GET a programme that does not exist": Route("GET", lambda w: "/programmes/999999/"),
    "GET a payment that does not exist": Route("GET", lambda w: "/payments/999999/"),
}

MATRIX = """
                                          anonymous user_a user_b viewer commissioner finance outsider
GET programmes                               302     403    403    200      200        200     200
GET new programme                            302     403    403    403      200        403     200
POST new programme                           302     403    403    403      302        403     302
GET the programme                            302     403    403    200      200        200     404
GET programme edit                           302     403    403    403      200        403     404
POST programme edit                          302     403    403    403      302        403     404
GET allocate                                 302     403    403    403      200        403     404
POST allocate                                302     403    403    403      302        403     404
GET allocation A                             302     200    404    200      200        200     404
GET allocation B                             302     200    200    200      200        200     404
GET the draft to A                           302     200    404    200      200        200     404
GET allocation A edit                        302     403    404    403      200        403     404
POST allocation A edit                       302     403    404    403      302        403     404
POST approve the draft                       302     403    404    403      302        403     404
POST sign the draft                          302     403    404    403      403        403     404
POST withdraw the draft                      302     403    404    403      302        403     404
POST activate the draft                      302     403    404    403      403        403     404
POST close allocation B                      302     403    403    403      403        302     404
GET a POST-only URL                          302     405    405    405      405        405     405
GET new project under A                      302     403    404    403      200        403     404
POST new project under A                     302     403    404    403      302        403     404
GET project A-1                              302     200    404    200      200        200     404
GET project B-2 (A delivers for B)           302     200    200    200      200        200     404
GET project A-1 edit                         302     403    404    403      200        403     404
POST project A-1 edit                        302     403    404    403      302        403     404
GET new budget line                          302     403    404    403      200        403     404
POST new budget line                         302     403    404    403      302        403     404
POST budget line edit                        302     403    404    403      302        403     404
POST remove budget line                      302     403    404    403      302        403     404
GET another project's line                   302     404    404    404      404        404     404
GET new project measure                      302     403    404    403      200        403     404
POST new project measure                     302     403    404    403      302        403     404
POST remove project measure                  302     403    404    403      302        403     404
GET the measure library                      302     200    200    200      200        200     200
GET new library measure                      302     403    403    403      200        403     200
POST new library measure                     302     403    403    403      302        403     302
GET virements                                302     200    200    200      200        200     200
GET A's virement                             302     200    404    200      200        200     404
GET ask for a virement on A-1                302     200    404    403      403        403     404
POST ask for a virement on A-1               302     302    404    403      403        403     404
POST approve A's virement                    302     403    404    403      302        403     404
POST refuse A's virement                     302     403    404    403      302        403     404
GET the finance page                         302     403    403    200      200        200     200
POST update A's schedule                     302     403    404    403      403        302     404
GET A's Q1 payment                           302     200    404    200      200        200     404
GET B's payment                              302     404    200    200      200        200     404
POST release A's Q1                          302     403    404    403      403        302     404
POST withhold A's Q1                         302     403    404    403      403        302     404
POST release A's released Q2                 302     403    404    403      403        403     404
GET recover money from A                     302     403    404    403      403        200     404
POST recover money from A                    302     403    404    403      403        302     404
GET A's clawback                             302     200    404    200      200        200     404
POST A's clawback received                   302     403    404    403      403        302     404
POST A's clawback waived                     302     403    404    403      403        302     404
GET funding                                  302     200    200    403      403        403     403
GET a programme that does not exist          302     404    404    404      404        404     404
GET a payment that does not exist            302     404    404    404      404        404     404
"""


def _cases():
    cases = []
    for row in MATRIX.strip().splitlines()[1:]:
        label, codes = re.match(r"^(.*?)\s+((?:\d{3}\s*){7})$", row).groups()
        assert label in ROUTES, label
        for actor, code in zip(ACTORS, codes.split()):
            cases.append(pytest.param(label, actor, int(code), id=f"{label} as {actor}"))
    assert {c.values[0] for c in cases} == set(ROUTES)
    return cases


@pytest.mark.parametrize("route, actor, expected", _cases())
def test_every_url_answers_every_actor_as_the_matrix_says(pages, route, actor, expected):
    route = ROUTES[route]
    user = None if actor == "anonymous" else getattr(pages, actor)
    path, data = route.path(pages), route.data(pages)
    before = state()

    client = client_for(user)
    response = client.get(path) if route.method == "GET" else client.post(path, data)

    assert response.status_code == expected, response.content.decode()[:3000]
    if expected == 302 and user is None:
        assert response["Location"].startswith(f"{SIGN_IN}?next=")
    if expected == 302 and user is not None:
        assert state() != before, "a 302 for someone signed in means the action was done"
    else:
        assert state() == before


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
