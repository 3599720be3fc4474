"""
Variations to an approved allocation through their services: the recipient asks for a new amount,
end date or conditions, the commissioner approves or refuses with a note, or makes one at once; each
rule refuses with what is wrong, checked when asked and again when approved, and the allocation's
history shows it before and after.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, Payment, Variation
from grants.services import Invalid, NotAllowed, Stale
from grants.services import variations as s
from tests import factories as f
from tests.grants.commissioning.helpers import client_for, line

Status = Variation.Status


def ask(w, *, amount=None, end_date=None, conditions="", actor=None, reason="Demand rose after the summer."):
    return s.variation_request(actor=actor or w.user_a, allocation=w.allocation_a,
                               amount=Decimal(amount) if amount else None, end_date=end_date, conditions=conditions,
                               reason=reason)


def test_the_recipient_asks_and_the_commissioner_approves_a_new_amount_and_end_date(actors):
    w = actors
    variation = ask(w, amount="120000.00", end_date=date(2024, 6, 30), conditions="Quarterly returns; a final report.")
    assert (variation.status, variation.requested_by) == (Status.REQUESTED, w.user_a)
    w.allocation_a.refresh_from_db()
    assert w.allocation_a.amount == Decimal("100000.00")  # nothing changes until it is approved

    variation = s.variation_approve(actor=w.commissioner, variation=variation, version=variation.version, note="Agreed.")
    allocation = Allocation.objects.get(pk=w.allocation_a.pk)
    assert (allocation.amount, allocation.end_date, allocation.conditions) == (
        Decimal("120000.00"), date(2024, 6, 30), "Quarterly returns; a final report.")
    assert (variation.status, variation.previous_amount, variation.previous_end_date, variation.decided_by) == (
        Status.APPROVED, Decimal("100000.00"), date(2024, 3, 31), w.commissioner)
    record = allocation.history.latest()
    assert (record.history_change_reason, record.history_user, record.prev_record.amount) == (
        f"Variation {variation.pk} approved", w.commissioner, Decimal("100000.00"))


def test_a_commissioner_makes_a_variation_decided_at_once(actors):
    w = actors
    variation = ask(w, amount="90000.00", actor=w.commissioner, reason="Underspend expected.")
    assert (variation.status, variation.decided_by) == (Status.APPROVED, w.commissioner)
    assert Allocation.objects.get(pk=w.allocation_a.pk).amount == Decimal("90000.00")


@pytest.mark.parametrize("changes, errors", [
    ({}, {"__all__": "Enter a new amount, a new end date or new conditions: a variation must change something."}),
    ({"amount": "100000.00"}, {"amount": "The allocation is already £100,000.00."}),
    ({"amount": "5000000.00"}, {"amount": "£5,000,000.00 would take Community Safety Fund past its budget plus "
                                          "allowance (£1,000,000.00): at most £900,000.00 is possible."}),
    ({"end_date": date(2023, 3, 1)}, {"end_date": "The end date cannot be before the start (1 April 2023)."}),
    ({"end_date": date(2024, 3, 31)}, {"end_date": "The allocation already ends on 31 March 2024."}),
    ({"amount": "1000.00", "reason": " "}, {"reason": "Say why the allocation needs to change: the decision rests on "
                                                      "this reason."}),
])
def test_each_bad_request_is_refused_with_what_is_wrong(actors, changes, errors):
    w = actors
    with pytest.raises(Invalid) as refused:
        ask(w, **changes)
    assert refused.value.errors == errors
    assert not Variation.objects.exists()


def test_the_amount_cannot_fall_below_what_is_paid_or_budgeted(actors):
    w = actors
    line(w.project_a, "Youth workers", "40000.00")
    with pytest.raises(Invalid) as refused:
        ask(w, amount="30000.00")
    assert refused.value.errors == {"amount": "The projects' budget lines add up to £40,000.00: reduce them to "
                                              "£30,000.00 or less first."}
    f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("50000.00"), status="released",
                     reference="BACS-1", paid_on=date(2023, 4, 20))
    with pytest.raises(Invalid) as refused:
        ask(w, amount="45000.00")
    assert refused.value.errors == {"amount": "£50,000.00 has already been paid under this allocation: the amount "
                                              "cannot be less."}


def test_the_end_date_cannot_cut_a_project_short(actors):
    w = actors
    with pytest.raises(Invalid) as refused:
        ask(w, end_date=date(2023, 12, 31))
    assert refused.value.errors == {"end_date": "A project runs until 31 March 2024: change its end date first, or "
                                                "choose a later date."}


def test_the_rules_are_checked_again_on_approval(actors):
    w = actors
    variation = ask(w, amount="60000.00")
    line(w.project_a, "Youth workers", "80000.00")
    with pytest.raises(Invalid) as refused:
        s.variation_approve(actor=w.commissioner, variation=variation, version=variation.version)
    assert refused.value.errors["__all__"].startswith("This variation can no longer be made: The projects' budget")
    assert s.check_approve_variation(variation).startswith("This variation can no longer be made")
    assert Allocation.objects.get(pk=w.allocation_a.pk).amount == Decimal("100000.00")


def test_a_refusal_needs_a_note_and_changes_nothing(actors):
    w = actors
    variation = ask(w, amount="110000.00")
    with pytest.raises(Invalid) as refused:
        s.variation_refuse(actor=w.commissioner, variation=variation, version=variation.version, note="")
    assert refused.value.errors == {"note": "Say why the variation is refused: the recipient sees this note."}
    variation = s.variation_refuse(actor=w.commissioner, variation=variation, version=variation.version,
                                   note="No money left this year.")
    assert (variation.status, Allocation.objects.get(pk=w.allocation_a.pk).amount) == (
        Status.REFUSED, Decimal("100000.00"))
    with pytest.raises(NotAllowed):
        s.variation_approve(actor=w.commissioner, variation=variation, version=variation.version)


def test_two_decisions_on_the_same_copy_give_one_and_a_clear_message(actors):
    w = actors
    variation = ask(w, amount="110000.00")
    s.variation_approve(actor=w.commissioner, variation=variation, version=variation.version)
    with pytest.raises(Stale):
        s.variation_refuse(actor=w.commissioner, variation=variation, version=variation.version, note="No.")


def test_only_the_recipient_or_the_funder_may_ask_and_only_the_funder_decides(actors):
    w = actors
    with pytest.raises(NotAllowed):
        ask(w, amount="1.00", actor=w.user_b)
    with pytest.raises(NotAllowed):
        ask(w, amount="1.00", actor=w.outsider)
    variation = ask(w, amount="110000.00")
    for who in (w.user_a, w.finance, w.outsider):
        with pytest.raises(NotAllowed):
            s.variation_approve(actor=who, variation=variation, version=variation.version)
    w.allocation_a.status = Allocation.Status.CLOSED
    w.allocation_a.save()
    with pytest.raises(NotAllowed):
        ask(w, amount="1.00")


def test_the_pages_show_and_decide_a_variation_and_another_provider_sees_nothing(actors):
    w = actors
    recipient = client_for(w.user_a)
    response = recipient.post(f"/allocations/{w.allocation_a.pk}/variations/new/", {
        "amount": "£110,000", "reason": "More referrals.", "conditions": ""})
    assert response.status_code == 302
    variation = Variation.objects.get()
    assert "£110,000.00" in recipient.get(f"/allocations/{w.allocation_a.pk}/").content.decode()

    other = client_for(w.user_b)
    assert other.get(f"/variations/{variation.pk}/").status_code == 404
    assert other.get(f"/allocations/{w.allocation_a.pk}/variations/new/").status_code == 404
    assert recipient.post(f"/variations/{variation.pk}/decide/", {
        "version": variation.version, "action": "approve", "note": ""}).status_code == 403

    commissioner = client_for(w.commissioner)
    page = commissioner.get(f"/variations/{variation.pk}/").content.decode()
    assert "£100,000.00" in page and "£110,000.00" in page
    assert commissioner.post(f"/variations/{variation.pk}/decide/", {
        "version": variation.version, "action": "refuse", "note": ""}).status_code == 400
    assert commissioner.post(f"/variations/{variation.pk}/decide/", {
        "version": variation.version, "action": "approve", "note": "Agreed."}).status_code == 302
    assert Allocation.objects.get(pk=w.allocation_a.pk).amount == Decimal("110000.00")
    assert Payment.objects.count() == 0
