"""
The commissioner's workbook: every sheet's figures equal the database's to the penny,
only approved returns count while every return's status shows, totals are real =SUM()
formulas, year to date follows the measure (sum or latest value), the RAG rule holds,
nobody sees another commissioner's programmes, and the number of queries does not grow
with the number of projects.

Expected figures are worked out here from the database with the ORM, independently of
the workbook's own code, and compared with the cells read back by openpyxl.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Sum
from django.test.utils import CaptureQueriesContext

from grants.figures import outcome_rag
from grants.models import BudgetLine, MeasureValue, OutcomeMeasure, Payment, Project, QuarterlyReturn, SpendLine, User
from grants.periods import Quarter
from reporting import quarters as reader
from reporting.spreadsheets.commissioner_data import UnknownProgramme
from reporting.spreadsheets.writer import MONEY_FORMAT, PERCENT_FORMAT
from tests import factories as f
from tests import worlds
from tests.reporting.workbook_fixtures import FORMULA_NAME, PERIOD, export, penny, two_programmes  # noqa: F401
from tests.spreadsheet_tables import filtered_range

Status = QuarterlyReturn.Status
Direction = OutcomeMeasure.Direction
SHEETS = ["Cover", "Summary", "Spend", "Funding", "Outcomes", "Narrative", "Partnerships", "Payments"]
ZERO = Decimal("0.00")


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
two_programmes_once = worlds.built_once_per_module(
    lambda: worlds.two_programmes_with_returns_in_every_status(worlds.two_providers_one_programme()))


@pytest.fixture
def two_programmes(two_programmes_once, db):
    return worlds.fresh(two_programmes_once)


def by_reference(rows):
    return {row["Reference"]: row for row in rows}


def approved_actual(line, up_to=PERIOD.number, only=None):
    spend = SpendLine.objects.filter(
        budget_line=line, quarterly_return__status=Status.APPROVED, quarterly_return__quarter__lte=up_to
    )
    if only is not None:
        spend = spend.filter(quarterly_return__quarter=only)
    return spend.aggregate(total=Sum("actual"))["total"]


# --- The shape ---------------------------------------------------------------------------------


def test_the_workbook_has_the_six_sheets_in_order(two_programmes):
    book = export(two_programmes.commissioner)
    assert book.values.sheetnames == [*SHEETS, "Charts"]


@pytest.mark.parametrize("sheet", SHEETS[1:])
def test_each_data_sheet_has_its_header_frozen_and_filtered(two_programmes, sheet):
    ws = export(two_programmes.commissioner).formulas[sheet]
    assert ws.freeze_panes == "A2"
    rows = len(export(two_programmes.commissioner).rows(sheet))
    last_column = ws.cell(1, ws.max_column).column_letter
    assert filtered_range(ws) == f"A1:{last_column}{rows + 1}"
    assert all(ws.column_dimensions[ws.cell(1, c).column_letter].width >= 8 for c in range(1, ws.max_column + 1))


def test_money_has_a_pound_format_and_percentages_a_percent_format(two_programmes):
    ws = export(two_programmes.commissioner).formulas["Summary"]
    headings = [c.value for c in ws[1]]
    row = [c for c in ws[2]]
    for heading in ("Annual budget", "Profiled spend to date", "Profile of approved quarters",
                    "Actual spend to date (approved)", "Variance £", "Awaiting approval: spend reported"):
        assert row[headings.index(heading)].number_format == MONEY_FORMAT
    assert row[headings.index("Variance %")].number_format == PERCENT_FORMAT


# --- Summary --------------------------------------------------------------------------------------


def test_summary_lists_each_reported_project_once_by_programme(two_programmes):
    rows = export(two_programmes.commissioner).rows("Summary")
    assert [(r["Programme"], r["Reference"]) for r in rows] == [
        ("Community Safety Fund", "A-1"), ("Community Safety Fund", "B-1"), ("Serious Violence Duty", "C-1"),
    ]
    a = rows[0]
    assert (a["Recipient"], a["Provider"], a["Project"], a["Allocation"]) == (
        "Provider A", "Provider A", "Project of A", "Allocation to A"
    )


def approved_quarters(project, up_to=PERIOD.number):
    return set(QuarterlyReturn.objects.filter(project=project, financial_year=2023, quarter__lte=up_to,
                                              status=Status.APPROVED).values_list("quarter", flat=True))


def test_summary_figures_equal_the_database_to_the_penny(two_programmes):
    rows = by_reference(export(two_programmes.commissioner).rows("Summary"))
    for project in (two_programmes.project_a, two_programmes.project_b, two_programmes.project_c):
        lines = BudgetLine.objects.filter(project=project, financial_year=2023)
        annual = lines.aggregate(total=Sum("amount"))["total"]
        profiled = lines.aggregate(total=Sum("profile_q1") + Sum("profile_q2"))["total"]
        approved = approved_quarters(project)
        compared = sum((ln.profile_for(q) for ln in lines for q in approved), ZERO)
        actual = sum((approved_actual(ln) or ZERO for ln in lines), ZERO)
        row = rows[project.reference]
        assert penny(row["Annual budget"]) == annual
        assert penny(row["Profiled spend to date"]) == profiled
        assert penny(row["Profile of approved quarters"]) == compared
        assert penny(row["Actual spend to date (approved)"]) == actual
        assert penny(row["Variance £"]) == actual - compared
        assert row["Quarters approved"] == len(approved)
        if compared:
            assert row["Variance %"] == pytest.approx(float((actual - compared) / compared))
        else:
            assert row["Variance %"] is None


def test_summary_counts_approved_quarters_to_date_only(two_programmes):
    a = by_reference(export(two_programmes.commissioner).rows("Summary"))["A-1"]
    # Q1 and Q2 approved; Q3 is approved too but after the period.
    assert penny(a["Actual spend to date (approved)"]) == (
        Decimal("10000.25") + Decimal("900.50") + Decimal("9500.10") + Decimal("1100.00"))
    assert penny(a["Profiled spend to date"]) == penny(a["Profile of approved quarters"]) == Decimal("22000.50")


def test_unapproved_returns_show_their_status_and_no_figures(two_programmes):
    rows = by_reference(export(two_programmes.commissioner).rows("Summary"))
    b, c = rows["B-1"], rows["C-1"]
    # B's Q2 was returned with £6,000 of spend and an officer's red: neither counts, and its profile is not
    # compared with nothing: the £6,000 awaits approval, apart.
    assert penny(b["Actual spend to date (approved)"]) == Decimal("3000.01")
    assert penny(b["Profile of approved quarters"]) == Decimal("3000.01")
    assert penny(b["Variance £"]) == ZERO and b["Variance %"] == 0
    assert penny(b["Awaiting approval: spend reported"]) == Decimal("6000.00")
    assert (b["Return status"], b["Officer RAG"], b["Spend verified"]) == ("Returned for amendment", None, "Not checked")
    assert (b["Q1 return"], b["Q2 return"], b["Q3 return"], b["Q4 return"]) == ("Approved", "Returned for amendment", None, None)
    # C's Q1 draft has £1,234.56 saved; its Q2 is not started: nothing to compare, no −100%.
    assert penny(c["Actual spend to date (approved)"]) == ZERO
    assert (penny(c["Variance £"]), c["Variance %"], penny(c["Awaiting approval: spend reported"])) == (ZERO, None, ZERO)
    assert (c["Return status"], c["Officer RAG"], c["Spend verified"]) == ("Not started", None, None)
    assert (c["Q1 return"], c["Q2 return"]) == ("Draft", "Not started")


def test_an_approved_return_shows_the_officers_rag_and_spend_verification(two_programmes):
    a = by_reference(export(two_programmes.commissioner).rows("Summary"))["A-1"]
    assert (a["Return status"], a["Officer RAG"], a["Spend verified"]) == ("Approved", "Amber", "Verified")
    assert (a["Q1 return"], a["Q2 return"], a["Q3 return"], a["Q4 return"]) == ("Approved", "Approved", None, None)


def test_summary_priorities_are_listed(two_programmes):
    w = two_programmes
    w.project_a.priorities.set([f.PriorityFactory(commissioner=w.commissioner_org, name="Hate crime"),
                                f.PriorityFactory(commissioner=w.commissioner_org, name="Anti-social behaviour")])
    rows = by_reference(export(w.commissioner).rows("Summary"))
    assert rows["A-1"]["Priorities"] == "Anti-social behaviour; Hate crime"
    assert rows["B-1"]["Priorities"] is None


def test_summary_totals_are_sum_formulas_per_programme_and_overall(two_programmes):
    book = export(two_programmes.commissioner)
    formulas = book.totals("Summary", formulas=True)
    values = book.totals("Summary")
    assert list(formulas) == ["Total: Community Safety Fund", "Total: Serious Violence Duty", "Total"]
    assert formulas["Total: Community Safety Fund"]["Annual budget"] == "=SUM(H2:H3)"
    assert formulas["Total: Serious Violence Duty"]["Annual budget"] == "=SUM(H4:H4)"
    assert formulas["Total"]["Actual spend to date (approved)"] == "=SUM(K2:K4)"
    assert formulas["Total"]["Variance %"] == '=IF(J8=0,"",L8/J8)'
    rows = book.rows("Summary")
    for heading in ("Annual budget", "Profiled spend to date", "Profile of approved quarters",
                    "Actual spend to date (approved)", "Variance £", "Awaiting approval: spend reported"):
        expected = sum((penny(r[heading]) for r in rows), ZERO)
        assert penny(values["Total"][heading]) == expected
        assert penny(values["Total: Community Safety Fund"][heading]) == sum((penny(r[heading]) for r in rows[:2]), ZERO)
    total = values["Total"]
    assert total["Variance %"] == pytest.approx(
        float(penny(total["Variance £"]) / penny(total["Profile of approved quarters"])))


def test_one_programme_has_one_total_row(two_programmes):
    book = export(two_programmes.commissioner, code="SVD")
    assert [r["Reference"] for r in book.rows("Summary")] == ["C-1"]
    assert list(book.totals("Summary", formulas=True)) == ["Total"]


# --- Spend ----------------------------------------------------------------------------------------


def test_spend_rows_equal_each_budget_lines_profile_and_approved_actuals(two_programmes):
    w = two_programmes
    rows = export(w.commissioner).rows("Spend")
    assert [(r["Reference"], r["Budget line"]) for r in rows] == [
        ("A-1", "Venue hire"), ("A-1", "Youth workers"), ("B-1", "Caseworker"), ("C-1", "CCTV"),
    ]
    for row in rows:
        line = BudgetLine.objects.get(project__reference=row["Reference"], description=row["Budget line"])
        assert row["Category"] == line.get_category_display()
        assert penny(row["Annual budget"]) == line.amount
        for q in (1, 2, 3, 4):
            assert penny(row[f"Profile Q{q}"]) == line.profile_for(q)
        for q in (1, 2):
            expected = approved_actual(line, only=q)
            cell = row[f"Actual Q{q} (approved)"]
            assert (None if cell is None else penny(cell)) == expected
        # After the period nothing shows, approved or not.
        assert row["Actual Q3 (approved)"] is None and row["Actual Q4 (approved)"] is None
        actual = approved_actual(line) or ZERO
        compared = sum((line.profile_for(q) for q in approved_quarters(line.project)), ZERO)
        assert penny(row["Profiled to date"]) == line.profile_to_date(2)
        assert penny(row["Profile of approved quarters"]) == compared
        assert penny(row["Actual to date (approved)"]) == actual
        assert penny(row["Variance £"]) == actual - compared
    caseworker = next(r for r in rows if r["Budget line"] == "Caseworker")
    assert penny(caseworker["Awaiting approval: spend reported"]) == Decimal("6000.00")


def test_spend_totals_are_sum_formulas_with_cached_values(two_programmes):
    book = export(two_programmes.commissioner)
    formulas, values, rows = book.totals("Spend", formulas=True)["Total"], book.totals("Spend")["Total"], book.rows("Spend")
    assert formulas["Annual budget"] == "=SUM(H2:H5)"
    assert formulas["Actual Q2 (approved)"] == "=SUM(N2:N5)"
    # The total's variance % is over the profile of the approved quarters, like every row's.
    assert formulas["Variance %"] == '=IF(S7=0,"",U7/S7)'
    assert values["Variance %"] == pytest.approx(
        float(penny(values["Variance £"]) / penny(values["Profile of approved quarters"])))
    for heading in ("Annual budget", "Profile Q1", "Actual Q1 (approved)", "Actual Q2 (approved)", "Profiled to date",
                    "Profile of approved quarters", "Actual to date (approved)", "Variance £",
                    "Awaiting approval: spend reported"):
        assert penny(values[heading]) == sum((penny(r[heading]) for r in rows if r[heading] is not None), ZERO)
    assert penny(values["Actual to date (approved)"]) == Decimal("24500.86")


def test_each_budget_line_is_capital_or_revenue_by_its_category(two_programmes):
    rows = export(two_programmes.commissioner).rows("Spend")
    kinds = {r["Budget line"]: r["Capital or revenue"] for r in rows}
    assert kinds == {"Venue hire": "Revenue", "Youth workers": "Revenue", "Caseworker": "Revenue", "CCTV": "Capital"}


def test_capital_and_revenue_are_totalled_apart_with_sumif_formulas(two_programmes):
    book = export(two_programmes.commissioner)
    formulas, values, rows = book.totals("Spend", formulas=True), book.totals("Spend"), book.rows("Spend")
    assert formulas["Capital"]["Annual budget"] == '=SUMIF(F2:F5,"Capital",H2:H5)'
    assert formulas["Revenue"]["Actual Q2 (approved)"] == '=SUMIF(F2:F5,"Revenue",N2:N5)'
    for heading in ("Annual budget", "Profile Q1", "Actual Q1 (approved)", "Actual Q2 (approved)",
                    "Profile of approved quarters", "Actual to date (approved)", "Variance £",
                    "Awaiting approval: spend reported"):
        for kind in ("Capital", "Revenue"):
            expected = sum((penny(r[heading]) for r in rows if r[heading] is not None and r["Capital or revenue"] == kind),
                           ZERO)
            assert penny(values[kind][heading]) == expected, (kind, heading)
        assert penny(values["Capital"][heading]) + penny(values["Revenue"][heading]) == penny(values["Total"][heading])
    capital = BudgetLine.objects.get(description="CCTV")
    assert penny(values["Capital"]["Annual budget"]) == capital.amount


# --- Outcomes -------------------------------------------------------------------------------------


def outcome(rows, reference, measure):
    return next(r for r in rows if r["Reference"] == reference and r["Measure"] == measure)


def test_an_events_measure_adds_up_the_approved_quarters(two_programmes):
    rows = export(two_programmes.commissioner).rows("Outcomes")
    people = outcome(rows, "A-1", "Young people engaged")
    assert (people["Unit"], people["Better when"], people["How it adds up"]) == ("Count", "Higher", "Quarters add up")
    assert [people[f"Q{q} (approved)"] for q in (1, 2, 3, 4)] == [30, 20, None, None]
    assert (people["Quarters approved"], people["Figure to date"]) == (2, 50)
    assert people["Target for the same quarters"] == 50  # the annual 100 split into whole quarters
    assert people["% of annual target"] == pytest.approx(0.5)
    assert people["RAG"] == "Green"


def test_a_percentage_takes_the_latest_approved_value_and_is_written_as_a_percentage(two_programmes):
    book = export(two_programmes.commissioner)
    rate = outcome(book.rows("Outcomes"), "A-1", "Participants satisfied")
    assert rate["How it adds up"] == "Latest value"
    assert rate["Q1 (approved)"] == pytest.approx(0.85) and rate["Q2 (approved)"] == pytest.approx(0.925)
    assert rate["Figure to date"] == pytest.approx(0.925)
    assert rate["Baseline"] == pytest.approx(0.755) and rate["Annual target"] == pytest.approx(0.9)
    assert rate["% of annual target"] == pytest.approx(92.5 / 90)
    assert rate["RAG"] == "Green"
    ws = book.formulas["Outcomes"]
    headings = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[headings.index("Measure")].value == "Participants satisfied")
    assert row[headings.index("Figure to date")].number_format == PERCENT_FORMAT


def test_unapproved_values_do_not_count_towards_the_year(two_programmes):
    rows = export(two_programmes.commissioner).rows("Outcomes")
    b_people = outcome(rows, "B-1", "Young people engaged")
    assert (b_people["Q1 (approved)"], b_people["Q2 (approved)"]) == (10, None)  # Q2's 99 was returned for amendment
    assert b_people["Figure to date"] == 10
    # Like for like: Q1's own target alone, not Q1 and Q2's 20 + 30 against one quarter's figure.
    assert b_people["Target for the same quarters"] == 20
    assert b_people["RAG"] == "Red"
    b_rate = outcome(rows, "B-1", "Participants satisfied")
    assert [b_rate[k] for k in ("Q1 (approved)", "Q2 (approved)", "Figure to date", "RAG")] == [None] * 4
    assert b_rate["Target for the same quarters"] is None  # no approved quarter to compare
    c_people = outcome(rows, "C-1", "Young people engaged")
    assert (c_people["Q1 (approved)"], c_people["Figure to date"], c_people["RAG"]) == (None, None, None)


def test_a_lower_is_better_measure_is_rated_against_its_direction(two_programmes):
    incidents = outcome(export(two_programmes.commissioner).rows("Outcomes"), "A-1", "Incidents reported")
    assert incidents["Better when"] == "Lower"
    assert (incidents["Figure to date"], incidents["Target for the same quarters"]) == (110, 100)
    assert incidents["RAG"] == "Amber"  # 10% over a lower-is-better target


def test_outcome_values_equal_the_approved_database_values(two_programmes):
    rows = export(two_programmes.commissioner).rows("Outcomes")
    assert len(rows) == 6
    for row in rows:
        for q in (1, 2):
            value = MeasureValue.objects.filter(
                project_measure__project__reference=row["Reference"], project_measure__measure__name=row["Measure"],
                quarterly_return__quarter=q, quarterly_return__status=Status.APPROVED,
            ).values_list("value", flat=True).first()
            cell = row[f"Q{q} (approved)"]
            if row["Unit"] == "Percentage" and cell is not None:
                cell = cell * 100
            assert (None if cell is None else penny(cell)) == value, (row["Reference"], row["Measure"], q)


@pytest.mark.parametrize("direction, target, ytd, rag", [
    (Direction.HIGHER, "100", "100", "green"),
    (Direction.HIGHER, "100", "120", "green"),
    (Direction.HIGHER, "100", "90", "amber"),
    (Direction.HIGHER, "100", "89.99", "red"),
    (Direction.LOWER, "100", "100", "green"),
    (Direction.LOWER, "100", "80", "green"),
    (Direction.LOWER, "100", "110", "amber"),
    (Direction.LOWER, "100", "110.01", "red"),
    (Direction.HIGHER, "0", "0", "green"),
    (Direction.LOWER, "0", "1", "red"),
    (Direction.HIGHER, None, "5", ""),
    (Direction.HIGHER, "5", None, ""),
])
def test_the_outcome_rag_rule(direction, target, ytd, rag):
    value = lambda text: None if text is None else Decimal(text)  # noqa: E731
    assert outcome_rag(direction, value(target), value(ytd)) == rag


# --- Narrative --------------------------------------------------------------------------------


def test_narrative_comes_from_the_quarters_approved_return_only(two_programmes):
    rows = by_reference(export(two_programmes.commissioner).rows("Narrative"))
    a = rows["A-1"]
    assert a["Return status"] == "Approved"
    assert a["Progress"] == "=1+1 evening sessions in two youth centres."
    assert (a["Challenges"], a["Case study"]) == ("Recruitment.", "Young person A returned to school.")
    assert a["Risks and issues"] == "@risk: the venue lease ends in March."
    assert a["Provider RAG"] == "Amber"
    b = rows["B-1"]
    assert b["Return status"] == "Returned for amendment"
    assert (b["Progress"], b["Provider RAG"]) == (None, None)
    assert rows["C-1"]["Return status"] == "Not started"


def test_the_workbook_reads_the_narrative_of_its_quarter_alone(two_programmes):
    """The reader reads every approved return's narrative in the window, or one quarter's when asked
    (the workbook's Narrative sheet shows its quarter's own return, so no other is read)."""
    user, window = two_programmes.commissioner, Quarter(2023, 3).year_to_date()
    projects = Project.objects.for_user(user).filter(pk=two_programmes.project_a.pk)
    [every] = reader.read(user, window, projects=projects, narrative=True)
    [one] = reader.read(user, window, projects=projects, narrative=Quarter(2023, 2))
    assert [q for q, _ in every.narrative] == window  # A's returns of Q1 to Q3 are approved
    assert [(q, r.progress) for q, r in one.narrative] == [
        (Quarter(2023, 2), "=1+1 evening sessions in two youth centres.")]


def test_text_that_looks_like_a_formula_stays_text_on_every_sheet(two_programmes):
    book = export(two_programmes.commissioner)
    for sheet in ("Summary", "Spend", "Outcomes", "Narrative"):
        cells = [c for row in book.formulas[sheet].iter_rows() for c in row if c.value == FORMULA_NAME]
        assert cells, sheet
        assert all(c.data_type == "s" and c.quotePrefix for c in cells)
    progress = [c for row in book.formulas["Narrative"].iter_rows() for c in row
                if c.value == "=1+1 evening sessions in two youth centres."]
    assert progress and progress[0].data_type == "s" and progress[0].quotePrefix


# --- Payments ---------------------------------------------------------------------------------


def test_payments_show_every_quarter_of_each_allocation_in_its_status_column(two_programmes):
    rows = export(two_programmes.commissioner).rows("Payments")
    assert [(r["Allocation"], r["Quarter"]) for r in rows] == [
        (title, f"Q{q}") for title in ("Allocation to A", "Allocation to B", "Violence reduction for B") for q in (1, 2, 3, 4)
    ]
    for row in rows:
        payment = Payment.objects.filter(allocation__title=row["Allocation"], quarter=int(row["Quarter"][1])).first()
        columns = {"Scheduled": None, "Released": None, "Withheld": None}
        if payment is not None:
            columns[payment.get_status_display()] = payment.amount
            assert row["Payment status"] == payment.get_status_display()
        else:
            assert row["Payment status"] == "No payment recorded"
        assert {k: None if row[k] is None else penny(row[k]) for k in columns} == columns
        assert penny(row["Allocation amount"]) == Decimal("100000.00")
    released = rows[0]
    assert (released["Payment reference"], released["Paid on"].date()) == ("PAY-A-1", Quarter(2023, 1).end)
    assert rows[2]["Reason withheld"] == "Q2 monitoring is late."


def test_payment_totals_are_sum_formulas(two_programmes):
    book = export(two_programmes.commissioner)
    formulas, values = book.totals("Payments", formulas=True)["Total"], book.totals("Payments")["Total"]
    assert (formulas["Scheduled"], formulas["Released"], formulas["Withheld"]) == (
        "=SUM(F2:F13)", "=SUM(G2:G13)", "=SUM(H2:H13)"
    )
    assert (penny(values["Scheduled"]), penny(values["Released"]), penny(values["Withheld"])) == (
        Decimal("25000.00"), Decimal("26000.01"), Decimal("12345.67")
    )


# --- Cover ------------------------------------------------------------------------------------


def cover(book) -> dict:
    return {row[0]: row[1:] for row in book.cells("Cover") if row[0] is not None}


def test_the_cover_says_what_when_who_and_how_many_returns_in_each_status(two_programmes):
    w = two_programmes
    w.commissioner.first_name, w.commissioner.last_name = "Chris", "Okafor"
    book = export(w.commissioner)
    rows = cover(book)
    assert book.cells("Cover")[0][0] == "Commissioner's quarterly return: 2023-24 Q2"
    assert rows["Commissioner"][0] == "Office of the Police and Crime Commissioner for Testshire"
    assert rows["Programmes"][0] == "Community Safety Fund (CSF); Serious Violence Duty (SVD)"
    assert rows["Period"][0] == "2023-24 Q2 (1 July 2023 to 30 September 2023)"
    assert rows["Year to date"][0] == "Q1 to Q2 (1 April 2023 to 30 September 2023)"
    assert rows["Generated by"][0] == "Chris Okafor (commissioner), Commissioner officer"
    assert rows["Generated at"][0].year >= 2024
    assert rows["Filters used"][0] == "Financial year 2023-24; quarter Q2; programme: all the programmes you can see"
    assert rows["Projects"][0] == 3
    assert rows["Quarter"][:7] == ("Approved", "Submitted", "Returned for amendment", "Draft", "Not started", "Not due", "Total")
    assert rows["2023-24 Q1"][:7] == (2, 0, 0, 1, 0, 0, 3)
    assert rows["2023-24 Q2 (this quarter)"][:7] == (1, 0, 1, 0, 1, 0, 3)
    assert "Only approved returns count" in rows["Notes"][0]


def test_the_cover_names_the_programme_filter(two_programmes):
    rows = cover(export(two_programmes.finance, code="CSF"))
    assert rows["Programmes"][0] == "Community Safety Fund (CSF)"
    assert rows["Filters used"][0] == "Financial year 2023-24; quarter Q2; programme: CSF"
    assert rows["Generated by"][0] == "finance (finance), Finance officer"


def test_a_project_that_does_not_run_in_a_quarter_is_not_due(two_programmes):
    w = two_programmes
    late = f.ProjectFactory(allocation=w.allocation_a, reference="A-2", name="Late starter",
                            start_date=Quarter(2023, 2).start)
    book = export(w.commissioner)
    row = by_reference(book.rows("Summary"))[late.reference]
    assert (row["Q1 return"], row["Q2 return"]) == ("Not due", "Not started")
    assert cover(book)["2023-24 Q1"][5] == 1


# --- Reach ------------------------------------------------------------------------------------


def every_text(book) -> str:
    return "\n".join(str(v) for sheet in SHEETS for row in book.cells(sheet) for v in row if isinstance(v, str))


def every_number(book) -> set:
    return {penny(v) for sheet in SHEETS for row in book.cells(sheet) for v in row
            if isinstance(v, (int, float)) and not isinstance(v, bool)}


@pytest.mark.parametrize("who", ["commissioner", "finance"])
def test_another_commissioners_programmes_never_appear(two_programmes, who):
    book = export(getattr(two_programmes, who))
    text = every_text(book)
    for leak in ("Elsewhere", "X-1", "PAY-X-1", "Project on a draft allocation", "Draft allocation", "Draft line"):
        assert leak not in text
    numbers = every_number(book)
    for leak in ("7777.77", "15555.54", "31111.08", "999.99"):
        assert Decimal(leak) not in numbers


def test_the_other_commissioner_sees_only_their_own(two_programmes):
    book = export(two_programmes.outsider)
    assert [r["Reference"] for r in book.rows("Summary")] == ["X-1"]
    assert penny(book.rows("Summary")[0]["Actual spend to date (approved)"]) == Decimal("15555.54")
    text = every_text(book)
    assert "Project of A" not in text and "Testshire" not in text and FORMULA_NAME not in text


@pytest.mark.parametrize("who", ["user_a", "user_b", "viewer"])
def test_providers_and_viewers_may_not_export(two_programmes, who):
    with pytest.raises(PermissionDenied):
        export(getattr(two_programmes, who))


def test_a_user_without_a_role_may_not_export(two_programmes):
    nobody = f.UserFactory(username="nobody", organisation=two_programmes.commissioner_org, role="")
    with pytest.raises(PermissionDenied):
        export(nobody)


@pytest.mark.parametrize("code", ["NOPE", "csf"])
def test_an_unknown_programme_code_is_refused(two_programmes, code):
    with pytest.raises(UnknownProgramme):
        export(two_programmes.commissioner, code=code)


def test_a_programme_of_another_year_is_refused(two_programmes):
    with pytest.raises(UnknownProgramme):
        export(two_programmes.commissioner, quarter=Quarter(2024, 1), code="CSF")


def test_a_year_without_programmes_gives_an_empty_workbook(two_programmes):
    book = export(two_programmes.commissioner, quarter=Quarter(2022, 4))
    assert book.rows("Summary") == []
    assert cover(book)["Programmes"][0] == "None in 2022-23"
    assert book.totals("Summary")["Total"]["Annual budget"] == 0


# --- Queries ----------------------------------------------------------------------------------


def grow(w, count: int):
    """`count` more projects, each with two lines, two measures, an approved Q1, a submitted Q2 and a payment."""
    people = OutcomeMeasure.objects.get(name="Young people engaged")
    rate = OutcomeMeasure.objects.get(name="Participants satisfied")
    for _ in range(count):
        allocation = f.AllocationFactory(programme=w.programme, recipient=w.provider_a)
        project = f.ProjectFactory(allocation=allocation)
        project.priorities.add(f.PriorityFactory(commissioner=w.commissioner_org))
        lines = [f.BudgetLineFactory(project=project), f.BudgetLineFactory(project=project)]
        measures = [f.ProjectMeasureFactory(project=project, measure=people),
                    f.ProjectMeasureFactory(project=project, measure=rate, annual_target=Decimal("90"))]
        for number, status in ((1, Status.APPROVED), (2, Status.SUBMITTED)):
            ret = f.QuarterlyReturnFactory(project=project, quarter=number, status=status, progress="Progress.")
            for line in lines:
                f.SpendLineFactory(quarterly_return=ret, budget_line=line)
            for pm in measures:
                f.MeasureValueFactory(quarterly_return=ret, project_measure=pm, value=Decimal("50"))
        f.PaymentFactory(allocation=allocation, quarter=1)


def queries_for_export(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        export(user)
    return len(queries.captured_queries)


def test_the_number_of_queries_does_not_grow_with_the_projects(two_programmes):
    user = User.objects.get(pk=two_programmes.commissioner.pk)  # as a request would load it
    grow(two_programmes, 2)
    small = queries_for_export(user)
    grow(two_programmes, 12)
    user = User.objects.get(pk=two_programmes.commissioner.pk)
    large = queries_for_export(user)
    assert len(export(user).rows("Summary")) == 17
    assert small == large
    # Programmes; the reader's projects, returns, budget lines with their spend, measures, values, the
    # quarter's narrative, priorities and other funding (the year's budgets are added up from the lines);
    # allocations, their amounts for the year, partnership returns (only where a partnership reports on
    # its allocation) and payments.
    assert large <= 13
