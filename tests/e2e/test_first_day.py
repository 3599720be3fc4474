"""
A new programme from nothing to a released payment and the quarter's workbook, in the browser, without
the Django admin, every step reached by following links from the home page. Only the home page and the
link in the invitation e-mail are ever typed as addresses.

The funder's administrator adds the provider organisation and invites its user. The commissioner
officer sets up the programme, allocates to the new organisation, approves, records the signed
agreement, sets up the project with a budget line and a measure it adds to the library, and marks
the allocation active. The invited user sets a password from the e-mail's link, finds the return due
on their home page and submits it. The commissioner approves it from their work list; finance verifies
the spend, draws up the payment in arrears and releases it, each from their work list; the commissioner
downloads the quarter's workbook, which holds the figures.

The quarter is the last one that has ended, so the walk needs no frozen clock.
"""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core import mail
from openpyxl import load_workbook
from playwright.sync_api import expect

from grants.models import BudgetLine, Payment, Project, ProjectMeasure, QuarterlyReturn
from grants.periods import Quarter
from grants.services import returns as s
from tests import worlds
from tests.e2e.conftest import fill_date, sign_in, sign_out
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long and unusual passphrase 42"
EMAIL = "sam@saferstreets.example.org"


def go_home(page):
    page.goto("/")
    page.wait_for_selector("h1:has-text('Home')")


def follow(page, name, within="main", exact=True):
    """Click the link called `name` (as a screen reader names it: exactly, or containing `name`) in
    `within`, and wait for the page."""
    page.locator(within).get_by_role("link", name=name, exact=exact).first.click()
    page.wait_for_load_state()


def work_item(page, key) -> int:
    """Follow the work list's line `key` from the home page; its count."""
    row = page.locator(f"[data-work={key}]")
    count = int(row.locator("[data-count]").inner_text())
    row.get_by_role("link").click()
    page.wait_for_load_state()
    return count


def press(page, text):
    page.locator("main").get_by_role("button", name=text).click()
    page.wait_for_load_state()


@pytest.fixture
def world(actors, settings, live_server):
    settings.SITE_URL = live_server.url
    w = worlds.an_administrator_for_each_funder(actors)
    w.quarter = Quarter.from_date(date.today()).previous()
    return w


def test_a_new_programme_goes_from_nothing_to_a_released_payment_without_the_django_admin(world, new_page, shots):
    w, q = world, world.quarter
    page = new_page()
    visited = []
    page.on("framenavigated", lambda frame: frame == page.main_frame and visited.append(frame.url))

    # The administrator adds the provider organisation and invites its user.
    sign_in(page, w.administrator.username, DEMO_PASSWORD)
    follow(page, "Administration", within="#navigation")
    follow(page, "Organisations")
    follow(page, "Add an organisation")
    page.fill("#id_name", "Safer Streets Trust")
    page.check("#id_kind-charity")
    page.fill("#id_charity_number", "1187654")
    page.locator("main button[type=submit]").click()
    page.wait_for_selector("h1:has-text('Safer Streets Trust')")
    follow(page, "Invite a person to Safer Streets Trust")
    page.fill("#id_first_name", "Sam")
    page.fill("#id_last_name", "Okafor")
    page.fill("#id_email", EMAIL)
    page.locator("main button[type=submit]").click()
    page.wait_for_selector(f"text=Invitation sent to {EMAIL}")
    shots(page, "administrator-invites-the-provider")
    sign_out(page)

    # The commissioner officer sets up the programme, the allocation and the project.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    follow(page, "Programmes", within="#navigation")
    follow(page, "Set up a programme")
    page.fill("#id_name", "Safer Streets Fund")
    page.fill("#id_code", "SSF-DAY1")
    page.fill("#id_financial_year", q.year.label)
    page.fill("#id_funding_source", "Home Office Safer Streets")
    page.fill("#id_total_budget", "250,000")
    page.check("#id_payment_terms-arrears")
    press(page, "Save programme")
    page.wait_for_selector("h1:has-text('Safer Streets Fund')")
    follow(page, "Allocate funds")
    page.select_option("#id_recipient", label="Safer Streets Trust")
    page.fill("#id_title", "Safer Streets Trust evening outreach")
    page.fill("#id_amount", "40,000")
    fill_date(page, "Start date", q.start)
    fill_date(page, "End date", q.year.end)
    press(page, "Save draft allocation")
    page.wait_for_selector("h1:has-text('Safer Streets Trust evening outreach')")
    page.fill("#id_decision_reference", "OPCC-DEC-DAY1")
    fill_date(page, "Decision date", q.start)
    press(page, "Approve the allocation")
    page.wait_for_selector("text=Record the signed agreement")
    fill_date(page, "Date the grant agreement was signed", q.start)
    press(page, "Record the signed agreement")
    follow(page, "Set up a project")
    page.fill("#id_reference", "SST-DAY1")
    page.fill("#id_name", "Evening outreach")
    page.select_option("#id_provider", label="Safer Streets Trust")
    fill_date(page, "Start date", q.start)
    fill_date(page, "End date", q.year.end)
    press(page, "Save project")
    page.wait_for_selector("h1:has-text('Evening outreach')")
    follow(page, "Add a budget line")
    page.select_option("#id_financial_year", str(q.financial_year))
    page.select_option("#id_category", "staff")
    page.fill("#id_description", "Outreach workers")
    page.fill("#id_amount", "12,000")
    for number in range(1, 5):
        page.fill(f"#id_profile_q{number}", "12,000" if number == q.number else "0")
    press(page, "Save budget line")
    follow(page, "Add an outcome measure")
    follow(page, "Add a measure to the library")
    page.fill("#id_name", "Young people reached")
    page.fill("#id_definition", "Each young person spoken to by an outreach worker, counted once a quarter.")
    page.check("#id_unit-count")
    page.check("#id_direction-higher")
    page.check("#id_aggregation-events")
    press(page, "Add measure")
    page.select_option("#id_measure", label="Young people reached")
    page.select_option("#id_financial_year", str(q.financial_year))
    page.fill("#id_baseline", "0")
    page.fill("#id_annual_target", "200")
    press(page, "Save measure")
    page.wait_for_selector("h1:has-text('Evening outreach')")
    follow(page, "Safer Streets Trust evening outreach")
    press(page, "Mark as active: delivery has started")
    page.wait_for_selector("strong.govuk-tag:has-text('Active')")
    shots(page, "commissioner-sets-up-the-allocation")
    sign_out(page)
    project = Project.objects.get(reference="SST-DAY1")
    line = BudgetLine.objects.get(project=project)
    measure = ProjectMeasure.objects.get(project=project)

    # The invited user sets a password from the e-mail's link and submits the return due.
    [message] = mail.outbox
    link = re.search(r"https?://\S+/invitation/\S+/", message.body).group(0)
    provider = new_page()
    provider.goto(link)
    provider.fill("#id_new_password1", PASSWORD)
    provider.fill("#id_new_password2", PASSWORD)
    provider.locator("main button[type=submit]").click()
    provider.wait_for_selector("h1:has-text('Your account is ready')")
    provider.locator("main a.govuk-button").click()
    provider.wait_for_url("**/sign-in/")
    sign_in(provider, EMAIL, PASSWORD)
    shots(provider, "provider-home")
    key = "returns-overdue" if date.today() > q.due_date(30) else "returns-due"
    assert work_item(provider, key) == 1
    follow(provider, f"Start the {q.label} return for Evening outreach")
    provider.fill(f"#id_{s.spend_key(line.pk)}", "11,400")
    provider.fill(f"#id_{s.value_key(measure.pk)}", "57")
    provider.fill("#id_progress", "Four evenings a week in the town centre and two estates.")
    provider.check("input[name=self_rag][value=green]")
    provider.click("button[name=action][value=submit]")
    provider.wait_for_selector("text=Return submitted.")
    shots(provider, "provider-submits")

    # The commissioner approves it from the work list.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    assert work_item(page, "review") == 1
    follow(page, "Evening outreach")
    page.check("input[name=officer_rag][value=green]")
    page.click("button[name=action][value=approve]")
    page.wait_for_selector("text=Approved")
    sign_out(page)
    assert QuarterlyReturn.objects.get(project=project).status == QuarterlyReturn.Status.APPROVED

    # Finance verifies the spend, draws up the payment and releases it, each from the work list.
    sign_in(page, w.finance.username, DEMO_PASSWORD)
    assert work_item(page, "review") == 1
    follow(page, "Evening outreach")
    page.click("button[name=action][value=verify]")
    page.wait_for_selector("text=verified")
    go_home(page)
    assert work_item(page, "arrears-to-schedule") == 1
    follow(page, "schedule the payment of Safer Streets Trust evening outreach", exact=False)
    press(page, "Draw up the payment schedule")
    go_home(page)
    assert work_item(page, "payments-ready") == 1
    follow(page, f"{q.label}", within="#due", exact=False)
    page.fill("#id_reference", "BACS-DAY1")
    fill_date(page, "Date paid", date.today())
    expect(page.get_by_test_id("payment-summary")).to_contain_text("£11,400.00")
    press(page, "Release the payment")
    shots(page, "finance-releases")
    sign_out(page)
    payment = Payment.objects.get(allocation__title="Safer Streets Trust evening outreach")
    assert (payment.status, payment.amount, payment.period) == (Payment.Status.RELEASED, Decimal("11400.00"), q)

    # The commissioner downloads the quarter's workbook.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    follow(page, "Quarter workbook", within="#navigation")
    page.select_option("#id_year", str(q.financial_year))
    page.select_option("#id_quarter", str(q.number))
    page.select_option("#id_programme", "SSF-DAY1")
    with page.expect_download() as download:
        page.click("button:has-text('Download the workbook')")
    book = load_workbook(io.BytesIO(download.value.path().read_bytes()), read_only=True, data_only=True)
    rows = list(book["Spend"].iter_rows(values_only=True))
    header = list(rows[0])
    [spend] = [row for row in rows[1:] if row and "SST-DAY1" in row]
    assert Decimal(str(spend[header.index(f"Actual Q{q.number} (approved)")])) == Decimal("11400")
    assert Decimal(str(spend[header.index(f"Profile Q{q.number}")])) == Decimal("12000")

    # Nobody typed an address but the home page, the sign-in page and the invitation link.
    typed = [url for url in visited if "/admin/" in url]
    assert typed == [], typed
    assert not page.problems and not provider.problems, page.problems + provider.problems
