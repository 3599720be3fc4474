"""
The funder's dashboard: every figure to the penny against the database (approved returns only),
returns by status and RAG for the quarter, what needs attention, who sees what, and the number
of queries as the data grows.
"""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Sum
from django.utils import timezone

from grants.models import OutcomeMeasure, Payment, QuarterlyReturn, SpendLine, User
from grants.periods import Quarter
from reporting import quarters as reader
from reporting.dashboards import default_quarter, funder_dashboard
from grants import figures
from grants.figures import latest_ended_quarter
from tests import factories as f
from tests.reporting.dashboard_fixtures import QUARTER, board, client_for, count_queries, ret, tables, text  # noqa: F401

URL = "/reports/dashboard/"
Q2 = URL + "?quarter=2023-24+Q2"
D = Decimal
Status = QuarterlyReturn.Status


def dashboard(w, user=None, **kwargs):
    return funder_dashboard(User.objects.get(pk=(user or w.commissioner).pk), quarter=QUARTER,
                            today=timezone.localdate(), **kwargs)


def csf_row(d, w):
    [row] = [r for r in d.programmes if r.programme == w.programme]
    return row


# --- The quarter --------------------------------------------------------------------------------


@pytest.mark.parametrize("today, expected", [
    (date(2026, 11, 21), "2026-27 Q2"), (date(2026, 10, 1), "2026-27 Q2"), (date(2026, 9, 30), "2026-27 Q1"),
    (date(2026, 4, 1), "2025-26 Q4"), (date(2026, 1, 15), "2025-26 Q3"),
])
def test_the_current_quarter_is_the_latest_that_has_ended(today, expected):
    assert latest_ended_quarter(today).label == expected


def test_the_default_quarter_is_the_last_one_a_project_ran_in_when_that_is_earlier():
    assert default_quarter(date(2026, 11, 21), date(2020, 3, 31)) == (Quarter(2019, 4), True)
    assert default_quarter(date(2026, 11, 21), date(2027, 3, 31)) == (Quarter(2026, 2), False)
    assert default_quarter(date(2026, 11, 21), None) == (Quarter(2026, 2), False)


def test_the_page_says_when_it_shows_an_earlier_quarter_than_the_latest(actors):
    with time_machine.travel(date(2026, 11, 21)):
        response = client_for(actors.commissioner).get(URL)
    assert response.status_code == 200
    assert "Dashboard: 2023-24 Q4" in text(response)
    assert "The latest quarter that has ended is 2026-27 Q2, but none of your projects runs that late" in text(response)


def test_the_page_starts_from_the_latest_quarter_that_has_ended(board):
    with time_machine.travel(date(2024, 2, 10)):
        response = client_for(board.commissioner).get(URL)
    assert "Dashboard: 2023-24 Q3" in text(response)
    assert "none of your projects runs that late" not in text(response)


# --- Spend against plan, to the penny -------------------------------------------------------------


def test_each_programme_has_its_money_to_the_penny(board):
    row = csf_row(dashboard(board), board)
    assert row.allocated == D("200000.00")  # the draft and the withdrawn allocations do not count
    assert row.profiled == D("37400.71")  # Q1 and Q2 of every line of A-1 and B-1
    assert row.spent == D("29399.99")  # approved Q1 and Q2 only: not B-1's submitted Q2, not A-1's Q3
    # Like for like: the approved quarters' profile, not B-1's Q2, which is submitted and awaits approval.
    assert row.plan_compared == D("29900.71")
    assert row.variance == D("-500.72")
    assert figures.shown_percent(row.variance_percent) == D("-1.7")
    assert row.awaiting_spent == D("7600.00")  # B-1's submitted Q2, apart
    assert row.paid == D("62345.66")  # released for Q1 and Q2: not the withheld, scheduled or later ones


def test_the_figures_are_the_databases(board):
    """The same figures worked out independently, straight from the tables."""
    row = csf_row(dashboard(board), board)
    spent = SpendLine.objects.filter(
        quarterly_return__status=Status.APPROVED, quarterly_return__financial_year=2023,
        quarterly_return__quarter__lte=2, quarterly_return__project__allocation__programme=board.programme,
    ).aggregate(total=Sum("actual"))["total"]
    paid = Payment.objects.filter(allocation__programme=board.programme, status=Payment.Status.RELEASED,
                                  financial_year=2023, quarter__lte=2).aggregate(total=Sum("amount"))["total"]
    profiled = sum(line.profile_q1 + line.profile_q2 for line in (board.a_staff, board.a_running, board.b_staff))
    assert (row.spent, row.paid, row.profiled) == (spent, paid, profiled)


def test_the_page_shows_the_same_money(board):
    response = client_for(board.commissioner).get(Q2)
    assert response.status_code == 200
    assert tables(response)["programme-money"] == [
        ["Community Safety Fund 2023-24", "£200,000.00", "£37,400.71", "£29,900.71", "£29,399.99",
         "-£500.72 -1.7%", "£7,600.00", "£62,345.66"],
    ]


def test_only_the_programmes_of_the_year_show_and_never_another_commissioners(board):
    assert [r.programme.code for r in dashboard(board).programmes] == ["CSF"]
    later = funder_dashboard(board.commissioner, quarter=Quarter.from_date(timezone.localdate()).previous(),
                             today=timezone.localdate())
    assert "Elsewhere Fund" not in [r.programme.name for r in later.programmes]


def test_a_programme_running_across_years_shows_in_each_year_with_that_years_part_allocated(board):
    """An allocation of a 2023-24 programme that runs into 2024-25 brings the programme into 2024-25; what
    is allocated is each year's part (split by months, as the services keep it), beside that year's spend."""
    from grants.models import Allocation
    from grants.services import years

    two_years = f.AllocationFactory(programme=board.programme, recipient=board.provider_a, title="Two years",
                                    amount=D("10000"), start_date=date(2023, 7, 1), end_date=date(2025, 3, 31))
    years.keep_split(Allocation.objects.get(pk=two_years.pk))  # 9 months of 21 in 2023-24, 12 in 2024-25
    d = funder_dashboard(board.commissioner, quarter=Quarter(2024, 1), today=timezone.localdate())
    assert [r.programme.code for r in d.programmes] == ["CSF"]
    assert csf_row(d, board).allocated == D("5714.29")
    earlier = funder_dashboard(board.commissioner, quarter=Quarter(2023, 2), today=timezone.localdate())
    assert csf_row(earlier, board).allocated == D("200000.00") + D("4285.71")
    # The same rule as the programme's page and the approval check (years.committed_by_year).
    assert years.committed_by_year(board.programme.pk) == {2023: D("204285.71"), 2024: D("5714.29")}


# --- Returns and RAG for the quarter ------------------------------------------------------------


def test_returns_by_status_count_every_project_running_in_the_quarter(board):
    row = csf_row(dashboard(board), board)
    assert row.running == 5  # A, B, C, D, E; F starts in Q3
    assert row.status_list == [("approved", 1), ("submitted", 1), ("returned", 1), ("draft", 1), ("not_started", 1)]


def test_rag_is_the_officers_when_approved_and_the_providers_when_sent(board):
    row = csf_row(dashboard(board), board)
    # A-1 approved: the officer's amber (the provider said green); B-1 submitted: the provider's red;
    # C-1 returned: the provider's amber; D-1's draft red and E-1's missing return are not rated.
    assert row.rag_list == [("red", 1), ("amber", 2), ("green", 0), ("not_rated", 2)]


def test_the_page_shows_returns_and_rag(board):
    response = client_for(board.viewer).get(Q2)
    assert tables(response)["programme-returns"] == [
        ["Community Safety Fund 2023-24", "5", "1", "1", "1", "1", "1", "1", "2", "0", "2"],
    ]


def test_red_and_amber_returns_are_listed_red_first_with_whose_rating(board):
    d = dashboard(board)
    assert [(r.ret.project.reference, r.rag, r.source) for r in d.attention] == [
        ("B-1", "red", "provider"), ("C-1", "amber", "provider"), ("A-1", "amber", "officer"),
    ]
    assert d.attention_total == 3
    rows = tables(client_for(board.commissioner).get(Q2))["attention"]
    assert [r[0] for r in rows] == ["Project of B B-1", "Project C-1 C-1", "Project of A A-1"]
    assert rows[0][3] == "Red (provider)"


def test_the_red_and_amber_list_is_the_rule_worked_out_from_the_returns_themselves(board):
    for n in range(48):  # named so that the list's order is not the order they were made in
        project = f.ProjectFactory(allocation=board.allocation_b, reference=f"R-{n:02}", name=f"Rated {(n * 7) % 48:02}")
        ret(project, 2, [Status.APPROVED, Status.SUBMITTED, Status.RETURNED][n % 3],
            officer_rag=["red", "amber", "green", ""][n % 4], self_rag=["amber", "red", "green", ""][n % 4])
    flagged = []
    for r in QuarterlyReturn.objects.filter(financial_year=2023, quarter=2,
                                            project__allocation__programme__commissioner=board.commissioner_org):
        rag, _ = figures.return_rag(r.status, r.officer_rag, r.self_rag)
        if rag in ("red", "amber"):
            flagged.append((rag != "red", r.project.allocation.programme.name, r.project.name, r.project.reference, r.pk))
    flagged.sort()
    d = dashboard(board)
    assert len(flagged) > 25 and d.attention_total == len(flagged)
    assert [r.ret.pk for r in d.attention] == [row[-1] for row in flagged[:25]]


@pytest.mark.parametrize("length", [1, 2, 3, 4, 6, 9])
def test_a_shorter_red_and_amber_list_reads_only_the_programmes_that_fill_it_and_is_the_same(board, monkeypatch,
                                                                                           length):
    """Programmes named before and after the board's, each with red and amber returns: the rows the list
    shows are the first of the whole list (red first, then by programme, project and reference)."""
    from reporting.dashboards import funder

    for name in ("Alpha Fund", "Zeta Fund"):
        allocation = f.AllocationFactory(programme=f.ProgrammeFactory(commissioner=board.commissioner_org, name=name),
                                         recipient=board.provider_a)
        for n, rating in enumerate(["amber", "red", "amber", "red"]):
            project = f.ProjectFactory(allocation=allocation, reference=f"{name[0]}F-{n}", name=f"{name} {3 - n}")
            ret(project, 2, Status.APPROVED, officer_rag=rating)
    every = dashboard(board).attention
    assert len(every) == dashboard(board).attention_total == 3 + 8
    assert [(r.rag != "red", r.ret.project.allocation.programme.name, r.ret.project.name) for r in every] == sorted(
        (r.rag != "red", r.ret.project.allocation.programme.name, r.ret.project.name) for r in every)
    monkeypatch.setattr(funder, "LIST_LENGTH", length)
    assert [r.ret.pk for r in dashboard(board).attention] == [r.ret.pk for r in every[:length]]


def test_each_row_links_to_the_project_and_its_return(board):
    content = client_for(board.commissioner).get(Q2).content.decode()
    assert 'href="/projects/B-1/"' in content
    assert 'href="/returns/B-1/2023/2/"' in content
    assert 'href="/returns/E-1/2023/1/"' in content  # an overdue return not started yet
    assert f'href="?quarter=2023-24%20Q2&amp;programme={board.programme.pk}"' in content


# --- Overdue, off target, funding ending ---------------------------------------------------------


def test_overdue_returns_are_those_past_due_and_not_yet_submitted(board):
    d = dashboard(board)
    assert sorted((r.reference, r.quarter.label, r.status) for r in d.overdue) == [
        ("C-1", "2023-24 Q1", "not_started"), ("C-1", "2023-24 Q2", "returned"),
        ("D-1", "2023-24 Q1", "not_started"), ("D-1", "2023-24 Q2", "draft"),
        ("E-1", "2023-24 Q1", "not_started"), ("E-1", "2023-24 Q2", "not_started"),
    ]
    assert d.overdue_total == 6
    assert [r.due for r in d.overdue] == sorted(r.due for r in d.overdue)


def test_a_return_not_yet_due_is_not_overdue(board):
    d = funder_dashboard(board.commissioner, quarter=QUARTER, today=date(2023, 10, 15))
    # Q2 returns are due 30 days after 30 September: on 15 October only Q1's are overdue.
    assert sorted((r.reference, r.quarter.label) for r in d.overdue) == [
        ("C-1", "2023-24 Q1"), ("D-1", "2023-24 Q1"), ("E-1", "2023-24 Q1")]


def _overdue_from_the_source_tables(w, today):
    """The overdue rule worked out from the projects and their returns, as a page would without the
    kept quarter figures: each quarter a live project runs in up to the dashboard's quarter, due by
    today, whose return is not started, in draft or sent back."""
    from grants.choices import ALLOCATION_LIVE
    from grants.models import Project

    statuses = {(r.project_id, r.financial_year, r.quarter): r.status for r in QuarterlyReturn.objects.all()}
    found = []
    for p in Project.objects.for_user(w.commissioner).filter(allocation__status__in=ALLOCATION_LIVE,
                                                             start_date__lte=QUARTER.end):
        days = p.allocation.programme.return_due_days
        for q in Quarter.range(Quarter.from_date(p.start_date), min(Quarter.from_date(p.end_date), QUARTER)):
            status = statuses.get((p.pk, q.financial_year, q.number), figures.NOT_STARTED)
            if figures.is_overdue(status, q.due_date(days), today):
                found.append((p.reference, q.label, status))
    return sorted(found)


@pytest.mark.parametrize("today", [date(2023, 7, 30), date(2023, 8, 1), date(2023, 10, 31), date(2023, 11, 1),
                                   date(2024, 6, 1)])
def test_the_overdue_list_is_the_rule_worked_out_from_the_returns_themselves(board, today):
    d = funder_dashboard(board.commissioner, quarter=QUARTER, today=today)
    assert sorted((r.reference, r.quarter.label, r.status) for r in d.overdue) == (
        _overdue_from_the_source_tables(board, today))
    assert d.overdue_total == len(d.overdue)


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5])
def test_a_shorter_overdue_list_is_the_most_overdue_first_and_says_how_many_there_are(board, monkeypatch, length):
    """Only the rows the list shows are read; they are the first of the whole list, in order of due date,
    programme, project and reference, whatever the length, and the total is still every overdue return."""
    from reporting.dashboards import funder

    today = date(2024, 6, 1)
    every = funder_dashboard(board.commissioner, quarter=QUARTER, today=today).overdue
    assert len(every) == len(_overdue_from_the_source_tables(board, today)) > 5
    assert [(r.due, r.programme, r.name, r.reference) for r in every] == sorted(
        (r.due, r.programme, r.name, r.reference) for r in every)
    monkeypatch.setattr(funder, "LIST_LENGTH", length)
    d = funder_dashboard(board.commissioner, quarter=QUARTER, today=today)
    assert [(r.reference, r.quarter, r.status) for r in d.overdue] == [
        (r.reference, r.quarter, r.status) for r in every[:length]]
    assert d.overdue_total == len(every)


def test_a_return_sent_back_through_the_service_is_overdue_again_at_once(board):
    from grants.services.returns import return_send_back

    today = date(2024, 1, 15)
    before = funder_dashboard(board.commissioner, quarter=QUARTER, today=today)
    assert ("B-1", "2023-24 Q2") not in [(r.reference, r.quarter.label) for r in before.overdue]
    b_q2 = QuarterlyReturn.objects.get(pk=board.b_q2.pk)
    return_send_back(actor=board.commissioner, ret=b_q2, version=b_q2.version, comment="Please add the invoices.")
    after = funder_dashboard(board.commissioner, quarter=QUARTER, today=today)
    assert ("B-1", "2023-24 Q2", "returned") in [(r.reference, r.quarter.label, r.status) for r in after.overdue]
    assert sorted((r.reference, r.quarter.label, r.status) for r in after.overdue) == (
        _overdue_from_the_source_tables(board, today))


def test_measures_most_off_target_use_the_return_pages_rules(board):
    d = dashboard(board)
    assert [(r.reference, r.measure, r.year_to_date, r.target) for r in d.off_target] == [
        # Cumulative: 20 + 15 against half the annual 100. Point in time: Q2's 81% against Q2's 90%.
        ("A-1", "Young people engaged", D("35.00"), D("50.00")),
        ("A-1", "Voluntary engagement rate", D("81.00"), D("90.00")),
    ]  # Incidents (lower is better, 11 against 20) is on target; B-1's Q2 is not approved.
    assert d.off_target[0].percent_of_target == D("70.0")


def _off_target_from_the_source_tables(user, quarter=QUARTER) -> list:
    """The rule worked out from the measure values themselves, by the figures reader every report uses:
    each rated measure in reach with an approved value in the quarter, its figure to date
    (figures.measure_figure) against the target of the same quarters, ranked by the shortfall."""
    found = []
    for row in reader.read(user, quarter.year_to_date()):
        for m in row.measures:
            if m.values[quarter.number - 1] is None:
                continue
            figure = m.figure(quarter.number)
            gap = figures.shortfall(m.direction, figure.target, figure.actual)
            if gap > 0:
                found.append((row.reference, m.name, figure.actual, figure.target, gap, row.name))
    found.sort(key=lambda r: (-r[4], r[5], r[1]))
    return [r[:5] for r in found[:10]]


def off_target(d) -> list:
    return [(r.reference, r.measure, r.year_to_date, r.target, r.shortfall) for r in d.off_target]


def test_measures_most_off_target_are_the_furthest_of_every_measure_in_reach(board):
    # Twenty-four more projects, each off target by a different share, in every way a figure adds up:
    # counts of events, a level against a quarter's target, a rate pooled from its parts, lower is better,
    # a target of nought. The list is the ten furthest, as worked out from the values themselves.
    people = OutcomeMeasure.objects.get(name="Young people engaged")
    level = OutcomeMeasure.objects.get(name="Voluntary engagement rate")
    rate = f.OutcomeMeasureFactory(name="Cases closed in time", unit=OutcomeMeasure.Unit.PERCENTAGE, aggregation="rate")
    lower = OutcomeMeasure.objects.get(name="Incidents")
    for n in range(24):
        project = f.ProjectFactory(allocation=board.allocation_b, reference=f"M-{n:02}", name=f"Measured {n:02}")
        kind = n % 4
        if kind == 0:
            pm = f.ProjectMeasureFactory(project=project, measure=people, annual_target=D(100 + n))
            values = [(1, {"value": D(10)}), (2, {"value": D(n)})]
        elif kind == 1:
            pm = f.ProjectMeasureFactory(project=project, measure=level, annual_target=D(80), target_q2=D(90))
            values = [(2, {"value": D(40 + n)})]
        elif kind == 2:
            pm = f.ProjectMeasureFactory(project=project, measure=rate, annual_target=D(75))
            values = [(1, {"value": D("50.0"), "numerator": 5, "denominator": 10}),
                      (2, {"value": D("30.0"), "numerator": n, "denominator": 30})]
        else:
            pm = f.ProjectMeasureFactory(project=project, measure=lower, annual_target=D(0 if n == 3 else 40))
            values = [(2, {"value": D(n)})]
        for number, value in values:
            r = f.QuarterlyReturnFactory(project=project, financial_year=2023, quarter=number, status=Status.APPROVED,
                                         officer_rag="green")
            f.MeasureValueFactory(quarterly_return=r, project_measure=pm, **value)
    expected = _off_target_from_the_source_tables(board.commissioner)
    assert len(expected) == 10 and len({r[4] for r in expected}) > 5
    assert off_target(dashboard(board)) == expected
    # One programme, and a user who reaches less, get the rule within their reach.
    assert off_target(dashboard(board, programme=board.programme)) == expected
    other = f.ProgrammeFactory(commissioner=board.commissioner_org, name="Another fund", code="AF")
    assert off_target(dashboard(board, programme=other)) == []


def test_an_approval_and_a_reopening_move_the_measures_off_target_at_once(board):
    from grants.services.returns import return_approve, return_reopen

    b_q2 = QuarterlyReturn.objects.get(pk=board.b_q2.pk)
    approved = return_approve(actor=board.commissioner, ret=b_q2, version=b_q2.version, officer_rag="red")
    # B-1's young people: 90 + 1 against half the annual 400.
    assert off_target(dashboard(board))[0] == ("B-1", "Young people engaged", D("91.00"), D("200.00"),
                                               D("109") / D("200"))
    assert off_target(dashboard(board)) == _off_target_from_the_source_tables(board.commissioner)
    return_reopen(actor=board.commissioner, ret=approved, version=approved.version, reason="Figures were wrong.")
    assert [r[0] for r in off_target(dashboard(board))] == ["A-1", "A-1"]


def test_a_target_changed_through_the_service_moves_the_measures_off_target_at_once(board):
    from grants.services.projects import project_measure_save

    pm = board.a_people
    project_measure_save(actor=board.commissioner, project=board.project_a, project_measure=pm, version=pm.version,
                         values={"measure": pm.measure, "financial_year": 2023, "baseline": None,
                                 "annual_target": D("60"), "target_q1": None, "target_q2": None, "target_q3": None,
                                 "target_q4": None})
    # 35 against half of 60: on target now; the rate alone is off.
    assert [r[1] for r in off_target(dashboard(board))] == ["Voluntary engagement rate"]


def test_the_library_measure_turned_round_in_the_admin_moves_the_measures_off_target(board):
    from django.forms.models import model_to_dict
    from django.test import Client
    from django.urls import reverse

    incidents = OutcomeMeasure.objects.get(name="Incidents")
    admin = Client()
    admin.force_login(f.UserFactory(username="root", is_staff=True, is_superuser=True))
    data = {k: v for k, v in model_to_dict(incidents).items() if v is not None}
    response = admin.post(reverse("admin:grants_outcomemeasure_change", args=[incidents.pk]),
                          {**data, "direction": OutcomeMeasure.Direction.HIGHER})
    assert response.status_code == 302, response.content.decode()[:2000]
    # 5 + 6 incidents against 20 to date, now that more is better: 45% short, the furthest off.
    assert off_target(dashboard(board))[0] == ("A-1", "Incidents", D("11.00"), D("20.00"), D("0.45"))
    assert off_target(dashboard(board)) == _off_target_from_the_source_tables(board.commissioner)


def test_projects_with_funding_ending_come_from_the_commissioning_rule(board):
    d = dashboard(board)
    assert [p.reference for p in d.ending] == ["G-1"]
    assert d.ending_total == 1 and d.months == 6
    assert [p.reference for p in dashboard(board, programme=board.programme).ending] == []


def test_one_programme_narrows_every_list(board):
    other = f.ProgrammeFactory(commissioner=board.commissioner_org, name="Serious Violence Duty", code="SVD")
    allocation = f.AllocationFactory(programme=other, recipient=board.provider_b)
    late = f.ProjectFactory(allocation=allocation, reference="S-1")
    ret(late, 2, Status.SUBMITTED, self_rag="red")
    everything = dashboard(board)
    assert {r.programme.code for r in everything.programmes} == {"CSF", "SVD"}
    assert "S-1" in [r.ret.project.reference for r in everything.attention]
    assert ("S-1", "2023-24 Q1") in [(r.reference, r.quarter.label) for r in everything.overdue]
    one = dashboard(board, programme=other)
    assert [r.programme.code for r in one.programmes] == ["SVD"]
    assert [r.ret.project.reference for r in one.attention] == ["S-1"]
    assert [(r.reference, r.quarter.label) for r in one.overdue] == [("S-1", "2023-24 Q1")]


# --- Who sees what -----------------------------------------------------------------------------


@pytest.mark.parametrize("who, status, sees", [
    ("commissioner", 200, "Community Safety Fund 2023-24"),
    ("finance", 200, "Community Safety Fund 2023-24"),
    ("viewer", 200, "Community Safety Fund 2023-24"),
    ("user_a", 200, "Project of A"),
    ("user_b", 200, "Project of B"),
    ("outsider", 200, "Elsewhere Fund"),
])
def test_every_actor_gets_their_own_dashboard(board, who, status, sees):
    response = client_for(getattr(board, who)).get(URL)
    assert response.status_code == status
    assert sees in text(response)


def test_anonymous_people_are_sent_to_sign_in(board):
    response = client_for(None).get(Q2)
    assert response.status_code == 302
    assert response.url.startswith("/sign-in/")


def test_someone_without_a_role_is_refused_with_the_reason(board):
    nobody = f.UserFactory(organisation=None, role="")
    response = client_for(nobody).get(URL)
    assert response.status_code == 403
    assert "no organisation or role" in response.content.decode()


def test_another_commissioner_sees_nothing_of_ours(board):
    response = client_for(board.outsider).get(URL + "?quarter=2023-24+Q2")
    page = text(response)
    assert response.status_code == 200
    for ours in ("Community Safety Fund", "Project of A", "Project of B", "Project C-1", "£29,399.99", "G-1"):
        assert ours not in page
    assert tables(response)["programme-money"] == [
        ["Elsewhere Fund 2023-24", "£999,999.00", "£11,111.10", "£5,555.55", "£4,444.44", "-£1,111.11 -20.0%",
         "£0.00", "£77,777.77"]]


def test_someone_elses_programme_is_refused_with_an_error_summary(board):
    response = client_for(board.outsider).get(URL + f"?quarter=2023-24+Q2&programme={board.programme.pk}")
    assert response.status_code == 400
    content = response.content.decode()
    assert 'class="govuk-error-summary"' in content
    assert '<a href="#id_programme">Choose one of your programmes, or all programmes.</a>' in content
    assert "Community Safety Fund" not in content


def test_a_quarter_that_has_not_ended_is_refused(board):
    response = client_for(board.commissioner).get(URL + "?quarter=2999-00+Q1")
    assert response.status_code == 400
    assert '<a href="#id_quarter">Choose a quarter that has ended, from the list.</a>' in response.content.decode()


def test_the_nav_and_the_home_page_lead_to_the_dashboard(board):
    for user in (board.commissioner, board.finance, board.viewer, board.user_a):
        content = client_for(user).get("/").content.decode()
        assert f'href="{URL}"' in content
        assert 'data-testid="dashboard-link"' in content


# --- Queries ----------------------------------------------------------------------------------


def grow(w, count: int):
    """`count` more projects under CSF, each with a line, a measure, an approved Q1, a Q2 in some status,
    a red or amber rating, and a payment."""
    statuses = [Status.SUBMITTED, Status.RETURNED, Status.DRAFT, Status.APPROVED]
    for n in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a)
        project = f.ProjectFactory(allocation=allocation)
        budget = f.BudgetLineFactory(project=project)
        pm = f.ProjectMeasureFactory(project=project)
        ret(project, 1, Status.APPROVED, spend=[(budget, "100.00")], values=[(pm, 5)], officer_rag="green")
        ret(project, 2, statuses[n % 4], spend=[(budget, "100.00")], values=[(pm, 5)], self_rag="red",
            officer_rag="amber")
        f.PaymentFactory(allocation=allocation, status=Payment.Status.RELEASED, reference="P", paid_on=date(2023, 5, 1))


def test_the_dashboard_makes_as_many_queries_with_many_projects_as_with_few(board):
    client = client_for(board.commissioner)
    grow(board, 2)
    small, response = count_queries(client, Q2)
    assert response.status_code == 200
    grow(board, 30)
    large, response = count_queries(client, Q2)
    assert csf_row(response.context["board"], board).running == 5 + 32
    assert small == large
    assert large <= 25


def test_one_programme_makes_as_many_queries_too(board):
    client = client_for(board.finance)
    url = Q2 + f"&programme={board.programme.pk}"
    grow(board, 2)
    small, _ = count_queries(client, url)
    grow(board, 20)
    large, _ = count_queries(client, url)
    assert small == large
