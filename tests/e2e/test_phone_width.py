"""
Phone and desktop widths: every main page of every role in the demo (tests/e2e/main_pages.py), at
390 × 844 (a phone) and 1366 × 768 (a laptop), must not scroll sideways as a whole page (a wide table
scrolls inside its own region), and every text box must show its whole value. A money box that is
empty is tried with "2000.00", the figure a provider types, and must show it whole too. At phone
width the navigation folds behind GOV.UK Frontend's "Menu" button, which opens and closes it, its
script served from the site and running under the pages' Content-Security-Policy.

Every problem of a role is reported at once, as (page, width, problem).
"""

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.e2e.main_pages import demo_roles, signed_in_context, visit_main_pages

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
ROLES = demo_roles()

# What the page measures: its own sideways scroll, each text box that does not show its whole value,
# and each region that scrolls sideways but cannot be reached from the keyboard or has no name.
MEASURE = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    const wide = [...document.querySelectorAll("body *")]
      .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && getComputedStyle(e).position !== "fixed")
      .filter(e => !e.closest(".app-table-scroll"));
    const deepest = wide.filter(e => !wide.some(other => other !== e && e.contains(other)));
    const names = deepest.slice(0, 3).map(e => e.tagName.toLowerCase() + (e.className ? "." + String(e.className).trim().split(/\\s+/).join(".") : ""));
    problems.push(`page is ${root.scrollWidth}px wide in a ${window.innerWidth}px window (${names.join(", ")})`);
  }
  const visible = e => e.offsetParent !== null && e.getClientRects().length > 0;
  const boxes = [...document.querySelectorAll("input")]
    .filter(i => ["text", "number", "email", "search", "tel", "url", ""].includes(i.getAttribute("type") || ""))
    .filter(visible);
  for (const input of boxes) {
    const money = input.parentElement.querySelector(".govuk-input__prefix")?.textContent.trim() === "£";
    const tried = !input.value && money;
    if (tried) input.value = "2000.00";
    if (input.value && input.scrollWidth > input.clientWidth + 1) {
      problems.push(`the box ${input.id || input.name} shows ${input.clientWidth}px of "${input.value}" (${input.scrollWidth}px)`);
    }
    if (tried) input.value = "";
  }
  for (const e of document.querySelectorAll("main *")) {
    const style = getComputedStyle(e);
    if (["auto", "scroll"].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1 &&
        (e.getAttribute("tabindex") !== "0" || !e.getAttribute("aria-label"))) {
      problems.push(`a region that scrolls sideways has no tabindex="0" or no aria-label (${e.tagName.toLowerCase()}.${e.className})`);
    }
  }
  return problems;
}"""


def measure(page, path, width):
    return [(path, width, problem) for problem in page.evaluate(MEASURE)]


def menu_problems(page) -> list[str]:
    """At phone width the navigation is folded behind the Menu button, which opens and closes it."""
    page.goto("/")
    toggle = page.locator(".govuk-service-navigation__toggle")
    navigation = page.locator("#navigation")
    if toggle.count() != 1 or not toggle.is_visible():
        return ["no Menu button"]
    problems = []
    if navigation.is_visible():
        problems.append("the navigation is open before the Menu button is pressed")
    toggle.click()
    if not navigation.is_visible() or toggle.get_attribute("aria-expanded") != "true":
        problems.append("pressing Menu does not open the navigation")
    elif not page.locator("#navigation a").first.is_visible():
        problems.append("the navigation opens without its links")
    toggle.click()
    if navigation.is_visible() or toggle.get_attribute("aria-expanded") != "false":
        problems.append("pressing Menu again does not close the navigation")
    return problems


def test_the_demo_has_more_than_one_role_to_walk():
    assert {"provider", "commissioner", "finance", "viewer"} <= set(ROLES), ROLES


@pytest.mark.parametrize("username", ROLES.values(), ids=[f"{u} ({r})" for r, u in ROLES.items()])
def test_no_main_page_scrolls_sideways_or_hides_a_value_at_phone_or_laptop_width(
        demo, browser, live_server, shots, username):
    # The pages' Content-Security-Policy stays on: the Menu button's script must run under it.
    context = signed_in_context(browser, live_server, username, bypass_csp=False, viewport=PHONE)
    page = context.new_page()
    found = []
    page.on("console", lambda m: m.type == "error" and found.append((page.url, page.viewport_size["width"], m.text)))
    page.on("pageerror", lambda e: found.append((page.url, page.viewport_size["width"], str(e))))

    found += [("/", PHONE["width"], problem) for problem in menu_problems(page)]
    phone_pages, _ = visit_main_pages(page, lambda page, path: found.extend(measure(page, path, PHONE["width"])))
    page.set_viewport_size(LAPTOP)
    # GOV.UK Frontend hides the button when its media query changes: a listener that runs a moment later.
    try:
        page.locator(".govuk-service-navigation__toggle").wait_for(state="hidden", timeout=5000)
    except PlaywrightTimeout:
        found.append(("/", LAPTOP["width"], "the Menu button shows at laptop width"))
    laptop_pages, _ = visit_main_pages(page, lambda page, path: found.extend(measure(page, path, LAPTOP["width"])))

    print(f"{username}: {len(phone_pages)} pages at {PHONE['width']}px, {len(laptop_pages)} at {LAPTOP['width']}px")
    assert len(phone_pages) >= 8, phone_pages
    page.set_viewport_size(PHONE)
    for path in sorted({path for path, width, _ in found if width == PHONE["width"]}):
        page.goto(path)
        shots(page, path.strip("/").replace("/", "-") or "home")
    context.close()
    assert not found, "\n".join(f"{path} at {width}px: {problem}" for path, width, problem in found)
