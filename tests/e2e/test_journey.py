"""
A quarter's return from start to payment, in the browser, as the people who do it: the provider
completes and submits its return; the commissioner returns it for amendment; the provider corrects
and resubmits; the commissioner approves; finance verifies the spend, draws up the payment schedule
and releases the payment; the commissioner downloads the quarter's workbook, which opens with
openpyxl and holds the figures. A screenshot of every step is saved (tests/e2e/conftest.py).

The quarter is the last one that has ended, so the journey needs no frozen clock.
"""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from grants.models import Payment, Programme, QuarterlyReturn
from grants.periods import Quarter
from grants.services import returns as s
from tests import factories as f
from tests.e2e.conftest import fill_date, sign_in, sign_out
from tests.factories import DEMO_PASSWORD

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def journey(actors):
    w = actors
    w.quarter = q = Quarter.from_date(date.today()).previous()
    w.programme_e2e = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Safer Streets", code="SSF-E2E",
                                         financial_year=q.financial_year,
                                         payment_terms=Programme.PaymentTerms.ARREARS)
    allocation = f.AllocationFactory(programme=w.programme_e2e, recipient=w.provider_a, title="Safer Streets to A",
                                     amount=Decimal("60000.00"), start_date=q.start, end_date=q.year.end)
    w.allocation_e2e = allocation
    w.project = f.ProjectFactory(allocation=allocation, reference="SS-E2E", name="Safer evenings",
                                 start_date=q.start, end_date=q.year.end)
    profile = {f"profile_q{n}": Decimal("0") for n in range(1, 5)}
    w.staff = f.BudgetLineFactory(project=w.project, financial_year=q.financial_year, description="Youth workers",
                                  amount=Decimal("10000.00"), **{**profile, f"profile_q{q.number}": Decimal("10000.00")})
    w.venue = f.BudgetLineFactory(project=w.project, financial_year=q.financial_year, description="Venue hire",
                                  category="non_staff", amount=Decimal("1000.00"),
                                  **{**profile, f"profile_q{q.number}": Decimal("1000.00")})
    w.engaged = f.ProjectMeasureFactory(project=w.project, financial_year=q.financial_year,
                                        measure=f.OutcomeMeasureFactory(name="Young people engaged"))
    w.return_path = f"/returns/SS-E2E/{q.financial_year}/{q.number}/"
    return w


def test_a_return_goes_from_the_provider_to_payment_and_into_the_workbook(journey, new_page, shots):
    w, q = journey, journey.quarter

    # The provider completes and submits the return.
    page = new_page()
    sign_in(page, w.user_a.username, DEMO_PASSWORD)
    shots(page, "provider-home")
    page.goto(w.return_path)
    page.fill(f"#id_{s.spend_key(w.staff.pk)}", "9,500")
    page.fill(f"#id_{s.spend_key(w.venue.pk)}", "£1,000")
    page.fill(f"#id_{s.value_key(w.engaged.pk)}", "35")
    page.fill("#id_progress", "Ran 24 evening sessions in two youth centres.")
    page.check("input[name=self_rag][value=green]")
    shots(page, "provider-completes-the-return")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("text=Return submitted.")
    shots(page, "provider-has-submitted")
    sign_out(page)

    # The commissioner returns it for amendment.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    page.goto("/review/")
    shots(page, "review-queue")
    page.goto(w.return_path)
    page.fill("#id_comment", "Add a case study, please.")
    page.click("button[name=action][value=send_back]")
    page.wait_for_selector("text=Returned for amendment")
    shots(page, "commissioner-returns-it-for-amendment")
    sign_out(page)

    # The provider corrects and resubmits.
    sign_in(page, w.user_a.username, DEMO_PASSWORD)
    page.goto(w.return_path)
    assert "Add a case study, please." in page.inner_text("main")
    page.fill(f"#id_{s.spend_key(w.staff.pk)}", "9,800")
    page.fill("#id_case_study", "A young person who joined in April now helps run the sessions.")
    shots(page, "provider-corrects-the-return")
    page.click("button[name=action][value=submit]")
    page.wait_for_selector("text=Return submitted.")
    sign_out(page)

    # The commissioner approves.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    page.goto(w.return_path)
    page.check("input[name=officer_rag][value=green]")
    page.click("button[name=action][value=approve]")
    page.wait_for_selector("text=Approved")
    shots(page, "commissioner-approves")
    sign_out(page)
    ret = QuarterlyReturn.objects.get(project=w.project)
    assert ret.status == QuarterlyReturn.Status.APPROVED

    # Finance verifies the spend and releases the payment.
    sign_in(page, w.finance.username, DEMO_PASSWORD)
    page.goto(w.return_path)
    page.click("button[name=action][value=verify]")
    page.wait_for_selector("text=verified")
    shots(page, "finance-verifies-the-spend")
    page.goto(f"/allocations/{w.allocation_e2e.pk}/")
    page.click("text=Draw up the payment schedule")
    page.wait_for_load_state()
    shots(page, "finance-draws-up-the-schedule")
    payment = Payment.objects.get(allocation=w.allocation_e2e, financial_year=q.financial_year, quarter=q.number)
    assert payment.amount == Decimal("10800.00")
    page.goto(f"/payments/{payment.pk}/")
    page.fill("#id_reference", "BACS-E2E-1")
    fill_date(page, "Date paid", date.today())
    shots(page, "finance-releases-the-payment")
    expect(page.get_by_test_id("payment-summary")).to_contain_text("£10,800.00")
    page.click("button:has-text('Release the payment')")
    page.wait_for_load_state()
    shots(page, "payment-released")
    payment.refresh_from_db()
    assert payment.status == Payment.Status.RELEASED
    sign_out(page)

    # The commissioner downloads the quarter's workbook.
    sign_in(page, w.commissioner.username, DEMO_PASSWORD)
    page.goto("/reports/commissioner-workbook/")
    page.select_option("#id_year", str(q.financial_year))
    page.select_option("#id_quarter", str(q.number))
    page.select_option("#id_programme", "SSF-E2E")
    shots(page, "commissioner-asks-for-the-workbook")
    with page.expect_download() as download:
        page.click("button:has-text('Download the workbook')")
    content = download.value.path().read_bytes()
    sign_out(page)

    book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    rows = list(book["Spend"].iter_rows(values_only=True))
    header = list(rows[0])
    lines = {row[header.index("Budget line")]: row for row in rows[1:] if row and row[1] == "SS-E2E"}
    assert set(lines) == {"Youth workers", "Venue hire"}
    actual = header.index(f"Actual Q{q.number} (approved)")
    assert Decimal(str(lines["Youth workers"][actual])) == Decimal("9800")
    assert Decimal(str(lines["Venue hire"][actual])) == Decimal("1000")
    assert Decimal(str(lines["Youth workers"][header.index(f"Profile Q{q.number}")])) == Decimal("10000")
    summary = [row for row in book["Summary"].iter_rows(values_only=True) if row and "SS-E2E" in row]
    assert summary and "Approved" in " ".join(str(v) for v in summary[0])
    assert not page.problems, page.problems
