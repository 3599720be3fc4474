"""
Properties the figure rules keep whatever the figures: a variance and its percentage agree, a split
target adds up to the year to the penny (or the whole unit) with no part further than one step from
even, targets to date never fall, a pooled rate lies between its quarters' rates, and money rounds
to the penny half up.
"""

from decimal import ROUND_HALF_UP, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from grants import figures
from grants.choices import MeasureAggregation as Agg
from grants.choices import ReturnStatus as Status
from grants.figures import PENNY, SpendQuarter

settings.register_profile("figures", deadline=None, max_examples=300)
settings.load_profile("figures")

pounds = st.decimals(min_value=Decimal("0"), max_value=Decimal("9999999999.99"), places=2)
positive_pounds = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999.99"), places=2)
counts = st.integers(min_value=0, max_value=10_000_000).map(Decimal)
statuses = st.sampled_from([Status.DRAFT, Status.SUBMITTED, Status.RETURNED, Status.APPROVED, figures.NOT_STARTED])


@given(actual=pounds, plan=positive_pounds)
def test_the_variance_percentage_is_the_variance_over_the_plan(actual, plan):
    percent = figures.variance_percent(actual, plan)
    assert figures.variance(actual, plan) == actual - plan
    assert abs(percent * plan / 100 - (actual - plan)) < Decimal("1e-12")
    assert (percent > 0) == (actual > plan) and (percent == 0) == (actual == plan)


@given(actual=pounds, plan=pounds, threshold=st.decimals(min_value=0, max_value=100, places=2))
def test_over_threshold_is_the_unrounded_percentage_against_the_threshold(actual, plan, threshold):
    expected = actual != 0 if plan == 0 else abs((actual - plan) / plan * 100) > threshold
    assert figures.over_threshold(actual, plan, threshold) == expected


@given(amount=pounds, parts=st.integers(min_value=1, max_value=12))
def test_money_splits_into_pennies_that_add_up_exactly(amount, parts):
    shares = figures.split(amount, parts, PENNY)
    assert sum(shares) == amount
    assert all(share == share.quantize(PENNY) for share in shares)
    assert max(shares) - min(shares) <= PENNY


@given(annual=counts)
def test_a_count_target_splits_into_whole_quarters_that_add_up_to_the_year(annual):
    targets = figures.quarter_targets(Agg.EVENTS, "count", annual, [None] * 4)
    assert sum(targets) == annual
    assert all(t == t.to_integral_value() and t >= 0 for t in targets)
    assert max(targets) - min(targets) <= 1
    to_date = [figures.target_to_date(Agg.EVENTS, "count", annual, [None] * 4, n) for n in (1, 2, 3, 4)]
    assert to_date == sorted(to_date) and to_date[-1] == annual
    assert all(t == t.to_integral_value() for t in to_date)


@given(annual=counts, explicit=st.lists(st.one_of(st.none(), counts), min_size=4, max_size=4))
def test_quarters_set_keep_their_targets_and_the_others_never_go_below_zero(annual, explicit):
    targets = figures.quarter_targets(Agg.EVENTS, "count", annual, explicit)
    assert [t for t, e in zip(targets, explicit) if e is not None] == [e for e in explicit if e is not None]
    assert all(t >= 0 for t in targets)
    if any(e is None for e in explicit) and sum(e for e in explicit if e is not None) <= annual:
        assert sum(targets) == annual


@given(annual=counts)
def test_people_targets_to_date_grow_to_the_years_target_in_whole_people(annual):
    to_date = [figures.target_to_date(Agg.PEOPLE, "count", annual, [None] * 4, n) for n in (1, 2, 3, 4)]
    assert to_date == sorted(to_date) and to_date[-1] == annual
    assert all(t == t.to_integral_value() for t in to_date)


parts = st.tuples(st.integers(min_value=0, max_value=10_000), st.integers(min_value=1, max_value=10_000)).filter(
    lambda p: p[0] <= p[1])


@given(quarters=st.lists(parts, min_size=1, max_size=8))
def test_a_pooled_rate_lies_between_its_quarters_rates_and_is_not_their_average(quarters):
    items = [figures.MeasureQuarter(None, True, figures.rate(n, d), Decimal(n), Decimal(d), Decimal("90"))
             for n, d in quarters]
    figure = figures.measure_figure(Agg.RATE, items)
    exact = Decimal(sum(n for n, _ in quarters)) / Decimal(sum(d for _, d in quarters)) * 100
    assert figure.actual == exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    rates = [Decimal(n) / Decimal(d) * 100 for n, d in quarters]
    assert min(rates) - Decimal("0.05") <= figure.actual <= max(rates) + Decimal("0.05")
    assert figure.target == Decimal("90.0")


@given(value=st.decimals(min_value=Decimal("-1e9"), max_value=Decimal("1e9"), places=6))
def test_pennies_round_half_up_to_two_places(value):
    rounded = figures.pennies(value)
    assert rounded == rounded.quantize(PENNY)
    assert abs(rounded - value) <= Decimal("0.005")
    if abs(value - value.quantize(PENNY, rounding="ROUND_DOWN")) == Decimal("0.005"):
        assert abs(rounded) > abs(value)


@given(quarters=st.lists(st.tuples(pounds, statuses, st.one_of(st.none(), pounds)), max_size=8))
def test_spend_to_date_compares_only_approved_quarters_and_keeps_every_pound_of_the_plan(quarters):
    figure = figures.spend_to_date(SpendQuarter(plan, status, spent) for plan, status, spent in quarters)
    assert figure.plan == sum((plan for plan, _, _ in quarters), Decimal(0))
    approved = [(plan, spent) for plan, status, spent in quarters if status == Status.APPROVED]
    assert figure.plan_compared == sum((plan for plan, _ in approved), Decimal(0))
    assert figure.spent == sum((spent or 0 for _, spent in approved), Decimal(0))
    assert figure.plan_compared + figure.awaiting_plan <= figure.plan
    assert figure.approved + figure.awaiting + figure.not_reported == figure.expected == len(quarters)
