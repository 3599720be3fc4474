"""
A performance report of more projects than its page lists, in the browser, as the commissioner of the
demo data: the pagination is reached and followed by keyboard and pointer, each page says which
projects it lists, the totals stay put, and axe finds no serious problem with the pagination on.
"""

from collections import Counter

import pytest

from grants.models import Project, User
from tests.e2e.main_pages import demo_roles, signed_in_context
from tests.e2e.test_accessibility import violations

pytestmark = pytest.mark.django_db(transaction=True)


def busiest_programme(user) -> tuple[str, int, int]:
    """The code, financial year and project count of the commissioner's programme with most projects."""
    counted = Counter(Project.objects.filter(allocation__programme__commissioner_id=user.organisation_id)
                      .values_list("allocation__programme__code", "allocation__programme__financial_year"))
    (code, year), count = counted.most_common(1)[0]
    return code, year, count


def test_a_long_report_is_read_a_page_at_a_time(demo, browser, live_server, settings, shots):
    settings.REPORT_PAGE_PROJECTS = 1
    username = demo_roles()["commissioner"]
    code, year, count = busiest_programme(User.objects.get(username=username))
    assert count >= 2, "the demo's busiest programme should have several projects"
    context = signed_in_context(browser, live_server, username)
    page = context.new_page()
    page.goto(f"/reports/performance/?end={year}-{str(year + 1)[2:]}+Q4&subject=programme&programme={code}")
    shown = page.get_by_test_id("projects-shown")
    assert "this page shows projects 1 to 1" in shown.inner_text()
    total = page.locator("[data-testid=report-summary] [data-figure=plan]").inner_text()
    # The demo's approved returns count (its kept figures worked out, as load_demo does).
    assert page.locator("[data-testid=report-summary] [data-figure=spent]").inner_text() != "£0.00"
    rows = page.locator("[data-testid=spend-by-project] tbody tr")
    first = rows.first.inner_text()
    assert rows.count() == 1
    shots(page, "page-1")
    assert violations(page) == []

    nav = page.get_by_role("navigation", name="Pages of the report's projects", exact=True)
    nav.get_by_role("link", name="Next page").click()
    page.wait_for_url("**page=2#projects-shown")
    assert "this page shows projects 2 to 2" in page.get_by_test_id("projects-shown").inner_text()
    assert page.locator("[data-testid=report-summary] [data-figure=plan]").inner_text() == total
    assert rows.first.inner_text() != first
    shots(page, "page-2")

    page.get_by_role("navigation", name="Pages of the report's projects, at the end").get_by_role(
        "link", name="Page 1").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**page=1#projects-shown")
    assert rows.first.inner_text() == first
    context.close()
