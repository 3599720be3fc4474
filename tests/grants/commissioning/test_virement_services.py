"""
Virements through their services: a provider asks to move money between its project's lines
or between projects of the same allocation, the commissioner approves or refuses; on approval
the two lines' budgets and their profiles for the named quarter change by the amount, to the
penny, and the lines' history shows them before and after. No line goes negative or below
what has been spent, checked when asked and again when approved.
"""

from decimal import Decimal

import pytest

from grants.models import Allocation, BudgetLine, Virement
from grants.services import Invalid, NotAllowed, Stale
from grants.services import virements as s
from tests import factories as f
from tests.grants.commissioning.helpers import Q, line, verified_return

Status = Virement.Status


@pytest.fixture
def lines(officers):
    w = officers
    w.staff = line(w.project_a, "Youth workers", "40000.00", ["10000.00", "10000.00", "10000.00", "10000.00"])
    w.venue = line(w.project_a, "Venue hire", "4000.00", ["1000.00", "1000.00", "1000.00", "1000.00"],
                   category=BudgetLine.Category.NON_STAFF)
    return w


def ask(w, amount="2500.50", quarter=3, *, actor=None, from_line=None, to_line=None, reason="Evening sessions moved."):
    return s.virement_request(actor=actor or w.user_a, from_line=from_line or w.staff, to_line=to_line or w.venue,
                              amount=Decimal(amount) if amount is not None else None, quarter=quarter, reason=reason)


def test_an_approved_virement_moves_the_budget_and_that_quarters_profile_to_the_penny(lines):
    w = lines
    virement = ask(w)
    assert (virement.status, virement.requested_by) == (Status.REQUESTED, w.user_a)

    virement = s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version, note="Agreed.")

    w.staff.refresh_from_db()
    w.venue.refresh_from_db()
    assert (w.staff.amount, w.staff.profile) == (Decimal("37499.50"), [
        Decimal("10000.00"), Decimal("10000.00"), Decimal("7499.50"), Decimal("10000.00")])
    assert (w.venue.amount, w.venue.profile) == (Decimal("6500.50"), [
        Decimal("1000.00"), Decimal("1000.00"), Decimal("3500.50"), Decimal("1000.00")])
    assert w.staff.profile_total == w.staff.amount and w.venue.profile_total == w.venue.amount
    assert w.staff.amount + w.venue.amount == Decimal("44000.00")
    assert (virement.status, virement.decided_by, virement.decision_note) == (Status.APPROVED, w.commissioner, "Agreed.")


def test_the_lines_history_shows_each_line_before_and_after_with_who_and_why(lines):
    w = lines
    virement = ask(w, "100.00", 1)
    s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version)

    after = BudgetLine.history.get(id=w.staff.pk, history_change_reason=f"Virement {virement.pk} approved")
    before = after.prev_record
    assert (before.amount, before.profile_q1, after.amount, after.profile_q1) == (
        Decimal("40000.00"), Decimal("10000.00"), Decimal("39900.00"), Decimal("9900.00"))
    assert after.history_user == w.commissioner
    assert list(virement.history.order_by("history_date", "history_id").values_list(
        "status", "history_user__username")) == [("requested", "provider-a"), ("approved", "commissioner")]


def test_a_refusal_needs_a_note_and_leaves_the_budget_alone(lines):
    w = lines
    virement = ask(w)
    with pytest.raises(Invalid) as refused:
        s.virement_refuse(actor=w.commissioner, virement=virement, version=virement.version, note="  ")
    assert refused.value.errors == {"note": "Say why the virement is refused: the provider sees this note."}

    virement = s.virement_refuse(actor=w.commissioner, virement=virement, version=virement.version,
                                 note="The venue budget is fixed by the agreement.")
    w.staff.refresh_from_db()
    assert (virement.status, w.staff.amount, w.staff.profile_q3) == (Status.REFUSED, Decimal("40000.00"),
                                                                     Decimal("10000.00"))


@pytest.mark.parametrize("amount, quarter, errors", [
    ("10000.01", 3, {"amount": "Only £10,000.00 is profiled on Youth workers in Q3: no more than that can move "
                               "from this quarter."}),
    ("0", 3, {"amount": "The amount to move must be more than £0."}),
    (None, 3, {"amount": "Enter the amount to move."}),
    ("1.001", 3, {"amount": "The amount to move can have at most 2 decimal places (pence)."}),
    ("100", None, {"quarter": "Choose the quarter whose profile changes."}),
])
def test_a_line_cannot_give_more_than_that_quarters_profile(lines, amount, quarter, errors):
    with pytest.raises(Invalid) as refused:
        ask(lines, amount, quarter)
    assert refused.value.errors == errors
    assert not Virement.objects.exists()


def test_a_line_keeps_what_has_already_been_spent_on_it(lines):
    w = lines
    verified_return(w, w.project_a, Q(1), {w.staff: "10000.00", w.venue: "1000.00"})
    verified_return(w, w.project_a, Q(2), {w.staff: "10000.00", w.venue: "1000.00"})
    verified_return(w, w.project_a, Q(3), {w.staff: "9000.00", w.venue: "1000.00"})
    # £29,000.00 spent of £40,000.00: at most £11,000.00 can go, and only £1,000.00 from Q3.
    with pytest.raises(Invalid) as refused:
        ask(w, "1000.01", 3)
    assert refused.value.errors == {"amount": (
        "£9,000.00 was reported spent on Youth workers in Q3: at most £1,000.00 can move from that quarter.")}
    assert ask(w, "1000.00", 3).amount == Decimal("1000.00")

    w.staff.amount, w.staff.profile_q4 = Decimal("30000.00"), Decimal("0.00")
    w.staff.save()
    with pytest.raises(Invalid) as refused:
        ask(w, "1000.01", 3)
    assert refused.value.errors == {"amount": (
        "£29,000.00 has already been reported spent on Youth workers: at most £1,000.00 can move from it.")}


def test_the_rules_are_checked_again_when_the_commissioner_approves(lines):
    w = lines
    first, second = ask(w, "6000.00", 4), ask(w, "6000.00", 4)
    s.virement_approve(actor=w.commissioner, virement=first, version=first.version)

    with pytest.raises(Invalid) as refused:
        s.virement_approve(actor=w.commissioner, virement=second, version=second.version)
    assert refused.value.errors == {"__all__": (
        "This virement can no longer be made: Only £4,000.00 is profiled on Youth workers in Q4: "
        "no more than that can move from this quarter.")}
    second.refresh_from_db()
    w.staff.refresh_from_db()
    assert (second.status, w.staff.amount) == (Status.REQUESTED, Decimal("34000.00"))


def test_a_decision_on_an_old_copy_is_stale(lines):
    w = lines
    virement = ask(w)
    seen = Virement.objects.get(pk=virement.pk)
    s.virement_refuse(actor=w.commissioner_2, virement=virement, version=virement.version, note="No.")
    with pytest.raises(Stale):
        s.virement_approve(actor=w.commissioner, virement=seen, version=seen.version)
    w.staff.refresh_from_db()
    assert w.staff.amount == Decimal("40000.00")


def test_the_recipient_of_an_allocation_moves_money_between_its_projects(officers):
    w = officers
    # B's allocation funds B's own project and one delivered by A.
    delivered_by_a = f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_a, reference="B-2")
    b_line = line(w.project_b, "Co-ordinator", "20000.00")
    a_line = line(delivered_by_a, "Outreach", "20000.00")

    virement = ask(w, "5000.00", 2, actor=w.user_b, from_line=b_line, to_line=a_line)
    s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version)
    a_line.refresh_from_db()
    assert (a_line.amount, a_line.profile_q2) == (Decimal("25000.00"), Decimal("10000.00"))

    # A delivers B-2 but does not hold the allocation: it cannot move money into B's own project.
    with pytest.raises(Invalid) as refused:
        ask(w, "5000.00", 2, actor=w.user_a, from_line=a_line, to_line=b_line)
    assert refused.value.errors == {
        "to_line": "You can only move money to lines of projects your organisation delivers or funds."}


def test_money_moves_only_within_one_allocation_and_one_year(lines):
    w = lines
    elsewhere = line(f.ProjectFactory(allocation=w.allocation_a, provider=w.provider_a, reference="A-2"), "Other")
    other_allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a)
    far = line(f.ProjectFactory(allocation=other_allocation, provider=w.provider_a, reference="A-3"), "Far")
    assert ask(w, "10.00", 1, to_line=elsewhere).status == Status.REQUESTED
    with pytest.raises(Invalid) as refused:
        ask(w, "10.00", 1, to_line=far)
    assert refused.value.errors == {"to_line": "Money can only move between projects funded by the same allocation."}
    with pytest.raises(Invalid) as refused:
        ask(w, "10.00", 1, to_line=w.staff)
    assert refused.value.errors == {"to_line": "Choose a different line to move the money to."}


@pytest.mark.parametrize("actor", ["commissioner", "finance", "viewer", "user_b", "outsider"])
def test_only_the_projects_provider_asks_for_a_virement(lines, actor):
    with pytest.raises(NotAllowed):
        ask(lines, actor=getattr(lines, actor))
    assert not Virement.objects.exists()


@pytest.mark.parametrize("actor", ["user_a", "finance", "viewer", "outsider"])
def test_only_the_funders_commissioner_officers_decide(lines, actor):
    virement = ask(lines)
    with pytest.raises(NotAllowed):
        s.virement_approve(actor=getattr(lines, actor), virement=virement, version=virement.version)
    virement.refresh_from_db()
    assert virement.status == Status.REQUESTED


def test_no_virement_before_the_agreement_is_signed(lines):
    Allocation.objects.filter(pk=lines.allocation_a.pk).update(status=Allocation.Status.APPROVED)
    lines.staff.project.allocation.refresh_from_db()
    with pytest.raises(NotAllowed) as refused:
        ask(lines)
    assert refused.value.message == "The allocation is approved: budget can be moved once the agreement is signed."
