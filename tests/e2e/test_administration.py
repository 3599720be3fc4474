"""
Running the service without the Django admin, in the browser: the funder's administrator follows links from
the home page to add a provider organisation and invite its user; the invited user opens the link in the
e-mail (the live server runs in this process, so Django's test mail outbox holds it), sets a password and
signs in. axe checks each administration page on the way. Screenshots of each step.
"""

import re

import pytest
from django.core import mail

from grants.models import Organisation, User
from tests import worlds
from tests.e2e.conftest import sign_in, sign_out
from tests.e2e.test_accessibility import violations
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

NEW_PASSWORD = "a long and unusual passphrase 42"


def no_serious_problem(page):
    assert violations(page) == [], page.url


@pytest.fixture
def new_page(browser, live_server):
    """A fresh browser context per person, in which axe may be added to the page (the pages are served with
    their Content-Security-Policy; the browser lets the test tools' script through, as test_accessibility does)."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, bypass_csp=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and page.problems.append(f"{r.status} {r.url}"))
        return page

    yield make
    for context in contexts:
        context.close()


def test_the_administrator_adds_an_organisation_and_invites_its_user_who_sets_a_password(
        actors, settings, live_server, new_page, shots):
    settings.SITE_URL = live_server.url
    w = worlds.an_administrator_for_each_funder(actors)
    page = new_page()

    sign_in(page, w.administrator.username, DEMO_PASSWORD)
    page.click("#navigation >> text=Administration")
    page.wait_for_url("**/administration/")
    no_serious_problem(page)
    shots(page, "administration")
    page.click("main >> text=Organisations")
    page.click("text=Add an organisation")
    page.fill("#id_name", "Safer Northshire Partnership")
    page.check("#id_kind-charity")
    page.fill("#id_charity_number", "1123456")
    page.click("main button[type=submit]")
    page.wait_for_selector("h1:has-text('Safer Northshire Partnership')")
    no_serious_problem(page)
    shots(page, "organisation-added")
    organisation = Organisation.objects.get(name="Safer Northshire Partnership")
    assert organisation in w.commissioner_org.works_with.all()

    page.click("text=Invite a person")
    page.fill("#id_first_name", "Nadia")
    page.fill("#id_last_name", "Rahman")
    page.fill("#id_email", "nadia@northshire.example.org")
    assert page.input_value("#id_organisation") == str(organisation.pk)
    assert page.is_checked("#id_role-provider")
    no_serious_problem(page)
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Invitation sent to nadia@northshire.example.org")
    no_serious_problem(page)
    shots(page, "invited")
    sign_out(page)

    [message] = mail.outbox
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    invited = new_page()
    invited.goto(link)
    invited.wait_for_selector("h1:has-text('Set your password')")
    no_serious_problem(invited)
    invited.fill("#id_new_password1", NEW_PASSWORD)
    invited.fill("#id_new_password2", NEW_PASSWORD)
    invited.click("main button[type=submit]")
    invited.wait_for_selector("h1:has-text('Your account is ready')")
    shots(invited, "password-set")
    invited.click("main a.govuk-button")
    invited.wait_for_url("**/sign-in/")
    invited.fill("#id_username", "nadia@northshire.example.org")
    invited.fill("#id_password", NEW_PASSWORD)
    invited.click("main button[type=submit]")
    invited.wait_for_selector("[data-testid=signed-in-as]")
    assert "Nadia Rahman" in invited.inner_text("[data-testid=signed-in-as]")
    shots(invited, "signed-in")
    assert User.objects.get(username="nadia@northshire.example.org").organisation == organisation

    invited.goto(link)
    invited.wait_for_selector("h1:has-text('This invitation link does not work')")
    assert page.problems == [] and [p for p in invited.problems if "/invitation/" not in p] == []
