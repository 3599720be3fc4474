"""
The remittance advice (/payments/<id>/remittance/): a page to print for the recipient of a released
payment, for the funder's officers and the recipient's users. It names the payer, the payee (a
partnership's council) and its supplier number, the reference, date and amount, the allocation,
programme, quarter and purchase order, what the payment covers (in arrears, the returns it pays) and,
for a part payment, the balance withheld and why. A payment not released has none: 409, saying so.
"""

from decimal import Decimal

import pytest

from grants.models import Payment
from grants.services import payments as s
from tests import factories as f
from tests.grants.commissioning.helpers import Q, line, summary_list, table_rows, verified_return
from tests.worlds import ACTORS, client_for

from .conftest import FORMULA, TODAY, release


def url(payment) -> str:
    return f"/payments/{payment.pk}/remittance/"


def page(w, who, payment):
    return client_for(None if who == "anonymous" else getattr(w, who)).get(url(payment))


@pytest.mark.parametrize("who, expected", list(zip(ACTORS, [302, 200, 404, 200, 200, 200, 404])))
def test_each_actor_gets_the_answer_of_its_reach(paid, who, expected):
    response = page(paid, who, paid.a_q1)
    assert response.status_code == expected
    if expected == 302:
        assert response["Location"].startswith("/sign-in/")


def test_it_says_who_paid_whom_what_for_which_quarter(paid):
    response = page(paid, "user_a", paid.a_q1)

    text = response.content.decode()
    assert "<h1 class=\"govuk-heading-l\">Remittance advice</h1>" in text
    assert summary_list(response, "remittance-payment") == {
        "Payment reference": "BACS-A1", "Date paid": "1 April 2023", "Amount": "£25,000.00",
        "Quarter": "2023-24 Q1 (1 April 2023 to 30 June 2023)", "Purchase order": "PO-A-1"}
    assert summary_list(response, "remittance-parties") == {
        "Payer": "Office of the Police and Crime Commissioner for Testshire", "Payee": "Provider A",
        "Supplier number": "SUP-A"}
    grant = summary_list(response, "remittance-grant")
    assert grant["Allocation"].startswith("Allocation to A")
    assert grant["Programme"] == "Community Safety Fund 2023-24 (CSF)"
    assert "The quarterly payment in advance for 2023-24 Q1" in text
    assert 'data-testid="remittance-balance"' not in text


def test_a_partnership_is_paid_through_its_council_and_sees_the_council_named(paid):
    response = page(paid, "user_b", paid.b_q1)

    assert response.status_code == 200
    parties = summary_list(response, "remittance-parties")
    assert parties["Payee"] == "Testshire Council, the accountable body of Provider B"
    assert parties["Supplier number"] == FORMULA.replace('"', "&quot;")  # as the page escapes it
    assert summary_list(response, "remittance-payment")["Payment reference"] == "=1+2"


def test_a_payment_released_before_codes_were_carried_shows_the_current_ones(paid):
    payment = summary_list(page(paid, "finance", paid.a_q4), "remittance-payment")
    assert payment["Purchase order"] == "PO-A-2"


def test_a_part_payment_shows_the_balance_withheld_and_why(paid):
    w = paid
    w.b_q2.refresh_from_db()
    release(w, w.b_q2, "BACS-B2", TODAY, amount=Decimal("20000.00"), withhold_reason="Receipts for Q1 queried.")

    text = page(w, "user_b", w.b_q2).content.decode()

    assert "part of the payment due" in text
    balance = text.split('data-testid="remittance-balance"')[1].split("</div>")[0]
    assert ('This pays part of 2023-24 Q2. The other <strong class="app-money">£5,000.00</strong> is withheld.'
            in balance)
    assert "Why it was withheld: Receipts for Q1 queried." in balance


def test_a_part_payment_whose_balance_was_paid_since_says_so(paid):
    text = page(paid, "finance", paid.a_q3).content.decode()
    assert "£15,000.01</strong> was withheld, and has since been paid (reference BACS-A3B, 1 June 2023)" in text
    assert "Why it was withheld: Invoice for the venue queried." in text


def test_the_balance_names_the_part_paid_first(paid):
    response = page(paid, "user_a", paid.a_q3_balance)
    text = response.content.decode()
    assert summary_list(response, "remittance-payment")["Amount"] == "£15,000.01"
    assert "the balance of a payment made in part" in text
    assert ("This is the balance of 2023-24 Q3, withheld when <span class=\"app-money\">£9,999.99</span> was paid "
            "(reference BACS-A3, 15 May 2023).") in text
    assert "Why it was withheld: Invoice for the venue queried." in text


def test_a_payment_in_arrears_lists_the_returns_it_pays(paid):
    w = paid
    programme = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Duty", code="SVD")
    allocation = f.AllocationFactory(programme=programme, recipient=w.provider_a, title="SVD to A")
    project = f.ProjectFactory(allocation=allocation, provider=w.provider_a, reference="SVD-1", name="Outreach")
    staff = line(project, "Outreach workers", "40000.00")
    verified_return(w, project, Q(1), {staff: "9500.50"})
    s.payment_schedule_update(actor=w.finance, allocation=allocation, today=TODAY)
    payment = release(w, Payment.objects.get(allocation=allocation), "BACS-SVD1", TODAY)

    response = page(w, "user_a", payment)

    assert response.status_code == 200
    assert table_rows(response, "remittance-returns") == [["Outreach (SVD-1)", "2023-24 Q1", "£9,500.50"]]
    assert summary_list(response, "remittance-payment")["Amount"] == "£9,500.50"


@pytest.mark.parametrize("who, expected", [("finance", 409), ("user_b", 409), ("viewer", 409), ("user_a", 404),
                                           ("outsider", 404)])
def test_a_payment_not_released_has_no_remittance_advice(paid, who, expected):
    response = page(paid, who, paid.b_q2)
    assert response.status_code == expected
    if expected == 409:
        text = response.content.decode()
        assert "No remittance advice yet" in text
        assert "This payment for 2023-24 Q2 is scheduled: a remittance advice is made once it is released" in text
        assert 'data-testid="remittance"' not in text


def test_it_prints_without_navigation_or_buttons(paid):
    text = page(paid, "finance", paid.a_q1).content.decode()
    assert '<article class="app-report" data-testid="remittance">' in text
    assert '<p class="govuk-body app-no-print">To print it or save it as a PDF' in text


def test_the_payment_page_and_the_funding_page_link_to_it(paid):
    released = client_for(paid.finance).get(f"/payments/{paid.a_q1.pk}/").content.decode()
    assert f'href="{url(paid.a_q1)}"' in released
    scheduled = client_for(paid.finance).get(f"/payments/{paid.b_q2.pk}/").content.decode()
    assert "/remittance/" not in scheduled

    funding = client_for(paid.user_a).get("/funding/").content.decode()
    for payment in (paid.a_q1, paid.a_q2, paid.a_q3, paid.a_q3_balance, paid.a_q4):
        assert f'href="{url(payment)}"' in funding
