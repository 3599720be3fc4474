"""
The commissioner's workbook: one financial year's quarter, across the programmes a
commissioner or finance officer can see (or one programme).

Sheets
    Cover      title, commissioner, programmes, period, when and by whom, the filters used,
               the number of returns in each status for every quarter to date, and how the
               figures are worked out.
    Summary    one row per project: spend to date against the profile of the same quarters,
               what awaits approval, the quarter's return status, officer RAG and spend
               verification, each quarter's return status; total rows (one per programme when
               there are several, then all) as =SUM().
    Spend      project × budget line: profile and approved actual for Q1–Q4, what awaits
               approval, to date against the profile of the approved quarters, variance.
    Outcomes   project × measure: unit, how it adds up, baseline, target, Q1–Q4 approved values,
               the figure to date against the target of the same quarters, % of that target
               and of the annual target, and a RAG rating.
    Narrative  the quarter's progress, challenges, case study and risks per project.
    Payments   allocation × quarter (the whole year): scheduled, released and withheld.

The rules are grants.figures', read through reporting.quarters (README, "How the figures are
worked out"):
- The period is the chosen quarter; "to date" means Q1 to that quarter of the same year.
  Quarters after it are left empty.
- Only approved returns count: actual spend, measure values, narrative and the officer's RAG
  come from approved returns only. Spend to date is compared with the profile of the approved
  quarters alone (figures.spend_to_date); a return submitted or sent back is "awaiting
  approval", and the spend it reports is shown in a column of its own, never as underspend.
- Outcomes compare like with like (figures.measure_figure): events add up the approved
  quarters against those quarters' targets; people, levels and milestones take the latest
  approved figure against its quarter's target; rates pool their numerators and denominators.
  A context measure is never rated.
- Outcome RAG (figures.outcome_rag): green on or better than target; amber short of it by no
  more than 10% of the target; red beyond; empty without an approved value or a target.
- Totals are =SUM() formulas over the rows above them, with their values cached.

Speed: `commissioner_data.gather` reads everything in a fixed number of queries; the sheets
are then written row by row in XlsxWriter's constant-memory mode through the formula-safe
writer, with no query per row.
"""

from grants import figures
from grants.choices import MeasureAggregation, ReturnStatus
from grants.figures import NOT_STARTED as NOT_STARTED_STATUS
from grants.figures import ZERO
from grants.models import RAG, BudgetLine, OutcomeMeasure, Payment, QuarterlyReturn

from .commissioner_data import WorkbookData, gather
from .writer import Column, SafeWorkbook

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


def status_counts(data: WorkbookData) -> list[tuple[int, dict]]:
    """For each quarter to date, how many projects' returns are in each status."""
    counts = []
    for i in range(data.quarter.number):
        by_status = dict.fromkeys(RETURN_STATUS_ORDER, 0)
        for project in data.projects:
            by_status[status_label(project.statuses[i])] += 1
        counts.append((i + 1, by_status))
    return counts


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


def write_summary(sheet, data: WorkbookData):
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
        row += 1
    last_data_row = row - 1
    sheet.ws.autofilter(0, 0, max(last_data_row, 0), len(SUMMARY) - 1)

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
SPEND_MONEY = tuple(range(6, 20))
SPEND_PROFILE, SPEND_VARIANCE, SPEND_PERCENT = 17, 19, 20


def spend_rows(data: WorkbookData):
    number = data.quarter.number
    for project in data.projects:
        head = (project.programme, project.reference, project.name, project.provider)
        for line in project.lines:
            spend = project.line_spend(line)
            actual = [
                (line.spent[q - 1] or ZERO) if q <= number and project.statuses[q - 1] == ReturnStatus.APPROVED
                else None
                for q in QUARTERS
            ]
            yield (
                *head, CATEGORY_LABELS.get(line.category, line.category), line.description, line.amount,
                *line.profile, *actual, spend.awaiting_spent, spend.plan, spend.plan_compared, spend.spent,
                spend.variance, spend.variance_percent,
            )


def write_spend(sheet, data: WorkbookData):
    sheet.header(0, SPEND)
    write_row = sheet.row_writer([c.kind for c in SPEND])
    first, end = SPEND_MONEY[0], SPEND_MONEY[-1] + 1
    sums = [ZERO] * len(SPEND_MONEY)
    row = 1
    for values in spend_rows(data):
        write_row(row, values)
        sums = [total if value is None else total + value for total, value in zip(sums, values[first:end])]
        row += 1
    sums = dict(zip(SPEND_MONEY, sums))
    last = row - 1
    sheet.ws.autofilter(0, 0, max(last, 0), len(SPEND) - 1)
    row += 1
    sheet.label(row, 0, "Total", fmt="total_label")
    for col in SPEND_MONEY:
        sheet.write_total(row, col, 1, last, sums[col])
    sheet.write_ratio(row, SPEND_PERCENT, SPEND_VARIANCE, SPEND_PROFILE,
                      figures.variance_percent(sums[SPEND_VARIANCE] + sums[SPEND_PROFILE], sums[SPEND_PROFILE]))


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
    labels = {}  # (unit, direction, aggregation) -> the three columns that describe the measure
    for project in data.projects:
        head = (project.programme, project.reference, project.name, project.provider)
        for m in project.measures:
            kind = (m.unit, m.direction, m.aggregation)
            if kind not in labels:
                labels[kind] = (UNIT_LABELS.get(m.unit, m.unit), DIRECTION_LABELS.get(m.direction),
                                AGGREGATION_LABELS.get(m.aggregation))
            pm = m.years[year]
            values = m.approved_values()
            figure = m.figure()
            yield m.unit, (
                *head, m.name, *labels[kind], pm.baseline, pm.annual_target,
                *(values[q - 1] if q <= number else None for q in QUARTERS),
                figure.reported, figure.actual, figure.target, figure.percent_of_target,
                figures.percent(figure.actual, pm.annual_target) if m.aggregation != MeasureAggregation.RATE
                else figure.percent_of_target,
                RAG_LABELS.get(figures.outcome_rag(m.direction, figure.target, figure.actual)),
                figure.numerator, figure.denominator,
            )


def write_outcomes(sheet, data: WorkbookData):
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
        row += 1
    sheet.ws.autofilter(0, 0, max(row - 1, 0), len(OUTCOMES) - 1)


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


# --- Cover --------------------------------------------------------------------------------


def _person(user) -> str:
    name = user.get_full_name() or user.username
    role = user.get_role_display()
    return f"{name} ({user.username}), {role}" if role else f"{name} ({user.username})"


def cover_notes(data: WorkbookData) -> list[str]:
    q = data.quarter
    to_date = "Q1" if q.number == 1 else f"Q1 to Q{q.number}"
    return [
        "Only approved returns count: actual spend, outcome values, narrative and the officer's RAG come from "
        "approved returns only. An empty figure means that quarter's return is not approved (its status is on "
        "the Summary sheet), the measure was not collected, or nothing was entered.",
        f"Spend to date adds {to_date} of {q.year}, compared like for like: the actual spend of the approved "
        "quarters against the profile of the same quarters. Variance is the difference; variance % is the "
        "variance as a percentage of that profile. Spend on returns submitted or sent back for amendment is "
        "shown apart as awaiting approval, never as underspend.",
        "Outcomes compare like with like. Events and contacts add up the approved quarters against the targets "
        "of the same quarters. People are the unique people in the year so far, as the provider reports them: "
        "the latest approved figure against the target for that quarter. Levels and milestones take the latest "
        "approved value. Rates add up their numerators and denominators over the approved quarters before "
        "dividing. Targets of counts are whole numbers.",
        "Outcome RAG compares the figure with the target of the same quarters in the measure's direction: green "
        "on or better than target, amber short of it by no more than 10% of the target, red beyond that. Context "
        "measures, where more is not simply better or worse, are not rated.",
        "Payments list every quarter of the year for each allocation. Totals are =SUM() formulas.",
    ]


def write_cover(sheet, data: WorkbookData):
    q = data.quarter
    ws = sheet.ws
    ws.set_column(0, 0, 26)
    ws.set_column(1, 7, 16)
    sheet.write(0, 0, f"Commissioner's quarterly return: {q.label}", fmt="title")
    if data.programmes:
        programmes = "; ".join(f"{p.name} ({p.code})" for p in data.programmes)
    else:
        programmes = f"None in {q.year}"
    to_date = f"Q1 to Q{q.number}" if q.number > 1 else "Q1"
    filters = f"Financial year {q.year}; quarter Q{q.number}; programme: " + (
        data.programme_code or "all the programmes you can see"
    )
    rows = [
        ("Commissioner", str(data.commissioner) if data.commissioner else None, "text"),
        ("Programmes", programmes, "wrap"),
        ("Period", f"{q.label} ({q.start:%-d %B %Y} to {q.end:%-d %B %Y})", "text"),
        ("Year to date", f"{to_date} ({q.year.start:%-d %B %Y} to {q.end:%-d %B %Y})", "text"),
        ("Generated at", data.generated_at, "datetime"),
        ("Generated by", _person(data.user), "text"),
        ("Filters used", filters, "text"),
        ("Projects", len(data.projects), "number"),
    ]
    row = 2
    for label, value, kind in rows:
        sheet.label(row, 0, label)
        sheet.write(row, 1, value, kind)
        row += 1

    row += 1
    sheet.label(row, 0, "Returns by status")
    row += 1
    headings = ["Quarter", *RETURN_STATUS_ORDER, "Total"]
    for col, heading in enumerate(headings):
        sheet.write(row, col, heading, fmt="header")
    for number, by_status in status_counts(data):
        row += 1
        sheet.write(row, 0, q.year.quarter(number).label + (" (this quarter)" if number == q.number else ""))
        for col, status in enumerate(RETURN_STATUS_ORDER, start=1):
            sheet.write(row, col, by_status[status], "number")
        sheet.write(row, len(headings) - 1, sum(by_status.values()), "number")

    row += 2
    sheet.label(row, 0, "Notes")
    for note in cover_notes(data):
        ws.set_row(row, 45)
        sheet.merged(row, 1, len(RETURN_STATUS_ORDER) + 1, note, "wrap")
        row += 1


# --- The workbook -------------------------------------------------------------------------


def write_commissioner_workbook(target, data: WorkbookData):
    """Write the workbook for `data` to `target` (a path or a binary file object)."""
    book = SafeWorkbook(target, constant_memory=True)
    cover = book.sheet("Cover")
    summary = book.sheet("Summary")
    spend = book.sheet("Spend")
    outcomes = book.sheet("Outcomes")
    narrative = book.sheet("Narrative")
    payments = book.sheet("Payments")
    write_cover(cover, data)
    write_summary(summary, data)
    write_spend(spend, data)
    write_outcomes(outcomes, data)
    narrative.table(NARRATIVE, narrative_rows(data))
    write_payments(payments, data)
    book.close()


def commissioner_workbook(target, *, user, quarter, programme_code=None) -> WorkbookData:
    """Read what `user` may see for `quarter` (and one programme, by code) and write the workbook
    to `target`. Raises PermissionDenied or commissioner_data.UnknownProgramme."""
    data = gather(user, quarter, programme_code)
    write_commissioner_workbook(target, data)
    return data


def workbook_filename(quarter, programme_code=None) -> str:
    suffix = f"-{programme_code}" if programme_code else ""
    return f"commissioner-return-{quarter.year.label}-Q{quarter.number}{suffix}.xlsx"
