"""The home page of each role, and signing in and out, through the test client."""

import re
from datetime import date
from decimal import Decimal
from html import unescape

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Payment, QuarterlyReturn, User
from tests import factories as f
from tests.factories import DEMO_PASSWORD

HOME = "/"
SIGN_IN = "/sign-in/"
SIGN_OUT = "/sign-out/"
WRONG_LOGIN = "Enter a correct username and password. Both are case-sensitive."


def text(response) -> str:
    return unescape(response.content.decode())


def squash(html: str) -> str:
    """The text of some HTML, tags dropped and white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def table(response, testid: str) -> str:
    match = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', text(response), re.DOTALL)
    assert match, f"no table {testid!r} on the page"
    return match.group(0)


def row(response, testid: str, heading: str) -> str:
    """The text of the row of table `testid` whose heading cell is `heading`."""
    for tr in re.findall(r"<tr.*?</tr>", table(response, testid), re.DOTALL):
        cells = squash(tr)
        if cells.startswith(heading):
            return cells
    raise AssertionError(f"no row {heading!r} in table {testid!r}")


def signed_in_as(response) -> str:
    match = re.search(r'<p[^>]*data-testid="signed-in-as"[^>]*>(.*?)</p>', text(response), re.DOTALL)
    assert match, "no 'signed in as' line on the page"
    return squash(match.group(1)).replace(" ,", ",")


def is_signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client, username, password=DEMO_PASSWORD, **extra):
    return client.post(SIGN_IN, {"username": username, "password": password, **extra})


# --- Signing in and out -------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back_home(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


def test_the_sign_in_page_renders_a_form_for_username_and_password(client, db):
    response = client.get(SIGN_IN)
    page = text(response)
    assert response.status_code == 200
    assert '<h1 class="govuk-heading-l">Sign in</h1>' in page
    assert 'name="username"' in page
    assert 'name="password"' in page and 'type="password"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert "govuk-error-summary" not in page


def test_signing_in_with_a_wrong_password_shows_an_error_summary_with_the_message(client, actors):
    response = sign_in(client, "provider-a", "not-the-password")

    page = text(response)
    assert response.status_code == 200
    summary = re.search(r'<div class="govuk-error-summary".*?</ul>', page, re.DOTALL)
    assert summary, "no GOV.UK error summary"
    assert "There is a problem" in summary.group(0)
    assert WRONG_LOGIN in summary.group(0)
    assert "<title>Error: Sign in" in page
    assert not is_signed_in(client)


def test_signing_in_as_an_unknown_user_shows_the_same_message(client, actors):
    response = sign_in(client, "nobody-of-that-name")
    assert response.status_code == 200
    assert WRONG_LOGIN in text(response)
    assert not is_signed_in(client)


def test_signing_in_with_the_right_password_goes_home(client, actors):
    response = sign_in(client, "provider-a")

    assert response.status_code == 302
    assert response["Location"] == HOME
    assert is_signed_in(client)
    assert int(client.session["_auth_user_id"]) == actors.user_a.pk
    assert "Project of A" in text(client.get(HOME))


def test_signing_in_goes_back_to_the_page_asked_for(client, actors):
    response = sign_in(client, "provider-a", next="/?page=2")
    assert response.status_code == 302
    assert response["Location"] == "/?page=2"


def test_signing_in_does_not_send_the_user_to_another_site(client, actors):
    response = sign_in(client, "provider-a", next="https://evil.example.com/")
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_a_signed_in_user_visiting_sign_in_is_sent_home(client, actors):
    client.force_login(actors.user_a)
    response = client.get(SIGN_IN)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_signing_out_is_a_post_that_signs_out(client, actors):
    client.force_login(actors.user_a)

    response = client.post(SIGN_OUT)

    assert response.status_code == 302
    assert response["Location"] == SIGN_IN
    assert not is_signed_in(client)
    assert client.get(HOME)["Location"] == "/sign-in/?next=/"


def test_signing_out_cannot_be_done_by_following_a_link(client, actors):
    client.force_login(actors.user_a)

    response = client.get(SIGN_OUT)

    assert response.status_code == 405
    assert is_signed_in(client)


def test_every_signed_in_page_has_a_sign_out_button_that_posts(client, actors):
    client.force_login(actors.user_a)
    page = text(client.get(HOME))
    assert re.search(r'<form method="post" action="/sign-out/"', page)


# --- Locking out after repeated failures ------------------------------------------------------


def test_the_lockout_limit_is_five_failures(db):
    assert settings.AXES_FAILURE_LIMIT == 5


def test_four_failed_sign_ins_still_let_the_right_password_in(client, actors):
    for _ in range(4):
        assert sign_in(client, "provider-a", "wrong").status_code == 200

    response = sign_in(client, "provider-a")

    assert response.status_code == 302
    assert is_signed_in(client)


def test_after_five_failed_sign_ins_the_account_is_locked_out_even_with_the_right_password(client, actors):
    responses = [sign_in(client, "provider-a", "wrong") for _ in range(5)]
    assert [r.status_code for r in responses[:4]] == [200] * 4
    assert responses[4].status_code == 429

    response = sign_in(client, "provider-a")

    assert response.status_code == 429
    assert "Account locked: too many login attempts" in text(response)
    assert not is_signed_in(client)


def test_a_lockout_for_one_username_does_not_lock_out_another(client, actors):
    for _ in range(5):
        sign_in(client, "provider-a", "wrong")

    response = sign_in(client, "provider-b")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == actors.user_b.pk


def test_a_successful_sign_in_resets_the_count_of_failures(client, actors):
    for _ in range(4):
        sign_in(client, "provider-a", "wrong")
    assert sign_in(client, "provider-a").status_code == 302
    client.post(SIGN_OUT)
    for _ in range(4):
        assert sign_in(client, "provider-a", "wrong").status_code == 200

    response = sign_in(client, "provider-a")

    assert response.status_code == 302
    assert is_signed_in(client)


# --- Each role's home page ----------------------------------------------------------------


def test_a_provider_sees_only_its_own_projects(client, actors):
    client.force_login(actors.user_a)

    response = client.get(HOME)

    assert response.status_code == 200
    page = table(response, "projects")
    assert "Project of A" in page
    assert "Project of B" not in text(response)


def test_a_provider_sees_not_started_for_a_project_with_no_return(client, actors):
    client.force_login(actors.user_a)
    assert "Not started" in row(client.get(HOME), "projects", "Project of A")


@pytest.mark.parametrize(
    "status, label",
    [
        (QuarterlyReturn.Status.DRAFT, "Draft"),
        (QuarterlyReturn.Status.SUBMITTED, "Submitted"),
        (QuarterlyReturn.Status.RETURNED, "Returned for amendment"),
        (QuarterlyReturn.Status.APPROVED, "Approved"),
    ],
)
def test_a_provider_sees_the_status_and_quarter_of_the_latest_return(client, actors, status, label):
    f.QuarterlyReturnFactory(project=actors.project_a, quarter=1, status=QuarterlyReturn.Status.APPROVED)
    f.QuarterlyReturnFactory(project=actors.project_a, quarter=2, status=status)
    client.force_login(actors.user_a)

    cells = row(client.get(HOME), "projects", "Project of A")

    assert "2023-24 Q2" in cells
    assert label in cells
    assert "Not started" not in cells


def test_a_csp_sees_the_projects_it_funds_and_who_delivers_them(client, actors):
    f.ProjectFactory(allocation=actors.allocation_b, provider=actors.provider_a, name="Passed-on project")
    client.force_login(actors.user_b)

    response = client.get(HOME)

    assert "Provider A" in row(response, "projects", "Passed-on project")
    assert "Project of B" in table(response, "projects")
    assert "Project of A" not in text(response)


def test_a_provider_with_no_projects_is_told_so(client, actors):
    client.force_login(f.UserFactory(organisation=f.OrganisationFactory(), role=User.Role.PROVIDER))
    response = client.get(HOME)
    assert response.status_code == 200
    assert "Your organisation has no funded projects yet." in text(response)


@pytest.mark.parametrize("role", ["commissioner", "viewer"])
def test_commissioner_officers_and_viewers_see_the_programme_and_both_allocations(client, actors, role):
    client.force_login(getattr(actors, role))

    response = client.get(HOME)

    assert response.status_code == 200
    programme = row(response, "programmes", "Community Safety Fund")
    assert "£1,000,000.00" in programme  # budget
    assert "£200,000.00" in programme  # allocated
    assert "£800,000.00" in programme  # left to allocate
    allocations = table(response, "allocations")
    assert "Allocation to A" in allocations
    assert "Allocation to B" in allocations


def test_another_commissioners_officer_sees_neither_the_programme_nor_the_allocations(client, actors):
    client.force_login(actors.outsider)

    response = client.get(HOME)

    assert response.status_code == 200
    page = text(response)
    assert "Community Safety Fund" not in page
    assert "Allocation to A" not in page
    assert "Allocation to B" not in page
    assert "No programmes yet." in page
    assert "No allocations yet." in page


def test_finance_sees_allocations_with_amounts_released_and_left_to_pay(client, actors):
    f.PaymentFactory(
        allocation=actors.allocation_a, quarter=1, amount=Decimal("25000.00"), status=Payment.Status.RELEASED,
        reference="PAY-1", paid_on=date(2023, 7, 1),
    )
    f.PaymentFactory(allocation=actors.allocation_a, quarter=2, amount=Decimal("30000.00"))  # scheduled
    client.force_login(actors.finance)

    response = client.get(HOME)

    assert response.status_code == 200
    assert "<h2 class=\"govuk-heading-m\">Allocations and payments</h2>" in text(response)
    a = row(response, "allocations", "Allocation to A")
    assert a.endswith("£100,000.00 £25,000.00 £75,000.00")
    b = row(response, "allocations", "Allocation to B")
    assert b.endswith("£100,000.00 £0.00 £100,000.00")


def test_finance_does_not_see_another_commissioners_allocations(client, actors):
    f.AllocationFactory(
        programme=f.ProgrammeFactory(commissioner=actors.other_commissioner_org), title="Allocation from Elsewhere"
    )
    client.force_login(actors.finance)

    page = text(client.get(HOME))

    assert "Allocation to A" in page
    assert "Allocation from Elsewhere" not in page


def test_a_user_without_organisation_or_role_sees_the_no_access_yet_page(client, actors):
    client.force_login(f.UserFactory(organisation=None, role=""))
    response = client.get(HOME)
    assert response.status_code == 200
    assert "You have no access yet" in text(response)


def test_a_user_with_an_organisation_but_no_role_sees_the_no_access_yet_page(client, actors):
    client.force_login(f.UserFactory(organisation=actors.commissioner_org, role=""))
    response = client.get(HOME)
    page = text(response)
    assert response.status_code == 200
    assert "You have no access yet" in page
    assert "Community Safety Fund" not in page
    assert "Allocation to A" not in page


@pytest.mark.parametrize(
    "who, organisation, role",
    [
        ("user_a", "Provider A", "Provider"),
        ("user_b", "Provider B", "Provider"),
        ("commissioner", "Office of the Police and Crime Commissioner for Testshire", "Commissioner officer"),
        ("finance", "Office of the Police and Crime Commissioner for Testshire", "Finance officer"),
        ("viewer", "Office of the Police and Crime Commissioner for Testshire", "Viewer"),
        ("outsider", "Office of the Police and Crime Commissioner for Elsewhere", "Commissioner officer"),
    ],
)
def test_the_header_shows_the_users_organisation_and_role(client, actors, who, organisation, role):
    user = getattr(actors, who)
    client.force_login(user)

    line = signed_in_as(client.get(HOME))

    assert line == f"Signed in as {user.username}, {organisation} ({role})"


def test_the_header_of_a_user_without_organisation_shows_neither_organisation_nor_role(client, actors):
    user = f.UserFactory(username="newcomer", organisation=None, role="")
    client.force_login(user)
    assert signed_in_as(client.get(HOME)) == "Signed in as newcomer"


# --- Queries ------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["user_a", "commissioner", "finance"])
def test_the_home_page_makes_as_many_queries_for_20_rows_as_for_2(client, actors, django_assert_num_queries, who):
    def grow(count):
        for _ in range(count):
            allocation = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=actors.commissioner_org), recipient=actors.provider_a)
            project = f.ProjectFactory(allocation=allocation)
            f.QuarterlyReturnFactory(project=project, status=QuarterlyReturn.Status.SUBMITTED)
            f.PaymentFactory(allocation=allocation)

    client.force_login(getattr(actors, who))
    grow(1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(HOME).status_code == 200
    grow(18)
    with django_assert_num_queries(len(few)):
        assert client.get(HOME).status_code == 200
