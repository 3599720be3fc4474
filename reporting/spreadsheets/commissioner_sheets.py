"""
The data sheets of the commissioner's workbook (reporting.spreadsheets.commissioner): Summary,
Spend, Outcomes, Narrative, Partnerships and Payments, each a generator of rows in its columns and a writer
that adds the filters and the =SUM() totals, with the labels they share. The rules are described
in reporting.spreadsheets.commissioner.
"""

from grants import figures
from grants.choices import MeasureAggregation, ReturnStatus, SpendKind
from grants.figures import NOT_STARTED as NOT_STARTED_STATUS
from grants.figures import ZERO
from grants.models import RAG, BudgetLine, OutcomeMeasure, Payment, QuarterlyReturn

from .commissioner_data import WorkbookData
from .writer import Column

NOT_STARTED = "Not started"
NOT_DUE = "Not due"  # the project does not run in that quarter
QUARTERS = (1, 2, 3, 4)

STATUS_LABELS = dict(QuarterlyReturn.Status.choices)
SPEND_LABELS = dict(QuarterlyReturn.SpendStatus.choices)
RAG_LABELS = dict(RAG.choices)
CATEGORY_LABELS = dict(BudgetLine.Category.choices)
UNIT_LABELS = dict(OutcomeMeasure.Unit.choices)
DIRECTION_LABELS = {OutcomeMeasure.Direction.HIGHER: "Higher", OutcomeMeasure.Direction.LOWER: "Lower",
                    OutcomeMeasure.Direction.NONE: "Context only"}
AGGREGATION_LABELS = {
    MeasureAggregation.EVENTS: "Quarters add up",
    MeasureAggregation.PEOPLE: "Unique people so far",
    MeasureAggregation.LEVEL: "Latest value",
    MeasureAggregation.RATE: "Rate, pooled",
    MeasureAggregation.MILESTONE: "Yes or no",
}
PAYMENT_LABELS = dict(Payment.Status.choices)
# How a measure's value is written: a percentage as %, money as £, counts and yes/no (1 or 0) as numbers.
UNIT_KINDS = {"count": "number", "percentage": "percent", "money": "money", "yes_no": "number"}
RETURN_STATUS_ORDER = [
    STATUS_LABELS[QuarterlyReturn.Status.APPROVED], STATUS_LABELS[QuarterlyReturn.Status.SUBMITTED],
    STATUS_LABELS[QuarterlyReturn.Status.RETURNED], STATUS_LABELS[QuarterlyReturn.Status.DRAFT],
    NOT_STARTED, NOT_DUE,
]


def status_label(status) -> str:
    """A window quarter's return status in words: Not due where the project does not run."""
    if status is None:
        return NOT_DUE
    if status == NOT_STARTED_STATUS:
        return NOT_STARTED
    return STATUS_LABELS[status]


def _statuses(project, number: int) -> list:
    return [status_label(project.statuses[q - 1]) if q <= number else None for q in QUARTERS]


# --- Summary ------------------------------------------------------------------------------

SUMMARY = [
    Column("Programme", "text", 24),
    Column("Reference", "text", 12),
    Column("Recipient", "text", 28),
    Column("Provider", "text", 28),
    Column("Project", "text", 32),
    Column("Priorities", "text", 30),
    Column("Allocation", "text", 30),
    Column("Annual budget", "money", 15),
    Column("Profiled spend to date", "money", 15),
    Column("Profile of approved quarters", "money", 15),
    Column("Actual spend to date (approved)", "money", 15),
    Column("Variance £", "money", 14),
    Column("Variance %", "percent", 11),
    Column("Awaiting approval: spend reported", "money", 15),
    Column("Quarters approved", "number", 10),
    Column("Return status", "text", 16),
    Column("Officer RAG", "text", 10),
    Column("Spend verified", "text", 13),
    Column("Q1 return", "text", 14),
    Column("Q2 return", "text", 14),
    Column("Q3 return", "text", 14),
    Column("Q4 return", "text", 14),
]
SUMMARY_MONEY = (7, 8, 9, 10, 11, 13)  # columns with totals
SUMMARY_VARIANCE, SUMMARY_PROFILE, SUMMARY_PERCENT = 11, 9, 12


def summary_rows(data: WorkbookData):
    """(programme code, values) for each project, in the Summary's columns."""
    number = data.quarter.number
    for project in data.projects:
        annual = sum((line.amount for line in project.lines), ZERO)
        spend = project.spend()
        i = number - 1
        status = project.statuses[i]
        approved = status == ReturnStatus.APPROVED
        reported = status not in (None, NOT_STARTED_STATUS)
        yield project.programme_code, (
            project.programme, project.reference, project.recipient, project.provider, project.name,
            "; ".join(project.priorities) or None, project.allocation_title,
            annual, spend.plan, spend.plan_compared, spend.spent, spend.variance, spend.variance_percent,
            spend.awaiting_spent, spend.approved,
            status_label(status),
            RAG_LABELS.get(project.officer_rags[i]) if approved else None,
            SPEND_LABELS[project.spend_statuses[i]] if reported else None,
            *_statuses(project, number),
        )


def write_summary(sheet, data: WorkbookData, seen=None):
    """The Summary sheet; `seen(values)`, if given, is called with each row as it is written."""
    sheet.header(0, SUMMARY)
    write_row = sheet.row_writer([c.kind for c in SUMMARY])
    row = 1
    blocks = []  # (programme name, first row, last row, sums)
    for code, values in summary_rows(data):
        if not blocks or blocks[-1][0] != code:
            blocks.append([code, values[0], row, row, dict.fromkeys(SUMMARY_MONEY, ZERO)])
        block = blocks[-1]
        block[3] = row
        for col in SUMMARY_MONEY:
            block[4][col] += values[col]
        write_row(row, values)
        if seen is not None:
            seen(values)
        row += 1
    last_data_row = row - 1
    sheet.filtered(0, last_data_row)

    row += 1  # a blank row between the data and the totals, outside the filter
    if len(blocks) > 1:
        for _code, name, first, last, sums in blocks:
            _total_row(sheet, row, f"Total: {name}", first, last, sums)
            row += 1
    grand = {col: sum((b[4][col] for b in blocks), ZERO) for col in SUMMARY_MONEY}
    _total_row(sheet, row, "Total", 1, last_data_row, grand)


def _total_row(sheet, row, label, first, last, sums):
    sheet.label(row, 0, label, fmt="total_label")
    for col in SUMMARY_MONEY:
        sheet.write_total(row, col, first, last, sums[col])
    sheet.write_ratio(row, SUMMARY_PERCENT, SUMMARY_VARIANCE, SUMMARY_PROFILE,
                      figures.variance_percent(sums[SUMMARY_VARIANCE] + sums[SUMMARY_PROFILE], sums[SUMMARY_PROFILE]))


# --- Spend --------------------------------------------------------------------------------

SPEND = [
    Column("Programme", "text", 24),
    Column("Reference", "text", 12),
    Column("Project", "text", 32),
    Column("Provider", "text", 28),
    Column("Category", "text", 22),
    Column("Capital or revenue", "text", 11),
    Column("Budget line", "text", 30),
    Column("Annual budget", "money", 14),
    *[Column(f"Profile Q{q}", "money", 13) for q in QUARTERS],
    *[Column(f"Actual Q{q} (approved)", "money", 13) for q in QUARTERS],
    Column("Awaiting approval: spend reported", "money", 14),
    Column("Profiled to date", "money", 14),
    Column("Profile of approved quarters", "money", 14),
    Column("Actual to date (approved)", "money", 14),
    Column("Variance £", "money", 13),
    Column("Variance %", "percent", 11),
]
SPEND_KIND = 5
QUARTER_INDEXES = tuple(q - 1 for q in QUARTERS)
SPEND_MONEY = tuple(range(7, 21))
SPEND_PROFILE, SPEND_VARIANCE, SPEND_PERCENT = 18, 20, 21
KIND_LABELS = dict(SpendKind.choices)


def spend_rows(data: WorkbookData):
    number = data.quarter.number
    approved_status = ReturnStatus.APPROVED.value
    labels = {}  # category -> its label, and capital or revenue
    for project in data.projects:
        head = (project.programme, project.reference, project.name, project.provider)
        approved = [q <= number and project.statuses[q - 1] == approved_status for q in QUARTERS]
        for line in project.lines:
            spend = project.line_spend(line)
            spent = line.spent
            actual = [(spent[i] or ZERO) if approved[i] else None for i in QUARTER_INDEXES]
            category = line.category
            if category not in labels:
                labels[category] = (CATEGORY_LABELS.get(category, category), KIND_LABELS[figures.spend_kind(category)])
            yield (
                *head, *labels[category],
                line.description, line.amount,
                *line.profile, *actual, spend.awaiting_spent, spend.plan, spend.plan_compared, spend.spent,
                spend.variance, spend.variance_percent,
            )


def write_spend(sheet, data: WorkbookData, seen=None):
    """The Spend sheet; `seen(values)`, if given, is called with each row as it is written."""
    sheet.header(0, SPEND)
    write_row = sheet.row_writer([c.kind for c in SPEND])
    first, end = SPEND_MONEY[0], SPEND_MONEY[-1] + 1
    by_kind = {label: [ZERO] * len(SPEND_MONEY) for label in KIND_LABELS.values()}
    row = 1
    for values in spend_rows(data):
        write_row(row, values)
        if seen is not None:
            seen(values)
        kind = values[SPEND_KIND]
        by_kind[kind] = [total if value is None else total + value for total, value in zip(by_kind[kind], values[first:end])]
        row += 1
    last = row - 1
    sheet.filtered(0, last)
    # The total, then capital and revenue apart (public accounts keep them apart).
    capital, revenue = by_kind.values()
    totals = [("Total", None, [a + b for a, b in zip(capital, revenue)])] + [
        (label, label, sums) for label, sums in by_kind.items()]
    row += 1
    for label, key, sums in totals:
        sums = dict(zip(SPEND_MONEY, sums))
        sheet.label(row, 0, label, fmt="total_label")
        for col in SPEND_MONEY:
            if key is None:
                sheet.write_total(row, col, 1, last, sums[col])
            else:
                sheet.write_total_where(row, col, 1, last, SPEND_KIND, key, sums[col])
        sheet.write_ratio(row, SPEND_PERCENT, SPEND_VARIANCE, SPEND_PROFILE,
                          figures.variance_percent(sums[SPEND_VARIANCE] + sums[SPEND_PROFILE], sums[SPEND_PROFILE]))
        row += 1


# --- Funding ------------------------------------------------------------------------------

FUNDING = [
    Column("Programme", "text", 24),
    Column("Reference", "text", 12),
    Column("Project", "text", 32),
    Column("Provider", "text", 28),
    Column("Budget for the year (this grant)", "money", 16),
    Column("Other funding: confirmed", "money", 16),
    Column("Other funding: expected", "money", 16),
    Column("Total cost", "money", 16),
    Column("Commissioner's share", "percent", 12),
    Column("Other funders", "wrap", 60),
]
FUNDING_MONEY = (4, 5, 6, 7)
FUNDING_SHARE, FUNDING_OURS, FUNDING_TOTAL = 8, 4, 7


def other_funders_text(project) -> str | None:
    """A project's other funders in a cell: "Funder: £1,000.00 (confirmed); …", or None for none."""
    return "; ".join(f"{o.funder}: £{o.amount:,.2f} ({o.status})" for o in project.other_funders) or None


def funding_rows(data: WorkbookData):
    for project in data.projects:
        f = project.funding
        yield (project.programme, project.reference, project.name, project.provider, f.commissioner, f.confirmed,
               f.expected, f.total_cost, f.share, other_funders_text(project))


def write_funding(sheet, data: WorkbookData):
    sheet.header(0, FUNDING)
    write_row = sheet.row_writer([c.kind for c in FUNDING])
    total = figures.Funding()
    row = 1
    for values, project in zip(funding_rows(data), data.projects):
        write_row(row, values)
        total.include(project.funding)
        row += 1
    last = row - 1
    sheet.filtered(0, last)
    row += 1
    sheet.label(row, 0, "Total", fmt="total_label")
    for col, value in zip(FUNDING_MONEY, (total.commissioner, total.confirmed, total.expected, total.total_cost)):
        sheet.write_total(row, col, 1, last, value)
    sheet.write_ratio(row, FUNDING_SHARE, FUNDING_OURS, FUNDING_TOTAL, total.share)


# --- Outcomes -----------------------------------------------------------------------------

OUTCOMES = [
    Column("Programme", "text", 24),
    Column("Reference", "text", 12),
    Column("Project", "text", 32),
    Column("Provider", "text", 28),
    Column("Measure", "text", 40),
    Column("Unit", "text", 12),
    Column("Better when", "text", 11),
    Column("How it adds up", "text", 16),
    Column("Baseline", "number", 11),
    Column("Annual target", "number", 11),
    *[Column(f"Q{q} (approved)", "number", 10) for q in QUARTERS],
    Column("Quarters approved", "number", 10),
    Column("Figure to date", "number", 11),
    Column("Target for the same quarters", "number", 11),
    Column("% of that target", "percent", 11),
    Column("% of annual target", "percent", 11),
    Column("RAG", "text", 8),
    Column("Rate: how many", "number", 10),
    Column("Rate: out of", "number", 10),
]
OUTCOME_VALUE_COLUMNS = (8, 9, 10, 11, 12, 13, 15, 16)  # written in the measure's own unit


def outcome_rows(data: WorkbookData):
    """(unit, values) for each project measure, in the Outcomes sheet's columns."""
    number = data.quarter.number
    year = data.quarter.financial_year
    rate = MeasureAggregation.RATE.value
    # The window is Q1 to the quarter, so each measure's approved values run to the quarter: the rest
    # of the year's quarter columns are empty.
    later = (None,) * (len(QUARTERS) - number)
    labels = {}  # (unit, direction, aggregation) -> the three columns that describe the measure
    for project in data.projects:
        head = (project.programme, project.reference, project.name, project.provider)
        for m in project.measures:
            kind = (m.unit, m.direction, m.aggregation)
            if kind not in labels:
                labels[kind] = (UNIT_LABELS.get(m.unit, m.unit), DIRECTION_LABELS.get(m.direction),
                                AGGREGATION_LABELS.get(m.aggregation))
            pm = m.years[year]
            figure = m.figure()
            yield m.unit, (
                *head, m.name, *labels[kind], pm.baseline, pm.annual_target, *m.approved_values(), *later,
                figure.reported, figure.actual, figure.target, figure.percent_of_target,
                figures.percent(figure.actual, pm.annual_target) if m.aggregation != rate
                else figure.percent_of_target,
                RAG_LABELS.get(figures.outcome_rag(m.direction, figure.target, figure.actual)),
                figure.numerator, figure.denominator,
            )


def write_outcomes(sheet, data: WorkbookData, seen=None):
    """The Outcomes sheet; `seen(unit, values)`, if given, is called with each row as it is written."""
    sheet.header(0, OUTCOMES)
    base = [c.kind for c in OUTCOMES]
    writers = {}
    for unit, kind in UNIT_KINDS.items():
        kinds = list(base)
        for col in OUTCOME_VALUE_COLUMNS:
            kinds[col] = kind
        writers[unit] = sheet.row_writer(kinds)
    row = 1
    for unit, values in outcome_rows(data):
        writers[unit](row, values)
        if seen is not None:
            seen(unit, values)
        row += 1
    sheet.filtered(0, row - 1)


# --- Narrative ----------------------------------------------------------------------------

NARRATIVE = [
    Column("Programme", "text", 24),
    Column("Reference", "text", 12),
    Column("Project", "text", 32),
    Column("Provider", "text", 28),
    Column("Return status", "text", 16),
    Column("Provider RAG", "text", 10),
    Column("Progress", "wrap", 60),
    Column("Challenges", "wrap", 50),
    Column("Case study", "wrap", 60),
    Column("Risks and issues", "wrap", 50),
]


def narrative_rows(data: WorkbookData):
    quarter = data.quarter
    for project in data.projects:
        text = next((r for q, r in project.narrative if q == quarter), None)
        yield (
            project.programme, project.reference, project.name, project.provider,
            status_label(project.statuses[quarter.number - 1]),
            *((RAG_LABELS.get(text.self_rag), text.progress, text.challenges, text.case_study, text.risks)
              if text is not None else (None,) * 5),
        )


# --- Partnerships ---------------------------------------------------------------------------

PARTNERSHIPS = [
    Column("Programme", "text", 24),
    Column("Partnership", "text", 28),
    Column("Allocation", "text", 32),
    Column("Partnership return", "text", 18),
    Column("Submitted", "datetime", 17),
    Column("Approved", "datetime", 17),
    Column("The partnership's report", "wrap", 70),
]


def partnership_rows(data: WorkbookData):
    """The quarter's partnership return of each allocation its partnership reports on: its status, and its
    report once approved (as the Narrative sheet shows approved returns' words only)."""
    for allocation, report in data.partnerships:
        if report is None:
            yield allocation.programme_name, allocation.recipient_name, allocation.title, NOT_STARTED, None, None, None
            continue
        approved = report.status == ReturnStatus.APPROVED
        yield (allocation.programme_name, allocation.recipient_name, allocation.title, STATUS_LABELS[report.status],
               report.submitted_at, report.approved_at, report.narrative if approved else None)


# --- Payments -----------------------------------------------------------------------------

PAYMENTS = [
    Column("Programme", "text", 24),
    Column("Recipient", "text", 28),
    Column("Allocation", "text", 32),
    Column("Allocation amount", "money", 15),
    Column("Quarter", "text", 9),
    Column("Scheduled", "money", 14),
    Column("Released", "money", 14),
    Column("Withheld", "money", 14),
    Column("Payment status", "text", 14),
    Column("Payment reference", "text", 18),
    Column("Paid on", "date", 12),
    Column("Reason withheld", "wrap", 50),
]
PAYMENT_MONEY = (5, 6, 7)
PAYMENT_COLUMN = {Payment.Status.SCHEDULED: 5, Payment.Status.RELEASED: 6, Payment.Status.WITHHELD: 7}


def payment_rows(data: WorkbookData):
    for allocation in data.allocations:
        for q in QUARTERS:
            payment = data.payments.get((allocation.pk, q))
            amounts = [None, None, None]
            if payment is None:
                tail = ("No payment recorded", None, None, None)
            else:
                amounts[PAYMENT_COLUMN[payment.status] - 5] = payment.amount
                tail = (PAYMENT_LABELS[payment.status], payment.reference, payment.paid_on, payment.withheld_reason)
            yield (allocation.programme_name, allocation.recipient_name, allocation.title, allocation.amount,
                   f"Q{q}", *amounts, *tail)


def write_payments(sheet, data: WorkbookData):
    sums = dict.fromkeys(PAYMENT_MONEY, ZERO)

    def counted(rows):
        for values in rows:
            for col in PAYMENT_MONEY:
                if values[col] is not None:
                    sums[col] += values[col]
            yield values

    end = sheet.table(PAYMENTS, counted(payment_rows(data)))
    row = end + 1
    sheet.label(row, 0, "Total", fmt="total_label")
    for col in PAYMENT_MONEY:
        sheet.write_total(row, col, 1, end - 1, sums[col])
