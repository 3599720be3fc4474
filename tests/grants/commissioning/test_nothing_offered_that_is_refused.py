"""
Nothing offered that will be refused. Each action on the allocation, payment and virement pages is
offered only when its service would take it from this person now; an action that is theirs but not
possible yet is shown disabled with what to do first, and posting it anyway is refused with that very
reason; an action that is not theirs is not shown at all.

The first tests take the cases people met one by one, through the pages. The last ones set every
allocation, payment and virement state beside every officer and provider, and compare what the page
offers with what the service does when asked, in a savepoint that is then rolled back.
"""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.db import transaction

from grants.models import Allocation, Payment, Programme, QuarterlyReturn, Virement
from grants.services import Invalid, NotAllowed
from grants.services import commissioning as commissioning_services
from grants.services import payments as payment_services
from grants.services import returns as return_services
from grants.services import virements as virement_services
from tests import factories as f
from tests.dates import date_boxes
from tests.grants.commissioning.conftest import TODAY
from tests.grants.commissioning.helpers import (
    Q,
    blocked,
    client_for,
    error_summary,
    line,
    offered,
    summary_list,
    table_rows,
    verified_return,
)

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split()))


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def signed(w, title, **kwargs):
    return f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title=title,
                               status=Allocation.Status.AGREEMENT_SIGNED, agreement_signed_on=date(2023, 3, 20),
                               **kwargs)


@pytest.fixture
def arrears(officers, today):
    """A programme paid in arrears with one allocation to A and its one project, whose Q1 return is
    approved with verified spend of £12,000.00 and its payment scheduled."""
    w = officers
    w.arrears_programme = f.ProgrammeFactory(commissioner=w.commissioner_org, name="Serious Violence Duty", code="SVD",
                                             payment_terms=Programme.PaymentTerms.ARREARS)
    w.arrears_allocation = f.AllocationFactory(programme=w.arrears_programme, recipient=w.provider_a,
                                               title="Violence reduction in A")
    w.arrears_project = f.ProjectFactory(allocation=w.arrears_allocation, reference="SVD-A", name="Street outreach")
    w.outreach = line(w.arrears_project, "Outreach workers", "60000.00")
    w.q1_return = verified_return(w, w.arrears_project, Q(1), {w.outreach: "12000.00"})
    payment_services.payment_schedule_update(actor=w.finance, allocation=w.arrears_allocation, today=date(2023, 7, 1))
    w.arrears_q1 = Payment.objects.get(allocation=w.arrears_allocation, quarter=1)
    return w


# --- The cases, one by one, through the pages ------------------------------------------------------


def test_close_is_not_offered_while_payments_are_scheduled_and_closing_anyway_is_refused_with_why(pages):
    # Allocation A has its Q1 payment of £25,000.00 still scheduled.
    client = client_for(pages.finance)
    page = client.get(f"/allocations/{pages.allocation_a.pk}/")
    reason = "Release or withhold the scheduled payments before closing: 2023-24 Q1 (£25,000.00)."
    assert not offered(page, f"/allocations/{pages.allocation_a.pk}/close/")
    assert blocked(page) == {"close": reason}

    response = client.post(f"/allocations/{pages.allocation_a.pk}/close/", {"version": pages.allocation_a.version})
    assert response.status_code == 400
    assert [message for _, message in error_summary(response)] == [reason]
    assert fresh(pages.allocation_a).status == Allocation.Status.ACTIVE

    # Once the payment is released, closing is offered.
    payment_services.payment_release(actor=pages.finance, payment=pages.q1, version=pages.q1.version,
                                     reference="PAY-1", paid_on=TODAY, today=TODAY)
    page = client.get(f"/allocations/{pages.allocation_a.pk}/")
    assert offered(page, f"/allocations/{pages.allocation_a.pk}/close/")
    assert "close" not in blocked(page)


def test_mark_as_active_is_shown_disabled_until_a_project_is_set_up(pages):
    allocation = signed(pages, "Signed, nothing set up")
    client = client_for(pages.commissioner)
    page = client.get(f"/allocations/{allocation.pk}/")
    reason = "Set up at least one project before the allocation becomes active."
    assert not offered(page, f"/allocations/{allocation.pk}/activate/")
    assert blocked(page) == {"activate": reason}
    assert "Mark as active: delivery has started" in text_of(page)

    response = client.post(f"/allocations/{allocation.pk}/activate/", {"version": allocation.version})
    assert response.status_code == 400
    assert [message for _, message in error_summary(response)] == [reason]
    assert fresh(allocation).status == Allocation.Status.AGREEMENT_SIGNED

    f.ProjectFactory(allocation=allocation, reference="NEW-1", name="New project")
    page = client.get(f"/allocations/{allocation.pk}/")
    assert offered(page, f"/allocations/{allocation.pk}/activate/")
    assert blocked(page) == {}


def test_an_arrears_payment_whose_return_was_reopened_is_not_offered_for_release(arrears):
    w = arrears
    return_services.return_reopen(actor=w.commissioner, ret=w.q1_return, version=fresh(w.q1_return).version,
                                  reason="The invoice was for Q2.")
    client = client_for(w.finance)
    page = client.get(f"/payments/{w.arrears_q1.pk}/")
    reason = "2023-24 Q1 cannot be paid in arrears yet: Street outreach: return returned for amendment."
    assert not offered(page, f"/payments/{w.arrears_q1.pk}/release/")
    assert blocked(page) == {"release": reason}
    assert "Release £12,000.00" in text_of(page)
    assert offered(page, f"/payments/{w.arrears_q1.pk}/withhold/")  # holding it back is still possible

    response = client.post(f"/payments/{w.arrears_q1.pk}/release/", {
        "version": w.arrears_q1.version, "reference": "PAY-1", **date_boxes(paid_on="15/5/2024")})
    assert response.status_code == 400
    assert [message for _, message in error_summary(response)] == [reason]
    assert fresh(w.arrears_q1).status == Payment.Status.SCHEDULED


def test_an_arrears_payment_out_of_date_with_its_verified_spend_says_to_update_the_schedule(arrears):
    w = arrears
    return_services.return_reopen(actor=w.commissioner, ret=w.q1_return, version=fresh(w.q1_return).version,
                                  reason="The invoice was for Q2.")
    verified_return(w, w.arrears_project, Q(1), {w.outreach: "11000.00"})
    page = client_for(w.finance).get(f"/payments/{w.arrears_q1.pk}/")
    assert blocked(page) == {"release": (
        "The verified spend for 2023-24 Q1 now makes £11,000.00 due, not the £12,000.00 scheduled: update the "
        "schedule, check the amount and release it again.")}
    payment_services.payment_schedule_update(actor=w.finance, allocation=w.arrears_allocation, today=TODAY)
    page = client_for(w.finance).get(f"/payments/{w.arrears_q1.pk}/")
    assert offered(page, f"/payments/{w.arrears_q1.pk}/release/")
    assert "Amount £11,000.00" in text_of(page) and "Release the payment" in text_of(page)


def test_withdrawing_is_shown_disabled_once_money_has_been_released(pages):
    allocation = signed(pages, "Signed and paid")
    f.PaymentFactory(allocation=allocation, quarter=1, amount=Decimal("100.00"), status="released",
                     reference="PAY-W", paid_on=date(2023, 4, 3))
    client = client_for(pages.commissioner)
    page = client.get(f"/allocations/{allocation.pk}/")
    reason = ("Money has been released under this allocation: it cannot be withdrawn. "
              "Close it and recover what was not spent instead.")
    assert not offered(page, f"/allocations/{allocation.pk}/withdraw/")
    assert blocked(page)["withdraw"] == reason

    response = client.post(f"/allocations/{allocation.pk}/withdraw/", {"version": allocation.version,
                                                                       "reason": "Changed our mind."})
    assert response.status_code == 400
    assert reason in [message for _, message in error_summary(response)]
    assert fresh(allocation).status == Allocation.Status.AGREEMENT_SIGNED


def test_recovering_money_is_shown_disabled_until_something_is_released(pages):
    allocation = signed(pages, "Signed, nothing paid")
    client = client_for(pages.finance)
    page = client.get(f"/allocations/{allocation.pk}/")
    reason = payment_services.NOTHING_TO_RECOVER
    assert f'href="/allocations/{allocation.pk}/clawbacks/new/"' not in page.content.decode()
    assert blocked(page)["recover"] == reason

    response = client.post(f"/allocations/{allocation.pk}/clawbacks/new/", {
        "kind": "underspend", "amount": "10.00", "reason": "Underspend.", **date_boxes(requested_on="15/5/2024")})
    assert response.status_code == 400
    assert [message for _, message in error_summary(response)] == [reason]


def test_a_virement_that_can_no_longer_be_made_offers_only_refusal(pages):
    too_much = Virement.objects.create(from_line=pages.venue, to_line=pages.staff, amount=Decimal("2000.00"),
                                       quarter=4, reason="More staff.", requested_by=pages.user_a)
    client = client_for(pages.commissioner)
    page = client.get(f"/virements/{too_much.pk}/")
    problem = ("This virement can no longer be made: Only £1,000.00 is profiled on Venue hire in Q4: no more than "
               "that can move from this quarter.")
    assert blocked(page) == {"approve": f"{problem} You can still refuse it, saying why."}
    assert 'name="action" value="approve"' not in page.content.decode()
    assert 'name="action" value="refuse"' in page.content.decode()

    response = client.post(f"/virements/{too_much.pk}/decide/", {
        "version": too_much.version, "action": "approve", "note": ""})
    assert response.status_code == 400
    assert [message for _, message in error_summary(response)] == [problem]
    assert fresh(too_much).status == Virement.Status.REQUESTED


def test_a_budget_line_or_measure_that_cannot_be_removed_says_why_instead_of_offering_removal(pages):
    w = pages
    client = client_for(w.commissioner)
    page = client.get("/projects/A-1/")
    content = page.content.decode()
    reason = "Virements name this line: it cannot be removed. Set its budget to £0 instead."
    # Removal is offered as a link to the page that asks first.
    assert f'href="/projects/A-1/budget/{w.venue.pk}/remove/"' not in content
    assert re.search(rf'data-removal-blocked="line-{w.venue.pk}">Cannot be removed: {re.escape(reason)}<', content)
    assert f'href="/projects/A-1/budget/{w.spare.pk}/remove/"' in content
    assert f'href="/projects/A-1/measures/{w.project_measure.pk}/remove/"' in content

    response = client.post(f"/projects/A-1/budget/{w.venue.pk}/remove/", {"version": w.venue.version}, follow=True)
    assert reason in [str(message) for message in response.context["messages"]]
    assert type(w.venue).objects.filter(pk=w.venue.pk).exists()

    # A value reported for the measure: its removal is refused, and said so beforehand.
    ret = QuarterlyReturn.objects.create(project=w.project_a, financial_year=2023, quarter=1)
    ret.measure_values.create(project_measure=w.project_measure, value=Decimal("3"))
    page = client.get("/projects/A-1/")
    assert not offered(page, f"/projects/A-1/measures/{w.project_measure.pk}/remove/")
    assert (f'data-removal-blocked="measure-{w.project_measure.pk}">Cannot be removed: Returns report values for '
            "this measure: it cannot be removed.<") in page.content.decode()
    response = client.post(f"/projects/A-1/measures/{w.project_measure.pk}/remove/", follow=True)
    assert "Returns report values for this measure: it cannot be removed." in [
        str(message) for message in response.context["messages"]]


def test_a_provider_is_offered_no_finance_or_commissioning_step_not_even_disabled(pages):
    allocation = signed(pages, "Signed, nothing set up for A")
    for path in (f"/allocations/{allocation.pk}/", f"/allocations/{pages.allocation_a.pk}/",
                 f"/payments/{pages.q1.pk}/", f"/virements/{pages.virement.pk}/"):
        page = client_for(pages.user_a).get(path)
        assert page.status_code == 200, path
        assert blocked(page) == {}, path
        # Attaching its signed agreement or safeguarding evidence to its own allocation is the recipient's step.
        main = re.sub(r'<form method="post" action="/allocations/\d+/documents/new/"', "",
                      page.content.decode().split('<main', 1)[1])
        assert "<form" not in main.replace('action="/sign-out/"', ""), path


def test_the_other_provider_reaches_none_of_these_pages(pages):
    for path in (f"/allocations/{pages.allocation_a.pk}/", f"/payments/{pages.q1.pk}/",
                 f"/virements/{pages.virement.pk}/"):
        assert client_for(pages.user_b).get(path).status_code == 404, path


# --- Arrears quarters and the underspend ----------------------------------------------------------


def test_arrears_quarters_still_to_come_are_worked_out_later_not_payments_of_nothing(arrears):
    w = arrears
    payment_services.payment_schedule_update(actor=w.finance, allocation=w.arrears_allocation, today=TODAY)
    assert list(Payment.objects.filter(allocation=w.arrears_allocation).values_list("quarter", "amount")) == [
        (1, Decimal("12000.00"))]
    rows = table_rows(client_for(w.finance).get(f"/allocations/{w.arrears_allocation.pk}/"), "payment-schedule")
    assert [row[:3] + row[4:] for row in rows] == [
        ["2023-24 Q1", "30 July 2023", "Scheduled", "£12,000.00"],
        ["2023-24 Q2", "30 October 2023", "Worked out when the 2023-24 Q2 return is approved", "–"],
        ["2023-24 Q3", "30 January 2024", "Worked out when the 2023-24 Q3 return is approved", "–"],
        ["2023-24 Q4", "30 April 2024", "Worked out when the 2023-24 Q4 return is approved", "–"],
    ]
    funding = table_rows(client_for(w.user_a).get("/funding/"), f"funding-payments-{w.arrears_allocation.pk}")
    assert [row[:2] + row[3:] for row in funding] == [["2023-24 Q1", "Scheduled", "£12,000.00"]]


def test_a_just_signed_allocation_shows_no_underspend_until_it_has_ended(pages):
    allocation = signed(pages, "Signed for next year", amount=Decimal("120000.00"), start_date=date(2024, 4, 1),
                        end_date=date(2025, 3, 31))
    money = summary_list(client_for(pages.finance).get(f"/allocations/{allocation.pk}/"), "money")
    assert money["Underspend (allocation not verified as spent)"] == (
        "Not yet known: worked out when the allocation ends on 31 March 2025")
    assert "£120,000.00" not in money["Underspend (allocation not verified as spent)"]

    # Allocation A ended on 31 March 2024: its underspend is what was not verified as spent.
    money = summary_list(client_for(pages.finance).get(f"/allocations/{pages.allocation_a.pk}/"), "money")
    assert money["Underspend (allocation not verified as spent)"] == "£100,000.00"


def test_a_closed_allocation_has_its_underspend_even_before_its_end_date(pages):
    allocation = signed(pages, "Closed early", start_date=date(2024, 4, 1), end_date=date(2025, 3, 31))
    Allocation.objects.filter(pk=allocation.pk).update(status=Allocation.Status.CLOSED)
    money = summary_list(client_for(pages.finance).get(f"/allocations/{allocation.pk}/"), "money")
    assert money["Underspend (allocation not verified as spent)"] == "£100,000.00"


# --- Offered exactly when the service accepts --------------------------------------------------------


class _RolledBack(Exception):
    pass


def service_answer(call) -> tuple[str, str]:
    """What the service says, with nothing kept: ("accepted", ""), ("invalid", its first message) or
    ("not allowed", its reason)."""
    try:
        with transaction.atomic():
            call()
            raise _RolledBack
    except _RolledBack:
        return "accepted", ""
    except Invalid as error:
        return "invalid", next(iter(error.errors.values()))
    except NotAllowed as error:
        return "not allowed", error.message


def page_answer(page, action: str, offered_here: bool) -> tuple[str, str]:
    """What the page says about an action: ("offered", ""), ("disabled", the reason) or ("not shown", "")."""
    if page.status_code == 404:
        return "not shown", ""
    assert page.status_code == 200
    reason = blocked(page).get(action)
    assert not (offered_here and reason), action
    if offered_here:
        return "offered", ""
    return ("disabled", reason) if reason else ("not shown", "")


def agree(page_says, service_says) -> bool:
    """Offered: accepted. Disabled: refused for the reason shown. Not shown: not this person's, or not now."""
    return {
        "offered": service_says == ("accepted", ""),
        "disabled": service_says[0] == "invalid" and page_says[1].startswith(service_says[1]),
        "not shown": service_says[0] == "not allowed",
    }[page_says[0]]


ALLOCATION_ACTIONS = {
    "approve": lambda user, a: commissioning_services.allocation_approve(
        actor=user, allocation=a, version=a.version, decision_reference="DEC-9", decision_date=TODAY, today=TODAY),
    "sign": lambda user, a: commissioning_services.allocation_sign(
        actor=user, allocation=a, version=a.version, signed_on=TODAY, today=TODAY),
    "activate": lambda user, a: commissioning_services.allocation_activate(actor=user, allocation=a, version=a.version),
    "withdraw": lambda user, a: commissioning_services.allocation_withdraw(
        actor=user, allocation=a, version=a.version, reason="No longer needed."),
    "close": lambda user, a: payment_services.allocation_close(actor=user, allocation=a, version=a.version,
                                                               today=TODAY),
    "schedule": lambda user, a: payment_services.payment_schedule_update(actor=user, allocation=a, today=TODAY),
    "recover": lambda user, a: payment_services.clawback_request(
        actor=user, allocation=a, amount=Decimal("0.01"), reason="Underspend.", requested_on=TODAY, today=TODAY),
}


def allocation_offers(page, a) -> dict[str, bool]:
    content = page.content.decode()
    return {
        **{name: offered(page, f"/allocations/{a.pk}/{name}/") for name in ("approve", "sign", "activate",
                                                                             "withdraw", "close", "schedule")},
        "recover": f'href="/allocations/{a.pk}/clawbacks/new/"' in content,
    }


def allocations_in_every_state(w) -> dict[str, Allocation]:
    with_project = signed(w, "Signed with a project")
    f.ProjectFactory(allocation=with_project, reference="SP-1")
    paid = signed(w, "Signed and paid")
    f.ProjectFactory(allocation=paid, reference="SP-2")
    f.PaymentFactory(allocation=paid, quarter=1, amount=Decimal("100.00"), status="released", reference="PAY-S",
                     paid_on=date(2023, 4, 3))
    closed = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Closed",
                                 status=Allocation.Status.CLOSED, agreement_signed_on=date(2023, 3, 20))
    f.PaymentFactory(allocation=closed, quarter=1, amount=Decimal("100.00"), status="released", reference="PAY-C",
                     paid_on=date(2023, 4, 3))
    return {
        "draft": w.draft,
        "draft past the ceiling": f.AllocationFactory(
            programme=w.programme, recipient=w.provider_a, title="Too big", amount=Decimal("5000000.00"),
            status="draft", decision_reference="", decision_date=None),
        "approved": f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Approved",
                                        status=Allocation.Status.APPROVED),
        "signed without a project": signed(w, "Signed, nothing set up"),
        "signed with a project": with_project,
        "signed with money released": paid,
        "active with a payment scheduled": w.allocation_a,
        "active and settled": w.allocation_b,
        "active and paid in arrears": w.arrears_allocation,
        "closed": closed,
        "withdrawn": f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Withdrawn",
                                         status=Allocation.Status.WITHDRAWN, withdrawn_reason="Dissolved."),
    }


def test_every_step_of_every_allocation_is_offered_exactly_when_the_service_takes_it(pages, arrears):
    w = pages
    allocations = allocations_in_every_state(w)
    seen = set()
    for state, allocation in allocations.items():
        for who in ("commissioner", "finance", "user_a", "viewer"):
            user = getattr(w, who)
            allocation = fresh(allocation)
            page = client_for(user).get(f"/allocations/{allocation.pk}/")
            offers = allocation_offers(page, allocation) if page.status_code == 200 else {}
            for action, call in ALLOCATION_ACTIONS.items():
                page_says = page_answer(page, action, offers.get(action, False))
                service_says = service_answer(lambda: call(user, fresh(allocation)))
                assert agree(page_says, service_says), (state, who, action, page_says, service_says)
                seen.add(page_says[0])
    assert seen == {"offered", "disabled", "not shown"}


def payments_in_every_state(w) -> dict[str, Payment]:
    ready = w.arrears_q1
    reopened_allocation = f.AllocationFactory(programme=w.arrears_programme, recipient=w.provider_a,
                                              title="Arrears, return reopened")
    project = f.ProjectFactory(allocation=reopened_allocation, reference="SVD-R")
    spent = line(project, "Outreach", "1000.00")
    ret = verified_return(w, project, Q(1), {spent: "250.00"})
    payment_services.payment_schedule_update(actor=w.finance, allocation=reopened_allocation, today=date(2023, 7, 1))
    return_services.return_reopen(actor=w.commissioner, ret=fresh(ret), version=fresh(ret).version, reason="Wrong.")
    closed = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Closed with a payment",
                                 status=Allocation.Status.CLOSED)
    return {
        "advance, scheduled": w.q1,
        "advance, released": w.q2,
        "advance, withheld": f.PaymentFactory(allocation=w.allocation_a, quarter=3, amount=Decimal("25000.00"),
                                              status="withheld", withheld_reason="Q2 return missing."),
        "advance, past the allocation": f.PaymentFactory(allocation=w.allocation_a, quarter=4,
                                                         amount=Decimal("75000.01")),
        "arrears, ready": ready,
        "arrears, its return reopened": Payment.objects.get(allocation=reopened_allocation, quarter=1),
        "under a closed allocation": f.PaymentFactory(allocation=closed, quarter=1, amount=Decimal("10.00"),
                                                      status="withheld", withheld_reason="Closed."),
    }


PAYMENT_ACTIONS = {
    "release": lambda user, p: payment_services.payment_release(actor=user, payment=p, version=p.version,
                                                                reference="PAY-9", paid_on=TODAY, today=TODAY),
    "withhold": lambda user, p: payment_services.payment_withhold(actor=user, payment=p, version=p.version,
                                                                  reason="Return missing."),
}


def test_every_payment_action_is_offered_exactly_when_the_service_takes_it(pages, arrears):
    w = pages
    seen = set()
    for state, payment in payments_in_every_state(w).items():
        for who in ("commissioner", "finance", "user_a", "viewer"):
            user = getattr(w, who)
            page = client_for(user).get(f"/payments/{payment.pk}/")
            for action, call in PAYMENT_ACTIONS.items():
                page_says = page_answer(page, action, offered(page, f"/payments/{payment.pk}/{action}/"))
                service_says = service_answer(lambda: call(user, fresh(payment)))
                assert agree(page_says, service_says), (state, who, action, page_says, service_says)
                seen.add(page_says[0])
    assert seen == {"offered", "disabled", "not shown"}


def test_approving_a_virement_is_offered_exactly_when_the_service_takes_it(pages):
    w = pages
    closed = f.AllocationFactory(programme=w.programme, recipient=w.provider_a, title="Closed with a virement",
                                 status=Allocation.Status.CLOSED)
    project = f.ProjectFactory(allocation=closed, reference="CL-1")
    from_line, to_line = line(project, "Staff", "400.00"), line(project, "Venue", "400.00")
    virements = {
        "within the rules": w.virement,
        "more than the quarter's profile": Virement.objects.create(
            from_line=w.venue, to_line=w.staff, amount=Decimal("2000.00"), quarter=4, reason="More.",
            requested_by=w.user_a),
        "under a closed allocation": Virement.objects.create(
            from_line=from_line, to_line=to_line, amount=Decimal("10.00"), quarter=1, reason="Late.",
            requested_by=w.user_a),
        "already refused": Virement.objects.create(
            from_line=w.staff, to_line=w.venue, amount=Decimal("1.00"), quarter=1, reason="Old.",
            requested_by=w.user_a, status=Virement.Status.REFUSED, decision_note="No."),
    }
    seen = set()
    for state, virement in virements.items():
        for who in ("commissioner", "commissioner_2", "finance", "user_a"):
            user = getattr(w, who)
            page = client_for(user).get(f"/virements/{virement.pk}/")
            page_says = page_answer(page, "approve", 'name="action" value="approve"' in page.content.decode())
            service_says = service_answer(lambda: virement_services.virement_approve(
                actor=user, virement=fresh(virement), version=fresh(virement).version, note=""))
            assert agree(page_says, service_says), (state, who, page_says, service_says)
            seen.add(page_says[0])
    assert seen == {"offered", "disabled", "not shown"}


def test_a_return_review_reopen_and_spend_check_are_offered_exactly_when_the_service_takes_them(arrears):
    """No rule stands between these steps and their permission: the check is that the page and the
    service keep asking the same one."""
    w = arrears
    submitted = QuarterlyReturn.objects.create(project=w.arrears_project, financial_year=2023, quarter=2,
                                               status=QuarterlyReturn.Status.SUBMITTED)
    actions = {
        "review": ("/review/", lambda user, r: return_services.return_approve(
            actor=user, ret=r, version=r.version, officer_rag="green")),
        "reopen": ("/reopen/", lambda user, r: return_services.return_reopen(
            actor=user, ret=r, version=r.version, reason="Check again.")),
        "spend": ("/spend/", lambda user, r: return_services.return_verify_spend(actor=user, ret=r, version=r.version)),
    }
    for ret in (fresh(w.q1_return), submitted):
        base = f"/returns/{w.arrears_project.reference}/{ret.financial_year}/{ret.quarter}"
        for who in ("commissioner", "finance", "user_a", "viewer"):
            user = getattr(w, who)
            page = client_for(user).get(base + "/")
            for action, (suffix, call) in actions.items():
                page_says = page_answer(page, action, offered(page, base + suffix))
                service_says = service_answer(lambda: call(user, fresh(ret)))
                assert agree(page_says, service_says), (ret.status, who, action, page_says, service_says)
