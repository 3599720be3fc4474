"""
The main pages of a role, found the way a person finds them: the sign-in page aside, every item of
the role's navigation, the lists and reports linked from them, and one detail page of each kind
linked from them. The accessibility and the phone-width tests walk the same pages.
"""

import json
import re
from pathlib import Path

from django.test import Client

from grants.models import User

DETAIL = re.compile(r"^/(returns/[\w-]+/\d+/\d|allocations/\d+/quarters/\d+/\d|allocations/\d+|programmes/\d+|"
                    r"projects/[\w-]+|payments/\d+|virements/\d+|clawbacks/\d+)/$")
LISTS = re.compile(r"^/(reports/[\w-]+|measures|virements|programmes|finance|funding|review|returns|"
                   r"partnership-returns)/$")
DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo.json"


def demo_roles() -> dict[str, str]:
    """The first user of each role in the demo data, by role: read from the fixture itself, so that a
    role added to the demo is walked without anyone remembering to add it here."""
    users = {}
    for row in json.loads(DEMO.read_text()):
        fields = row["fields"]
        if row["model"] == "grants.user" and fields.get("role") and fields.get("is_active", True):
            users.setdefault(fields["role"], fields["username"])
    return users


def signed_in_context(browser, live_server, username, bypass_csp=True, **options):
    """A browser context signed in as `username` (a session made by the test client, no form). It
    bypasses the pages' Content-Security-Policy unless told not to (axe is added to the page)."""
    client = Client()
    client.force_login(User.objects.get(username=username))
    context = browser.new_context(base_url=live_server.url, bypass_csp=bypass_csp, **options)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
    return context


def links(page) -> list[str]:
    return page.eval_on_selector_all("main a[href^='/']", "links => links.map(a => a.getAttribute('href'))")


def visit_main_pages(page, inspect) -> tuple[list[str], dict[str, list[str]]]:
    """Open the navigation's pages, then the lists and one detail page of each kind linked from them,
    calling inspect(page, path) on each: the pages visited, and the problems inspect returned, by page."""
    page.goto("/")
    navigation = ["/"] + [href for href in page.eval_on_selector_all(
        "#navigation a", "links => links.map(a => a.getAttribute('href'))") if href != "/"]
    lists, details, found = [], {}, {}

    def visit(path):
        response = page.goto(path)
        assert response.status == 200, path
        problems = inspect(page, path)
        if problems:
            found[path] = problems

    for path in navigation:
        visit(path)
        for href in links(page):
            detail = DETAIL.match(href)
            if detail:
                kind = "partnership return" if "/quarters/" in href else detail.group(1).split("/")[0]
                details.setdefault(kind, href)
            elif LISTS.match(href) and href not in navigation + lists:
                lists.append(href)
    for path in lists + list(details.values()):
        visit(path)
    return navigation + lists + list(details.values()), found
