"""
Programmes and allocations through their services: setting a programme up with all its
terms, the allocation's workflow from draft to closed or withdrawn, the ceiling of budget
plus allowance to the penny, what is fixed once approved, and who may do each step.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.models import Allocation, Payment, Programme
from grants.services import Invalid, NotAllowed, Stale
from grants.services import commissioning as s
from tests import factories as f

Status = Allocation.Status
TODAY = date(2023, 3, 31)

PROGRAMME = dict(
    name="Serious Violence Duty", code="SVD-2024", financial_year=2024, funding_source="Home Office Serious Violence Duty",
    description="Labour and non-labour costs.", total_budget=Decimal("500000.00"),
    payment_terms=Programme.PaymentTerms.ADVANCE, return_due_days=21, reminder_days_before=5,
    overdue_reminder_days=3, variance_threshold_percent=Decimal("12.50"), over_allocation_percent=Decimal("10.00"),
)


def draft(w, amount="100000.00", **fields):
    values = dict(recipient=w.provider_a, title="New allocation", amount=Decimal(amount),
                  start_date=date(2023, 4, 1), end_date=date(2024, 3, 31))
    values.update(fields)
    return s.allocation_create(actor=w.commissioner, programme=w.programme, values=values)


def approve(w, allocation, actor=None, **fields):
    values = dict(decision_reference="DEC-2023-001", decision_date=date(2023, 3, 1))
    values.update(fields)
    return s.allocation_approve(actor=actor or w.commissioner, allocation=allocation, version=allocation.version,
                                today=TODAY, **values)


# --- Programmes -------------------------------------------------------------------------------


def test_a_commissioner_sets_up_a_programme_with_all_its_terms(officers):
    programme = s.programme_create(actor=officers.commissioner, values=PROGRAMME)

    programme.refresh_from_db()
    assert programme.commissioner == officers.commissioner_org
    for name, value in PROGRAMME.items():
        assert getattr(programme, name) == value, name
    assert programme.allocation_ceiling == Decimal("550000.00")
    assert programme.history.get().history_user == officers.commissioner


@pytest.mark.parametrize("actor", ["finance", "viewer", "user_a"])
def test_only_a_commissioner_officer_sets_up_a_programme(officers, actor):
    with pytest.raises(NotAllowed):
        s.programme_create(actor=getattr(officers, actor), values=PROGRAMME)
    assert not Programme.objects.filter(code="SVD-2024").exists()


def test_a_programme_code_is_used_once_a_year(officers):
    s.programme_create(actor=officers.commissioner, values=PROGRAMME)
    with pytest.raises(Invalid) as refused:
        s.programme_create(actor=officers.commissioner, values={**PROGRAMME, "name": "Another"})
    assert refused.value.errors == {
        "__all__": "You already have a programme with this code in this financial year: choose another code."
    }


@pytest.mark.parametrize("field, value, message", [
    ("total_budget", Decimal("-0.01"), "The total budget must be £0 or more."),
    ("total_budget", None, "Enter the total budget."),
    ("total_budget", Decimal("10.001"), "The total budget can have at most 2 decimal places (pence)."),
    ("over_allocation_percent", Decimal("100.01"),
     "The over-allocation allowance is a percentage from 0 to 100, with at most 2 decimal places."),
    ("variance_threshold_percent", Decimal("-1"),
     "The variance threshold is a percentage from 0 to 100, with at most 2 decimal places."),
])
def test_a_programme_needs_money_and_percentages_that_make_sense(officers, field, value, message):
    with pytest.raises(Invalid) as refused:
        s.programme_create(actor=officers.commissioner, values={**PROGRAMME, field: value})
    assert refused.value.errors == {field: message}


def test_the_budget_plus_allowance_cannot_fall_below_what_is_approved(officers):
    # A and B are approved at £100,000.00 each: £200,000.00.
    values = {name: getattr(officers.programme, name) for name in s.PROGRAMME_FIELDS}
    with pytest.raises(Invalid) as refused:
        s.programme_update(actor=officers.commissioner, programme=officers.programme, version=officers.programme.version,
                           values={**values, "total_budget": Decimal("181818.17"), "over_allocation_percent": Decimal("10")})
    assert refused.value.errors == {"total_budget": (
        "Allocations of £200,000.00 are already approved: the budget plus the allowance (£199,999.99) "
        "cannot be less than that.")}

    programme = s.programme_update(actor=officers.commissioner, programme=officers.programme, version=officers.programme.version,
                                   values={**values, "total_budget": Decimal("181818.19"),
                                           "over_allocation_percent": Decimal("10")})
    assert programme.allocation_ceiling == Decimal("200000.01")


def test_a_programme_keeps_its_year_once_it_allocates_and_its_terms_once_it_pays(officers):
    values = {name: getattr(officers.programme, name) for name in s.PROGRAMME_FIELDS}
    f.PaymentFactory(allocation=officers.allocation_a)
    with pytest.raises(Invalid) as refused:
        s.programme_update(actor=officers.commissioner, programme=officers.programme, version=officers.programme.version,
                           values={**values, "financial_year": 2024, "payment_terms": "advance"})
    assert refused.value.errors == {
        "financial_year": "The programme has allocations: its financial year cannot change.",
        "payment_terms": "Payments are already scheduled under these terms: they cannot change.",
    }


def test_another_funders_commissioner_cannot_change_the_programme(officers):
    values = {name: getattr(officers.programme, name) for name in s.PROGRAMME_FIELDS}
    with pytest.raises(NotAllowed):
        s.programme_update(actor=officers.outsider, programme=officers.programme, version=0, values={**values, "name": "Mine now"})
    officers.programme.refresh_from_db()
    assert officers.programme.name == "Community Safety Fund"


# --- Allocations: from draft to active --------------------------------------------------------


def test_an_allocation_goes_from_draft_to_active_and_each_step_is_in_the_history(officers):
    allocation = draft(officers)
    assert allocation.status == Status.DRAFT

    allocation = approve(officers, allocation, decision_reference="  OPCC-DEC-2023-017 ")
    assert (allocation.status, allocation.decision_reference, allocation.decision_date) == (
        Status.APPROVED, "OPCC-DEC-2023-017", date(2023, 3, 1))

    allocation = s.allocation_sign(actor=officers.commissioner_2, allocation=allocation, version=allocation.version,
                                   signed_on=date(2023, 3, 20), today=TODAY)
    assert (allocation.status, allocation.agreement_signed_on) == (Status.AGREEMENT_SIGNED, date(2023, 3, 20))

    f.ProjectFactory(allocation=allocation)
    allocation = s.allocation_activate(actor=officers.commissioner, allocation=allocation, version=allocation.version)
    assert allocation.status == Status.ACTIVE

    history = list(allocation.history.order_by("history_date", "history_id").values_list(
        "status", "history_user__username", "history_change_reason"))
    assert history == [
        ("draft", "commissioner", None),
        ("approved", "commissioner", "Approved: OPCC-DEC-2023-017"),
        ("agreement_signed", "commissioner-2", "Grant agreement signed"),
        ("active", "commissioner", "Delivery started"),
    ]


@pytest.mark.parametrize("values, errors", [
    (dict(decision_reference=" ", decision_date=None), {
        "decision_reference": "Enter the reference of the decision that approved this allocation.",
        "decision_date": "Enter the date of the decision that approved this allocation."}),
    (dict(decision_reference="DEC-1", decision_date=date(2023, 4, 1)),
     {"decision_date": "The decision date cannot be in the future."}),
])
def test_approval_needs_the_decisions_reference_and_date(officers, values, errors):
    allocation = draft(officers)
    with pytest.raises(Invalid) as refused:
        approve(officers, allocation, **values)
    assert refused.value.errors == errors
    allocation.refresh_from_db()
    assert (allocation.status, allocation.version) == (Status.DRAFT, 0)


def test_approvals_may_reach_the_budget_plus_allowance_to_the_penny_and_no_further(officers):
    officers.programme.over_allocation_percent = Decimal("10.00")
    officers.programme.save()  # £1,000,000.00 budget: up to £1,100,000.00; A and B hold £200,000.00
    too_much = draft(officers, "900000.01", title="Too much")
    with pytest.raises(Invalid) as refused:
        approve(officers, too_much)
    assert refused.value.errors == {"amount": (
        "Approving £900,000.01 would take the programme past its budget plus 10% allowance (£1,100,000.00): "
        "only £900,000.00 is left to allocate.")}
    too_much.refresh_from_db()
    assert too_much.status == Status.DRAFT

    exactly = draft(officers, "900000.00", title="Exactly what is left")
    assert approve(officers, exactly).status == Status.APPROVED
    assert s.committed_total(officers.programme.pk) == Decimal("1100000.00")


def test_drafts_and_withdrawn_allocations_commit_nothing(officers):
    draft(officers, "800000.00", title="A big draft")
    withdrawn = draft(officers, "800000.00", title="Withdrawn")
    s.allocation_withdraw(actor=officers.commissioner, allocation=withdrawn, version=withdrawn.version,
                          reason="Match funding fell through.")
    last = draft(officers, "800000.00", title="Fits")
    assert approve(officers, last).status == Status.APPROVED


def test_an_agreement_cannot_be_signed_before_the_decision_or_in_the_future(officers):
    allocation = approve(officers, draft(officers))
    for signed_on, message in [
        (None, "Enter the date the grant agreement was signed."),
        (date(2023, 2, 28), "The agreement cannot be signed before the decision to approve it (1 March 2023)."),
        (date(2023, 4, 1), "The agreement cannot be signed in the future."),
    ]:
        with pytest.raises(Invalid) as refused:
            s.allocation_sign(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                              signed_on=signed_on, today=TODAY)
        assert refused.value.errors == {"signed_on": message}


def test_an_allocation_becomes_active_only_with_a_project(officers):
    allocation = approve(officers, draft(officers))
    allocation = s.allocation_sign(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                                   signed_on=date(2023, 3, 2), today=TODAY)
    with pytest.raises(Invalid) as refused:
        s.allocation_activate(actor=officers.commissioner, allocation=allocation, version=allocation.version)
    assert refused.value.errors == {"__all__": "Set up at least one project before the allocation becomes active."}
    allocation.refresh_from_db()
    assert allocation.status == Status.AGREEMENT_SIGNED


@pytest.mark.parametrize("step", ["draft", "approved", "signed"])
def test_an_allocation_is_withdrawn_with_its_reason_before_delivery(officers, step):
    allocation = draft(officers)
    if step != "draft":
        allocation = approve(officers, allocation)
    if step == "signed":
        allocation = s.allocation_sign(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                                       signed_on=date(2023, 3, 2), today=TODAY)
    with pytest.raises(Invalid) as refused:
        s.allocation_withdraw(actor=officers.commissioner, allocation=allocation, version=allocation.version, reason=" ")
    assert refused.value.errors == {"reason": "Say why the allocation is being withdrawn."}

    allocation = s.allocation_withdraw(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                                       reason="The partnership merged with its neighbour.")
    assert (allocation.status, allocation.withdrawn_reason) == (Status.WITHDRAWN,
                                                                "The partnership merged with its neighbour.")


def test_an_active_allocation_cannot_be_withdrawn(officers):
    with pytest.raises(NotAllowed) as refused:
        s.allocation_withdraw(actor=officers.commissioner, allocation=officers.allocation_a,
                              version=officers.allocation_a.version, reason="Changed our minds.")
    assert refused.value.message == (
        "This allocation is active: only a draft, approved or signed allocation can be withdrawn.")


def test_an_allocation_with_money_released_cannot_be_withdrawn(officers):
    allocation = f.AllocationFactory(programme=officers.programme, status=Status.AGREEMENT_SIGNED)
    f.PaymentFactory(allocation=allocation, status=Payment.Status.RELEASED, reference="PAY-1", paid_on=date(2023, 4, 5))
    with pytest.raises(Invalid) as refused:
        s.allocation_withdraw(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                              reason="Changed our minds.")
    assert "Money has been released under this allocation" in refused.value.errors["reason"]
    allocation.refresh_from_db()
    assert allocation.status == Status.AGREEMENT_SIGNED


def test_a_step_taken_on_an_old_copy_is_stale_and_changes_nothing(officers):
    allocation = draft(officers)
    seen = Allocation.objects.get(pk=allocation.pk)
    approve(officers, allocation, actor=officers.commissioner_2)
    with pytest.raises(Stale):
        s.allocation_withdraw(actor=officers.commissioner, allocation=seen, version=seen.version, reason="Too late.")
    allocation.refresh_from_db()
    assert (allocation.status, allocation.withdrawn_reason) == (Status.APPROVED, "")


# --- Changing an allocation ------------------------------------------------------------------


def _values(allocation, **changes):
    values = {name: getattr(allocation, name) for name in s.ALLOCATION_FIELDS}
    values.update(changes)
    return values


def test_a_draft_can_change_anything(officers):
    allocation = draft(officers)
    changed = s.allocation_update(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                                  values=_values(allocation, amount=Decimal("123456.78"), recipient=officers.provider_b))
    assert (changed.amount, changed.recipient) == (Decimal("123456.78"), officers.provider_b)


def test_once_approved_the_recipient_amount_and_dates_are_fixed_but_the_text_is_not(officers):
    allocation = officers.allocation_a
    with pytest.raises(Invalid) as refused:
        s.allocation_update(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                            values=_values(allocation, amount=Decimal("100000.01")))
    assert refused.value.errors == {"amount": "The amount was fixed by the approval decision and cannot change."}

    changed = s.allocation_update(actor=officers.commissioner, allocation=allocation, version=allocation.version,
                                  values=_values(allocation, conditions="Quarterly returns within 21 days."))
    assert changed.conditions == "Quarterly returns within 21 days."


@pytest.mark.parametrize("changes, errors", [
    (dict(amount=Decimal("0")), {"amount": "The amount must be more than £0."}),
    (dict(start_date=date(2023, 3, 31)),
     {"start_date": "The allocation cannot start before the programme's financial year (1 April 2023)."}),
])
def test_an_allocation_needs_an_amount_and_a_start_in_the_programmes_year(officers, changes, errors):
    with pytest.raises(Invalid) as refused:
        draft(officers, **changes)
    assert refused.value.errors == errors


def test_the_funder_cannot_allocate_to_itself(officers):
    with pytest.raises(Invalid) as refused:
        draft(officers, recipient=officers.commissioner_org)
    assert refused.value.errors == {"recipient": "Choose the organisation that receives the money, not the funder itself."}


@pytest.mark.parametrize("actor", ["finance", "viewer", "user_a", "outsider"])
@pytest.mark.parametrize("step", ["create", "approve", "withdraw"])
def test_only_the_funders_commissioner_officers_allocate(officers, actor, step):
    allocation = draft(officers)
    user = getattr(officers, actor)
    with pytest.raises(NotAllowed):
        if step == "create":
            s.allocation_create(actor=user, programme=officers.programme, values=_values(allocation))
        elif step == "approve":
            approve(officers, allocation, actor=user)
        else:
            s.allocation_withdraw(actor=user, allocation=allocation, version=allocation.version, reason="No.")
    assert Allocation.objects.filter(programme=officers.programme).count() == 3
    allocation.refresh_from_db()
    assert allocation.status == Status.DRAFT
