"""
Accessibility: axe-core (from the npm registry, node_modules/axe-core) run in the browser on every
main page, signed in as each role, on the demo data: no serious or critical violation of WCAG 2.0,
2.1 and 2.2 A and AA. The main pages are the sign-in page, every item of the role's navigation,
the lists and reports linked from them, and one detail page of each kind linked from them.

axe is added to the page by the browser tools (a context that bypasses the page's
Content-Security-Policy for that alone); the pages themselves are served with the policy on.
"""

import re
from pathlib import Path

import pytest

from tests.e2e.main_pages import demo_roles, signed_in_context, visit_main_pages

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}
# Every role of the demo data, read from the fixture: a role added to the demo is checked too.
ROLES = {username: role for role, username in demo_roles().items()}


def govuk_conditional_reveal(rule: str, node: dict) -> bool:
    """GOV.UK Frontend's radios with a conditional reveal carry aria-expanded (its radios.mjs sets it
    on purpose, to tell screen reader users that choosing the radio shows more questions); axe's
    aria-allowed-attr does not expect it on a radio. This one pattern of the design system is let
    through, nothing else."""
    html = node["html"]
    return (rule == "aria-allowed-attr" and "govuk-radios__input" in html and 'aria-controls="conditional-' in html
            and "aria-expanded" in html)


def violations(page) -> list[str]:
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    found = []
    for v in result["violations"]:
        nodes = [n for n in v["nodes"] if not govuk_conditional_reveal(v["id"], n)]
        if v["impact"] in BLOCKING and nodes:
            found.append(f"{v['impact']} {v['id']}: {v['help']} — " + "; ".join(str(n["target"]) for n in nodes[:3]))
    return found


def check_main_pages(page) -> tuple[list[str], dict[str, list[str]]]:
    """Run axe on the role's main pages (tests/e2e/main_pages.py): the pages visited and the problems
    found on each."""
    return visit_main_pages(page, lambda page, path: violations(page))


def test_axe_finds_a_serious_problem_when_there_is_one(browser, live_server):
    """The control for the tests below: an image without a text alternative and an unlabelled field."""
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto("/sign-in/")
    page.evaluate("""() => { const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend', '<img src="/static/none.png"><input type="text" id="nameless">'); }""")
    found = " ".join(violations(page))
    assert "image-alt" in found and "label" in found
    context.close()


def test_the_sign_in_page_has_no_serious_accessibility_problem(browser, live_server, shots):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto("/sign-in/")
    assert violations(page) == []
    page.click("button[type=submit]")  # the error summary too
    page.wait_for_selector(".govuk-error-summary")
    shots(page, "sign-in-errors")
    assert violations(page) == []
    context.close()


@pytest.mark.parametrize("username", ROLES, ids=[f"{u} ({r})" for u, r in ROLES.items()])
def test_every_main_page_has_no_serious_accessibility_problem(demo, browser, live_server, shots, username):
    context = signed_in_context(browser, live_server, username)
    page = context.new_page()

    visited, found = check_main_pages(page)

    print(f"{username}: {len(visited)} pages checked: {' '.join(visited)}")
    assert len(visited) >= 8, visited
    for path in found:
        page.goto(path)
        shots(page, re.sub(r"\W+", "-", path).strip("-") or "home")
    context.close()
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(problems) for path, problems in found.items())


@pytest.mark.parametrize("path", ["/password-reset/", "/password-reset/sent/"])
def test_the_password_reset_pages_have_no_serious_accessibility_problem(browser, live_server, path):
    context = browser.new_context(base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.goto(path)
    assert violations(page) == []
    if path == "/password-reset/":
        page.click("main button[type=submit]")  # the error summary too
        page.wait_for_selector(".govuk-error-summary")
        assert violations(page) == []
    context.close()


def test_the_two_factor_pages_have_no_serious_accessibility_problem(demo, browser, live_server):
    context = signed_in_context(browser, live_server, "provider")
    page = context.new_page()
    found = {}
    for path in ["/two-factor/", "/two-factor/set-up/"]:
        page.goto(path)
        found[path] = violations(page)
    page.click("main button[type=submit]")  # the set-up form's error summary
    page.wait_for_selector(".govuk-error-summary")
    found["set-up errors"] = violations(page)
    context.close()
    assert all(problems == [] for problems in found.values()), found
