"""
The return template on the web, through the test client: who may download it,
who may upload and confirm (only the delivering provider, while the return is
editable), the preview of every change that saves nothing, the confirmation
that saves the draft with its event and history, and every way a confirmation
or an upload is refused with nothing saved.
"""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from grants.models import MeasureValue, QuarterlyReturn, ReturnEvent, SpendLine, User
from grants.periods import Quarter
from grants.services import returns as s
from grants.services.returns import ReturnInput
from reporting.spreadsheets import importer
from reporting.spreadsheets import template as t
from tests import factories as f
from tests import worlds
from tests.worlds import ACTORS
from tests.reporting.template_helpers import (  # noqa: F401 - fixtures
    QUARTER,
    XLSX,
    client_for,
    database_state,
    draft,
    error_summary_items,
    fill_in,
    filled_template,
    open_workbook,
    payload_on,
    return_of,
    return_page,
    saved,
    spend_cell,
    table_rows,
    template_for,
    upload_file,
    url,
    workbook_bytes,
    equipped_twins,
)

SIGN_IN = "/sign-in/"


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
equipped_twins_once = worlds.built_once_per_module(
    lambda: worlds.project_a_and_its_twin_equipped(worlds.two_providers_one_programme()))


@pytest.fixture
def equipped_twins(equipped_twins_once, db):
    return worlds.fresh(equipped_twins_once)


def user(w, actor):
    return None if actor == "anonymous" else getattr(w, actor)


def preview(w, content=None, client=None):
    """Upload A-1's filled-in Q2 template as user A; the preview response."""
    client = client or client_for(w.user_a)
    response = client.post(url("return-upload"), {"file": upload_file(content or filled_template(w))})
    assert response.status_code == 200, response.content.decode()
    return response


# --- Who may do what -----------------------------------------------------------------------------

DOWNLOAD = {"anonymous": 302, "user_a": 200, "user_b": 404, "viewer": 200, "commissioner": 200, "finance": 200,
            "outsider": 404}
UPLOAD = {"anonymous": 302, "user_a": 200, "user_b": 404, "viewer": 403, "commissioner": 403, "finance": 403,
          "outsider": 404}


@pytest.mark.parametrize("actor", ACTORS)
def test_the_template_downloads_for_everyone_who_can_see_the_return(draft, actor):
    response = client_for(user(draft, actor)).get(url("return-template"))

    assert response.status_code == DOWNLOAD[actor]
    if actor == "anonymous":
        assert response["Location"].startswith(SIGN_IN)
    if response.status_code == 200:
        assert response["Content-Type"] == XLSX
        assert response["Content-Disposition"] == 'attachment; filename="A-1-2023-24-Q2-return.xlsx"'
        book = open_workbook(response.content)
        assert book[t.SPEND_SHEET]["A1"].value == "Spend: 2023-24 Q2"


def test_the_download_of_a_quarter_the_project_does_not_run_in_is_not_found(draft):
    assert client_for(draft.user_a).get(url("return-template", quarter=Quarter(2024, 1))).status_code == 404


def test_the_downloaded_template_holds_what_is_saved(draft):
    response = client_for(draft.commissioner).get(url("return-template"))

    reading = importer.read_template(response.content, draft.user_a)

    assert reading.changes == []
    assert reading.data == s.input_from_return(draft.q2)


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_delivering_provider_may_open_the_upload_page(draft, actor):
    response = client_for(user(draft, actor)).get(url("return-upload"))

    assert response.status_code == UPLOAD[actor]
    if actor == "anonymous":
        assert response["Location"].startswith(SIGN_IN)
    if response.status_code == 403:
        assert "Only the provider that delivers this project can change its return." in response.content.decode()
    if response.status_code == 200:
        html = response.content.decode()
        assert 'name="file" type="file"' in html
        assert url("return-template") in html


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_delivering_provider_may_upload_and_nobody_else_changes_anything(draft, actor):
    before = database_state()

    response = client_for(user(draft, actor)).post(url("return-upload"), {"file": upload_file(filled_template(draft))})

    assert response.status_code == UPLOAD[actor]
    assert database_state() == before  # a preview saves nothing, even for the provider


@pytest.mark.parametrize("actor", ACTORS)
def test_only_the_delivering_provider_may_confirm(draft, actor):
    payload = payload_on(preview(draft))
    before = database_state()

    response = client_for(user(draft, actor)).post(url("return-upload-confirm"), {"payload": payload})

    expected = {**UPLOAD, "user_a": 302}[actor]
    assert response.status_code == expected
    if actor != "user_a":
        assert database_state() == before


@pytest.mark.parametrize("status", ["submitted", "approved"])
def test_the_provider_cannot_upload_to_a_return_that_is_not_editable(draft, status):
    w = draft
    payload = payload_on(preview(w))
    ret = s.return_submit(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=w.q2.version,
                          data=importer.read_template(filled_template(w), w.user_a).data)
    if status == "approved":
        ret = s.return_approve(actor=w.commissioner, ret=ret, version=ret.version, officer_rag="green")
    before = database_state()
    provider = client_for(w.user_a)

    page = provider.get(url("return-upload"))
    upload = provider.post(url("return-upload"), {"file": upload_file(filled_template(w))})
    confirm = provider.post(url("return-upload-confirm"), {"payload": payload})

    # The preview was of the draft; confirming it now is a stale copy, as on the return page.
    assert (page.status_code, upload.status_code, confirm.status_code) == (403, 403, 400)
    assert f"This return is {status} and cannot be changed." in page.content.decode()
    assert s.STALE_MESSAGE in confirm.content.decode()
    assert database_state() == before


def test_the_confirmation_only_accepts_a_post(draft):
    assert client_for(draft.user_a).get(url("return-upload-confirm")).status_code == 405


def test_the_return_page_links_the_download_for_everyone_and_the_upload_for_the_provider(draft):
    for actor in ("user_a", "commissioner", "finance", "viewer"):
        html = client_for(getattr(draft, actor)).get(return_page()).content.decode()
        assert url("return-template") in html, actor
        assert (url("return-upload") in html) == (actor == "user_a"), actor


# --- Upload, preview, confirm ----------------------------------------------------------------------


def test_an_upload_shows_every_change_with_its_cell_and_saves_nothing(draft):
    w = draft
    before = database_state()

    response = preview(w)

    assert database_state() == before
    rows = {row[0]: row[1:] for row in table_rows(response, "changes")}
    assert rows["Spend: Youth workers"] == ["Spend!G7", "£5,000.00", "£10,250.50"]
    assert rows["Spend: Venue hire"] == ["Spend!G6", "(blank)", "£0.00"]
    assert rows["Progress this quarter"] == [
        "Narrative!B5", "Half way through the quarter.",
        "Ran 24 evening sessions in two youth centres.\nTen young people joined the football league.",
    ]
    assert rows["Repeat victims: not collected"] == ["Outcomes!K6", "No", "Yes"]
    reading = importer.read_template(filled_template(w), w.user_a)
    assert len(rows) == len(reading.changes)
    assert f"{len(reading.changes)} changes to the 2023-24 Q2 return" in response.content.decode()


def test_confirming_saves_the_draft_as_typed_with_a_saved_event_and_history(draft):
    w = draft
    provider = client_for(w.user_a)
    payload = payload_on(preview(w, client=provider))
    events = ReturnEvent.objects.filter(quarterly_return=w.q2).count()

    response = provider.post(url("return-upload-confirm"), {"payload": payload})

    assert (response.status_code, response["Location"]) == (302, return_page())
    page = provider.get(return_page()).content.decode()
    assert "Draft saved from your spreadsheet." in page
    ret = return_of(w.project_a)
    assert saved(ret)["spend"]["Youth workers"] == (Decimal("10250.50"), "")
    assert saved(ret)["measures"]["Repeat victims"] == (
        None, True, "The partner agency's case system was down all quarter.")
    assert saved(ret)["narrative"]["self_rag"] == "amber"
    assert ret.status == QuarterlyReturn.Status.DRAFT
    latest = ret.events.order_by("-pk").first()
    assert ReturnEvent.objects.filter(quarterly_return=ret).count() == events + 1
    assert (latest.kind, latest.actor) == (ReturnEvent.Kind.SAVED, w.user_a)
    staff = SpendLine.objects.get(quarterly_return=ret, budget_line=w.lines["staff"])
    record = staff.history.order_by("-history_date", "-history_id").first()
    assert (record.actual, record.history_user) == (Decimal("10250.50"), w.user_a)
    assert MeasureValue.history.filter(quarterly_return_id=ret.pk, project_measure_id=w.measures["repeat"].pk,
                                       not_collected=True, history_user=w.user_a).exists()


def test_an_upload_that_changes_nothing_says_so_and_offers_nothing_to_confirm(draft):
    w = draft

    response = preview(w, content=template_for(w.project_a)[0])

    html = response.content.decode()
    assert "The file holds exactly what is saved already: there is nothing to change." in html
    assert 'name="payload"' not in html


def test_a_preview_of_a_template_downloaded_before_a_change_on_the_web_warns(draft):
    w = draft
    content = filled_template(w)
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=w.q2.version,
                        data=ReturnInput(progress="Typed on the web meanwhile."))

    response = preview(w, content=content)

    assert "The return was changed on the web after this template was downloaded." in response.content.decode()
    rows = {row[0]: row[1:] for row in table_rows(response, "changes")}
    assert rows["Progress this quarter"][1] == "Typed on the web meanwhile."


# --- Refused confirmations -------------------------------------------------------------------------


def refused_confirmation(w, payload, message):
    before = database_state()
    response = client_for(w.user_a).post(url("return-upload-confirm"), {"payload": payload})
    assert response.status_code == 400
    assert message in " ".join(error_summary_items(response))
    assert database_state() == before
    return response


def test_a_tampered_preview_is_refused_and_nothing_saved(draft):
    payload = payload_on(preview(draft))
    body, signature = payload.rsplit(":", 1)
    tampered = f"{body}:{signature[:-2]}{'AA' if signature[-2:] != 'AA' else 'BB'}"

    refused_confirmation(draft, tampered, "The preview could not be confirmed. Upload the file again.")
    refused_confirmation(draft, "", "The preview could not be confirmed. Upload the file again.")


def test_a_preview_signed_as_something_else_is_refused(draft):
    forged = signing.dumps({"user": draft.user_a.pk}, salt="another.purpose")

    refused_confirmation(draft, forged, "The preview could not be confirmed.")


def test_a_preview_more_than_an_hour_old_is_refused_and_nothing_saved(draft):
    payload = payload_on(preview(draft))

    with time_machine.travel(timezone.now() + timedelta(seconds=importer.PAYLOAD_MAX_AGE + 60)):
        refused_confirmation(draft, payload, "The preview is more than an hour old.")


def test_a_preview_still_within_the_hour_is_confirmed(draft):
    payload = payload_on(preview(draft))

    with time_machine.travel(timezone.now() + timedelta(seconds=importer.PAYLOAD_MAX_AGE - 60)):
        response = client_for(draft.user_a).post(url("return-upload-confirm"), {"payload": payload})

    assert response.status_code == 302


def test_a_preview_of_another_return_or_another_user_is_refused(draft):
    w = draft
    payload = payload_on(preview(w))
    colleague = f.UserFactory(username="provider-a-2", organisation=w.provider_a, role=User.Role.PROVIDER)
    before = database_state()

    other_return = client_for(w.user_a).post(url("return-upload-confirm", project="A-2"), {"payload": payload})
    other_user = client_for(colleague).post(url("return-upload-confirm"), {"payload": payload})

    for response in (other_return, other_user):
        assert response.status_code == 400
        assert "The preview is for another return." in " ".join(error_summary_items(response))
    assert database_state() == before


def test_a_preview_confirmed_after_someone_else_saved_the_return_gives_the_changed_message(draft):
    w = draft
    payload = payload_on(preview(w))
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=w.q2.version,
                        data=ReturnInput(progress="A colleague's edit."))

    refused_confirmation(w, payload, s.STALE_MESSAGE)

    assert return_of(w.project_a).progress == "A colleague's edit."


def test_a_preview_of_a_return_not_started_confirmed_after_someone_started_it_gives_the_changed_message(equipped_twins):
    w = equipped_twins
    payload = payload_on(preview(w))
    s.return_save_draft(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=None,
                        data=ReturnInput(progress="Started by a colleague."))

    refused_confirmation(w, payload, s.STALE_MESSAGE)


def test_a_preview_confirmed_after_the_return_was_submitted_gives_the_changed_message(draft):
    w = draft
    payload = payload_on(preview(w))
    s.return_submit(actor=w.user_a, project=w.project_a, quarter=QUARTER, version=w.q2.version,
                    data=importer.read_template(filled_template(w), w.user_a).data)

    refused_confirmation(w, payload, s.STALE_MESSAGE)


# --- Refused uploads -----------------------------------------------------------------------------


def test_a_refused_upload_lists_every_problem_with_its_sheet_and_cell_in_the_error_summary(draft):
    w = draft
    content, layout = template_for(w.project_a)
    book = fill_in(open_workbook(content), layout, w.lines, w.measures)
    spend_cell(book, layout, w.lines["staff"], t.SPEND_ACTUAL_COL).value = "lots"
    spend_cell(book, layout, w.lines["venue"], t.SPEND_ACTUAL_COL).value = -1
    before = database_state()

    response = client_for(w.user_a).post(url("return-upload"), {"file": upload_file(workbook_bytes(book))})

    assert response.status_code == 400
    items = error_summary_items(response)
    assert len(items) == 2
    assert items[0] == "Sheet Spend, cell G6: Spend on Venue hire must be £0 or more."
    assert items[1].startswith("Sheet Spend, cell G7: “lots” is not a number.")
    html = response.content.decode()
    assert "The file was not used: there are 2 problems" in html
    assert "Nothing has been saved." in html
    assert re.search(r"<title>Error: ", html)
    assert database_state() == before


def test_a_refused_file_without_a_cell_shows_its_message(draft):
    response = client_for(draft.user_a).post(url("return-upload"), {
        "file": upload_file(b"%PDF-1.7\n", name="return.pdf")})

    assert response.status_code == 400
    assert error_summary_items(response) == [
        "This file is not an Excel workbook (.xlsx). Download the template from the return page, fill it in and "
        "upload it."]


def test_a_template_uploaded_on_another_returns_page_is_refused(draft):
    w = draft
    before = database_state()

    response = client_for(w.user_a).post(url("return-upload", quarter=Quarter(2023, 3)),
                                         {"file": upload_file(filled_template(w))})

    assert response.status_code == 400
    assert "This file is the template for A-1 2023-24 Q2, not for this return." in " ".join(
        error_summary_items(response))
    assert database_state() == before


def test_an_oversize_file_is_refused_with_the_size_limit(draft, settings):
    content = filled_template(draft)
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    content = content + b"\0" * (settings.UPLOAD_MAX_BYTES + 1 - len(content))
    before = database_state()

    response = client_for(draft.user_a).post(url("return-upload"), {"file": upload_file(content)})

    assert response.status_code == 400
    html = response.content.decode()
    assert "The file is 2.0 MB; the largest file you can upload is 2 MB." in html
    assert 'href="#id_file"' in html
    assert database_state() == before


def test_an_upload_without_a_file_is_refused(draft):
    response = client_for(draft.user_a).post(url("return-upload"), {})

    assert response.status_code == 400
    assert 'class="govuk-error-summary"' in response.content.decode()
