"""
The figure rules of grants/figures.py, one by one, with the cases that once read wrong: a quarter not
yet approved read as a −100% variance or a Red rating, a target of 112.5 households, people added up
over quarters, a rate that was the last quarter's percentage, spend against no profile read as 100%
in one place and blank in another, and quarterly targets that added up differently on two pages.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants import figures
from grants.choices import RAG, MeasureAggregation as Agg, MeasureDirection as Direction, ReturnStatus as Status
from grants.figures import MeasureFigure, MeasureQuarter, SpendQuarter
from grants.periods import Quarter

D = Decimal
NOT_STARTED = figures.NOT_STARTED


# --- Pennies and percentages ---------------------------------------------------------------------


@pytest.mark.parametrize("value, pennies", [
    (None, "0.00"), (D("1.005"), "1.01"), (D("2.675"), "2.68"), (D("-1.005"), "-1.01"), (12, "12.00"),
    (D("0.004999"), "0.00"),
])
def test_pennies_round_half_up_and_nothing_is_zero(value, pennies):
    assert figures.pennies(value) == D(pennies)


def test_a_percentage_is_exact_and_shown_to_one_place_half_up():
    assert figures.percent(1, 3) == D(1) / D(3) * 100
    assert figures.shown_percent(figures.percent(1, 8)) == D("12.5")
    assert figures.shown_percent(D("0.05")) == D("0.1")
    assert figures.percent(5, 0) is None and figures.percent(None, 5) is None


# --- Variance ------------------------------------------------------------------------------------


def test_spend_against_no_profile_has_no_percentage_but_needs_an_explanation():
    """One rule everywhere: a percentage of nothing is no percentage (never 100%), and any spend
    against a profile of £0 is over the threshold."""
    assert figures.variance_percent(D("500"), D("0")) is None
    assert figures.over_threshold(D("500"), D("0"), D("10")) is True
    assert figures.over_threshold(D("0"), D("0"), D("10")) is False


def test_the_threshold_is_compared_unrounded():
    # 10.04% shows as 10.0% but is over a 10% threshold.
    assert figures.shown_percent(figures.variance_percent(D("1100.40"), D("1000"))) == D("10.0")
    assert figures.over_threshold(D("1100.40"), D("1000"), D("10")) is True
    assert figures.over_threshold(D("1100.00"), D("1000"), D("10")) is False


def test_nothing_entered_is_never_over_threshold():
    assert figures.over_threshold(None, D("1000"), D("10")) is False


# --- Spend to date, like for like --------------------------------------------------------------


def test_an_unapproved_quarter_is_awaiting_approval_never_a_minus_100_percent_variance():
    """Avon's 12 months to 31 December 2023 read −36.4% with Q3 at −100%: Q3's returns were only
    submitted. Like for like, Q1 and Q2 are compared and Q3 waits, its spend shown apart."""
    figure = figures.spend_to_date([
        SpendQuarter(D("18750"), Status.APPROVED, D("18750")),
        SpendQuarter(D("24750"), Status.APPROVED, D("19800")),
        SpendQuarter(D("21750"), Status.SUBMITTED, D("23925")),
    ])
    assert (figure.plan, figure.plan_compared, figure.spent) == (D("65250"), D("43500"), D("38550"))
    assert figure.variance == D("-4950")
    assert figures.shown_percent(figure.variance_percent) == D("-11.4")
    assert (figure.awaiting, figure.awaiting_spent, figure.awaiting_plan) == (1, D("23925"), D("21750"))
    assert (figure.approved, figure.expected, figure.not_reported) == (2, 3, 0)


def test_a_quarter_not_started_or_in_draft_adds_to_the_plan_alone():
    figure = figures.spend_to_date([
        SpendQuarter(D("100"), Status.APPROVED, D("90")),
        SpendQuarter(D("100"), Status.DRAFT, D("5000")),
        SpendQuarter(D("100"), NOT_STARTED),
    ])
    assert (figure.plan, figure.plan_compared, figure.spent, figure.variance) == (D("300"), D("100"), D("90"), D("-10"))
    assert (figure.awaiting, figure.awaiting_spent, figure.not_reported) == (0, D("0"), 2)


def test_nothing_approved_has_no_variance_percentage():
    figure = figures.spend_to_date([SpendQuarter(D("100"), Status.SUBMITTED, D("100"))])
    assert (figure.variance, figure.variance_percent) == (D("0"), None)


def test_spend_figures_add_up_across_projects():
    a = figures.spend_to_date([SpendQuarter(D("100"), Status.APPROVED, D("80"))])
    b = figures.spend_to_date([SpendQuarter(D("50"), Status.RETURNED, D("70"))])
    total = figures.total_spend([a, b])
    assert (total.plan, total.plan_compared, total.spent, total.awaiting_spent, total.expected) == (
        D("150"), D("100"), D("80"), D("70"), 2)


def test_the_return_page_counts_this_quarter_and_the_earlier_quarters_sent_never_drafts():
    """The return page once added another quarter's unsubmitted draft to "actual to date"."""
    earlier = [SpendQuarter(D("1000"), Status.APPROVED, D("1000")), SpendQuarter(D("1000"), Status.DRAFT, D("9000")),
               SpendQuarter(D("1000"), Status.RETURNED, D("1200"))]
    figure = figures.entry_spend(D("1000"), D("1000"), earlier)
    assert (figure.plan, figure.actual, figure.quarters) == (D("3000"), D("3200"), 3)
    assert figure.over_threshold(D("10")) is False  # 6.7%: the draft's £9,000 would have made it 166.7%


def test_a_return_nobody_has_started_shows_no_variance():
    """Every line of an unstarted return once read −100% "Over threshold"."""
    figure = figures.entry_spend(D("1000"), None, [])
    assert (figure.quarters, figure.over_threshold(D("10"))) == (0, False)


# --- Targets ---------------------------------------------------------------------------------------


def test_a_count_target_is_split_into_whole_units_that_add_up():
    """150 households a year is never 112.5 households to date."""
    targets = figures.quarter_targets(Agg.EVENTS, "count", D("150"), [None] * 4)
    assert targets == [D("38"), D("37"), D("38"), D("37")]
    assert figures.target_to_date(Agg.EVENTS, "count", D("150"), [None] * 4, 3) == D("113")


def test_a_money_target_is_split_into_pennies_so_the_chart_and_the_return_page_agree():
    """£100.01 a year: the chart's quarterly targets and the return page's target to date are the same
    pennies (75.01 at Q3, not 75.00 on one and 75.01 on the other)."""
    targets = figures.quarter_targets(Agg.EVENTS, "money", D("100.01"), [None] * 4)
    assert targets == [D("25.00"), D("25.01"), D("25.00"), D("25.00")]
    assert sum(targets[:3]) == figures.target_to_date(Agg.EVENTS, "money", D("100.01"), [None] * 4, 3) == D("75.01")


def test_the_quarters_set_keep_their_targets_and_the_rest_share_what_is_left():
    assert figures.quarter_targets(Agg.EVENTS, "count", D("100"), [D("40"), None, None, None]) == [
        D("40"), D("20"), D("20"), D("20")]


def test_people_targets_are_for_the_year_so_far():
    assert figures.quarter_targets(Agg.PEOPLE, "count", D("60"), [None, D("35"), None, None]) == [
        D("15"), D("35"), D("45"), D("60")]
    assert figures.target_to_date(Agg.PEOPLE, "count", D("60"), [None] * 4, 2) == D("30")


def test_levels_rates_and_milestones_take_the_quarters_target_or_the_years():
    for aggregation, unit in ((Agg.LEVEL, "percentage"), (Agg.RATE, "percentage"), (Agg.MILESTONE, "yes_no")):
        assert figures.quarter_targets(aggregation, unit, D("1"), [None, D("0"), None, None]) == [
            D("1"), D("0"), D("1"), D("1")]


# --- A measure over a period ----------------------------------------------------------------------


def q(number, counts, value=None, target=None, numerator=None, denominator=None, year=2019):
    return MeasureQuarter(Quarter(year, number), counts, None if value is None else D(value),
                          None if numerator is None else D(numerator), None if denominator is None else D(denominator),
                          None if target is None else D(target))


def test_events_compare_the_approved_quarters_with_their_own_targets():
    """West Yorkshire, 2019-20 Q3: 29 and 34 approved against 30 each, Q3 only submitted. Against the
    three quarters' 90 it read Red; against the approved quarters' 60 it is on target."""
    figure = figures.measure_figure(Agg.EVENTS, [q(1, True, "29", "30"), q(2, True, "34", "30"), q(3, False, None, "30")])
    assert (figure.actual, figure.target, figure.reported, figure.expected) == (D("63"), D("60"), 2, 3)
    assert figures.outcome_rag(Direction.HIGHER, figure.target, figure.actual) == RAG.GREEN


def test_a_lower_is_better_half_year_is_not_set_against_a_full_year():
    """Anti-social driving reports, 440 in two approved quarters, against 400 for those quarters (not the
    year's 800): over a lower-is-better target, so not Green."""
    figure = figures.measure_figure(Agg.EVENTS, [q(1, True, "210", "200"), q(2, True, "230", "200")])
    assert (figure.actual, figure.target) == (D("440"), D("400"))
    assert figures.outcome_rag(Direction.LOWER, figure.target, figure.actual) == RAG.AMBER


def test_people_are_never_added_up_over_quarters():
    """28 + 31 + 33 + 30 young people is not 122 different young people: the provider reports the
    unique people so far in the year, and the latest approved figure stands."""
    figure = figures.measure_figure(Agg.PEOPLE, [q(1, True, "28", "15"), q(2, True, "41", "30"),
                                                 q(3, True, "52", "45"), q(4, False, "60", "60")])
    assert (figure.actual, figure.target, figure.as_of) == (D("52"), D("45"), Quarter(2019, 3))


def test_a_rate_pools_its_numerators_and_denominators():
    """96% voluntary engagement is engaged ÷ offered over the period, not the last quarter's percentage
    nor an average of percentages."""
    figure = figures.measure_figure(Agg.RATE, [q(1, True, "91.7", "90", 22, 24), q(2, True, "92.0", "90", 23, 25),
                                               q(3, True, "98.0", "90", 49, 50)])
    assert (figure.numerator, figure.denominator) == (D("94"), D("99"))
    assert figure.actual == D("94.9")  # 94 of 99
    assert figure.target == D("90.0")


def test_a_milestone_and_a_level_take_the_latest_approved_answer():
    figure = figures.measure_figure(Agg.MILESTONE, [q(1, True, "0", "1"), q(2, True, "1", "1"), q(3, False, "0", "1")])
    assert (figure.actual, figure.target, figure.as_of) == (D("1"), D("1"), Quarter(2019, 2))


def test_nothing_approved_has_no_figure_and_no_rating():
    figure = figures.measure_figure(Agg.EVENTS, [q(1, False, "99", "20")])
    assert (figure.actual, figure.target, figure.reported) == (None, None, 0)
    assert figures.outcome_rag(Direction.HIGHER, figure.target, figure.actual) == ""


# --- Off target and RAG ----------------------------------------------------------------------------


def test_a_context_measure_is_never_off_target_nor_rated():
    """Reports of a crime can rise because more victims come forward."""
    assert figures.is_off_target(Direction.NONE, D("100"), D("500")) is False
    assert figures.outcome_rag(Direction.NONE, D("100"), D("500")) == ""
    assert figures.shortfall(Direction.NONE, D("100"), D("500")) == 0


@pytest.mark.parametrize("status, officer, provider, expected", [
    (Status.APPROVED, "red", "green", ("red", "officer")),
    (Status.APPROVED, "", "amber", ("amber", "provider")),
    (Status.SUBMITTED, "red", "green", ("green", "provider")),
    (Status.RETURNED, "", "amber", ("amber", "provider")),
    (Status.DRAFT, "", "red", (figures.NOT_RATED, "")),
    (Status.APPROVED, "", "", (figures.NOT_RATED, "")),
])
def test_a_returns_rag_is_the_officers_once_approved_and_the_providers_once_sent(status, officer, provider, expected):
    assert figures.return_rag(status, officer, provider) == expected


# --- Across projects ------------------------------------------------------------------------------


def test_rates_pool_across_projects_rather_than_counting_projects_on_target():
    a = MeasureFigure(Agg.RATE, actual=D("96.0"), target=D("90"), numerator=D("48"), denominator=D("50"))
    b = MeasureFigure(Agg.RATE, actual=D("80.0"), target=D("85"), numerator=D("8"), denominator=D("10"))
    combined = figures.combine(Agg.RATE, "percentage", Direction.HIGHER, [a, b])
    assert (combined.numerator, combined.denominator, combined.actual) == (D("56"), D("60"), D("93.3"))
    assert combined.target == D("89.2")  # (90 × 50 + 85 × 10) ÷ 60
    assert (combined.compared, combined.on_target, combined.rag) == (2, 1, RAG.GREEN)


def test_percentage_levels_count_projects_on_target():
    a = MeasureFigure(Agg.LEVEL, actual=D("92"), target=D("90"))
    b = MeasureFigure(Agg.LEVEL, actual=D("70"), target=D("90"))
    combined = figures.combine(Agg.LEVEL, "percentage", Direction.HIGHER, [a, b, MeasureFigure(Agg.LEVEL)])
    assert (combined.adds_up, combined.actual, combined.projects, combined.compared, combined.on_target) == (
        False, None, 3, 2, 1)
    assert combined.rag == RAG.RED  # 1 of 2 on target


def test_a_context_measure_combined_is_not_rated():
    combined = figures.combine(Agg.EVENTS, "count", Direction.NONE, [MeasureFigure(Agg.EVENTS, D("120"), D("100"))])
    assert (combined.actual, combined.rag, combined.on_target) == (D("120"), "", 0)


# --- Money of programmes and allocations ------------------------------------------------------------


def test_left_to_allocate_is_the_budget_and_allowance_less_what_is_committed():
    assert figures.left_to_allocate(D("2400000"), D("10"), D("225000")) == D("2415000.00")


@pytest.mark.parametrize("status, left", [
    ("draft", None), ("approved", D("100")), ("agreement_signed", D("100")), ("active", D("100")), ("closed", None),
    ("withdrawn", None),
])
def test_left_to_pay_is_blank_once_nothing_more_will_be_paid(status, left):
    assert figures.left_to_pay(status, D("300"), D("200")) == left


def test_money_paid_and_spent_nets_what_came_back():
    assert figures.net_paid(D("900000"), D("1200")) == D("898800")
    assert figures.eligible_spend(D("224400"), D("1200")) == D("223200")


# --- Periods ----------------------------------------------------------------------------------------


def test_the_current_quarter_is_the_latest_that_has_ended():
    assert figures.latest_ended_quarter(date(2026, 11, 21)) == Quarter(2026, 2)


def test_a_return_is_owed_until_sent_and_overdue_after_its_due_date():
    assert [figures.is_owed(s) for s in (None, NOT_STARTED, Status.DRAFT, Status.RETURNED, Status.SUBMITTED,
                                         Status.APPROVED)] == [True, True, True, True, False, False]
    assert figures.is_overdue(Status.DRAFT, date(2024, 1, 30), date(2024, 1, 31)) is True
    assert figures.is_overdue(Status.DRAFT, date(2024, 1, 31), date(2024, 1, 31)) is False


# --- The underspend -------------------------------------------------------------------------------


@pytest.mark.parametrize("status, today, known", [
    ("agreement_signed", date(2024, 4, 2), False),  # just signed: nothing spent is no underspend
    ("active", date(2025, 3, 31), False),  # the last day is still for spending
    ("active", date(2025, 4, 1), True),
    ("closed", date(2024, 9, 1), True),  # closed early: what was not spent will not be
])
def test_the_underspend_is_known_once_the_allocation_has_ended_or_closed(status, today, known):
    assert figures.underspend_known(status, date(2025, 3, 31), today) is known
    expected = D("120000.00") - D("30000.50") if known else None
    assert figures.final_underspend(D("120000.00"), D("30000.50"), known) == expected
