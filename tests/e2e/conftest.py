"""
Browser tests: Playwright for Python driving the Debian chromium (/usr/bin/chromium, or CHROMIUM)
against pytest-django's live server, a real server on a free local port. No browser is downloaded.

Without chromium these tests fail with a message saying how to install it, so that a machine that
cannot run them never looks green; SKIP_E2E=1 skips them instead (say so when you do).
Screenshots of every step go under test-artifacts/e2e/ (E2E_ARTIFACTS overrides), whose path is
printed at the end of the run.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

# The live server runs in a thread of this process; Playwright's sync API runs an event loop in it too.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.getenv("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--disable-dev-shm-usage"]
ARTIFACTS = Path(os.getenv("E2E_ARTIFACTS", Path(__file__).resolve().parents[2] / "test-artifacts" / "e2e"))


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if ARTIFACTS.exists() and any(ARTIFACTS.iterdir()):
        terminalreporter.write_line(f"Browser test screenshots: {ARTIFACTS}")


@pytest.fixture(scope="session")
def browser():
    if os.getenv("SKIP_E2E") == "1":
        pytest.skip("SKIP_E2E=1: browser tests skipped")
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"The browser tests need chromium at {CHROMIUM}: install it with `apt-get install chromium` "
                    "(.ci/run does), point CHROMIUM at another build, or set SKIP_E2E=1 to skip them.",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def shots(request):
    """shots(page, "name") saves a full-page screenshot as NN-name.png in the test's own folder."""
    folder = ARTIFACTS / re.sub(r"[^\w.-]+", "-", request.node.name)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True, exist_ok=True)
    count = [0]

    def shoot(page, name):
        count[0] += 1
        page.screenshot(path=str(folder / f"{count[0]:02d}-{name}.png"), full_page=True)

    shoot.folder = folder
    return shoot


@pytest.fixture
def new_page(browser, live_server):
    """new_page() opens a fresh browser context (its own cookies): one person at a time."""
    contexts = []

    def make():
        context = browser.new_context(base_url=live_server.url, accept_downloads=True)
        context.set_default_timeout(15000)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        # Script errors, Content-Security-Policy refusals and failed loads (but the favicon nobody links).
        page.on("console", lambda m: m.type == "error" and not m.text.startswith("Failed to load resource")
                and page.problems.append(m.text))
        page.on("pageerror", lambda e: page.problems.append(str(e)))
        page.on("response", lambda r: r.status >= 400 and not r.url.endswith("/favicon.ico")
                and page.problems.append(f"{r.status} {r.url}"))
        return page

    yield make
    for context in contexts:
        context.close()


def sign_in(page, username, password):
    page.goto("/sign-in/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=signed-in-as]")


def sign_out(page):
    page.click("text=Sign out")
    page.wait_for_url("**/sign-in/")


@pytest.fixture
def demo(db):
    """The demo data (fixtures/demo.json), which every role's main pages are walked on, with its kept
    figures worked out, as `load_demo` does (tests/worlds: the_demo)."""
    from tests.worlds import the_demo

    the_demo()


def fill_date(page, legend, when):
    """Type `when` (a date) into the day, month and year boxes of the GOV.UK date input named `legend`,
    found as a person using a screen reader finds it: the group, then each box by its label."""
    group = page.get_by_role("group", name=legend)
    for box, value in (("Day", when.day), ("Month", when.month), ("Year", when.year)):
        group.get_by_label(box, exact=True).fill(str(value))
