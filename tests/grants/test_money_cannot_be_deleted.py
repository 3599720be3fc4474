"""
Money and status records cannot be deleted or edited around the services.

Through the Django admin, signed in as a superuser: an approved, verified, paid return, its spend
lines, values and timeline, payments, clawbacks and virements are shown read-only and cannot be
deleted, one by one or with "delete selected"; an allocation's money and status cannot be changed
there. In the database: no relation carries a deletion (CASCADE) to a record with money or a status,
a priority a project carries is PROTECTed, and a payment's quarter is never scheduled again, even if
the payment were deleted behind the services' back.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.db.models import ProtectedError
from django.test import Client
from django.urls import reverse

from grants.models import (
    Allocation, Clawback, MeasureValue, Payment, PaymentReturn, Priority, Programme, QuarterlyReturn, ReturnEvent, SpendLine,
    Virement,
)
from grants.models.common import ZERO
from grants.services import payments as payment_services
from tests import factories as f
from tests.grants.commissioning.helpers import Q, line, verified_return

AFTER_YEAR_END = date(2024, 5, 15)


@pytest.fixture
def paid(actors):
    """Allocation A in arrears: project A's Q1 return approved with verified spend of £55,000.00, and its
    payment scheduled and released by finance through the services; a clawback received; a virement."""
    w = actors
    Allocation.objects.filter(pk=w.allocation_a.pk).update(amount=Decimal("100000.00"))
    w.allocation_a.refresh_from_db()
    w.staff = line(w.project_a, "Youth workers", "80000.00")
    w.venue = line(w.project_a, "Venue hire", "4000.00", category="non_staff")
    w.ret = verified_return(w, w.project_a, Q(1), {w.staff: "54000.00", w.venue: "1000.00"})
    payment_services.payment_schedule_update(actor=w.finance, allocation=w.allocation_a, today=date(2023, 7, 1))
    w.payment = Payment.objects.get(allocation=w.allocation_a, quarter=1)
    w.payment = payment_services.payment_release(
        actor=w.finance, payment=w.payment, version=w.payment.version, reference="PAY-55000",
        paid_on=date(2023, 7, 3), today=AFTER_YEAR_END)
    w.clawback = payment_services.clawback_request(
        actor=w.finance, allocation=w.allocation_a, amount=Decimal("500.00"), reason="Underspend.",
        requested_on=date(2024, 4, 30), today=AFTER_YEAR_END)
    w.clawback = payment_services.clawback_receive(
        actor=w.finance, clawback=w.clawback, version=w.clawback.version, received_on=date(2024, 5, 1),
        today=AFTER_YEAR_END)
    w.virement = Virement.objects.create(from_line=w.staff, to_line=w.venue, amount=Decimal("500.00"), quarter=4,
                                         reason="Evening sessions.", requested_by=w.user_a)
    w.superuser = f.UserFactory(username="root", is_staff=True, is_superuser=True)
    return w


def admin_client(w) -> Client:
    client = Client()
    client.force_login(w.superuser)
    return client


def counts() -> dict:
    return {model.__name__: model.objects.count() for model in (
        QuarterlyReturn, SpendLine, MeasureValue, ReturnEvent, Payment, Clawback, Virement, Allocation)}


def admin_url(obj, view) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[obj.pk])


def test_the_paid_return_of_these_tests_is_paid(paid):
    assert paid.ret.status == "approved" and paid.ret.spend_status == "verified"
    assert paid.payment.status == "released" and paid.payment.amount == Decimal("55000.00")
    assert list(paid.payment.returns.all()) == [paid.ret]


@pytest.mark.parametrize("kind", ["ret", "payment", "clawback", "virement"])
def test_the_admin_will_not_delete_a_record_with_money_or_a_status(paid, kind):
    obj = getattr(paid, kind)
    client = admin_client(paid)
    before = counts()

    page = client.get(admin_url(obj, "delete"))
    posted = client.post(admin_url(obj, "delete"), {"post": "yes"})

    assert page.status_code == 403
    assert posted.status_code == 403
    assert counts() == before


@pytest.mark.parametrize("model", [QuarterlyReturn, Payment, Clawback, Virement])
def test_delete_selected_is_not_offered_and_refused_if_posted(paid, model):
    client = admin_client(paid)
    changelist = reverse(f"admin:grants_{model._meta.model_name}_changelist")
    before = counts()

    page = client.get(changelist)
    posted = client.post(changelist, {"action": "delete_selected", "_selected_action": list(
        model.objects.values_list("pk", flat=True)), "post": "yes"})

    assert page.status_code == 200
    assert "delete_selected" not in page.content.decode()
    assert posted.status_code in (200, 302, 403)
    assert counts() == before


@pytest.mark.parametrize("kind", ["ret", "payment", "clawback", "virement"])
def test_the_admin_shows_money_and_status_records_read_only(paid, kind):
    obj = getattr(paid, kind)
    client = admin_client(paid)
    before = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}

    page = client.get(admin_url(obj, "change"))
    client.post(admin_url(obj, "change"), {"status": "scheduled", "amount": "1", "spend_status": "not_checked"})

    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()
    obj.refresh_from_db()
    assert {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields} == before


def test_the_returns_spend_lines_values_and_timeline_are_read_only_on_its_page(paid):
    page = admin_client(paid).get(admin_url(paid.ret, "change")).content.decode()

    assert 'name="spend_lines-0-actual"' not in page
    assert 'name="events-0-comment"' not in page
    assert "spend_lines-0-DELETE" not in page


def test_an_allocations_money_and_status_cannot_change_in_the_admin_but_its_wording_can(paid):
    allocation = paid.allocation_a
    client = admin_client(paid)
    version = allocation.version

    response = client.post(admin_url(allocation, "change"), {
        "title": "Allocation to A (corrected title)", "purpose": "Youth work.", "conditions": "",
        "amount": "1.00", "status": "draft",
    })

    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.title == "Allocation to A (corrected title)"
    assert (allocation.amount, allocation.status) == (Decimal("100000.00"), "active")
    assert allocation.version == version + 1  # a form opened before is told it changed
    assert client.get(admin_url(allocation, "delete")).status_code == 403


def test_reverting_to_an_old_version_from_the_history_is_switched_off(settings):
    assert settings.SIMPLE_HISTORY_REVERT_DISABLED is True


# --- The database ----------------------------------------------------------------------------


def has_money_or_a_status(model) -> bool:
    return any(isinstance(field, models.DecimalField) or field.name in ("status", "spend_status")
               for field in model._meta.concrete_fields)


def test_no_cascade_reaches_a_record_with_money_or_a_status():
    """Walk every relation of every model of ours: a deletion may cascade only to records without
    money or a status (and never to a return's timeline)."""
    reached = []
    for model in apps.get_app_config("grants").get_models():
        if model.__name__.startswith("Historical"):
            continue
        for relation in model._meta.related_objects:
            if relation.on_delete is not models.CASCADE:
                continue
            target = relation.related_model
            if has_money_or_a_status(target) or target is ReturnEvent:
                reached.append(f"{model.__name__} -> {target.__name__}.{relation.field.name}")
    assert reached == []


def test_the_walk_above_finds_a_cascade_to_money_when_there_is_one():
    """Its control: spend lines' relation to their return, were it still CASCADE, is what it looks for."""
    assert has_money_or_a_status(SpendLine)
    assert has_money_or_a_status(Payment)
    assert not has_money_or_a_status(ReturnEvent)  # hence named in the walk by itself


def test_deleting_a_paid_return_is_refused_by_the_database_and_nothing_goes(paid):
    before = counts()

    with pytest.raises(ProtectedError):
        QuarterlyReturn.objects.filter(pk=paid.ret.pk).delete()
    with pytest.raises(ProtectedError):
        paid.project_a.delete()

    assert counts() == before


def test_a_priority_a_project_carries_cannot_be_deleted(actors):
    priority = f.PriorityFactory(commissioner=actors.commissioner_org)
    actors.project_a.priorities.set([priority])

    with pytest.raises(ProtectedError):
        priority.delete()

    assert list(actors.project_a.priorities.all()) == [priority]
    unused = Priority.objects.create(commissioner=actors.commissioner_org, code="unused", name="Unused")
    unused.delete()  # the control: a priority no project carries can go


def test_the_timeline_of_a_return_is_in_the_audit_history(paid):
    events = ReturnEvent.objects.filter(quarterly_return=paid.ret)

    assert events.count() == ReturnEvent.history.filter(quarterly_return_id=paid.ret.pk).count() > 0
    approval = ReturnEvent.history.get(quarterly_return_id=paid.ret.pk, kind="approved")
    assert approval.history_user == paid.commissioner


def test_a_quarter_whose_payment_was_deleted_is_never_scheduled_or_paid_again(paid):
    """Were a released payment deleted behind the services' back, drawing up the schedule again must
    not pay its quarter a second time."""
    PaymentReturn.objects.filter(payment=paid.payment)._raw_delete(using="default")
    Payment.objects.filter(pk=paid.payment.pk)._raw_delete(using="default")
    assert not Payment.objects.filter(allocation=paid.allocation_a).exists()

    change = payment_services.payment_schedule_update(actor=paid.finance, allocation=paid.allocation_a,
                                                      today=date(2023, 7, 1))

    assert not Payment.objects.filter(allocation=paid.allocation_a, quarter=1).exists()
    assert change.created == []
    assert "2023-24 Q1 is no longer there" in str(change)
    assert "cannot be paid twice" in str(change)


def test_the_control_a_quarter_with_no_payment_ever_is_scheduled(paid):
    verified_return(paid, paid.project_a, Q(2), {paid.staff: "1000.00", paid.venue: "0.00"})

    change = payment_services.payment_schedule_update(actor=paid.finance, allocation=paid.allocation_a,
                                                      today=date(2023, 10, 1))

    assert [p.period for p in change.created] == [Q(2)]
    assert change.gone == []
    assert change.created[0].amount > ZERO
    assert Programme.objects.count() == 1
