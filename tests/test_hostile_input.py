"""
Hostile input through the web, as an attacker or a careless user sends it: bad uploads (oversized,
truncated, a zip bomb, XML entities, the wrong kind of file, formulas), form posts naming another
organisation's objects, and markup typed into text fields. Each is answered with a clear message,
and the whole database is as it was: the row count of every model (audit history included) and
the sum of every money and figure column, compared before and after (tests/database_state.py).
Markup that is saved comes back escaped on every page that shows it.

The workbooks are built with the helpers of the importer's own tests
(tests/reporting/test_return_import_refusals.py and template_helpers.py), which check the same
refusals through the importer and the import_return command; here they go through the upload page.
"""

import re
from decimal import Decimal
from html import unescape

import pytest

from grants.models import BudgetLine, Programme, SpendLine
from grants.services import returns as s
from reporting.spreadsheets import template as t
from tests import factories as f
from tests.database_state import changes, database_state, money_checksum
from tests.dates import date_boxes
from tests.reporting.template_helpers import (  # noqa: F401 - fixtures
    QUARTER,
    add_member,
    client_for,
    draft,
    error_summary_items,
    fill_in,
    narrative_cell,
    open_workbook,
    return_page,
    rewrite_member,
    spend_cell,
    template_for,
    upload_file,
    url,
    workbook_bytes,
    equipped_twins,
)
from tests.reporting.test_return_import_refusals import (
    DAMAGED,
    EXTERNAL,
    LAUGHS,
    NOT_XLSX,
    TOO_BIG_UNPACKED,
    UNREADABLE,
    good_file,
    with_doctype,
)

SCRIPT = '<script>alert("pwned")</script>'
ESCAPED = "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;"


class Unchanged:
    """Asserts that the block leaves every row count and the money checksum as they were."""

    def __enter__(self):
        self.before = database_state()
        return self

    def __exit__(self, *exc):
        if exc[0] is None:
            after = database_state()
            assert money_checksum(after) == money_checksum(self.before), f"the money columns moved: {changes(self.before, after)}"
            assert after == self.before, f"the database changed: {changes(self.before, after)}"


def page_text(response) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


# --- Uploads ------------------------------------------------------------------------------------


def formula_in_spend(w):
    content, layout = template_for(w.project_a)
    book = fill_in(open_workbook(content), layout, w.lines, w.measures)
    spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL).value = "=SUM(1,2)*1000"
    return workbook_bytes(book)


def zip_bomb(w):
    return add_member(good_file(w), "xl/media/image1.bin", b"\0" * (60 * 1024 * 1024))


UPLOADS = {
    "a truncated workbook": (lambda w: good_file(w)[: len(good_file(w)) // 2], "application/octet-stream", DAMAGED),
    "a zip bomb": (zip_bomb, None, TOO_BIG_UNPACKED),
    "billion laughs entities": (lambda w: rewrite_member(template_for(w.project_a)[0], "xl/sharedStrings.xml",
                                                         with_doctype(LAUGHS, "&lol6;")), None, UNREADABLE),
    "an external entity": (lambda w: rewrite_member(template_for(w.project_a)[0], "xl/worksheets/sheet2.xml",
                                                    with_doctype(EXTERNAL, "&e;")), None, UNREADABLE),
    "a PDF sent as a PDF": (lambda w: b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n", "application/pdf", NOT_XLSX),
    "an HTML page named .xlsx": (lambda w: f"<html><body>{SCRIPT}</body></html>".encode(), "text/html", NOT_XLSX),
    "an empty file": (lambda w: b"", None, "The submitted file is empty."),
    "a formula where a figure belongs": (formula_in_spend, None, "This cell holds a formula."),
}


@pytest.mark.parametrize("name", UPLOADS)
def test_a_hostile_upload_is_refused_with_a_message_and_changes_nothing(draft, name):
    build, content_type, message = UPLOADS[name]
    content = build(draft)
    upload = upload_file(content)
    if content_type:
        upload.content_type = content_type

    with Unchanged():
        response = client_for(draft.user_a).post(url("return-upload"), {"file": upload})

    assert response.status_code == 400
    assert any(message in item for item in error_summary_items(response)), error_summary_items(response)
    assert "Nothing has been saved." in response.content.decode() or message in (NOT_XLSX, "The submitted file is empty.")
    assert "root:" not in response.content.decode() and "lollol" not in response.content.decode()


def test_an_oversized_upload_is_refused_with_the_limit_and_changes_nothing(draft, settings):
    settings.UPLOAD_MAX_BYTES = 1024 * 1024
    content = good_file(draft) + b"\0" * (1024 * 1024)

    with Unchanged():
        response = client_for(draft.user_a).post(url("return-upload"), {"file": upload_file(content)})

    assert response.status_code == 400
    assert "the largest file you can upload is 1 MB" in page_text(response)


def test_an_upload_with_no_file_is_refused_with_a_message(draft):
    with Unchanged():
        response = client_for(draft.user_a).post(url("return-upload"), {"file": ""})

    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()


def test_markup_in_an_uploaded_narrative_is_shown_escaped_on_the_preview(draft):
    w = draft
    content, layout = template_for(w.project_a)
    book = fill_in(open_workbook(content), layout, w.lines, w.measures)
    narrative_cell(book, "progress").value = SCRIPT

    with Unchanged():
        response = client_for(w.user_a).post(url("return-upload"), {"file": upload_file(workbook_bytes(book))})

    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html
    assert ESCAPED in html


# --- Form posts naming other organisations' objects ------------------------------------------------


def test_a_provider_posting_another_projects_budget_line_in_its_return_saves_nothing_of_it(draft):
    w = draft
    b_line = f.BudgetLineFactory(project=w.project_b, description="B's staff")
    page = client_for(w.user_a).get(return_page())
    version = re.search(r'name="version" value="(\d*)"', page.content.decode()).group(1)
    form = {"version": version, "action": "submit", "progress": "", s.spend_key(b_line.pk): "99999.99",
            s.explanation_key(b_line.pk): "Not mine."}

    with Unchanged():
        response = client_for(w.user_a).post(return_page(), form)

    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert "B&#x27;s staff" not in response.content.decode() and "B's staff" not in response.content.decode()
    assert not SpendLine.objects.filter(budget_line=b_line).exists()


def test_a_provider_asking_to_move_money_from_another_projects_line_is_told_to_choose_its_own(draft):
    w = draft
    b_line = f.BudgetLineFactory(project=w.project_b, description="B's staff")
    form = {"from_line": b_line.pk, "to_line": w.lines["staff"].pk, "amount": "500", "quarter": "3",
            "reason": "Take B's money."}

    with Unchanged():
        response = client_for(w.user_a).post("/projects/A-1/virements/new/", form)

    assert response.status_code == 400
    assert "Select a valid choice" in page_text(response) or "Choose" in page_text(response)
    assert 'href="#id_from_line"' in response.content.decode()


def test_a_commissioner_allocating_from_another_funders_programme_finds_nothing(draft):
    w = draft
    theirs = f.ProgrammeFactory(commissioner=w.other_commissioner_org, code="THEIRS")
    form = {"recipient": str(w.provider_a.pk), "title": "Taken", "purpose": "", "amount": "5,000.00",
            **date_boxes(start_date="1/4/2023", end_date="31/3/2024"), "conditions": "", "version": ""}

    with Unchanged():
        response = client_for(w.commissioner).post(f"/programmes/{theirs.pk}/allocate/", form)

    assert response.status_code == 404


def test_a_commissioner_asking_for_the_workbook_of_another_funders_programme_is_told_to_choose_their_own(draft):
    w = draft
    f.ProgrammeFactory(commissioner=w.other_commissioner_org, code="THEIRS", financial_year=2023)

    with Unchanged():
        response = client_for(w.commissioner).get("/reports/commissioner-workbook/",
                                                  {"year": "2023", "quarter": "1", "programme": "THEIRS"})

    assert response.status_code in (200, 400)
    assert "Choose one of your programmes, or all programmes." in page_text(response)
    assert response.get("Content-Type", "").startswith("text/html")


def test_a_commissioner_editing_another_funders_programme_through_the_form_finds_nothing(draft):
    w = draft
    theirs = f.ProgrammeFactory(commissioner=w.other_commissioner_org, code="THEIRS", total_budget=Decimal("100.00"))

    with Unchanged():
        response = client_for(w.commissioner).post(f"/programmes/{theirs.pk}/edit/", {
            "name": "Mine now", "code": "THEIRS", "financial_year": "2023-24", "funding_source": "x",
            "total_budget": "£9,999,999", "payment_terms": "advance", "return_due_days": "30",
            "reminder_days_before": "7", "overdue_reminder_days": "7", "variance_threshold_percent": "10%",
            "over_allocation_percent": "0"})

    assert response.status_code == 404
    assert Programme.objects.get(pk=theirs.pk).total_budget == Decimal("100.00")


# --- Money typed to break the columns -------------------------------------------------------------


@pytest.mark.parametrize("typed", ["1e9", "99999999999.99", "-5", "12.345", "NaN", "Infinity", "=1+1", "0x10"])
def test_money_typed_to_break_the_column_is_refused_with_a_message(draft, typed):
    w = draft
    page = client_for(w.user_a).get(return_page())
    version = re.search(r'name="version" value="(\d*)"', page.content.decode()).group(1)

    with Unchanged():
        response = client_for(w.user_a).post(return_page(), {
            "version": version, "action": "save", s.spend_key(w.lines["staff"].pk): typed, "progress": "x"})

    assert response.status_code == 400
    assert f'href="#id_{s.spend_key(w.lines["staff"].pk)}"' in response.content.decode()


# --- Markup typed into text fields comes back escaped ------------------------------------------------


def test_markup_typed_into_a_return_and_names_is_escaped_on_every_page_that_shows_it(draft):
    w = draft
    w.project_a.name = f"Youth {SCRIPT}"
    w.project_a.save()
    w.allocation_a.title = f"Grant {SCRIPT}"
    w.allocation_a.save()
    w.user_a.first_name = SCRIPT
    w.user_a.save()
    page = client_for(w.user_a).get(return_page())
    version = re.search(r'name="version" value="(\d*)"', page.content.decode()).group(1)
    form = {"version": version, "action": "save", "progress": SCRIPT, "challenges": SCRIPT, "case_study": SCRIPT,
            "risks": SCRIPT}
    assert client_for(w.user_a).post(return_page(), form).status_code == 302
    submitted = f"/returns/A-1/{QUARTER.financial_year}/1/"

    pages = {
        w.user_a: [return_page(), "/", "/returns/", "/funding/", f"/allocations/{w.allocation_a.pk}/",
                   "/projects/A-1/", "/reports/returns/", "/reports/projects/", "/reports/dashboard/",
                   url("return-upload")],
        w.commissioner: [return_page(), submitted, "/", "/review/", "/programmes/", f"/programmes/{w.programme.pk}/",
                         f"/allocations/{w.allocation_a.pk}/", "/projects/A-1/", return_page() + "history/",
                         "/reports/returns/", "/reports/projects/", "/reports/allocations/", "/reports/dashboard/",
                         "/reports/performance/", "/reports/open-data/"],
        w.finance: ["/finance/", "/", "/reports/payments/"],
    }
    shown = 0
    for user, paths in pages.items():
        client = client_for(user)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, path
            html = response.content.decode()
            assert SCRIPT not in html, f"{path} shows the script unescaped to {user.username}"
            assert "<script>alert" not in html
            shown += ESCAPED in html
    assert shown >= 10, "the escaped text is on the pages that show it"


def test_markup_in_a_budget_line_description_is_escaped_in_the_return_form(draft):
    w = draft
    BudgetLine.objects.filter(pk=w.lines["venue"].pk).update(description=SCRIPT)  # set-up, not under test

    response = client_for(w.user_a).get(return_page())

    assert SCRIPT not in response.content.decode()
    assert ESCAPED in response.content.decode()
