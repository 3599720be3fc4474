"""
Capital and revenue: every budget line is one or the other (the Capital category is capital, every
other category revenue), totalled apart on the project page, in the commissioner's workbook, in the
performance report and its workbook and on the finance page, each the same figure; moving money
between them is a virement the commissioner approves explicitly, and a programme may forbid it.
"""

import io
from decimal import Decimal

import openpyxl
import pytest
from django.db.models import Q as Q_
from django.db.models import Sum

from grants import figures
from grants.models import BudgetLine, SpendLine, Virement
from grants.periods import Quarter
from grants.services import Invalid
from grants.services import virements as s
from reporting import quarters as reader
from reporting.reports import performance_report
from reporting.reports.subjects import Window, programme_subject
from reporting.spreadsheets.reports import performance_workbook
from tests.grants.commissioning.helpers import Q, client_for, line, table_rows, verified_return
from tests.reporting.workbook_fixtures import export

Category = BudgetLine.Category
ZERO = Decimal("0.00")


@pytest.fixture
def lines(officers):
    w = officers
    w.fittings = line(w.project_a, "Security fittings", "20000.00", ["8000.00", "4000.00", "4000.00", "4000.00"],
                      category=Category.CAPITAL)
    w.staff = line(w.project_a, "Caseworker", "24000.00", ["6000.00", "6000.00", "6000.00", "6000.00"])
    w.venue = line(w.project_a, "Venue hire", "4000.00", ["1000.00", "1000.00", "1000.00", "1000.00"],
                   category=Category.NON_STAFF)
    return w


def ask(w, from_line, to_line, amount="3000.00", quarter=3):
    return s.virement_request(actor=w.user_a, from_line=from_line, to_line=to_line, amount=Decimal(amount),
                              quarter=quarter, reason="Fewer fittings needed; more casework.")


# --- The rule -------------------------------------------------------------------------------------


@pytest.mark.parametrize("category, kind", [
    (Category.CAPITAL, "capital"), (Category.STAFF, "revenue"), (Category.NON_STAFF, "revenue"),
    (Category.MANAGEMENT, "revenue"), (Category.OTHER, "revenue"),
])
def test_each_category_is_capital_or_revenue(category, kind):
    assert figures.spend_kind(category) == kind


def test_only_a_move_between_kinds_crosses():
    assert figures.crosses_capital_revenue(Category.CAPITAL, Category.STAFF)
    assert figures.crosses_capital_revenue(Category.OTHER, Category.CAPITAL)
    assert not figures.crosses_capital_revenue(Category.STAFF, Category.NON_STAFF)
    assert not figures.crosses_capital_revenue(Category.CAPITAL, Category.CAPITAL)


def test_the_database_twin_sorts_every_line_as_the_rule_does(lines):
    line(lines.project_a, "Other costs", "100.00", ["25.00"] * 4, category=Category.OTHER)
    in_database = dict(BudgetLine.objects.annotate(kind=figures.spend_kind_sql()).values_list("category", "kind"))
    assert in_database == {category: figures.spend_kind(category) for category in in_database}
    assert set(in_database.values()) == {"capital", "revenue"}


def test_capital_and_revenue_add_up_budget_profile_and_spend_apart():
    capital, revenue = figures.capital_and_revenue([
        (Category.CAPITAL, Decimal("100.00"), [Decimal("40.00"), Decimal("60.00"), ZERO, ZERO], Decimal("39.99"), None),
        (Category.STAFF, Decimal("80.00"), [Decimal("20.00")] * 4, Decimal("20.01"), Decimal("19.00")),
        (Category.OTHER, Decimal("8.00"), [Decimal("2.00")] * 4, None, Decimal("1.50")),
    ])
    assert (capital.label, capital.budget, capital.profile, capital.spent, capital.awaiting) == (
        "Capital", Decimal("100.00"), [Decimal("40.00"), Decimal("60.00"), ZERO, ZERO], Decimal("39.99"), ZERO)
    assert (revenue.label, revenue.budget, revenue.profile, revenue.spent, revenue.awaiting) == (
        "Revenue", Decimal("88.00"), [Decimal("22.00")] * 4, Decimal("20.01"), Decimal("20.50"))


# --- Virements that cross -------------------------------------------------------------------------


def test_a_virement_across_kinds_needs_the_commissioners_explicit_approval(lines):
    w = lines
    virement = ask(w, w.fittings, w.staff)
    assert virement.crosses_capital_revenue

    with pytest.raises(Invalid) as refused:
        s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version, note="Agreed.")
    assert refused.value.errors == {"confirm_crossing": (
        "This virement moves £3,000.00 from capital to revenue: tick the box to confirm that you approve money "
        "crossing between them.")}
    w.fittings.refresh_from_db()
    assert (w.fittings.amount, Virement.objects.get().status) == (Decimal("20000.00"), Virement.Status.REQUESTED)

    virement = s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version,
                                  crossing_confirmed=True)
    w.fittings.refresh_from_db()
    w.staff.refresh_from_db()
    assert (w.fittings.amount, w.fittings.profile_q3, w.staff.amount, w.staff.profile_q3) == (
        Decimal("17000.00"), Decimal("1000.00"), Decimal("27000.00"), Decimal("9000.00"))
    assert virement.crossed_capital_revenue
    assert virement.history.latest().history_change_reason == "Approved, crossing from capital to revenue"


def test_a_virement_within_revenue_needs_no_confirmation(lines):
    w = lines
    virement = ask(w, w.staff, w.venue, "500.00")
    assert not virement.crosses_capital_revenue
    virement = s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version)
    assert (virement.status, virement.crossed_capital_revenue) == (Virement.Status.APPROVED, False)
    assert virement.history.latest().history_change_reason == "Approved"


def test_a_programme_that_forbids_crossing_refuses_the_request_and_says_why(lines):
    w = lines
    w.programme.forbid_capital_revenue_virements = True
    w.programme.save()
    with pytest.raises(Invalid) as refused:
        ask(w, w.staff, w.fittings)
    assert refused.value.errors == {"to_line": (
        "Community Safety Fund does not allow money to move between capital and revenue: Caseworker is revenue "
        "and Security fittings is capital. Choose a line of the same kind.")}
    assert not Virement.objects.exists()


def test_a_request_made_before_the_programme_forbade_crossing_can_no_longer_be_approved(lines):
    w = lines
    virement = ask(w, w.fittings, w.staff)
    w.programme.forbid_capital_revenue_virements = True
    w.programme.save()
    assert s.check_approve_virement(virement).startswith(
        "This virement can no longer be made: Community Safety Fund does not allow money to move between capital")
    with pytest.raises(Invalid):
        s.virement_approve(actor=w.commissioner, virement=virement, version=virement.version, crossing_confirmed=True)
    w.fittings.refresh_from_db()
    assert w.fittings.amount == Decimal("20000.00")


def test_the_virement_page_warns_and_asks_for_the_confirmation(lines):
    w = lines
    virement = ask(w, w.fittings, w.staff)
    commissioner = client_for(w.commissioner)
    page = commissioner.get(f"/virements/{virement.pk}/").content.decode()
    assert 'data-testid="crossing-warning"' in page and "moves £3,000.00 from capital to revenue" in page
    assert 'name="confirm_crossing"' in page

    response = commissioner.post(f"/virements/{virement.pk}/decide/", {
        "version": virement.version, "action": "approve", "note": ""})
    assert response.status_code == 400
    assert "tick the box to confirm" in response.content.decode()
    response = commissioner.post(f"/virements/{virement.pk}/decide/", {
        "version": virement.version, "action": "approve", "note": "", "confirm_crossing": "on"})
    assert response.status_code == 302
    assert Virement.objects.get().crossed_capital_revenue

    # The provider sees that it crossed, and the list marks it.
    provider_page = client_for(w.user_a).get(f"/virements/{virement.pk}/").content.decode()
    assert "moved money between capital and revenue" in provider_page and 'name="confirm_crossing"' not in provider_page
    assert 'data-testid="crosses-capital-revenue"' in client_for(w.user_a).get("/virements/").content.decode()


def test_another_provider_cannot_open_the_virement(lines):
    w = lines
    virement = ask(w, w.fittings, w.staff)
    assert client_for(w.user_b).get(f"/virements/{virement.pk}/").status_code == 404


# --- The same totals everywhere -------------------------------------------------------------------


@pytest.fixture
def spent(lines):
    """Q1 and Q2 approved with verified spend; Q3 submitted, awaiting approval."""
    w = lines
    verified_return(w, w.project_a, Q(1), {w.fittings: "7500.25", w.staff: "6000.00", w.venue: "900.00"})
    verified_return(w, w.project_a, Q(2), {w.fittings: "4100.00", w.staff: "5800.10", w.venue: "1000.00"})
    verified_return(w, w.project_a, Q(3), {w.fittings: "3000.00", w.staff: "6000.00", w.venue: "1000.00"},
                    approve=False, verify=False)
    return w


def approved_on(kind_categories) -> Decimal:
    return SpendLine.objects.approved().filter(budget_line__category__in=kind_categories).aggregate(
        total=Sum("actual"))["total"] or ZERO


CAPITAL_SPENT = Decimal("11600.25")
REVENUE_SPENT = Decimal("13700.10")


def test_the_expected_figures_are_the_databases(spent):
    assert approved_on([Category.CAPITAL]) == CAPITAL_SPENT
    assert approved_on([Category.STAFF, Category.NON_STAFF]) == REVENUE_SPENT


def test_the_project_page_totals_capital_and_revenue_apart(spent):
    w = spent
    rows = table_rows(client_for(w.user_a).get("/projects/A-1/"), "budget-2023")
    by_kind = {row[0]: row for row in rows if row[0] in ("Capital", "Revenue")}
    # Budget, Q1–Q4, spent (approved), awaiting approval.
    assert by_kind["Capital"][1:] == ["£20,000.00", "£8,000.00", "£4,000.00", "£4,000.00", "£4,000.00",
                                      "£11,600.25", "£3,000.00"]
    assert by_kind["Revenue"][1:] == ["£28,000.00", "£7,000.00", "£7,000.00", "£7,000.00", "£7,000.00",
                                      "£13,700.10", "£7,000.00"]


def test_the_reader_splits_each_projects_spend_into_two_parts_that_add_up(spent):
    w = spent
    only_a = Q_(reference="A-1")
    [data] = reader.read(w.commissioner, Quarter(2023, 4).year_to_date(), only_a, lines=False)
    capital, revenue = data.spend_of(figures.CAPITAL), data.spend_of(figures.REVENUE)
    assert (capital.spent, revenue.spent) == (CAPITAL_SPENT, REVENUE_SPENT)
    assert (capital.awaiting_spent, revenue.awaiting_spent) == (Decimal("3000.00"), Decimal("7000.00"))
    both, whole = capital + revenue, data.spend()
    for money in ("plan", "plan_compared", "spent", "awaiting_plan", "awaiting_spent"):
        assert getattr(both, money) == getattr(whole, money), money
    assert (capital.approved, capital.awaiting, capital.expected) == (whole.approved, whole.awaiting, whole.expected)
    # Read with the lines (the workbook's way), the same.
    [with_lines] = reader.read(w.commissioner, Quarter(2023, 4).year_to_date(), only_a, lines=True)
    assert with_lines.spend_of(figures.CAPITAL) == capital and with_lines.spend_of(figures.REVENUE) == revenue


def test_the_commissioners_workbook_the_report_and_its_workbook_agree(spent):
    w = spent
    totals = export(w.commissioner, quarter=Quarter(2023, 4)).totals("Spend")
    assert Decimal(str(totals["Capital"]["Actual to date (approved)"])) == CAPITAL_SPENT
    assert Decimal(str(totals["Revenue"]["Actual to date (approved)"])) == REVENUE_SPENT

    report = performance_report(w.commissioner, programme_subject(w.commissioner, w.programme.code),
                                Window(Quarter(2023, 4)))
    kinds = {k.label: k for k in report.by_kind}
    assert (kinds["Capital"].spent, kinds["Revenue"].spent) == (CAPITAL_SPENT, REVENUE_SPENT)
    assert kinds["Capital"].plan_compared == Decimal("12000.00")  # the profile of the approved quarters

    buffer = io.BytesIO()
    performance_workbook(buffer, report)
    sheet = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=True)["Capital and revenue"]
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]}
    assert Decimal(str(rows["Capital"][3])) == CAPITAL_SPENT and Decimal(str(rows["Revenue"][3])) == REVENUE_SPENT
    assert Decimal(str(rows["Total"][3])) == CAPITAL_SPENT + REVENUE_SPENT


def test_the_finance_page_shows_the_years_verified_spend_capital_and_revenue_apart(spent):
    w = spent
    rows = table_rows(client_for(w.finance).get("/finance/?year=2023-24"), "verified-by-kind")
    assert [row[1:] for row in rows if row[0].startswith("Community Safety Fund")] == [
        ["£11,600.25", "£13,700.10", "£25,300.35"]]
