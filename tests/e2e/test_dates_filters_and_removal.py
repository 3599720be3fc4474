"""
In the browser, as a commissioner officer: a date typed into the GOV.UK date input with its month
missing is named in the error summary, whose link takes the keyboard to the day box; removing a
budget line asks first, and Cancel leaves it; the review queue's filters choose a year from a list.
axe finds no serious or critical problem on any of these pages, errors included.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, BudgetLine
from tests import factories as f
from tests.e2e.conftest import fill_date
from tests.e2e.test_accessibility import signed_in_context, violations

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(actors):
    w = actors
    w.draft = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Draft for A",
                                  amount=Decimal("5000.00"), status="draft", decision_reference="",
                                  decision_date=None)
    w.line = f.BudgetLineFactory(project=w.project_a, description="Contingency", amount=Decimal("400.00"),
                                 profile_q1=Decimal("100"), profile_q2=Decimal("100"), profile_q3=Decimal("100"),
                                 profile_q4=Decimal("100"))
    return w


def test_a_date_missing_its_month_is_named_and_its_link_goes_to_the_day_box(world, browser, live_server, shots):
    context = signed_in_context(browser, live_server, world.commissioner.username)
    page = context.new_page()
    page.goto(f"/allocations/{world.draft.pk}/")
    page.fill("#id_decision_reference", "DEC-E2E-1")
    group = page.get_by_role("group", name="Decision date")
    group.get_by_label("Day", exact=True).fill("3")
    group.get_by_label("Year", exact=True).fill("2023")
    page.click("button:has-text('Approve the allocation')")
    page.wait_for_selector(".govuk-error-summary")
    shots(page, "date-missing-its-month")

    page.click(".govuk-error-summary a:has-text('Decision date must include a month')")
    assert page.evaluate("document.activeElement.id") == "id_decision_date_day"
    assert violations(page) == []

    fill_date(page, "Decision date", date(2023, 3, 1))
    page.click("button:has-text('Approve the allocation')")
    page.wait_for_load_state()
    world.draft.refresh_from_db()
    assert (world.draft.status, world.draft.decision_date) == (Allocation.Status.APPROVED, date(2023, 3, 1))
    context.close()


def test_removing_a_budget_line_asks_first_and_cancel_keeps_it(world, browser, live_server, shots):
    context = signed_in_context(browser, live_server, world.commissioner.username)
    page = context.new_page()
    project_page = f"/projects/{world.project_a.reference}/"
    page.goto(project_page)
    page.get_by_role("link", name="Remove Contingency").click()
    page.wait_for_selector("h1:has-text('Are you sure you want to remove the budget line Contingency')")
    shots(page, "confirm-removal")
    assert violations(page) == []

    page.get_by_role("link", name="Cancel").click()
    page.wait_for_load_state()
    assert BudgetLine.objects.filter(pk=world.line.pk).exists()

    page.get_by_role("link", name="Remove Contingency").click()
    page.get_by_role("button", name="Remove budget line").click()
    page.wait_for_selector("text=Budget line removed.")
    assert not BudgetLine.objects.filter(pk=world.line.pk).exists()
    context.close()


def test_the_review_queue_is_filtered_by_a_year_from_the_list(world, browser, live_server, shots):
    context = signed_in_context(browser, live_server, world.commissioner.username)
    page = context.new_page()
    page.goto("/review/")
    assert violations(page) == []
    page.get_by_label("Financial year").select_option(label="All years")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    shots(page, "review-queue-filtered")
    assert page.url.endswith("/review/?financial_year=&quarter=&programme=&provider=")
    context.close()
