"""
The performance report for 12 months ending on a quarter end, and the report by priority:
the window, every figure to the penny from approved returns only, outcomes over two financial
years, narrative and risks, and the subjects (programme by code, organisation, priority).
"""

from decimal import Decimal

import pytest

from grants.figures import shown_percent
from grants.models import User
from grants.periods import Quarter
from reporting.reports import (
    Window,
    gather_projects,
    organisation_subject,
    performance_report,
    priority_report,
    priority_subject,
    programme_subject,
)
from tests.reporting.report_fixtures import END, years  # noqa: F401

D = Decimal
WINDOW = Window(END)


def fresh(user):
    return User.objects.select_related("organisation").get(pk=user.pk)


def by_reference(report):
    return {p.reference: p for p in report.projects}


# --- The window ---------------------------------------------------------------------------------


def test_twelve_months_to_30_september_2019_are_2018_19_q3_to_2019_20_q2():
    assert [q.label for q in WINDOW.quarters] == ["2018-19 Q3", "2018-19 Q4", "2019-20 Q1", "2019-20 Q2"]
    assert WINDOW.title == "12 months to 30 September 2019"
    assert WINDOW.span == "2018-19 Q3 to 2019-20 Q2"
    assert WINDOW.years == [2018, 2019]


@pytest.mark.parametrize("end, title, first", [
    (Quarter(2019, 4), "12 months to 31 March 2020", "2019-20 Q1"),
    (Quarter(2019, 3), "12 months to 31 December 2019", "2018-19 Q4"),
    (Quarter(2024, 1), "12 months to 30 June 2024", "2023-24 Q2"),
])
def test_any_quarter_end_makes_a_window(end, title, first):
    assert Window(end).title == title
    assert Window(end).first.label == first
    assert len(Window(end).quarters) == 4


# --- Spend against plan --------------------------------------------------------------------------


def test_spend_against_plan_counts_approved_returns_in_the_period_only(years):
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    projects = by_reference(report)
    assert sorted(projects) == ["P18", "P19", "SPAN"]

    def figures(p):
        return p.plan_total, p.plan_compared, p.spent_total, p.variance, p.awaiting_spent

    # P18: Q3 and Q4 of 2018-19 planned; Q3's approved £2,999.99 spent against Q3's plan; Q4's submitted
    # £4,100 awaits approval, apart; Q1 and Q2 (before the period) not counted.
    assert figures(projects["P18"]) == (D("7000.70"), D("3000.30"), D("2999.99"), D("-0.31"), D("4100.00"))
    # P19: Q1 and Q2 of 2019-20; Q3 (after the period) not counted.
    assert figures(projects["P19"]) == (D("5000.00"), D("5000.00"), D("5000.75"), D("0.75"), D("0"))
    # SPAN: a line in each year; 2019-20 Q1 was sent back, so its £1,400 awaits approval.
    assert figures(projects["SPAN"]) == (D("5000.00"), D("3500.00"), D("3600.00"), D("100.00"), D("1400.00"))
    assert (report.plan, report.plan_compared, report.spent, report.variance) == (
        D("17000.70"), D("11500.30"), D("11600.74"), D("100.44"))
    assert shown_percent(report.variance_percent) == D("0.9")
    assert (report.approved, report.awaiting, report.expected) == (6, 2, 8)


def test_a_quarter_awaiting_approval_is_never_a_minus_100_percent_variance(years):
    """2018-19 Q4: P18's return is only submitted. Its plan is not set against nothing."""
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    q4 = report.by_quarter[1]
    assert (q4.plan_compared, q4.spent, q4.variance) == (D("1000.00"), D("1100.00"), D("100.00"))
    assert (q4.awaiting, q4.awaiting_spent, q4.spend.awaiting_plan) == (1, D("4100.00"), D("4000.40"))


def test_spend_by_quarter_adds_up_to_the_period(years):
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    assert [(q.quarter.label, q.plan, q.plan_compared, q.spent, q.approved, q.expected)
            for q in report.by_quarter] == [
        ("2018-19 Q3", D("4000.30"), D("4000.30"), D("3899.99"), 2, 2),
        ("2018-19 Q4", D("5000.40"), D("1000.00"), D("1100.00"), 1, 2),
        ("2019-20 Q1", D("4000.00"), D("2500.00"), D("2400.50"), 1, 2),
        ("2019-20 Q2", D("4000.00"), D("4000.00"), D("4200.25"), 2, 2),
    ]
    for name in ("plan", "plan_compared", "spent", "awaiting_spent"):
        assert sum(getattr(q, name) for q in report.by_quarter) == getattr(report, name)


# --- Outcomes against target ---------------------------------------------------------------------


def outcome(report, reference, measure):
    [found] = [o for o in report.outcomes if o.project.reference == reference and o.name == measure]
    return found


def test_outcomes_over_the_period_by_the_measures_rules(years):
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    rows = {(o.project.reference, o.name): (o.actual, o.target, shown_percent(o.percent_of_target), o.rag)
            for o in report.outcomes}
    assert rows == {
        # Events, like for like: Q3's 28 (Q4 is only submitted) against Q3's own target of 30, not Q3 and Q4's 60.
        ("P18", "Young people engaged"): (D("28"), D("30"), D("93.3"), "amber"),
        # Point in time: Q3's 92% against the annual 90% (no Q3 target).
        ("P18", "Voluntary engagement rate"): (D("92"), D("90"), D("102.2"), "green"),
        # Events, no quarterly targets: 18 + 25 against the annual 80 split into whole quarters, 20 + 20.
        ("P19", "Young people engaged"): (D("28") + 15, D("40"), D("107.5"), "green"),
        # Across two years: 9 + 12 + 14 (the sent-back 100 does not count) against 10 + 10 (2018-19's
        # quarterly targets) + 15 (2019-20 Q2's quarter of 60; not Q1's, which is not approved).
        ("SPAN", "Young people engaged"): (D("35"), D("35"), D("100.0"), "green"),
        # The latest approved value, 2019-20 Q2's 96%, against that quarter's 95%.
        ("SPAN", "Voluntary engagement rate"): (D("96"), D("95"), D("101.1"), "green"),
    }
    assert outcome(report, "SPAN", "Young people engaged").quarters_reported == 3
    assert outcome(report, "SPAN", "Young people engaged").quarters_expected == 4


def test_key_outcomes_add_up_events_and_count_percentage_levels_on_target(years):
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    keys = {k.name: k for k in report.key_outcomes}
    people = keys["Young people engaged"]
    assert (people.projects, people.compared, people.actual, people.target) == (3, 3, D("106"), D("105"))
    assert (shown_percent(people.percent_of_target), people.rag) == (D("101.0"), "green")
    rate = keys["Voluntary engagement rate"]
    assert (rate.projects, rate.compared, rate.on_target, rate.rag) == (2, 2, 2, "green")


# --- Narrative and risks ------------------------------------------------------------------------


def test_highlights_are_the_latest_approved_progress_and_each_case_study_once(years):
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    projects = by_reference(report)
    assert projects["P18"].latest.progress == "P18 Q3 progress."
    assert [(q.label, t) for q, t in projects["P18"].case_studies] == [("2018-19 Q3", "Case study A.")]
    assert [(q.label, t) for q, t in projects["P19"].case_studies] == [("2019-20 Q1", "Case study B.")]
    assert projects["SPAN"].latest.progress == "SPAN Q2 progress."
    # In the report's order: programme, recipient, then project name ("=HYPERLINK…" sorts first).
    assert [p.reference for p in report.highlights] == ["P19", "SPAN", "P18"]


def test_risks_come_from_the_latest_approved_return(years):
    report = performance_report(fresh(years.commissioner), programme_subject(years.commissioner, "SVF"), WINDOW)
    assert {(p.reference, p.rag): (p.latest.risks, p.latest.challenges) for p in report.risks} == {
        ("SPAN", "amber"): ("The venue's lease ends in March.", ""),  # approved without an officer RAG: the provider's
        ("P19", "green"): ("", "Recruiting volunteers."),
    }


# --- Subjects -----------------------------------------------------------------------------------


def test_a_programme_is_every_year_of_its_code_and_never_another_commissioners(years):
    subject = programme_subject(years.commissioner, "SVF")
    assert subject.title == "Serious Violence Fund (SVF)"
    assert "Z19" not in by_reference(performance_report(fresh(years.commissioner), subject, WINDOW))
    theirs = performance_report(fresh(years.outsider), programme_subject(years.outsider, "SVF"), WINDOW)
    assert sorted(by_reference(theirs)) == ["Z19"]
    assert theirs.spent == D("777.77")


def test_an_organisation_is_what_it_receives_and_what_it_delivers(years):
    user = fresh(years.commissioner)
    # B receives all three allocations; A delivers P18 under B's allocation.
    assert sorted(by_reference(performance_report(user, organisation_subject(years.provider_b), WINDOW))) == [
        "P18", "P19", "SPAN"]
    assert sorted(by_reference(performance_report(user, organisation_subject(years.provider_a), WINDOW))) == ["P18"]


def test_a_priority_is_its_tagged_projects(years):
    report = performance_report(fresh(years.commissioner), priority_subject(years.youth), WINDOW)
    assert sorted(by_reference(report)) == ["P18", "P19"]
    assert report.plan == D("12000.70")


def test_a_providers_report_is_its_reach(years):
    a = performance_report(fresh(years.user_a), organisation_subject(years.provider_a), WINDOW)
    assert sorted(by_reference(a)) == ["P18"]
    b = performance_report(fresh(years.user_b), organisation_subject(years.provider_b), WINDOW)
    # B's own report holds everything funded to B, by any funder: the other commissioner's Z19 too.
    assert sorted(by_reference(b)) == ["P18", "P19", "SPAN", "Z19"]


# --- The report by priority ---------------------------------------------------------------------


def test_the_report_by_priority_counts_a_project_under_each_of_its_priorities(years):
    report = priority_report(fresh(years.commissioner), WINDOW)
    rows = [(r.name, sorted(p.reference for p in r.projects), r.plan, r.spent) for r in report.rows]
    assert rows == [
        ("Exploitation", ["P18"], D("7000.70"), D("2999.99")),
        ("Hate crime", [], D("0"), D("0")),
        ("Youth violence", ["P18", "P19"], D("12000.70"), D("8000.74")),
        ("No priority", ["SPAN"], D("5000.00"), D("3600.00")),
    ]
    # The total counts each project once, so it is not the sum of the rows.
    total = report.total
    assert (sorted(p.reference for p in total.projects), total.plan, total.spent) == (
        ["P18", "P19", "SPAN"], D("17000.70"), D("11600.74"))
    assert (total.approved, total.expected) == (6, 8)


def test_key_outcomes_per_priority(years):
    report = priority_report(fresh(years.commissioner), WINDOW)
    youth = {k.name: k for k in [r for r in report.rows if r.name == "Youth violence"][0].key_outcomes}
    assert (youth["Young people engaged"].actual, youth["Young people engaged"].target) == (D("71"), D("70"))
    assert (youth["Voluntary engagement rate"].compared, youth["Voluntary engagement rate"].on_target) == (1, 1)


def test_another_commissioners_priorities_and_projects_never_show(years):
    report = priority_report(fresh(years.outsider), WINDOW)
    assert [r.name for r in report.rows] == ["Their own priority", "No priority"]
    assert [p.reference for p in report.total.projects] == ["Z19"]


def test_the_reports_read_a_fixed_number_of_queries(years, django_assert_max_num_queries):
    user = fresh(years.commissioner)
    with django_assert_max_num_queries(7):
        gather_projects(user, WINDOW)
    with django_assert_max_num_queries(8):
        priority_report(user, WINDOW)
    # With the budgets and other funding of the period's years.
    with django_assert_max_num_queries(9):
        gather_projects(user, WINDOW, funding=True)
