"""
A provider's dashboard: its projects, the returns it owes (due and overdue), those sent back
for amendment with the commissioner's words, and its own organisation's payments only.
"""

from datetime import date
from decimal import Decimal

import time_machine
from django.utils import timezone

from grants.models import Payment, QuarterlyReturn
from reporting.dashboards import provider_dashboard
from tests import factories as f
from tests.reporting.dashboard_fixtures import board, client_for, count_queries, ret, tables, text  # noqa: F401

URL = "/reports/dashboard/"
D = Decimal
Status = QuarterlyReturn.Status


def test_a_provider_sees_its_projects_only(board):
    a = provider_dashboard(board.user_a, today=date(2026, 11, 21))
    assert sorted(p.reference for p in a.projects) == ["A-1", "C-1", "D-1", "E-1", "F-1", "G-1"]
    b = provider_dashboard(board.user_b, today=date(2026, 11, 21))
    # B is funded by two commissioners: it sees both its projects, and none of A's.
    assert sorted(p.reference for p in b.projects) == ["B-1", "X-1"]


def test_returns_owed_for_quarters_that_have_ended_most_overdue_first(board):
    a = provider_dashboard(board.user_a, today=date(2026, 11, 21))
    assert [(r.project.reference, r.quarter.label, r.status) for r in a.overdue] == [
        ("C-1", "2023-24 Q1", ""), ("D-1", "2023-24 Q1", ""), ("E-1", "2023-24 Q1", ""),
        ("D-1", "2023-24 Q2", "draft"), ("E-1", "2023-24 Q2", ""),
        ("C-1", "2023-24 Q3", ""), ("D-1", "2023-24 Q3", ""), ("E-1", "2023-24 Q3", ""), ("F-1", "2023-24 Q3", ""),
        ("C-1", "2023-24 Q4", ""), ("D-1", "2023-24 Q4", ""), ("E-1", "2023-24 Q4", ""), ("F-1", "2023-24 Q4", ""),
        ("A-1", "2023-24 Q4", ""),  # "Project of A" sorts after "Project F-1"
    ]
    assert a.due == []


def test_a_return_not_yet_overdue_is_due(board):
    a = provider_dashboard(board.user_a, today=date(2023, 10, 20))
    # On 20 October Q2's returns (due 30 October) are due, not overdue; Q3 has not ended.
    assert [(r.project.reference, r.quarter.label) for r in a.due] == [("D-1", "2023-24 Q2"), ("E-1", "2023-24 Q2")]
    assert [(r.project.reference, r.quarter.label) for r in a.overdue] == [
        ("C-1", "2023-24 Q1"), ("D-1", "2023-24 Q1"), ("E-1", "2023-24 Q1")]


def test_returns_sent_back_carry_the_latest_comment(board):
    a = provider_dashboard(board.user_a, today=date(2026, 11, 21))
    assert [(r.project.reference, r.period.label, r.comment) for r in a.sent_back] == [
        ("C-1", "2023-24 Q2", "The case study names a street: please anonymise it.")]
    assert provider_dashboard(board.user_b, today=date(2026, 11, 21)).sent_back == []


def test_payments_are_the_organisations_own(board):
    a = provider_dashboard(board.user_a, today=date(2026, 11, 21))
    assert a.payment_totals == [("released", "Released", 3, D("74999.99"))]
    assert [(p.period.label, p.amount) for p in a.payments] == [
        ("2023-24 Q3", D("25000.00")), ("2023-24 Q2", D("24999.99")), ("2023-24 Q1", D("25000.00"))]
    b = provider_dashboard(board.user_b, today=date(2026, 11, 21))
    # Provider B also receives the other commissioner's allocation: its payment is B's too.
    assert b.payment_totals == [("scheduled", "Scheduled", 1, D("25000.00")),
                                ("released", "Released", 2, D("90123.44")),  # 12,345.67 and 77,777.77
                                ("withheld", "Withheld", 1, D("25000.00"))]


def test_a_provider_that_only_delivers_sees_no_payments(board):
    deliverer = f.OrganisationFactory(name="Delivery partner")
    f.ProjectFactory(allocation=board.allocation_b, provider=deliverer, reference="B-2", name="Delivered for B")
    user = f.UserFactory(organisation=deliverer, role="provider")
    response = client_for(user).get(URL)
    assert response.status_code == 200
    assert "No payments to Delivery partner" in text(response)
    assert [r[0] for r in tables(response)["projects"]] == ["Delivered for B B-2"]


def test_the_page_for_provider_a(board):
    sent_back = timezone.localtime(board.c_q2.events.latest("at").at)
    with time_machine.travel(date(2026, 11, 21)):
        response = client_for(board.user_a).get(URL)
    assert response.status_code == 200
    page = tables(response)
    assert page["sent-back"] == [["Project C-1, 2023-24 Q2 C-1 · sent back " + sent_back.strftime("%-d %B %Y"),
                                  "The case study names a street: please anonymise it."]]
    assert len(page["overdue"]) == 14
    assert page["overdue"][0] == ["Project C-1 C-1", "2023-24 Q1 return of Project C-1", "30 July 2023 Overdue",
                                  "Not started"]
    assert page["due"] == [["No other return is due for a quarter that has ended."]]
    assert page["payments"][0] == ["Allocation to A", "2023-24 Q3", "Released", "1 October 2023", "£25,000.00"]
    content = response.content.decode()
    for theirs in ("Project of B", "B-1", "12,345.67", "Elsewhere"):
        assert theirs not in content
    assert 'href="/returns/C-1/2023/2/"' in content
    assert 'href="/projects/A-1/"' in content


def test_provider_b_sees_none_of_a(board):
    content = client_for(board.user_b).get(URL).content.decode()
    for theirs in ("Project of A", "Project C-1", "74,999.99", "anonymise"):
        assert theirs not in content


def test_the_provider_dashboard_makes_as_many_queries_with_many_projects_as_with_few(board):
    def grow(count):
        for _ in range(count):
            project = f.ProjectFactory(allocation=board.allocation_a)
            ret(project, 1, Status.RETURNED)
            ret(project, 2, Status.DRAFT)
            f.PaymentFactory(allocation=f.AllocationFactory(programme=board.programme, recipient=board.provider_a),
                             status=Payment.Status.WITHHELD, withheld_reason="Late.")

    client = client_for(board.user_a)
    grow(2)
    small, _ = count_queries(client, URL)
    grow(20)
    large, response = count_queries(client, URL)
    assert len(response.context["board"].sent_back) == 23
    assert small == large
    assert large <= 15
