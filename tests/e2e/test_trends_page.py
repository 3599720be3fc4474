"""
A partnership's manager reads hate crime in its area in the browser: the chart and its table, the
summary in words, the caveats beside them, the ward with three crimes shown as "fewer than 5", and no
serious accessibility problem; another area's page is not theirs to open (tests/grants/trends/helpers.py
has the figures, worked out by hand).
"""

import pytest

from tests.e2e.conftest import sign_in
from tests.e2e.test_accessibility import violations
from tests.factories import DEMO_PASSWORD
from tests.grants.trends.helpers import a_force_area_with_two_partnerships

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def places(actors):
    return a_force_area_with_two_partnerships(actors)


def test_a_partnership_manager_reads_hate_crime_in_its_area(places, new_page, shots):
    w = places
    page = new_page()
    sign_in(page, w.manager.username, DEMO_PASSWORD)

    page.get_by_role("link", name="Places").first.click()
    page.get_by_role("link", name="Hate crime in Northtown").click()
    page.wait_for_selector("h1:has-text('Hate crime in Northtown')")
    page.wait_for_function("document.querySelectorAll('canvas[data-chart]').length > 0 && "
                           "[...document.querySelectorAll('canvas[data-chart]')].every(c => c.width > 0)")
    shots(page, "hate-crime-in-northtown")

    main = page.inner_text("main")
    assert ("Hate crime in Northtown rose from 266 to 303 crimes in the 12 months to March 2024, 13.9% more than "
            "the year before; an average of 25.3 crimes a month.") in main
    assert "Rises can reflect more victims coming forward" in main
    table = page.locator(f"[data-testid=series-{w.ward_series.pk}] [data-testid=chart-table]")
    assert table.locator("caption").inner_text() == "Hate crime in Northtown by month"
    january = table.locator("tr[data-period='January 2024'] td")
    assert january.all_inner_texts() == ["28", "24.8", "+6 (+27.3%)"]
    castle = page.locator("[data-testid=sub-area-table] tr[data-area=E05000003] td")
    assert castle.all_inner_texts()[1:] == ["fewer than 5", "fewer than 5", "hidden"]
    assert "no clear change" in main
    assert not page.problems, page.problems

    # The force area's page, and the other partnership's, are not the manager's to open.
    for path in ("/places/E23000099/hate-crime/", "/places/E22000002/hate-crime/"):
        response = page.goto(path)
        assert response.status == 404
    shots(page, "another-area-is-not-found")


def test_the_trends_page_has_no_serious_accessibility_problem(places, browser, live_server):
    from tests.e2e.main_pages import signed_in_context

    context = signed_in_context(browser, live_server, places.manager.username)
    page = context.new_page()
    for path in ("/places/", "/places/E22000001/hate-crime/"):
        page.goto(path)
        assert violations(page) == [], path
    context.close()
