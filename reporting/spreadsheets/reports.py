"""
The performance report and the report by priority as workbooks: the same figures as the
printable pages (reporting.reports), written through the formula-safe writer.

Performance report sheets: Cover, Spend by quarter, Capital and revenue, Funding, Spend by
project, Outcomes, Key outcomes, Context and Actions due (reporting.spreadsheets.context), Narrative,
Risks. Report by priority: Cover, Priorities, Key outcomes, Projects.

Totals of rows that add up are real =SUM() formulas. The total row of the report by priority
counts each project once, so it is written as figures, not as a sum of the rows above it
(a project with two priorities is in two rows).
"""

from django.utils import timezone

from grants.models import RAG, OutcomeMeasure
from grants.periods import Quarter

from ..reports import PerformanceReport, PriorityReport
from .charts import write_report_charts
from .commissioner_sheets import AGGREGATION_LABELS, UNIT_KINDS, other_funders_text
from .context import context_sheets
from .writer import Column, SafeWorkbook

RAG_LABELS = dict(RAG.choices)
UNIT_LABELS = dict(OutcomeMeasure.Unit.choices)
DIRECTION_LABELS = {"higher": "Higher is better", "lower": "Lower is better", "none": "Context only"}
NOTE = ("Only approved returns count: spend, outcome values, narrative and risks come from approved returns only, "
        "each compared with the plan and targets of the same quarters. Plan is the budget lines' profile for the "
        "quarters of the period the project runs in; spend on returns submitted or sent back awaits approval and is "
        "shown apart, never as underspend. Events add up the approved quarters; people are the unique people so far "
        "in a financial year (the latest approved figure); rates pool how many out of how many; levels and "
        "milestones take the latest approved value.")


def report_filename(report) -> str:
    return f"{report.subject.slug}-{report.window.slug}.xlsx"


COVER_VALUE_WIDTH = 90


def _cover(book: SafeWorkbook, report, title: str, lines: list):
    """The cover's label-value pairs (each value wrapped in column B, its row as tall as it needs), and
    what every printed page of the workbook says about it."""
    user = report.user
    book.print_setup(title=f"{title}: {report.subject.title}", organisation=str(user.organisation or ""),
                     period=f"{report.window.title} ({report.window.span})",
                     made_by=user.get_full_name() or user.username, made_at=report.generated_at)
    sheet = book.sheet("Cover")
    sheet.ws.set_column(0, 0, 24)
    sheet.ws.set_column(1, 1, COVER_VALUE_WIDTH)
    sheet.write(0, 0, title, fmt="title")
    rows = [
        ("About", report.subject.title),
        ("", report.subject.description),
        ("Period", f"{report.window.title} ({report.window.span})"),
        ("Prepared by", f"{report.user.get_full_name() or report.user.username}, {report.user.organisation}"),
    ]
    for row, (label, value) in enumerate(rows + lines, start=2):
        sheet.label(row, 0, label)
        sheet.write(row, 1, value, "wrap")
        sheet.fit_row(row, value, COVER_VALUE_WIDTH)
    row = 2 + len(rows) + len(lines)
    sheet.label(row, 0, "Prepared at")
    sheet.write(row, 1, timezone.localtime(report.generated_at), "datetime")
    sheet.label(row + 2, 0, "Note")
    sheet.write(row + 2, 1, NOTE, "wrap")
    sheet.fit_row(row + 2, NOTE, COVER_VALUE_WIDTH)


def _total_row(sheet, row: int, first: int, values: dict, label_col: int = 0, label="Total"):
    """A total row: =SUM() for the columns in `values` (col -> cached value)."""
    sheet.write(row, label_col, label, fmt="total_label")
    for col, (kind, value) in values.items():
        sheet.write_total(row, col, first, row - 1, value, kind)


# --- The performance report ------------------------------------------------------------------

BY_QUARTER = [
    Column("Quarter", "text", 14), Column("Returns due (projects running)", "number", 14),
    Column("Returns approved", "number", 12),
    Column("Plan (profile)", "money", 16), Column("Plan of approved returns", "money", 16),
    Column("Spent (approved returns)", "money", 16),
    Column("Variance £", "money", 14), Column("Variance %", "percent", 12),
    Column("Awaiting approval: spend reported", "money", 16),
]
BY_KIND = [
    Column("Capital or revenue", "text", 16), Column("Plan (profile)", "money", 16),
    Column("Plan of approved returns", "money", 16), Column("Spent (approved returns)", "money", 16),
    Column("Variance £", "money", 14), Column("Variance %", "percent", 12),
    Column("Awaiting approval: spend reported", "money", 16),
]
FUNDING = [
    Column("Programme", "text", 26), Column("Reference", "text", 14), Column("Project", "text", 34),
    Column("Budget (these grants)", "money", 16), Column("Other funding: confirmed", "money", 16),
    Column("Other funding: expected", "money", 16), Column("Total cost", "money", 16),
    Column("Commissioner's share", "percent", 12), Column("Other funders", "wrap", 60),
]
BY_PROJECT = [
    Column("Programme", "text", 26), Column("Reference", "text", 14), Column("Project", "text", 34),
    Column("Recipient", "text", 28), Column("Provider", "text", 28), Column("Returns approved", "number", 11),
    Column("Returns due in the period", "number", 11), Column("Plan (profile)", "money", 16),
    Column("Plan of approved quarters", "money", 16),
    Column("Spent (approved returns)", "money", 16), Column("Variance £", "money", 14), Column("Variance %", "percent", 12),
    Column("Awaiting approval: spend reported", "money", 16), Column("Latest RAG", "text", 10),
]
KEY_OUTCOMES = [
    Column("Measure", "text", 36), Column("Unit", "text", 12), Column("How it adds up", "text", 16),
    Column("Projects reporting it", "number", 12), Column("With a figure and a target", "number", 12),
    Column("On target", "number", 10), Column("Figure, across the projects", "number", 14),
    Column("Target, across the projects", "number", 14), Column("% of target", "percent", 11), Column("RAG", "text", 9),
    Column("Rate: how many", "number", 10), Column("Rate: out of", "number", 10),
]


def performance_workbook(target, report: PerformanceReport):
    book = SafeWorkbook(target)
    _cover(book, report, "Performance report", [
        ("Projects", str(len(report.projects))),
        ("Returns approved", f"{report.approved} of the {report.expected} due in the period"),
    ])

    sheet = book.sheet("Spend by quarter")
    sheet.header(0, BY_QUARTER)
    end = sheet.rows(1, BY_QUARTER, ([q.quarter.label, q.expected, q.approved, q.plan, q.plan_compared, q.spent,
                                       q.variance, q.variance_percent, q.awaiting_spent] for q in report.by_quarter))
    _total_row(sheet, end, 1, {1: ("number", report.expected), 2: ("number", report.approved),
                               3: ("money", report.plan), 4: ("money", report.plan_compared),
                               5: ("money", report.spent), 6: ("money", report.variance),
                               8: ("money", report.awaiting_spent)})
    sheet.write_ratio(end, 7, 6, 4, report.variance_percent)

    sheet = book.sheet("Capital and revenue")
    sheet.header(0, BY_KIND)
    end = sheet.rows(1, BY_KIND, ([k.label, k.plan, k.plan_compared, k.spent, k.variance, k.variance_percent,
                                   k.awaiting_spent] for k in report.by_kind))
    _total_row(sheet, end, 1, {1: ("money", report.plan), 2: ("money", report.plan_compared),
                               3: ("money", report.spent), 4: ("money", report.variance),
                               6: ("money", report.awaiting_spent)})
    sheet.write_ratio(end, 5, 4, 2, report.variance_percent)

    sheet = book.sheet("Funding")
    sheet.header(0, FUNDING)
    end = sheet.rows(1, FUNDING, (
        [p.programme, p.reference, p.name, p.funding.commissioner, p.funding.confirmed, p.funding.expected,
         p.funding.total_cost, p.funding.share,
         other_funders_text(p)]
        for p in report.projects))
    sheet.filtered(0, end - 1)
    funding = report.funding
    _total_row(sheet, end, 1, {3: ("money", funding.commissioner), 4: ("money", funding.confirmed),
                               5: ("money", funding.expected), 6: ("money", funding.total_cost)})
    sheet.write_ratio(end, 7, 3, 6, funding.share)

    sheet = book.sheet("Spend by project")
    sheet.header(0, BY_PROJECT)
    end = sheet.rows(1, BY_PROJECT, (
        [p.programme, p.reference, p.name, p.recipient, p.provider, p.approved, p.expected, p.plan_total,
         p.plan_compared, p.spent_total, p.variance, p.variance_percent, p.awaiting_spent, RAG_LABELS.get(p.rag, "")]
        for p in report.projects))
    sheet.filtered(0, end - 1)
    _total_row(sheet, end, 1, {5: ("number", report.approved), 6: ("number", report.expected),
                               7: ("money", report.plan), 8: ("money", report.plan_compared),
                               9: ("money", report.spent), 10: ("money", report.variance),
                               12: ("money", report.awaiting_spent)})
    sheet.write_ratio(end, 11, 10, 8, report.variance_percent)

    quarters = report.window.quarters
    outcome_columns = [
        Column("Reference", "text", 14), Column("Project", "text", 34), Column("Measure", "text", 36),
        Column("Unit", "text", 12), Column("Direction", "text", 16), Column("How it adds up", "text", 16),
        *[Column(f"{q.label} (approved)", "number", 12) for q in quarters],
        Column("Quarters approved", "number", 10), Column("Figure for the period", "number", 14),
        Column("Target for the same quarters", "number", 14), Column("% of target", "percent", 11),
        Column("RAG", "text", 9), Column("Rate: how many", "number", 10), Column("Rate: out of", "number", 10),
    ]
    sheet = book.sheet("Outcomes")
    sheet.header(0, outcome_columns)
    row = 1
    for o in report.outcomes:
        kind = UNIT_KINDS[o.unit]
        values = [o.project.reference, o.project.name, o.name, UNIT_LABELS[o.unit], DIRECTION_LABELS[o.direction],
                  AGGREGATION_LABELS.get(o.aggregation), *o.values, o.quarters_reported, o.actual, o.target,
                  o.percent_of_target, RAG_LABELS.get(o.rag, ""), o.figure.numerator, o.figure.denominator]
        kinds = (["text"] * 6 + [kind] * len(quarters) + ["number", kind, kind]
                 + ["percent", "text", "number", "number"])
        sheet.write_row(row, values, kinds)
        row += 1
    sheet.filtered(0, row - 1)

    _key_outcomes_sheet(book, [(None, report.key_outcomes)])
    if report.context is not None:
        context_sheets(book, report.context)

    sheet = book.sheet("Narrative")
    columns = [Column("Reference", "text", 14), Column("Project", "text", 30), Column("Latest approved quarter", "text", 14),
               Column("Progress", "wrap", 70), Column("Case studies", "wrap", 70)]
    sheet.table(columns, (
        [p.reference, p.name, _latest_label(p), p.latest.progress if p.latest else "",
         "\n\n".join(f"{q.label}: {text}" for q, text in p.case_studies)]
        for p in report.highlights))

    sheet = book.sheet("Risks")
    columns = [Column("Reference", "text", 14), Column("Project", "text", 30), Column("Latest approved quarter", "text", 14),
               Column("RAG", "text", 9), Column("Risks and issues", "wrap", 70), Column("Challenges", "wrap", 60)]
    sheet.table(columns, (
        [p.reference, p.name, _latest_label(p), RAG_LABELS.get(p.rag, ""), p.latest.risks, p.latest.challenges]
        for p in report.risks))
    write_report_charts(book, report)
    book.close()


def _latest_label(project) -> str:
    if project.latest is None:
        return ""
    return Quarter(project.latest.financial_year, project.latest.quarter).label


def _key_outcomes_sheet(book, groups):
    """Key outcomes, with a Priority column first when there are groups."""
    grouped = groups and groups[0][0] is not None
    columns = ([Column("Priority", "text", 30)] if grouped else []) + KEY_OUTCOMES
    sheet = book.sheet("Key outcomes")
    sheet.header(0, columns)
    row = 1
    for name, outcomes in groups:
        for k in outcomes:
            kind = UNIT_KINDS[k.unit]
            values = [k.name, UNIT_LABELS[k.unit], AGGREGATION_LABELS.get(k.aggregation), k.projects, k.compared,
                      k.on_target, k.actual, k.target, k.percent_of_target, RAG_LABELS.get(k.rag, ""),
                      k.numerator, k.denominator]
            kinds = ["text", "text", "text", "number", "number", "number", kind, kind, "percent", "text", "number",
                     "number"]
            if grouped:
                values, kinds = [name, *values], ["text", *kinds]
            sheet.write_row(row, values, kinds)
            row += 1
    sheet.filtered(0, row - 1)


# --- The report by priority ------------------------------------------------------------------

PRIORITY_COLUMNS = [
    Column("Priority", "text", 36), Column("Projects", "number", 10), Column("Returns approved", "number", 11),
    Column("Returns due in the period", "number", 11), Column("Plan (profile)", "money", 16),
    Column("Plan of approved quarters", "money", 16),
    Column("Spent (approved returns)", "money", 16), Column("Variance £", "money", 14), Column("Variance %", "percent", 12),
    Column("Awaiting approval: spend reported", "money", 16),
]


def priority_workbook(target, report: PriorityReport):
    book = SafeWorkbook(target)
    _cover(book, report, "Report by priority", [
        ("Projects", str(len(report.total.projects))),
        ("Counting", "A project with several priorities counts under each of them, so the priorities add up to more "
                     "than the total, which counts each project once."),
    ])
    sheet = book.sheet("Priorities")
    sheet.header(0, PRIORITY_COLUMNS)
    end = sheet.rows(1, PRIORITY_COLUMNS, (
        [r.name, len(r.projects), r.approved, r.expected, r.plan, r.plan_compared, r.spent, r.variance,
         r.variance_percent, r.awaiting_spent]
        for r in report.rows))
    total = report.total
    sheet.write(end, 0, "All projects, each counted once", fmt="total_label")
    for col, kind, value in ((1, "number", len(total.projects)), (2, "number", total.approved),
                             (3, "number", total.expected), (4, "money", total.plan), (5, "money", total.plan_compared),
                             (6, "money", total.spent), (7, "money", total.variance), (9, "money", total.awaiting_spent)):
        sheet.write(end, col, value, kind, fmt=f"total_{kind}")
    sheet.write(end, 8, total.variance_percent, "percent", fmt="total_percent")

    _key_outcomes_sheet(book, [(r.name, r.key_outcomes) for r in report.rows])

    sheet = book.sheet("Projects")
    columns = [Column("Priority", "text", 30), Column("Reference", "text", 14), Column("Project", "text", 34),
               Column("Programme", "text", 26), Column("Provider", "text", 28), Column("Plan (profile)", "money", 16),
               Column("Spent (approved returns)", "money", 16), Column("Variance £", "money", 14),
               Column("Returns approved", "number", 11), Column("Returns due in the period", "number", 11),
               Column("Plan of approved quarters", "money", 16), Column("Awaiting approval: spend reported", "money", 16)]
    sheet.table(columns, (
        [r.name, p.reference, p.name, p.programme, p.provider, p.plan_total, p.spent_total, p.variance, p.approved,
         p.expected, p.plan_compared, p.awaiting_spent]
        for r in report.rows for p in r.projects))
    write_report_charts(book, report)
    book.close()

