"""
Documents the programme requires before money goes out, in the browser: the programme asks for
safeguarding evidence before any payment; finance opens the scheduled payment and is told it cannot be
released yet, with the missing document named; the recipient attaches its DBS checks to the allocation
(a file chosen in the page's form); finance then releases the payment, and downloads the evidence.
A screenshot of every step is saved (tests/e2e/conftest.py).
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, Document, Payment, Programme
from grants.services.documents import SAFEGUARDING_MISSING
from tests import factories as f
from tests.e2e.conftest import fill_date, sign_in, sign_out
from tests.factories import DEMO_PASSWORD
from tests.grants.documents.files import TEXT

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def safeguarding_first(actors, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    w = actors
    year = date.today().year if date.today().month >= 4 else date.today().year - 1
    programme = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Victims' Services", code="VS-E2E",
                                   financial_year=year, payment_terms=Programme.PaymentTerms.ADVANCE,
                                   safeguarding_before_payment=True)
    w.allocation_vs = f.AllocationFactory(programme=programme, recipient=w.provider_a, title="Victims' services to A",
                                          amount=Decimal("40000.00"), status=Allocation.Status.AGREEMENT_SIGNED,
                                          agreement_signed_on=date(year, 4, 1))
    w.payment_vs = f.PaymentFactory(allocation=w.allocation_vs, financial_year=year, quarter=1,
                                    amount=Decimal("10000.00"))
    return w


def test_a_payment_is_released_only_once_the_required_document_is_attached(safeguarding_first, new_page, shots):
    w = safeguarding_first
    payment_path = f"/payments/{w.payment_vs.pk}/"

    # Finance opens the payment: it cannot be released yet, and the page says which document is missing.
    page = new_page()
    sign_in(page, w.finance.username, DEMO_PASSWORD)
    page.goto(payment_path)
    shots(page, "finance-is-told-what-is-missing")
    assert page.locator("[data-testid=blocked-reason]").inner_text().strip() == SAFEGUARDING_MISSING
    assert page.locator("#id_reference").count() == 0
    sign_out(page)

    # The recipient attaches its DBS checks to the allocation.
    sign_in(page, w.user_a.username, DEMO_PASSWORD)
    page.goto(f"/allocations/{w.allocation_vs.pk}/")
    page.click("text=Attach a document")
    page.check("#id_document_kind-safeguarding")
    page.fill("#id_document_title", "DBS checks, youth workers")
    page.set_input_files("#id_document_file", files=[{"name": "DBS checks.txt", "mimeType": "text/plain",
                                                      "buffer": TEXT}])
    shots(page, "recipient-attaches-the-evidence")
    page.click("button:has-text('Attach the document')")
    page.wait_for_selector("text=Safeguarding evidence (for example DBS checks) attached: DBS checks, youth workers.")
    shots(page, "evidence-attached")
    document = Document.objects.get(allocation=w.allocation_vs)
    assert (document.kind, document.original_name, document.added_by) == ("safeguarding", "DBS checks.txt", w.user_a)
    sign_out(page)

    # Finance releases the payment now, and can read the evidence.
    sign_in(page, w.finance.username, DEMO_PASSWORD)
    page.goto(f"/allocations/{w.allocation_vs.pk}/")
    with page.expect_download() as download:
        page.click("[data-testid=documents] [data-testid=download]")
    assert download.value.suggested_filename == "DBS checks.txt"
    assert open(download.value.path(), "rb").read() == TEXT
    page.goto(payment_path)
    page.fill("#id_reference", "BACS-VS-1")
    fill_date(page, "Date paid", date.today())
    shots(page, "finance-releases-the-payment")
    page.click("form[action$='/release/'] button[type=submit]")
    page.wait_for_selector("text=released")
    shots(page, "payment-released")
    w.payment_vs.refresh_from_db()
    assert w.payment_vs.status == Payment.Status.RELEASED
    assert not page.problems, page.problems
