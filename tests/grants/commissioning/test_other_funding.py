"""
Co-funding: a project records other funders' money for a year (confirmed or expected, and what it
pays for), so that its total cost and the commissioner's share show on the project page, in the
commissioner's workbook and in the performance report and its workbook, each the same figure. Set by
the commissioner through the services, refused with a message for each bad input, in the history,
and out of every other organisation's reach.
"""

import io
from decimal import Decimal

import openpyxl
import pytest

from grants import figures
from grants.models import OtherFunding
from grants.periods import Quarter
from grants.services import Invalid, NotAllowed, Stale
from grants.services import funding as s
from reporting.reports import performance_report
from reporting.reports.subjects import Window, programme_subject
from reporting.spreadsheets.reports import performance_workbook
from tests.grants.commissioning.helpers import client_for, line, table_rows
from tests.reporting.workbook_fixtures import export

ZERO = Decimal("0.00")


@pytest.fixture
def funded(officers):
    w = officers
    w.fittings = line(w.project_a, "Security fittings", "30000.00", ["7500.00"] * 4, category="capital")
    w.staff = line(w.project_a, "Caseworker", "20000.00", ["5000.00"] * 4)
    return w


def add(w, funder="Bristol City Council: Domestic Abuse Act funding", amount="45000.00", status="confirmed",
        year=2023, actor=None, project=None):
    return s.other_funding_save(actor=actor or w.commissioner, project=project or w.project_a, values={
        "financial_year": year, "funder": funder, "amount": Decimal(amount), "status": status,
        "pays_for": "Further fittings"})


# --- The rule -------------------------------------------------------------------------------------


def test_total_cost_counts_every_funder_and_the_share_is_the_commissioners():
    f = figures.funding(Decimal("50000.00"), [("confirmed", Decimal("45000.00")), ("expected", Decimal("5000.00"))])
    assert (f.commissioner, f.confirmed, f.expected, f.others, f.total_cost) == (
        Decimal("50000.00"), Decimal("45000.00"), Decimal("5000.00"), Decimal("50000.00"), Decimal("100000.00"))
    assert f.share == Decimal("50")


def test_a_project_with_no_cost_has_no_share():
    assert figures.funding(ZERO, []).share is None
    assert figures.funding(Decimal("10.00"), []).share == Decimal("100")


# --- The services ---------------------------------------------------------------------------------


def test_the_commissioner_records_other_funding_in_the_history(funded):
    w = funded
    funding = add(w)
    assert (funding.funder, funding.amount, funding.status) == (
        "Bristol City Council: Domestic Abuse Act funding", Decimal("45000.00"), "confirmed")
    record = funding.history.get()
    assert (record.history_user, record.history_change_reason) == (w.commissioner, "Other funding added")

    funding = s.other_funding_save(actor=w.commissioner, project=w.project_a, funding=funding, version=funding.version,
                                   values={"financial_year": 2023, "funder": funding.funder, "amount": Decimal("40000"),
                                           "status": "expected", "pays_for": ""})
    assert (funding.amount, funding.status) == (Decimal("40000.00"), "expected")


@pytest.mark.parametrize("values, errors", [
    ({"amount": "-1.00"}, {"amount": "The amount must be £0 or more."}),
    ({"year": 2030}, {"financial_year": "The project does not run in 2030-31: it runs from 1 April 2023 to 31 March 2024."}),
    ({"funder": "  "}, {"funder": "Enter who gives the money."}),
])
def test_each_bad_input_is_refused_with_what_is_wrong(funded, values, errors):
    w = funded
    with pytest.raises(Invalid) as refused:
        add(w, **values)
    assert refused.value.errors == errors
    assert not OtherFunding.objects.exists()


def test_the_same_funder_twice_in_a_year_is_refused(funded):
    w = funded
    add(w)
    with pytest.raises(Invalid) as refused:
        add(w, funder="bristol city council: domestic abuse act funding", amount="100.00")
    assert refused.value.errors == {
        "funder": "The project already has funding from this funder for this year: change that entry instead."}
    assert OtherFunding.objects.count() == 1


def test_a_change_made_on_a_stale_copy_is_refused(funded):
    w = funded
    funding = add(w)
    s.other_funding_save(actor=w.commissioner, project=w.project_a, funding=funding, version=funding.version,
                         values={"financial_year": 2023, "funder": funding.funder, "amount": Decimal("1"),
                                 "status": "confirmed", "pays_for": ""})
    with pytest.raises(Stale):
        s.other_funding_delete(actor=w.commissioner, funding=funding, version=funding.version)
    assert OtherFunding.objects.get().amount == Decimal("1.00")


def test_a_provider_cannot_record_or_remove_funding(funded):
    w = funded
    with pytest.raises(NotAllowed):
        add(w, actor=w.user_a)
    funding = add(w)
    with pytest.raises(NotAllowed):
        s.other_funding_delete(actor=w.user_a, funding=funding, version=funding.version)
    assert OtherFunding.objects.count() == 1


# --- The pages and who may open them -------------------------------------------------------------


def test_the_project_page_shows_the_total_cost_and_the_commissioners_share(funded):
    w = funded
    add(w)
    add(w, funder="Housing association", amount="5000.00", status="expected")
    page = client_for(w.commissioner).get("/projects/A-1/")
    rows = {row[0]: row for row in table_rows(page, "funding-2023")}
    assert rows["Bristol City Council: Domestic Abuse Act funding"][1:4] == ["Confirmed", "Further fittings", "£45,000.00"]
    assert rows["Housing association"][1] == "Expected"
    assert rows["Total cost"][1:] == ["Includes £5,000.00 expected, not yet confirmed", "£100,000.00", ""]
    assert "50.0%" in rows["Commissioner's share"]
    assert "total cost £100,000.00" in page.content.decode()


def test_the_commissioner_adds_and_removes_funding_on_the_web(funded):
    w = funded
    commissioner = client_for(w.commissioner)
    response = commissioner.post("/projects/A-1/funding/new/", {
        "financial_year": "2023", "funder": "Youth Endowment Fund", "amount": "£12,000", "status": "expected",
        "pays_for": "", "version": ""})
    assert response.status_code == 302
    funding = OtherFunding.objects.get()
    assert (funding.amount, funding.status) == (Decimal("12000.00"), "expected")

    refused = commissioner.post("/projects/A-1/funding/new/", {
        "financial_year": "2023", "funder": "", "amount": "lots", "status": "confirmed", "version": ""})
    assert refused.status_code == 400
    assert "Enter who gives the money" in refused.content.decode()

    assert commissioner.get(f"/projects/A-1/funding/{funding.pk}/remove/").status_code == 200
    response = commissioner.post(f"/projects/A-1/funding/{funding.pk}/remove/", {"version": funding.version})
    assert response.status_code == 302 and not OtherFunding.objects.exists()


def test_no_provider_changes_funding_and_another_provider_sees_nothing(funded):
    w = funded
    funding = add(w)
    own, other = client_for(w.user_a), client_for(w.user_b)
    page = own.get("/projects/A-1/").content.decode()
    assert "£45,000.00" in page and "/funding/new/" not in page
    assert own.get("/projects/A-1/funding/new/").status_code == 403
    assert own.post(f"/projects/A-1/funding/{funding.pk}/remove/", {"version": funding.version}).status_code == 403
    for url in ("/projects/A-1/", "/projects/A-1/funding/new/", f"/projects/A-1/funding/{funding.pk}/",
                f"/projects/A-1/funding/{funding.pk}/remove/"):
        assert other.get(url).status_code == 404, url
    # Nor through a project of its own: the entry is looked up under the project named.
    assert other.get(f"/projects/B-1/funding/{funding.pk}/").status_code in (403, 404)
    assert OtherFunding.objects.get().amount == Decimal("45000.00")


# --- The same figures in every file ---------------------------------------------------------------


def test_the_workbook_and_the_report_show_the_project_pages_figures(funded):
    w = funded
    add(w)
    add(w, funder="Housing association", amount="5000.00", status="expected")

    rows = {r["Reference"]: r for r in export(w.commissioner, quarter=Quarter(2023, 4)).rows("Funding")}
    a = rows["A-1"]
    assert [Decimal(str(a[h])) for h in ("Budget for the year (this grant)", "Other funding: confirmed",
                                          "Other funding: expected", "Total cost")] == [
        Decimal("50000.00"), Decimal("45000.00"), Decimal("5000.00"), Decimal("100000.00")]
    assert a["Commissioner's share"] == pytest.approx(0.5)
    assert "Housing association: £5,000.00 (expected)" in a["Other funders"]

    report = performance_report(w.commissioner, programme_subject(w.commissioner, w.programme.code),
                                Window(Quarter(2023, 4)))
    [project] = report.co_funded
    assert (project.reference, project.funding.total_cost, project.funding.share) == (
        "A-1", Decimal("100000.00"), Decimal("50"))
    page = client_for(w.commissioner).get("/reports/performance/", {
        "subject": "programme", "programme": w.programme.code, "end": "2023-24 Q4"})
    assert page.status_code == 200
    buffer = io.BytesIO()
    performance_workbook(buffer, report)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=True)["Funding"]
    by_reference = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True) if r[1]}
    assert Decimal(str(by_reference["A-1"][6])) == Decimal("100000.00")
    [row] = [r for r in table_rows(page, "funding") if r[0].startswith("Project of A")]
    assert row[1:] == ["£50,000.00", "£50,000.00", "£100,000.00", "50.0%"]
