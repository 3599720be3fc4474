"""
The year end's rules, one by one, on the scenario of world.py read after 2023-24 ended: an accrual
(verified, not paid), a prepayment (paid ahead, not verified), spend awaiting verification kept apart,
an allocation over two years (its 2023-24 part and its 2024-25 commitment), allocations approved to
start next year, drafts, withdrawn and another funder's allocations left out, part-paid quarters and
clawbacks, and the totals to the penny.
"""

from datetime import date
from decimal import Decimal

import pytest

from grants.figures.year_end import accrual, amounts_by_year, clawback_year, prepayment, year_just_ended
from grants.models import Clawback
from grants.periods import FinancialYear
from grants.selectors import finance_page
from grants.selectors.year_end import FIGURES, year_end
from grants.services.years import allocation_amounts, committed_by_year
from tests import worlds
from tests.grants.year_end.world import EXPECTED, YEAR_ENDED, a_year_end

D = Decimal
Y = FinancialYear(2023)

scenario = worlds.built_once(lambda: a_year_end(worlds.two_providers_one_programme()))


@pytest.fixture
def w(scenario, db):
    return worlds.fresh(scenario)


def figures_of(row) -> tuple:
    return tuple(getattr(row, name) for name in FIGURES)


def by_title(result) -> dict:
    return {row.allocation.title: row for row in result.all_rows}


# --- The pure rules -------------------------------------------------------------------------------


def test_an_accrual_is_verified_spend_not_yet_paid_and_never_below_nothing():
    assert accrual(D("20000.50"), D("10500.00")) == D("9500.50")
    assert accrual(D("10000.00"), D("45000.00")) == D("0.00")
    assert accrual(D("0.01"), D("0.00")) == D("0.01")


def test_a_prepayment_is_what_is_paid_beyond_verified_spend_and_never_below_nothing():
    assert prepayment(D("10000.00"), D("45000.00")) == D("35000.00")
    assert prepayment(D("20000.50"), D("10500.00")) == D("0.00")


def test_an_allocation_of_one_year_has_its_whole_amount_in_the_year_it_starts():
    assert amounts_by_year(date(2023, 10, 1), D("500.00"), []) == {2023: D("500.00")}
    assert amounts_by_year(date(2024, 3, 31), D("500.00"), []) == {2023: D("500.00")}
    assert amounts_by_year(date(2023, 10, 1), D("90000.00"), [(2024, D("60000.00")), (2023, D("30000.00"))]) == {
        2023: D("30000.00"), 2024: D("60000.00")}


@pytest.mark.parametrize("today, ended", [
    (date(2024, 3, 30), 2022), (date(2024, 3, 31), 2023), (date(2024, 4, 1), 2023), (date(2025, 3, 30), 2023),
    (date(2024, 12, 31), 2023), (date(2024, 1, 1), 2022),
])
def test_the_year_just_ended_turns_on_31_march(today, ended):
    assert year_just_ended(today) == FinancialYear(ended)


@pytest.mark.parametrize("asked, falls_on", [
    (date(2024, 5, 1), 2023),   # after 2023-24 ended: settles 2023-24
    (date(2023, 11, 1), 2023),  # during the first year: the allocation's first year
    (date(2025, 5, 1), 2024),   # after 2024-25 ended: its last year
    (date(2027, 1, 1), 2024),   # long after it ended: still its last year
])
def test_a_clawback_falls_on_the_year_that_had_ended_when_it_was_asked_for(asked, falls_on):
    assert clawback_year(asked, [2023, 2024]) == falls_on
    assert clawback_year(asked, [2023]) == 2023  # an allocation of one year takes them all


# --- Each allocation's row ------------------------------------------------------------------------


def test_each_allocation_says_what_its_rule_makes_it(w):
    rows = by_title(year_end(w.finance, Y))

    assert {title: figures_of(row) for title, row in rows.items()} == EXPECTED


def test_verified_spend_not_yet_paid_is_an_accrual_and_a_part_paid_quarter_counts_both_parts(w):
    row = by_title(year_end(w.finance, Y))["Allocation to A"]

    assert row.verified == D("20000.50")
    assert row.released == D("10500.00")  # Q1 £9,000.00, Q3 £1,000.00 and its balance £500.00
    assert (row.accrual, row.prepayment) == (D("9500.50"), D("0.00"))


def test_money_paid_ahead_of_verified_spend_is_a_prepayment_less_clawback_received(w):
    row = by_title(year_end(w.finance, Y))["Allocation to B"]

    # Released Q1 and Q2 (£50,000.00); the withheld Q3 and the scheduled Q4 are not paid.
    assert row.released == D("50000.00")
    assert row.clawback_received == D("5000.00")  # the £1,000.00 only asked for is not back yet
    assert (row.paid, row.verified) == (D("45000.00"), D("10000.00"))
    assert (row.accrual, row.prepayment) == (D("0.00"), D("35000.00"))


def test_spend_awaiting_verification_is_kept_apart_from_the_accrual(w):
    row = by_title(year_end(w.finance, Y))["Allocation to A"]

    assert row.awaiting == D("5000.00")
    assert row.accrual == row.verified - row.paid  # the submitted Q3 is in neither


def test_an_allocation_over_two_years_shows_its_part_for_the_year_and_commits_the_next(w):
    rows = by_title(year_end(w.finance, Y))
    two_years = rows["Two years"]

    assert allocation_amounts(w.two_years) == {2023: D("30000.00"), 2024: D("60000.00")}
    assert (two_years.amount, two_years.committed_next) == (D("30000.00"), D("60000.00"))
    # Its 2024-25 spend and payment are the next year's, not this year's.
    assert (two_years.verified, two_years.paid) == (D("0.00"), D("0.00"))
    assert not two_years.starts_next_year

    next_year = by_title(year_end(w.finance, FinancialYear(2024)))["Two years"]
    assert (next_year.amount, next_year.verified, next_year.paid) == (D("60000.00"), D("7000.00"), D("7000.00"))
    assert next_year.committed_next == D("0.00")


def test_an_allocation_approved_to_start_next_year_is_committed_and_listed_apart(w):
    result = year_end(w.finance, Y)

    assert [row.allocation.title for row in result.starting] == ["Starts next year"]
    assert "Starts next year" not in [row.allocation.title for row in result.rows]
    assert result.starting[0].committed_next == D("20000.00")


def test_drafts_and_withdrawn_allocations_are_left_out(w):
    titles = set(by_title(year_end(w.finance, Y)))

    assert "Draft to A" not in titles and "Withdrawn from A" not in titles


def test_another_funders_allocations_are_never_shown(w):
    assert "Elsewhere" not in by_title(year_end(w.finance, Y))

    assert set(by_title(year_end(w.outsider, Y))) == {"Elsewhere"}
    elsewhere = by_title(year_end(w.outsider, Y))["Elsewhere"]
    assert (elsewhere.verified, elsewhere.paid, elsewhere.prepayment) == (D("777.00"), D("888.00"), D("111.00"))


def test_the_funders_commissioner_and_viewer_see_the_same_figures_as_finance(w):
    finance = [figures_of(row) for row in year_end(w.finance, Y).all_rows]

    assert [figures_of(row) for row in year_end(w.commissioner, Y).all_rows] == finance
    assert [figures_of(row) for row in year_end(w.viewer, Y).all_rows] == finance


def test_a_year_before_any_allocation_has_no_rows_and_totals_of_nothing(w):
    result = year_end(w.finance, FinancialYear(2020))

    assert result.all_rows == []
    assert [figure.amount for figure in result.summary()] == [D("0.00")] * 4


def test_the_totals_add_up_every_row_to_the_penny(w):
    result = year_end(w.finance, Y)
    totals = result.totals

    for index, name in enumerate(FIGURES):
        assert getattr(totals, name) == sum((expected[index] for expected in EXPECTED.values()), D("0.00")), name
    assert (totals.accrual, totals.prepayment, totals.awaiting, totals.committed_next) == (
        D("9500.50"), D("35000.00"), D("5000.00"), D("80000.00"))
    # Accruals and prepayments are added up apart, never netted: verified less paid overall would be
    # -£25,499.50, which is neither.
    assert totals.verified - totals.paid == D("-25499.50")
    assert [figure.amount for figure in result.summary()] == [
        totals.accrual, totals.prepayment, totals.awaiting, totals.committed_next]


def test_committed_for_next_year_is_what_the_programme_has_committed_in_that_year(w):
    """The same figure as the programme's year totals (grants.services.years.committed_by_year)."""
    assert year_end(w.finance, Y).totals.committed_next == committed_by_year(w.programme.pk)[2024]


def test_verified_spend_before_ineligible_spend_is_the_finance_pages_verified_spend_for_the_year(w):
    page = finance_page(w.finance, YEAR_ENDED, Y)
    rows = year_end(w.finance, Y).all_rows

    left_out = D("4321.00") * 2  # the draft's and the withdrawn allocation's, which the finance page counts
    assert sum((row.verified_on_returns for row in rows), D("0.00")) == sum(
        (programme.total for programme in page.verified_by_kind), D("0.00")) - left_out


# --- Clawbacks ------------------------------------------------------------------------------------


def test_spend_found_ineligible_and_asked_back_is_no_longer_verified(w):
    Clawback.objects.create(allocation=w.allocation_a, kind=Clawback.Kind.INELIGIBLE, amount=D("500.25"),
                            reason="Spent outside the agreement.", requested_on=date(2024, 4, 20),
                            recorded_by=w.finance)
    row = by_title(year_end(w.finance, Y))["Allocation to A"]

    assert (row.verified_on_returns, row.ineligible, row.verified) == (D("20000.50"), D("500.25"), D("19500.25"))
    assert row.accrual == D("9000.25")


def test_a_waived_clawback_changes_nothing(w):
    Clawback.objects.create(allocation=w.allocation_a, kind=Clawback.Kind.INELIGIBLE, amount=D("500.00"),
                            reason="Spent outside the agreement.", status=Clawback.Status.WAIVED,
                            requested_on=date(2024, 4, 20), waived_on=date(2024, 4, 21),
                            waived_reason="Agreed after all.", recorded_by=w.finance)
    assert figures_of(by_title(year_end(w.finance, Y))["Allocation to A"]) == EXPECTED["Allocation to A"]


def test_a_clawback_asked_for_after_the_first_of_two_years_falls_on_that_year(w):
    Clawback.objects.create(allocation=w.two_years, amount=D("300.00"), reason="Underspend.",
                            status=Clawback.Status.RECEIVED, requested_on=date(2025, 4, 2),
                            received_on=date(2025, 4, 3), recorded_by=w.finance)

    assert by_title(year_end(w.finance, Y))["Two years"].clawback_received == D("0.00")
    assert by_title(year_end(w.finance, FinancialYear(2024)))["Two years"].clawback_received == D("300.00")
