"""
The finance codes: the supplier number on the organisation form, the cost centre and ledger code on the
programme form, and the purchase order on the allocation page (the funder's finance and commissioner
officers, at any status), each shown where it belongs and carried onto a payment as it is released. Every
refusal: too long, a line break, a stale version, the wrong person.
"""

from datetime import date

import pytest
from django.urls import reverse

from grants.models import Allocation, Organisation, Payment, Programme
from grants.selectors import finance_codes as codes
from grants.services import Invalid, NotAllowed, Stale
from grants.services import administration, commissioning
from grants.services import finance_codes as s
from grants.services import payments
from tests import factories as f
from tests import worlds
from tests.grants.commissioning.helpers import error_summary, summary_list, version_in
from tests.grants.commissioning.views_world import programme_data
from tests.worlds import client_for


def save_po(w, purchase_order, actor=None, allocation=None, version=None):
    allocation = Allocation.objects.get(pk=(allocation or w.allocation_a).pk)
    return s.allocation_finance_codes_save(actor=actor or w.finance, allocation=allocation,
                                           version=allocation.version if version is None else version,
                                           purchase_order=purchase_order)


# --- The purchase order: the service ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["finance", "commissioner"])
def test_the_funders_finance_and_commissioner_officers_record_the_purchase_order(actors, who):
    saved = save_po(actors, "  PO-2023-0042  ", actor=getattr(actors, who))

    assert saved.purchase_order == "PO-2023-0042"
    allocation = Allocation.objects.get(pk=actors.allocation_a.pk)
    assert allocation.purchase_order == "PO-2023-0042"
    record = allocation.history.first()
    assert (record.history_change_reason, record.history_user, record.purchase_order) == (
        "Purchase order changed", getattr(actors, who), "PO-2023-0042")


@pytest.mark.parametrize("status", list(Allocation.Status))
def test_the_purchase_order_can_change_at_any_status(actors, status):
    Allocation.objects.filter(pk=actors.allocation_a.pk).update(
        status=status, withdrawn_reason="No match funding." if status == "withdrawn" else "")
    assert save_po(actors, "PO-9").purchase_order == "PO-9"


def test_an_empty_purchase_order_removes_it(actors):
    save_po(actors, "PO-1")
    assert save_po(actors, "").purchase_order == ""
    records = Allocation.history.filter(id=actors.allocation_a.pk).order_by("history_id")
    assert [r.purchase_order for r in records][-2:] == ["PO-1", ""]


def test_saving_the_same_purchase_order_records_no_change(actors):
    save_po(actors, "PO-1")
    records = Allocation.history.filter(id=actors.allocation_a.pk).count()
    save_po(actors, "PO-1")
    assert Allocation.history.filter(id=actors.allocation_a.pk).count() == records


@pytest.mark.parametrize("who", ["viewer", "user_a", "user_b", "outsider"])
def test_nobody_else_changes_the_purchase_order(actors, who):
    with pytest.raises(NotAllowed) as refused:
        save_po(actors, "PO-1", actor=getattr(actors, who))
    assert refused.value.message == ("Only a finance or commissioner officer of the funder can change the purchase "
                                     "order.")
    assert Allocation.objects.get(pk=actors.allocation_a.pk).purchase_order == ""


def test_another_funders_finance_officer_is_refused(actors):
    other = f.UserFactory(organisation=actors.other_commissioner_org, role="finance")
    with pytest.raises(NotAllowed):
        save_po(actors, "PO-1", actor=other)


ONE_LINE = "Enter the purchase order on one line: it cannot hold line breaks, tabs or other control characters."


@pytest.mark.parametrize("typed, message", [
    ("P" * 31, "The purchase order must be 30 characters or fewer (it has 31)."),
    ("PO-1\nPO-2", ONE_LINE),
    ("PO-1\tPO-2", ONE_LINE),
])
def test_a_purchase_order_too_long_or_on_two_lines_is_refused(actors, typed, message):
    before = Allocation.objects.get(pk=actors.allocation_a.pk).version
    with pytest.raises(Invalid) as refused:
        save_po(actors, typed)
    assert refused.value.errors == {"purchase_order": message}
    allocation = Allocation.objects.get(pk=actors.allocation_a.pk)
    assert (allocation.purchase_order, allocation.version) == ("", before)


def test_thirty_characters_is_enough(actors):
    assert save_po(actors, "P" * 30).purchase_order == "P" * 30


def test_a_purchase_order_saved_on_a_stale_copy_is_refused(actors):
    seen = Allocation.objects.get(pk=actors.allocation_a.pk).version
    save_po(actors, "PO-1", actor=actors.commissioner)
    with pytest.raises(Stale) as refused:
        save_po(actors, "PO-2", version=seen)
    assert "This allocation changed since you opened it" in refused.value.message
    assert Allocation.objects.get(pk=actors.allocation_a.pk).purchase_order == "PO-1"


# --- The purchase order: the allocation page ----------------------------------------------------------


def post_po(w, who, purchase_order, version=None):
    url = reverse("allocation-finance-codes", args=[w.allocation_a.pk])
    allocation = Allocation.objects.get(pk=w.allocation_a.pk)
    return client_for(getattr(w, who)).post(url, {
        "version": allocation.version if version is None else version, "purchase_order": purchase_order})


@pytest.mark.parametrize("who", ["finance", "commissioner"])
def test_the_allocation_page_offers_the_form_and_saves_it(actors, who):
    client = client_for(getattr(actors, who))
    page = client.get(f"/allocations/{actors.allocation_a.pk}/")
    action = f"/allocations/{actors.allocation_a.pk}/finance-codes/"
    assert f'action="{action}"' in page.content.decode()

    response = client.post(action, {"version": version_in(page, action), "purchase_order": "PO-77"})

    assert response.status_code == 302 and response["Location"] == f"/allocations/{actors.allocation_a.pk}/"
    shown = client.get(response["Location"])
    assert "Purchase order saved." in shown.content.decode()
    assert summary_list(shown, "finance-codes")["Purchase order"] == "PO-77"


@pytest.mark.parametrize("who", ["viewer", "user_a"])
def test_the_allocation_page_shows_the_codes_without_the_form_to_others_who_see_its_money(actors, who):
    save_po(actors, "PO-77")
    Programme.objects.filter(pk=actors.programme.pk).update(cost_centre="CC-1", ledger_code="L-1")
    Organisation.objects.filter(pk=actors.provider_a.pk).update(supplier_number="SUP-A")
    page = client_for(getattr(actors, who)).get(f"/allocations/{actors.allocation_a.pk}/")

    assert summary_list(page, "finance-codes") == {"Supplier number": "SUP-A", "Cost centre": "CC-1",
                                                    "Ledger code": "L-1", "Purchase order": "PO-77"}
    assert "/finance-codes/" not in page.content.decode()


def test_a_partnership_without_a_supplier_number_shows_its_councils(actors):
    council = f.OrganisationFactory(name="Testshire Council", kind="local_authority", supplier_number="SUP-TC")
    Organisation.objects.filter(pk=actors.provider_b.pk).update(accountable_body=council)
    page = client_for(actors.finance).get(f"/allocations/{actors.allocation_b.pk}/")
    assert summary_list(page, "finance-codes")["Supplier number"] == "SUP-TC"


@pytest.mark.parametrize("typed, message", [
    ("P" * 31, "The purchase order must be 30 characters or fewer (it has 31)."),
    ("PO-1\r\nPO-2", "Enter the purchase order on one line: it cannot hold line breaks, tabs or other control "
                     "characters."),
])
def test_the_form_refuses_with_a_message_on_the_field(actors, typed, message):
    response = post_po(actors, "finance", typed)

    assert response.status_code == 400
    assert ("id_purchase_order", message) in error_summary(response)
    assert Allocation.objects.get(pk=actors.allocation_a.pk).purchase_order == ""


def test_the_form_on_a_stale_page_says_the_allocation_changed(actors):
    seen = Allocation.objects.get(pk=actors.allocation_a.pk).version
    save_po(actors, "PO-1", actor=actors.commissioner)
    response = post_po(actors, "finance", "PO-2", version=seen)

    assert response.status_code == 400
    assert "This allocation changed since you opened it" in response.content.decode()
    assert Allocation.objects.get(pk=actors.allocation_a.pk).purchase_order == "PO-1"


@pytest.mark.parametrize("who, status", [("viewer", 403), ("user_a", 403), ("user_b", 404), ("outsider", 404)])
def test_the_form_is_refused_to_everyone_else(actors, who, status):
    response = post_po(actors, who, "PO-1")
    assert response.status_code == status
    assert Allocation.objects.get(pk=actors.allocation_a.pk).purchase_order == ""


# --- The supplier number, the cost centre and the ledger code -----------------------------------------


def test_the_administrator_records_a_supplier_number_and_the_organisation_page_shows_it(actors):
    w = worlds.an_administrator_for_each_funder(actors)
    data = {"name": "Provider A", "kind": "charity", "charity_number": "", "company_number": "",
            "local_authority_code": "", "accountable_body": ""}
    client = client_for(w.administrator)
    assert 'name="supplier_number"' in client.get(reverse("organisation-edit", args=[w.provider_a.pk])).content.decode()

    response = client.post(reverse("organisation-edit", args=[w.provider_a.pk]),
                           {**data, "supplier_number": " S-0042 "})

    assert response.status_code == 302
    assert Organisation.objects.get(pk=w.provider_a.pk).supplier_number == "S-0042"
    page = client_for(w.user_a).get(f"/organisations/{w.provider_a.pk}/")
    assert summary_list(page, "organisation-summary")["Supplier number"] == "S-0042"

    for typed, message in [("S" * 31, "The supplier number must be 30 characters or fewer (it has 31)."),
                           ("S-1\nS-2", "Enter the supplier number on one line: it cannot hold line breaks, tabs or "
                                        "other control characters.")]:
        refused = client.post(reverse("organisation-edit", args=[w.provider_a.pk]), {**data, "supplier_number": typed})
        assert refused.status_code == 400
        assert ("id_supplier_number", message) in error_summary(refused)
    assert Organisation.objects.get(pk=w.provider_a.pk).supplier_number == "S-0042"


def test_the_organisation_service_refuses_a_supplier_number_on_two_lines(actors):
    w = worlds.an_administrator_for_each_funder(actors)
    with pytest.raises(Invalid) as refused:
        administration.organisation_update(actor=w.administrator, organisation=w.provider_a,
                                           values={"supplier_number": "S-1\nS-2"})
    assert list(refused.value.errors) == ["supplier_number"]
    with pytest.raises(Invalid) as refused:
        administration.organisation_update(actor=w.administrator, organisation=w.provider_a,
                                           values={"supplier_number": "S" * 31})
    assert list(refused.value.errors) == ["supplier_number"]


def test_a_commissioner_adding_an_organisation_can_give_its_supplier_number(actors):
    organisation = administration.organisation_create(
        actor=actors.commissioner, values={"name": "New Charity", "kind": "charity", "supplier_number": "S-9"})
    assert organisation.supplier_number == "S-9"


def test_the_programme_form_records_the_cost_centre_and_ledger_code_and_the_page_shows_them(actors):
    client = client_for(actors.commissioner)
    url = f"/programmes/{actors.programme.pk}/edit/"
    form = client.get(url).content.decode()
    assert 'name="cost_centre"' in form and 'name="ledger_code"' in form
    data = programme_data(actors, name="Community Safety Fund", code="CSF", financial_year="2023-24",
                          total_budget="1,000,000", version=str(actors.programme.version))

    response = client.post(url, {**data, "cost_centre": "CC-100", "ledger_code": "5100"})

    assert response.status_code == 302, error_summary(response)
    programme = Programme.objects.get(pk=actors.programme.pk)
    assert (programme.cost_centre, programme.ledger_code) == ("CC-100", "5100")
    text = client_for(actors.finance).get(f"/programmes/{programme.pk}/").content.decode()
    assert '<dd class="govuk-summary-list__value" data-testid="cost-centre">CC-100</dd>' in text
    assert '<dd class="govuk-summary-list__value" data-testid="ledger-code">5100</dd>' in text

    refused = client.post(url, {**data, "version": str(programme.version), "cost_centre": "C" * 31,
                                "ledger_code": "51\n00"})
    assert refused.status_code == 400
    found = dict(error_summary(refused))
    assert found["id_cost_centre"] == "The cost centre must be 30 characters or fewer (it has 31)."
    assert found["id_ledger_code"] == ("Enter the ledger code on one line: it cannot hold line breaks, tabs or other "
                                       "control characters.")


def test_the_programme_service_refuses_codes_on_two_lines(actors):
    programme = Programme.objects.get(pk=actors.programme.pk)
    with pytest.raises(Invalid) as refused:
        commissioning.programme_update(actor=actors.commissioner, programme=programme, version=programme.version,
                                       values={"total_budget": programme.total_budget, "cost_centre": "CC\n1",
                                               "ledger_code": "L" * 31})
    assert set(refused.value.errors) == {"cost_centre", "ledger_code"}
    with pytest.raises(NotAllowed):
        commissioning.programme_update(actor=actors.finance, programme=programme, version=programme.version,
                                       values={"cost_centre": "CC-1"})


# --- Carried onto the payment, shown on its page ------------------------------------------------------


def test_a_released_payment_keeps_the_codes_it_was_released_with(actors):
    Programme.objects.filter(pk=actors.programme.pk).update(payment_terms="advance", cost_centre="CC-1",
                                                            ledger_code="L-1")
    Organisation.objects.filter(pk=actors.provider_a.pk).update(supplier_number="SUP-A")
    save_po(actors, "PO-1")
    payments.payment_schedule_update(actor=actors.finance, allocation=Allocation.objects.get(pk=actors.allocation_a.pk),
                                     today=date(2023, 4, 1))
    q1 = Payment.objects.get(allocation=actors.allocation_a, quarter=1)
    q2 = Payment.objects.get(allocation=actors.allocation_a, quarter=2)
    payments.payment_release(actor=actors.finance, payment=q1, version=q1.version, reference="BACS-1",
                             paid_on=date(2023, 4, 3), today=date(2023, 4, 3))
    save_po(actors, "PO-2")
    Programme.objects.filter(pk=actors.programme.pk).update(cost_centre="CC-2")

    released = Payment.objects.select_related(*codes.PAYMENT_CODES_RELATED).get(pk=q1.pk)
    assert codes.payment_codes(released) == codes.FinanceCodes("SUP-A", "CC-1", "L-1", "PO-1")
    page = client_for(actors.finance).get(f"/payments/{q1.pk}/")
    assert summary_list(page, "payment-summary")["Finance codes"] == (
        "Supplier number SUP-A · cost centre CC-1 · ledger code L-1 · purchase order PO-1")
    # Not released yet: the codes as they stand now.
    page = client_for(actors.finance).get(f"/payments/{q2.pk}/")
    assert summary_list(page, "payment-summary")["Finance codes"].startswith(
        "Supplier number SUP-A · cost centre CC-2 · ledger code L-1 · purchase order PO-2 As they stand now")


def test_a_payment_released_before_codes_were_carried_shows_the_current_ones(actors):
    Programme.objects.filter(pk=actors.programme.pk).update(cost_centre="CC-1", ledger_code="L-1")
    Organisation.objects.filter(pk=actors.provider_a.pk).update(supplier_number="SUP-A")
    save_po(actors, "PO-1")
    old = worlds.released_payment(actors.allocation_a, 1, "1000.00", supplier_number="", cost_centre="")
    Payment.objects.filter(pk=old.pk).update(ledger_code="L-OLD")
    found = Payment.objects.select_related(*codes.PAYMENT_CODES_RELATED).get(pk=old.pk)
    assert codes.payment_codes(found) == codes.FinanceCodes("SUP-A", "CC-1", "L-OLD", "PO-1")


def test_the_payee_is_a_partnerships_accountable_body(actors):
    council = f.OrganisationFactory(name="Testshire Council", kind="local_authority")
    Organisation.objects.filter(pk=actors.provider_b.pk).update(accountable_body=council, supplier_number="SUP-B")
    b = Organisation.objects.get(pk=actors.provider_b.pk)
    assert codes.payee(b) == council
    assert codes.payee(actors.provider_a) == actors.provider_a
    assert codes.supplier_number_of(b) == "SUP-B"  # its own, where it has one
    Organisation.objects.filter(pk=council.pk).update(supplier_number="SUP-TC")
    Organisation.objects.filter(pk=b.pk).update(supplier_number="")
    assert codes.supplier_number_of(Organisation.objects.get(pk=b.pk)) == "SUP-TC"
