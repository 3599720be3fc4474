"""
A quarterly return's whole cycle driven through the pages with the test client,
by posting the pages' own forms: saved, submitted, sent back, resubmitted,
approved, verified and reopened; and the field-history page that records who
changed which figure.
"""

from decimal import Decimal

from grants.models import MeasureValue, QuarterlyReturn
from grants.services import returns as s
from tests.grants.return_views.helpers import (
    Kind,
    SpendStatus,
    Status,
    client_for,
    complete_form,
    detail,
    sent_back_banner,
    table_rows,
    version_on,
)


# --- The whole cycle through the pages -------------------------------------------------------


def test_a_return_goes_round_the_whole_cycle_through_the_pages(project):
    w = project
    provider, commissioner, finance = client_for(w.user_a), client_for(w.commissioner), client_for(w.finance)
    page = detail("A-1", 2023, 1)

    # The provider starts the return and saves a draft.
    opened = provider.get(page)
    assert opened.status_code == 200
    assert f'name="{s.spend_key(w.staff.pk)}"' in opened.content.decode()
    response = provider.post(page, {"version": version_on(opened), "action": "save", "progress": "Recruiting."})
    assert (response.status_code, response["Location"]) == (302, page)
    assert "Draft saved." in provider.get(page).content.decode()
    ret = QuarterlyReturn.objects.get(project=w.project_a, quarter=1)
    assert ret.status == Status.DRAFT

    # ...and submits it, money typed with commas and a pound sign.
    response = provider.post(page, complete_form(w, version_on(provider.get(page))))
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert dict(ret.spend_lines.values_list("budget_line", "actual")) == {
        w.staff.pk: Decimal("10000.00"), w.venue.pk: Decimal("1000.00"),
    }
    assert MeasureValue.objects.get(quarterly_return=ret, project_measure=w.satisfaction).value == Decimal("92")

    # Submitted, the return is read-only to the provider.
    html = provider.get(page).content.decode()
    assert "read-only until it is approved or returned for amendment" in html
    for name in (s.spend_key(w.staff.pk), s.value_key(w.people.pk), "progress", "self_rag", "action", "version"):
        assert f'name="{name}"' not in html
    assert "Ran 24 evening sessions in two youth centres." in html
    assert sent_back_banner(provider.get(page)) == ""

    # The commissioner sends it back with a comment.
    response = commissioner.post(detail("A-1", 2023, 1, "review"), {
        "version": version_on(commissioner.get(page)), "action": "send_back", "officer_rag": "amber",
        "comment": "Please explain the venue costs.",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.RETURNED

    # The provider sees the comment, amends and resubmits.
    returned_page = provider.get(page)
    html = returned_page.content.decode()
    banner = sent_back_banner(returned_page)
    assert "Please explain the venue costs." in banner
    assert "Chris Okafor" in banner
    assert f'name="{s.spend_key(w.staff.pk)}"' in html
    response = provider.post(page, complete_form(
        w, version_on(returned_page), **{s.spend_key(w.staff.pk): "9,750.25"}))
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.SUBMITTED
    assert ret.events.order_by("at", "pk").last().comment == "Resubmitted after amendment."

    # The commissioner approves; finance verifies the spend.
    response = commissioner.post(detail("A-1", 2023, 1, "review"), {
        "version": version_on(commissioner.get(page)), "action": "approve", "officer_rag": "green", "comment": "",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert (ret.status, ret.officer_rag) == (Status.APPROVED, "green")
    response = finance.post(detail("A-1", 2023, 1, "spend"), {
        "version": version_on(finance.get(page)), "action": "verify", "note": "Agrees with the ledger.",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.spend_status == SpendStatus.VERIFIED

    # The commissioner reopens it; the provider sees why, changes the spend and resubmits.
    response = commissioner.post(detail("A-1", 2023, 1, "reopen"), {
        "version": version_on(commissioner.get(page)), "reason": "The venue invoice was for two quarters.",
    })
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert ret.status == Status.RETURNED
    reopened_page = provider.get(page)
    assert "The venue invoice was for two quarters." in sent_back_banner(reopened_page)
    response = provider.post(page, complete_form(
        w, version_on(reopened_page), **{s.spend_key(w.staff.pk): "9,750.25", s.spend_key(w.venue.pk): "950"}))
    assert (response.status_code, response["Location"]) == (302, page)
    ret.refresh_from_db()
    assert (ret.status, ret.spend_status) == (Status.SUBMITTED, SpendStatus.NOT_CHECKED)

    assert list(ret.events.order_by("at", "pk").values_list("kind", flat=True)) == [
        Kind.CREATED, Kind.SAVED, Kind.SUBMITTED, Kind.RETURNED, Kind.SUBMITTED, Kind.APPROVED,
        Kind.SPEND_VERIFIED, Kind.REOPENED, Kind.SUBMITTED,
    ]
    timeline = commissioner.get(page).content.decode()
    assert "Spend figures changed, so spend needs verifying again." in timeline


def test_the_field_history_page_lists_each_change_of_spend_with_who_made_it(project):
    w = project
    provider, colleague = client_for(w.user_a), client_for(w.colleague_a)
    page = detail("A-1", 2023, 1)
    provider.post(page, complete_form(w, version_on(provider.get(page)), action="save"))
    colleague.post(page, complete_form(w, version_on(colleague.get(page)), action="save",
                                       **{s.spend_key(w.staff.pk): "9,750.25"}))

    response = client_for(w.commissioner).get(detail("A-1", 2023, 1, "history"))

    assert response.status_code == 200
    spend_rows = [row[1:] for row in table_rows(response, "field-history") if row[2] == "Spend: Youth workers"]
    assert spend_rows == [
        ["Sam Reid", "Spend: Youth workers", "Actual spend this quarter", "10000.00", "9750.25"],
        ["Asha Patel", "Spend: Youth workers", "Actual spend this quarter", "–", "10000.00"],
    ]
