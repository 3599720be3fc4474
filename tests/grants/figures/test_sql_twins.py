"""
Each rule that also runs in the database agrees with its Python twin on the same rows: the RAG a
return counts as, what is left to pay, a return's variance, a project running in a quarter, a set of
quarters, and the named QuerySets that say whose spend counts and which allocations are live.
"""

from datetime import date
from decimal import Decimal
from itertools import product

import pytest

from grants import figures, selectors
from grants.choices import ALLOCATION_COMMITTED, ALLOCATION_LIVE, ALLOCATION_SIGNED, RETURN_AWAITING, RETURN_REPORTED
from grants.models import Allocation, Project, QuarterlyReturn, SpendLine
from grants.periods import Quarter
from tests import factories as f

pytestmark = pytest.mark.django_db
Status = QuarterlyReturn.Status
RATINGS = ["", "red", "amber", "green"]


@pytest.fixture
def every_return(actors):
    """A return in every status with every pair of ratings, one project each."""
    rows = []
    for n, (status, officer, provider) in enumerate(product(Status.values, RATINGS, RATINGS)):
        project = f.ProjectFactory(allocation=actors.allocation_a, reference=f"R-{n}")
        rows.append(f.QuarterlyReturnFactory(project=project, status=status, officer_rag=officer, self_rag=provider))
    return rows


def test_the_rag_a_return_counts_as_is_the_same_in_sql(every_return):
    in_sql = dict(QuarterlyReturn.objects.annotate(rag=figures.return_rag_sql()).values_list("pk", "rag"))
    for ret in every_return:
        rag, _ = figures.return_rag(ret.status, ret.officer_rag, ret.self_rag)
        assert (in_sql[ret.pk] or figures.NOT_RATED) == rag, (ret.status, ret.officer_rag, ret.self_rag)


@pytest.mark.parametrize("rags", [["red"], ["red", "amber"], ["green"]])
def test_the_rag_condition_selects_the_same_returns(every_return, rags):
    selected = set(QuarterlyReturn.objects.filter(figures.return_rag_in_sql(rags)).values_list("pk", flat=True))
    expected = {r.pk for r in every_return if figures.return_rag(r.status, r.officer_rag, r.self_rag)[0] in rags}
    assert selected == expected


def test_left_to_pay_is_the_same_in_sql(actors):
    """Through the selector the home pages use, with a payment released on each allocation."""
    for status in Allocation.Status.values:
        allocation = f.AllocationFactory(
            programme=actors.programme, status=status, title=status, amount=Decimal("1000.01"),
            withdrawn_reason="Replaced." if status == "withdrawn" else "",
            decision_reference="" if status in ("draft", "withdrawn") else "DEC-1",
            decision_date=None if status in ("draft", "withdrawn") else date(2023, 3, 1))
        f.PaymentFactory(allocation=allocation, amount=Decimal("0.02"), status="released", reference="P",
                         paid_on=date(2023, 4, 2))
    for row in selectors.allocations_for_user(actors.finance).filter(title__in=Allocation.Status.values):
        assert row.left_to_pay == figures.left_to_pay(row.status, row.amount, row.released), row.status
        assert row.released == Decimal("0.02")


def test_the_variance_of_a_list_row_is_the_same_in_sql(actors):
    for n, (spend, profile) in enumerate([("10.01", "10.00"), ("0", "2500.50"), ("99999.99", "0")]):
        project = f.ProjectFactory(allocation=actors.allocation_a, reference=f"V-{n}")
        f.QuarterlyReturnFactory(project=project, progress=f"{spend}|{profile}")
    rows = QuarterlyReturn.objects.filter(project__reference__startswith="V-").values_list("progress", flat=True)
    from django.db.models import DecimalField, Value

    for text in rows:
        spend, profile = (Decimal(part) for part in text.split("|"))
        in_sql = (QuarterlyReturn.objects.filter(progress=text)
                  .annotate(spend=Value(spend, DecimalField(14, 2)), profile=Value(profile, DecimalField(14, 2)))
                  .annotate(variance=figures.variance_sql("spend", "profile")).values_list("variance", flat=True).get())
        assert Decimal(in_sql).quantize(figures.PENNY) == figures.variance(spend, profile)


def test_running_in_a_quarter_is_the_same_in_sql(actors):
    spans = [(date(2023, 4, 1), date(2024, 3, 31)), (date(2023, 9, 30), date(2023, 10, 1)),
             (date(2023, 10, 1), date(2023, 12, 31)), (date(2024, 1, 1), date(2024, 3, 31)),
             (date(2023, 6, 30), date(2023, 6, 30))]
    for n, (start, end) in enumerate(spans):
        f.ProjectFactory(allocation=actors.allocation_a, reference=f"D-{n}", start_date=start, end_date=end)
    projects = list(Project.objects.filter(reference__startswith="D-"))
    for quarter in Quarter(2023, 1).year.quarters():
        in_sql = set(Project.objects.filter(reference__startswith="D-").running_in(quarter)
                     .values_list("pk", flat=True))
        assert in_sql == {p.pk for p in projects if figures.runs_in(p.start_date, p.end_date, quarter)}, quarter


def test_a_set_of_quarters_is_the_same_in_sql(actors):
    for year, number in product((2022, 2023, 2024), (1, 2, 3, 4)):
        f.QuarterlyReturnFactory(project=actors.project_a, financial_year=year, quarter=number)
    window = Quarter(2023, 2).last_twelve_months()
    found = set(QuarterlyReturn.objects.filter(figures.quarters_sql(window)).values_list("financial_year", "quarter"))
    assert found == {(q.financial_year, q.number) for q in window}


def test_whose_spend_counts_has_one_named_rule_each(actors):
    """Entered (any status), reported (sent at least once), approved, verified (approved and verified)."""
    line = f.BudgetLineFactory(project=actors.project_a)
    spend = {}
    for n, (status, spend_status) in enumerate(product(Status.values, QuarterlyReturn.SpendStatus.values)):
        ret = f.QuarterlyReturnFactory(project=actors.project_a, financial_year=2000 + n, status=status,
                                       spend_status=spend_status)
        spend[f.SpendLineFactory(quarterly_return=ret, budget_line=line).pk] = (status, spend_status)
    f.SpendLineFactory(quarterly_return=f.QuarterlyReturnFactory(project=actors.project_a, financial_year=1999),
                       budget_line=line, actual=None)
    rules = {
        "entered": lambda s, v: True,
        "reported": lambda s, v: s in RETURN_REPORTED,
        "approved": lambda s, v: s == Status.APPROVED,
        "verified": lambda s, v: s == Status.APPROVED and v == "verified",
    }
    for name, rule in rules.items():
        found = set(getattr(SpendLine.objects, name)().values_list("pk", flat=True))
        assert found == {pk for pk, (s, v) in spend.items() if rule(s, v)}, name
    assert set(QuarterlyReturn.objects.awaiting().values_list("status", flat=True)) == set(RETURN_AWAITING)


def test_which_allocations_count_has_one_named_rule_each(actors):
    for status in Allocation.Status.values:
        f.AllocationFactory(programme=actors.programme, status=status, withdrawn_reason="x" if status == "withdrawn" else "",
                            decision_reference="" if status in ("draft", "withdrawn") else "DEC-1",
                            decision_date=None if status in ("draft", "withdrawn") else date(2023, 3, 1))
    for name, statuses in (("committed", ALLOCATION_COMMITTED), ("live", ALLOCATION_LIVE), ("signed", ALLOCATION_SIGNED)):
        assert set(getattr(Allocation.objects, name)().values_list("status", flat=True)) == set(statuses), name
