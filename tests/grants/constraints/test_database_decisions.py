"""
What the database refuses when a decision or a reason is missing (named CHECK
constraints in grants/models/*.py): an allocation past draft without its decision,
a withdrawal or an unpublished allocation without a reason, a released payment
without its reference and date, a withheld payment without a reason, a received
clawback without its date, a virement to the same line, and a user with a role
but no organisation.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants import models
from tests import factories as f
from tests.grants.constraints.helpers import assert_refused_by

pytestmark = pytest.mark.django_db


# --- Decisions and reasons -------------------------------------------------------


@pytest.mark.parametrize("status", ["approved", "agreement_signed", "active", "closed"])
@pytest.mark.parametrize(
    "missing", [{"decision_reference": ""}, {"decision_date": None}, {"decision_reference": "", "decision_date": None}]
)
def test_it_refuses_an_allocation_past_draft_without_a_decision_reference_and_date(status, missing):
    assert_refused_by("allocation_decision_recorded", lambda: f.AllocationFactory(status=status, **missing))


@pytest.mark.parametrize("status", ["agreement_signed", "active", "closed"])
def test_it_refuses_a_signed_allocation_without_its_signing_date(status):
    assert_refused_by("allocation_signed_has_date",
                      lambda: f.AllocationFactory(status=status, agreement_signed_on=None))


def test_it_refuses_to_approve_a_draft_allocation_without_a_recorded_decision():
    allocation = f.AllocationFactory(status="draft", decision_reference="", decision_date=None)
    allocation.status = models.Allocation.Status.APPROVED
    assert_refused_by("allocation_decision_recorded", allocation.save)


def test_it_refuses_to_withdraw_an_allocation_without_a_reason(allocation):
    allocation.status = models.Allocation.Status.WITHDRAWN
    assert_refused_by("allocation_withdrawal_has_reason", allocation.save)


def test_it_refuses_to_keep_an_allocation_from_publication_without_a_reason(allocation):
    allocation.do_not_publish = True
    assert_refused_by("allocation_unpublished_has_reason", allocation.save)


@pytest.mark.parametrize(
    "details", [{"reference": "", "paid_on": date(2023, 7, 31)}, {"reference": "PAY-1", "paid_on": None}, {}]
)
def test_it_refuses_a_released_payment_without_a_reference_and_date(allocation, details):
    assert_refused_by(
        "released_payment_has_reference_and_date",
        lambda: f.PaymentFactory(allocation=allocation, status=models.Payment.Status.RELEASED, **details),
    )


def test_it_refuses_a_withheld_payment_without_a_reason(allocation):
    assert_refused_by(
        "withheld_payment_has_reason",
        lambda: f.PaymentFactory(allocation=allocation, status=models.Payment.Status.WITHHELD, withheld_reason=""),
    )


def test_it_refuses_a_received_clawback_without_the_date_it_was_received(allocation, user):
    assert_refused_by(
        "received_clawback_has_date",
        lambda: models.Clawback.objects.create(
            allocation=allocation,
            amount=Decimal("500.00"),
            status=models.Clawback.Status.RECEIVED,
            reason="Underspend",
            requested_on=date(2024, 4, 30),
            recorded_by=user,
        ),
    )


def test_it_refuses_a_virement_from_a_budget_line_to_itself(budget_line, user):
    assert_refused_by(
        "virement_between_two_lines",
        lambda: models.Virement.objects.create(
            from_line=budget_line, to_line=budget_line, amount=Decimal("100.00"), quarter=1, reason="Moving money",
            requested_by=user
        ),
    )


@pytest.mark.parametrize("role", ["commissioner", "finance", "provider", "viewer"])
def test_it_refuses_a_user_with_a_role_but_no_organisation(role):
    assert_refused_by("user_role_needs_organisation", lambda: f.UserFactory(organisation=None, role=role))


# --- The partnership tier ----------------------------------------------------------


def test_it_refuses_a_return_passed_on_that_was_never_submitted_or_is_back_with_its_provider(quarterly_return):
    from django.utils import timezone

    for status in ("draft", "returned"):
        rows = models.QuarterlyReturn.objects.filter(pk=quarterly_return.pk)
        assert_refused_by("return_passed_on_when_submitted",
                          lambda: rows.update(status=status, passed_on_at=timezone.now()))
    models.QuarterlyReturn.objects.filter(pk=quarterly_return.pk).update(status="submitted", passed_on_at=timezone.now())


def test_it_refuses_a_partnership_return_sent_without_when(allocation):
    for status in ("submitted", "returned", "approved"):
        assert_refused_by("partnership_return_submitted_when_sent", lambda: models.PartnershipReturn.objects.create(
            allocation=allocation, financial_year=2023, quarter=1, status=status))
