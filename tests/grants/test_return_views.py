"""
Quarterly returns on the web, through the test client: who gets what answer
from every return URL (a matrix of status codes), the whole cycle driven by
posting the pages' own forms, the GOV.UK error summary, a form posted after
someone else changed the return, the field-history page, and the number of
queries each page makes as the rows grow.

Reach decides 404 (another organisation's return does not exist for you),
permission decides 403 (you can see it but not do that), and a refused or
anonymous request changes nothing.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from grants.models import (
    BudgetLine,
    MeasureValue,
    OutcomeMeasure,
    QuarterlyReturn,
    ReturnEvent,
    SpendLine,
    User,
)
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import MeasureInput, ReturnInput, SpendInput
from tests import factories as f

Status = QuarterlyReturn.Status
SpendStatus = QuarterlyReturn.SpendStatus
Kind = ReturnEvent.Kind
Unit = OutcomeMeasure.Unit

SIGN_IN = "/sign-in/"
STALE = "This return changed since you opened it"
ACTORS = ["anonymous", "user_a", "user_b", "viewer", "commissioner", "finance", "outsider"]


# --- Helpers ------------------------------------------------------------------------------


def detail(reference="A-1", year=2023, quarter=1, action=""):
    return f"/returns/{reference}/{year}/{quarter}/" + (f"{action}/" if action else "")


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def version_on(response) -> str:
    """The hidden version field of the form on the page ('' when the return is not started)."""
    html = response.content.decode()
    match = re.search(r'<input type="hidden" name="version"(?: value="(\d*)")?', html)
    assert match, "no version field on the page"
    return match.group(1) or ""


class _Tables(HTMLParser):
    """The rows of the table marked data-testid=<testid>, as lists of cell texts."""

    def __init__(self, testid):
        super().__init__()
        self.testid, self.inside, self.rows, self.cell = testid, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("data-testid") == self.testid:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append(" ")

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(response, testid) -> list[list[str]]:
    parser = _Tables(testid)
    parser.feed(response.content.decode())
    return parser.rows[1:]  # without the header row


def error_summary_links(response) -> list[str]:
    html = response.content.decode()
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', html, re.S)
    assert summary, "no error summary on the page"
    return re.findall(r'<a href="#([^"]+)">', summary.group(0))


def sent_back_banner(response) -> str:
    """The text of the "Returned for amendment" banner at the top of the return page ('' if none)."""
    match = re.search(r'<div class="govuk-notification-banner" role="region" aria-labelledby="sent-back-title".*?'
                      r'<div class="govuk-notification-banner__content">(.*?)</div>', response.content.decode(), re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split()) if match else ""


def state_of_every_return() -> list:
    return sorted(QuarterlyReturn.objects.values_list("pk", "status", "spend_status", "version", "progress")) + [
        ReturnEvent.objects.count(), SpendLine.objects.exclude(actual=None).count(),
    ]


# --- The project and its returns --------------------------------------------------------


@pytest.fixture
def project(actors):
    """Project A with two budget lines and two outcome measures for 2023-24; named people."""
    w = actors
    w.staff = f.BudgetLineFactory(project=w.project_a, category=BudgetLine.Category.STAFF, description="Youth workers")
    w.venue = f.BudgetLineFactory(
        project=w.project_a, category=BudgetLine.Category.NON_STAFF, description="Venue hire", amount=Decimal("4000"),
        profile_q1=Decimal("1000"), profile_q2=Decimal("1000"), profile_q3=Decimal("1000"), profile_q4=Decimal("1000"),
    )
    w.people = f.ProjectMeasureFactory(
        project=w.project_a, measure=f.OutcomeMeasureFactory(name="Young people engaged", unit=Unit.COUNT),
    )
    w.satisfaction = f.ProjectMeasureFactory(
        project=w.project_a, annual_target=Decimal("90"),
        measure=f.OutcomeMeasureFactory(name="Participants satisfied", unit=Unit.PERCENTAGE, cumulative=False),
    )
    for user, first, last in [(w.user_a, "Asha", "Patel"), (w.commissioner, "Chris", "Okafor"),
                              (w.finance, "Fran", "Lewis")]:
        user.first_name, user.last_name = first, last
        user.save()
    w.colleague_a = f.UserFactory(username="provider-a-2", organisation=w.provider_a, role=User.Role.PROVIDER,
                                  first_name="Sam", last_name="Reid")
    w.other_commissioner = f.UserFactory(username="commissioner-2", organisation=w.commissioner_org,
                                         role=User.Role.COMMISSIONER, first_name="Dana", last_name="Hughes")
    return w


def complete_input(w, **changes) -> ReturnInput:
    fields = dict(progress="Ran 24 evening sessions.", self_rag="green")
    fields.update(changes)
    return ReturnInput(
        spend={w.staff.pk: SpendInput(actual=Decimal("10000")), w.venue.pk: SpendInput(actual=Decimal("1000"))},
        measures={w.people.pk: MeasureInput(value=Decimal("35")), w.satisfaction.pk: MeasureInput(value=Decimal("92"))},
        **fields,
    )


def complete_form(w, version, action="submit", **changes) -> dict:
    """What the provider types into the form: money as people write it, a percentage with its sign."""
    data = {
        "version": version, "action": action,
        s.spend_key(w.staff.pk): "10,000.00", s.explanation_key(w.staff.pk): "",
        s.spend_key(w.venue.pk): "£1,000", s.explanation_key(w.venue.pk): "",
        s.value_key(w.people.pk): "35", s.reason_key(w.people.pk): "",
        s.value_key(w.satisfaction.pk): "92%", s.reason_key(w.satisfaction.pk): "",
        "progress": "Ran 24 evening sessions in two youth centres.", "challenges": "", "case_study": "", "risks": "",
        "self_rag": "green",
    }
    data.update(changes)
    return data


@pytest.fixture
def world(project):
    """A's Q1 submitted, Q2 a draft, Q3 approved, Q4 not started; B's Q1 submitted."""
    w = project

    def submit(quarter):
        return s.return_submit(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, quarter), version=None,
                               data=complete_input(w))

    w.q1 = submit(1)
    w.q2 = s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=Quarter(2023, 2), version=None,
                               data=complete_input(w, progress="Half done."))
    q3 = submit(3)
    w.q3 = s.return_approve(actor=w.commissioner, ret=q3, version=q3.version, officer_rag="green")
    w.b1 = s.return_submit(actor=w.user_b, project=w.project_b, quarter=Quarter(2023, 1), version=None,
                           data=ReturnInput(progress="B's progress.", self_rag="amber"))
    return w


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
def test_every_return_url_answers_every_actor_as_the_matrix_says(world, route, actor, expected):
    route = ROUTES[route]
    user = None if actor == "anonymous" else getattr(world, actor)
    before = state_of_every_return()

    if route.method == "GET":
        response = client_for(user).get(route.path)
    else:
        response = client_for(user).post(route.path, route.data(world))

    assert response.status_code == expected, response.content.decode()[:2000]
    done = expected == 302 and user is not None
    if expected == 302 and user is None:
        assert response["Location"].startswith(f"{SIGN_IN}?next=")
    if done:
        assert response["Location"] == re.sub(r"(review|reopen|spend)/$", "", route.path)
        assert state_of_every_return() != before
    else:
        assert state_of_every_return() == before


def test_a_refusal_says_why_on_the_page(world):
    response = client_for(world.finance).post(detail("A-1", 2023, 1, "review"),
                                              {"version": world.q1.version, "action": "approve", "officer_rag": "green"})

    assert response.status_code == 403
    assert "Only a commissioner officer of the funder can approve or return a return." in response.content.decode()


def test_the_review_queue_of_another_funder_lists_none_of_our_returns(world):
    response = client_for(world.outsider).get("/review/")

    assert response.status_code == 200
    assert table_rows(response, "review-queue") == [["Nothing is waiting."]]


def test_the_review_queue_lists_the_submitted_returns_of_both_providers(world):
    rows = table_rows(client_for(world.commissioner).get("/review/"), "review-queue")

    assert sorted(row[1] for row in rows) == ["Project of A A-1", "Project of B B-1"]


def test_my_returns_lists_every_quarter_of_the_providers_own_project_only(world):
    rows = table_rows(client_for(world.user_a).get("/returns/"), "my-returns")

    assert [(row[0], row[3]) for row in rows] == [
        ("2023-24 Q4 Jan–Mar", "Not started"), ("2023-24 Q3 Oct–Dec", "Approved"),
        ("2023-24 Q2 Jul–Sep", "Draft"), ("2023-24 Q1 Apr–Jun", "Submitted"),
    ]
    assert all("A-1" in row[1] for row in rows)


# --- The whole cycle through the pages -------------------------------------------------------


def test_a_return_goes_round_the_whole_cycle_through_the_pages(project):
    w = project
    provider, commissioner, finance = client_for(w.user_a), client_for(w.commissioner), client_for(w.finance)
    page = detail("A-1", 2023, 1)

    # The provider starts the return and saves a draft.
    opened = provider.get(page)
    assert opened.status_code == 200
    assert f'name="{s.spend_key(w.staff.pk)}"' in opened.content.decode()
    response = provider.post(page, {"version": version_on(opened), "action": "save", "progress": "Recruiting."})
    assert (response.status_code, response["Location"]) == (302, page)
    assert "Draft saved." in provider.get(page).content.decode()
    ret = QuarterlyReturn.objects.get(project=w.project_a, quarter=1)
    assert ret.status == Status.DRAFT

    # ...and submits it, money typed with commas and a pound sign.
    response = provider.post(page, complete_form(w, version_on(provider.get(page))))
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert dict(ret.spend_lines.values_list("budget_line", "actual")) == {
        w.staff.pk: Decimal("10000.00"), w.venue.pk: Decimal("1000.00"),
    }
    assert MeasureValue.objects.get(quarterly_return=ret, project_measure=w.satisfaction).value == Decimal("92")

    # Submitted, the return is read-only to the provider.
    html = provider.get(page).content.decode()
    assert "read-only until it is approved or returned for amendment" in html
    for name in (s.spend_key(w.staff.pk), s.value_key(w.people.pk), "progress", "self_rag", "action", "version"):
        assert f'name="{name}"' not in html
    assert "Ran 24 evening sessions in two youth centres." in html
    assert sent_back_banner(provider.get(page)) == ""

    # The commissioner sends it back with a comment.
    response = commissioner.post(detail("A-1", 2023, 1, "review"), {
        "version": version_on(commissioner.get(page)), "action": "send_back", "officer_rag": "amber",
        "comment": "Please explain the venue costs.",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.RETURNED

    # The provider sees the comment, amends and resubmits.
    returned_page = provider.get(page)
    html = returned_page.content.decode()
    banner = sent_back_banner(returned_page)
    assert "Please explain the venue costs." in banner
    assert "Chris Okafor" in banner
    assert f'name="{s.spend_key(w.staff.pk)}"' in html
    response = provider.post(page, complete_form(
        w, version_on(returned_page), **{s.spend_key(w.staff.pk): "9,750.25"}))
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert ret.events.order_by("at", "pk").last().comment == "Resubmitted after amendment."

    # The commissioner approves; finance verifies the spend.
    response = commissioner.post(detail("A-1", 2023, 1, "review"), {
        "version": version_on(commissioner.get(page)), "action": "approve", "officer_rag": "green", "comment": "",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert (ret.status, ret.officer_rag) == (Status.APPROVED, "green")
    response = finance.post(detail("A-1", 2023, 1, "spend"), {
        "version": version_on(finance.get(page)), "action": "verify", "note": "Agrees with the ledger.",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.spend_status == SpendStatus.VERIFIED

    # The commissioner reopens it; the provider sees why, changes the spend and resubmits.
    response = commissioner.post(detail("A-1", 2023, 1, "reopen"), {
        "version": version_on(commissioner.get(page)), "reason": "The venue invoice was for two quarters.",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.RETURNED
    reopened_page = provider.get(page)
    assert "The venue invoice was for two quarters." in sent_back_banner(reopened_page)
    response = provider.post(page, complete_form(
        w, version_on(reopened_page), **{s.spend_key(w.staff.pk): "9,750.25", s.spend_key(w.venue.pk): "950"}))
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert (ret.status, ret.spend_status) == (Status.SUBMITTED, SpendStatus.NOT_CHECKED)

    assert list(ret.events.order_by("at", "pk").values_list("kind", flat=True)) == [
        Kind.CREATED, Kind.SAVED, Kind.SUBMITTED, Kind.RETURNED, Kind.SUBMITTED, Kind.APPROVED,
        Kind.SPEND_VERIFIED, Kind.REOPENED, Kind.SUBMITTED,
    ]
    timeline = commissioner.get(page).content.decode()
    assert "Spend figures changed, so spend needs verifying again." in timeline


def test_the_field_history_page_lists_each_change_of_spend_with_who_made_it(project):
    w = project
    provider, colleague = client_for(w.user_a), client_for(w.colleague_a)
    page = detail("A-1", 2023, 1)
    provider.post(page, complete_form(w, version_on(provider.get(page)), action="save"))
    colleague.post(page, complete_form(w, version_on(colleague.get(page)), action="save",
                                       **{s.spend_key(w.staff.pk): "9,750.25"}))

    response = client_for(w.commissioner).get(detail("A-1", 2023, 1, "history"))

    assert response.status_code == 200
    spend_rows = [row[1:] for row in table_rows(response, "field-history") if row[2] == "Spend: Youth workers"]
    assert spend_rows == [
        ["Sam Reid", "Spend: Youth workers", "Actual spend this quarter", "10000.00", "9750.25"],
        ["Asha Patel", "Spend: Youth workers", "Actual spend this quarter", "–", "10000.00"],
    ]


# --- Errors on the page ----------------------------------------------------------------------


def test_the_error_summary_links_each_problem_to_its_field_in_page_order(project):
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)
    form = complete_form(w, version_on(provider.get(page)), progress="", self_rag="", **{
        s.spend_key(w.staff.pk): "", s.spend_key(w.venue.pk): "5,000", s.value_key(w.people.pk): "",
    })

    response = provider.post(page, form)

    assert response.status_code == 400
    html = response.content.decode()
    assert "<title>Error: " in html
    expected = [f"id_{s.spend_key(w.staff.pk)}", f"id_{s.explanation_key(w.venue.pk)}",
                f"id_{s.value_key(w.people.pk)}", "id_progress", "id_self_rag"]
    for target in expected:
        assert f'id="{target}"' in html
    in_page_order = sorted(expected, key=lambda target: html.index(f'id="{target}"'))
    assert error_summary_links(response) == in_page_order
    assert f'id="id_{s.spend_key(w.staff.pk)}-error"' in html
    assert not QuarterlyReturn.objects.exists()


def test_a_figure_that_is_not_a_number_is_explained_and_kept_as_typed(project):
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)

    response = provider.post(page, complete_form(w, "", **{s.spend_key(w.staff.pk): "ten thousand"}))

    assert response.status_code == 400
    html = response.content.decode()
    assert error_summary_links(response) == [f"id_{s.spend_key(w.staff.pk)}"]
    assert "Enter the spend on Youth workers as a number, like 1250.50." in html
    assert 'value="ten thousand"' in html
    assert not QuarterlyReturn.objects.exists()


def test_personal_data_in_the_case_study_is_flagged_with_a_link_to_it(project):
    w = project
    provider = client_for(w.user_a)
    page = detail("A-1", 2023, 1)

    response = provider.post(page, complete_form(w, "", case_study="She lives at BD1 1HY."))

    assert response.status_code == 400
    assert error_summary_links(response) == ["id_case_study"]
    assert "looks like it contains a full postcode" in response.content.decode()

    response = provider.post(page, complete_form(w, "", case_study="She lives at BD1 1HY.", personal_data_checked="on"))
    assert response.status_code == 302


def test_sending_back_without_a_comment_shows_the_error_against_the_comment_box(world):
    commissioner = client_for(world.commissioner)
    page = detail("A-1", 2023, 1)

    response = commissioner.post(detail("A-1", 2023, 1, "review"), {
        "version": version_on(commissioner.get(page)), "action": "send_back", "comment": "  ",
    })

    assert response.status_code == 400
    assert error_summary_links(response) == ["id_comment"]
    assert QuarterlyReturn.objects.get(pk=world.q1.pk).status == Status.SUBMITTED


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
    world, who, quarter, action, meanwhile, post
):
    client = client_for(getattr(world, who))
    page = detail("A-1", 2023, quarter)
    old_version = version_on(client.get(page))
    meanwhile(world)
    before = state_of_every_return()

    response = client.post(detail("A-1", 2023, quarter, action), {"version": old_version, **post(world)})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert state_of_every_return() == before


def test_the_refused_stale_form_keeps_what_the_provider_typed(world):
    client = client_for(world.user_a)
    page = detail("A-1", 2023, 2)
    old_version = version_on(client.get(page))
    _colleague_saves(world)

    response = client.post(page, {"version": old_version, "action": "save", "progress": "My own words."})

    assert response.status_code == 400
    assert error_summary_links(response)  # the message is in the summary, linked into the form
    assert "My own words.</textarea>" in response.content.decode()
    assert QuarterlyReturn.objects.get(pk=world.q2.pk).progress == "Colleague's words."


def test_a_form_posted_without_a_version_over_an_existing_return_is_stale(world):
    response = client_for(world.user_a).post(detail("A-1", 2023, 2), {"version": "", "action": "save",
                                                                       "progress": "Overwrite?"})

    assert response.status_code == 400
    assert STALE in response.content.decode()
    assert QuarterlyReturn.objects.get(pk=world.q2.pk).progress == "Half done."


def test_an_old_version_does_not_turn_a_refusal_into_a_changed_message_for_the_wrong_person(world):
    finance = client_for(world.finance)
    old_version = version_on(finance.get(detail("A-1", 2023, 1)))
    _other_commissioner_approves(world)

    response = finance.post(detail("A-1", 2023, 1, "review"), {"version": old_version, "action": "approve",
                                                                "officer_rag": "green"})

    assert response.status_code == 403
    assert STALE not in response.content.decode()


# --- Queries do not grow with rows ------------------------------------------------------------


def _grow_projects(w, count):
    """`count` more projects delivered by A, each with returns in several states."""
    for _ in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a)
        project = f.ProjectFactory(allocation=allocation)
        f.QuarterlyReturnFactory(project=project, quarter=1, status=Status.APPROVED)
        f.QuarterlyReturnFactory(project=project, quarter=2, status=Status.SUBMITTED,
                                 spend_status=SpendStatus.QUERIED)
        f.QuarterlyReturnFactory(project=project, quarter=3, status=Status.DRAFT)


@pytest.mark.parametrize("who, path", [("user_a", "/returns/"), ("commissioner", "/review/"), ("finance", "/review/"),
                                       ("viewer", "/review/")])
def test_a_list_of_returns_makes_as_many_queries_for_12_projects_as_for_2(
    actors, django_assert_num_queries, who, path
):
    client = client_for(getattr(actors, who))
    _grow_projects(actors, 1)  # with project A: 2 projects
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        small = client.get(path)
    assert small.status_code == 200

    _grow_projects(actors, 10)  # 12 projects
    with django_assert_num_queries(len(few)):
        large = client.get(path)

    assert large.status_code == 200
    listed = table_rows(large, "my-returns" if path == "/returns/" else "review-queue")
    assert len(listed) > len(table_rows(small, "my-returns" if path == "/returns/" else "review-queue"))


MEASURE_KINDS = [
    (Unit.COUNT, True, Decimal("12")), (Unit.PERCENTAGE, False, Decimal("87.5")),
    (Unit.YES_NO, False, Decimal("1")), (Unit.MONEY, True, Decimal("250.75")),
]


def _grow_lines_and_measures(w, count, returns):
    """`count` more budget lines and measures on project A, with a figure in each of `returns`."""
    for n in range(count):
        line = f.BudgetLineFactory(project=w.project_a)
        unit, cumulative, value = MEASURE_KINDS[n % len(MEASURE_KINDS)]
        pm = f.ProjectMeasureFactory(project=w.project_a, annual_target=Decimal("1") if unit == Unit.YES_NO else None,
                                     measure=f.OutcomeMeasureFactory(unit=unit, cumulative=cumulative))
        for ret in returns:
            f.SpendLineFactory(quarterly_return=ret, budget_line=line, actual=Decimal("9500.00"),
                               variance_explanation="Staff vacancy.")
            f.MeasureValueFactory(quarterly_return=ret, project_measure=pm, value=value)


def _grow_timeline(w, ret, count):
    """`count` more events on the return, by people of each organisation."""
    people = [w.user_a, w.commissioner, w.finance, w.viewer]
    for n in range(count):
        ReturnEvent.objects.create(quarterly_return=ret, kind=Kind.SAVED, actor=people[n % len(people)],
                                   at=ret.created_at, comment=f"Event {n}.")


@pytest.mark.parametrize("who, status", [("user_a", Status.DRAFT), ("user_a", Status.RETURNED),
                                         ("commissioner", Status.SUBMITTED), ("commissioner", Status.APPROVED),
                                         ("finance", Status.SUBMITTED), ("viewer", Status.SUBMITTED)])
def test_the_return_page_makes_as_many_queries_for_8_lines_measures_and_events_as_for_2(
    actors, django_assert_num_queries, who, status
):
    earlier = [f.QuarterlyReturnFactory(project=actors.project_a, quarter=n, status=Status.APPROVED) for n in (1, 2, 3)]
    this = f.QuarterlyReturnFactory(project=actors.project_a, quarter=4, status=status)
    client = client_for(getattr(actors, who))
    page = detail("A-1", 2023, 4)
    _grow_lines_and_measures(actors, 2, [*earlier, this])
    _grow_timeline(actors, this, 2)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200

    _grow_lines_and_measures(actors, 6, [*earlier, this])
    _grow_timeline(actors, this, 6)
    with django_assert_num_queries(len(few)):
        response = client.get(page)

    assert response.status_code == 200
    assert len(table_rows(response, "spend")) >= 8
    assert len(table_rows(response, "measures")) == 8
    assert response.content.decode().count("Event ") == 8


@pytest.mark.parametrize("who", ["user_a", "commissioner"])
def test_the_return_page_makes_as_many_queries_with_three_earlier_quarters_as_with_none(
    actors, django_assert_num_queries, who
):
    returns = [f.QuarterlyReturnFactory(project=actors.project_a, quarter=n, status=Status.APPROVED) for n in (1, 4)]
    _grow_lines_and_measures(actors, 4, returns)
    client = client_for(getattr(actors, who))
    client.get(detail("A-1", 2023, 1))
    with CaptureQueriesContext(connection) as first_quarter:
        assert client.get(detail("A-1", 2023, 1)).status_code == 200

    for n in (2, 3):
        ret = f.QuarterlyReturnFactory(project=actors.project_a, quarter=n, status=Status.APPROVED)
        for line in BudgetLine.objects.filter(project=actors.project_a):
            f.SpendLineFactory(quarterly_return=ret, budget_line=line)
    with django_assert_num_queries(len(first_quarter)):
        response = client.get(detail("A-1", 2023, 4))

    assert response.status_code == 200
    assert [row[1].count("Q") for row in table_rows(response, "measures")] == [3, 3, 3, 3]


@pytest.mark.parametrize("who", ["user_a", "commissioner"])
def test_the_history_page_makes_as_many_queries_for_8_lines_and_measures_as_for_2(
    actors, django_assert_num_queries, who
):
    ret = f.QuarterlyReturnFactory(project=actors.project_a, quarter=1, status=Status.SUBMITTED)
    client = client_for(getattr(actors, who))
    page = detail("A-1", 2023, 1, "history")
    editors = [actors.user_a, f.UserFactory(organisation=actors.provider_a, first_name="Sam", last_name="Reid")]

    def grow(count):
        _grow_lines_and_measures(actors, count, [ret])
        for n, spend in enumerate(SpendLine.objects.filter(quarterly_return=ret)):
            spend.actual += 1
            spend._history_user = editors[n % 2]  # as the request middleware would record it
            spend.save()

    grow(2)
    client.get(page)
    with CaptureQueriesContext(connection) as few:
        assert client.get(page).status_code == 200

    grow(6)
    with django_assert_num_queries(len(few)):
        response = client.get(page)

    assert response.status_code == 200
    rows = table_rows(response, "field-history")
    assert len(rows) > 16
    assert {"Sam Reid", "provider-a"} <= {row[1] for row in rows}
