"""
The frame every page shares (templates/base.html, config/navigation.py):

- every page's title is "<the page> – Community Safety Grants": every URL of the permission matrix,
  fetched as every kind of person, the refusals (403, 404), a form's errors (400) and a file too
  large (413) included; every template that extends base.html names its page;
- a wide table scrolls inside its own region, which keyboard users can reach and which is named;
- the navigation: the GOV.UK service navigation with its Menu button, the current page marked,
  the commissioner's workbook named for what it is, and a Virements item for providers, whose list
  holds only their own organisation's virements;
- the favicon is our own, served from the site.
"""

import re
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests import worlds
from tests.test_permission_matrix import URLS, path_for, url_names
from tests.worlds import client_for

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
TITLE = re.compile(r"<title>(.*?)</title>", re.S)
SEPARATOR = " – "
PEOPLE = ["anonymous", "user_a", "viewer", "commissioner", "finance", "outsider"]
# URLs that answer no one here with a page: downloads, and the two-factor steps of someone who has not
# set it up (a redirect); their templates are checked by test_every_template_that_extends_the_frame_names_its_page.
NOT_PAGES_HERE = {"reporting:open-data-download", "reporting:return-template", "two-factor-verify",
                  "two-factor-recovery-codes"}

every_object_once = worlds.built_once(worlds.three_organisations_with_one_of_everything, scope="module",
                                      on=date(2024, 5, 15))


@pytest.fixture
def world(every_object_once, db):
    return every_object_once


def page_title(response) -> str | None:
    """The page part of the title, or None when the response is not a page (a download, a redirect)."""
    if not response.get("Content-Type", "").startswith("text/html") or not response.content:
        return None
    found = TITLE.search(response.content.decode())
    assert found, f"{response.request['PATH_INFO']} ({response.status_code}) has no <title>"
    title = " ".join(found.group(1).split())
    site = f"{SEPARATOR}{settings.SITE_NAME}"
    assert title.endswith(site), f"{response.request['PATH_INFO']} ({response.status_code}): {title!r}"
    return title[: -len(site)]


def get_pages():
    return [name for name in url_names() if name in URLS and not URLS[name].post_only]


# --- Titles ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", get_pages())
def test_every_page_is_titled_the_page_then_the_site(world, name):
    seen = {}
    for person in PEOPLE:
        for owner in (["-"] if URLS[name].kwargs is None else ["A", "X"]):
            response = client_for(None if person == "anonymous" else getattr(world, person)).get(
                path_for(world, name, owner))
            page = page_title(response)
            if page is not None:
                assert page.strip(), f"{name} as {person} ({response.status_code}): the title names no page"
                assert SEPARATOR not in page, f"{name} as {person}: {page!r} carries the separator twice"
                seen[response.status_code] = page
    assert seen or name in NOT_PAGES_HERE, f"{name}: no page seen"


def test_the_error_pages_name_themselves(world):
    commissioner = client_for(world.commissioner)
    assert page_title(commissioner.get("/programmes/999999/")) == "Page not found"
    assert page_title(client_for(world.user_a).get("/programmes/")) == "You cannot do this"
    errors = commissioner.get("/reports/commissioner-workbook/", {"year": "x", "quarter": "9"})
    assert errors.status_code == 400 and page_title(errors) == "Error: Quarter workbook"


def test_a_file_too_large_is_titled_too(world, settings):
    settings.REQUEST_MAX_BYTES = 10
    response = client_for(world.user_a).post("/", data=b"x" * 100, content_type="application/octet-stream")
    assert response.status_code == 413
    assert page_title(response) == "The file is too large"


def test_every_template_that_extends_the_frame_names_its_page():
    unnamed = []
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        if '{% extends "base.html" %}' not in text:
            continue
        block = re.search(r"{% block title %}(.*?){% endblock %}", text, re.S)
        if block is None or not re.sub(r"{%.*?%}", "", block.group(1)).strip():
            unnamed.append(str(template.relative_to(TEMPLATES)))
    assert not unnamed, f"templates without a page title: {', '.join(sorted(unnamed))}"


# --- Tables ---------------------------------------------------------------------------------------


def test_every_table_scrolls_in_its_own_named_region_that_the_keyboard_reaches():
    """A table wider than a phone scrolls inside a region, not the page: the region is focusable
    (tabindex="0", so it scrolls from the keyboard) and named (role="region" and aria-label)."""
    region = re.compile(r'<div class="app-table-scroll" role="region" aria-label="[^"]+" tabindex="0">\s*$')
    bare = []
    for template in TEMPLATES.rglob("*.html"):
        lines = template.read_text().splitlines()
        for number, line in enumerate(lines):
            if "<table" in line and not (number and region.search(lines[number - 1])):
                bare.append(f"{template.relative_to(TEMPLATES)}:{number + 1}")
    assert not bare, "tables outside a scrolling region: " + ", ".join(bare)


def test_a_list_table_is_in_a_region_named_by_its_caption(world):
    page = client_for(world.commissioner).get("/reports/programmes/").content.decode()
    assert re.search(r'<div class="app-table-scroll" role="region" aria-label="\d+ programmes?" tabindex="0">', page)


# --- Navigation -----------------------------------------------------------------------------------


def navigation(response) -> list[tuple[str, str, str | None]]:
    """(label, href, aria-current) of each navigation item."""
    html = response.content.decode()
    nav = re.search(r'<ul class="govuk-service-navigation__list" id="navigation">(.*?)</ul>', html, re.S).group(1)
    items = []
    for attrs, inner in re.findall(r'<a class="govuk-service-navigation__link"([^>]*)>(.*?)</a>', nav, re.S):
        current = re.search(r'aria-current="(\w+)"', attrs)
        items.append((re.sub(r"<[^>]+>", "", inner).strip(), re.search(r'href="([^"]+)"', attrs).group(1),
                      current.group(1) if current else None))
    return items


def labels(response) -> list[str]:
    return [label for label, _, _ in navigation(response)]


def test_the_navigation_has_the_menu_button_that_folds_it_on_a_phone(world):
    html = client_for(world.user_a).get("/").content.decode()
    assert re.search(r'<section aria-label="Service information" class="govuk-service-navigation" '
                     r'data-module="govuk-service-navigation">', html)
    assert re.search(r'<button type="button" class="govuk-service-navigation__toggle '
                     r'govuk-js-service-navigation-toggle" aria-controls="navigation" hidden aria-hidden="true">\s*'
                     r'Menu\s*</button>', html)
    assert '<script type="module" src="/static/js/app.mjs"></script>' in html
    script = (Path(settings.BASE_DIR) / "static" / "js" / "app.mjs").read_text()
    assert 'from "../govuk/govuk-frontend.min.js"' in script and "initAll()" in script


@pytest.mark.parametrize("who, items", [
    ("user_a", ["Home", "Dashboard", "My returns", "Funding", "Virements", "Reports", "Places"]),
    ("commissioner", ["Home", "Dashboard", "Returns to review", "Partnership returns", "Programmes", "Virements",
                      "Quarter workbook", "Reports", "Places"]),
    ("finance", ["Home", "Dashboard", "Spend to verify", "Payments", "Programmes", "Quarter workbook", "Reports",
                 "Places"]),
    ("viewer", ["Home", "Dashboard", "Returns to review", "Programmes", "Virements", "Reports", "Places"]),
])
def test_each_role_has_its_navigation_in_order(world, who, items):
    assert labels(client_for(getattr(world, who)).get("/")) == items


def test_the_commissioners_workbook_is_named_for_what_it_is(world):
    response = client_for(world.commissioner).get("/reports/commissioner-workbook/")
    assert "Spreadsheet returns" not in response.content.decode()
    assert page_title(response) == "Quarter workbook"
    assert ("Quarter workbook", "/reports/commissioner-workbook/", "page") in navigation(response)


def test_the_current_page_is_marked_and_a_page_under_an_item_marks_that_item(world):
    client = client_for(world.user_a)
    assert [(label, current) for label, _, current in navigation(client.get("/virements/")) if current] == [
        ("Virements", "page")]
    virement = world.of["A"].virement
    assert [(label, current) for label, _, current in navigation(client.get(f"/virements/{virement.pk}/"))
            if current] == [("Virements", "true")]
    assert [(label, current) for label, _, current in navigation(client.get("/reports/programmes/"))
            if current] == [("Reports", "true")]
    assert [(label, current) for label, _, current in navigation(client.get("/reports/dashboard/"))
            if current] == [("Dashboard", "page")]


def test_a_provider_reaches_its_own_virements_from_the_navigation_and_no_one_elses(world):
    own, others = world.of["A"].virement, world.of["B"].virement
    page = client_for(world.user_a).get("/virements/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'href="/virements/{own.pk}/"' in html
    assert f'href="/virements/{others.pk}/"' not in html
    assert client_for(world.user_a).get(f"/virements/{others.pk}/").status_code == 404
    html_b = client_for(world.user_b).get("/virements/").content.decode()
    assert f'href="/virements/{others.pk}/"' in html_b and f'href="/virements/{own.pk}/"' not in html_b


# --- Favicon --------------------------------------------------------------------------------------


def test_the_favicon_is_our_own_and_linked_from_every_page(world):
    html = client_for(None).get("/sign-in/").content.decode()
    assert '<link rel="icon" href="/static/images/favicon.svg" type="image/svg+xml">' in html
    assert '<link rel="icon" href="/static/images/favicon.png" sizes="32x32">' in html
    svg = Path(finders.find("images/favicon.svg")).read_text()
    assert svg.startswith("<svg") and "crown" not in svg.lower()
    assert Path(finders.find("images/favicon.png")).read_bytes().startswith(b"\x89PNG")


def test_a_server_error_has_its_own_titled_page_that_needs_no_database(world, settings):
    from django.test import Client

    from grants.views.base import server_error

    response = server_error(None)  # no request, no context: nothing that reads the database
    assert response.status_code == 500
    assert page_title(response) == "Sorry, there is a problem with the service"
    assert f">{settings.SITE_NAME}</a>" in response.content.decode()
    # Django serves it for an error raised by a view.
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.broken_urls"
    failed = Client(raise_request_exception=False).get("/broken-for-test/")
    assert failed.status_code == 500 and page_title(failed) == "Sorry, there is a problem with the service"
