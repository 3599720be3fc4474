"""
The commissioner's workbook: one financial year's quarter, across the programmes a
commissioner or finance officer can see (or one programme).

Sheets
    Cover      title, commissioner, programmes, period, when and by whom, the filters used,
               and the number of returns in each status for every quarter to date.
    Summary    one row per project: spend to date against profile, the quarter's return
               status, officer RAG and spend verification, each quarter's return status;
               total rows (one per programme when there are several, then all) as =SUM().
    Spend      project × budget line: profile and approved actual for Q1–Q4, to date, variance.
    Outcomes   project × measure: unit, baseline, target, Q1–Q4 values, year to date,
               target to date, % of the annual target and a RAG rating.
    Narrative  the quarter's progress, challenges, case study and risks per project.
    Payments   allocation × quarter (the whole year): scheduled, released and withheld.

The rules
- The period is the chosen quarter; "to date" means Q1 to that quarter of the same year.
  Quarters after it are left empty.
- Only approved returns count: actual spend, measure values, narrative and the officer's
  RAG come from approved returns only. A return in any other status (or none) leaves its
  figures empty, and its status is shown, so a reader knows what is missing.
- Spend: profiled to date adds each budget line's profile for Q1 to the quarter; actual to
  date adds the approved quarters' actuals; variance is actual minus profile, and variance %
  is that as a percentage of the profile (the same rule as the return page:
  grants.services.returns.variance_percent).
- Outcomes: the year to date adds up the approved quarters for cumulative measures and takes
  the latest approved value for point-in-time measures and percentages; the target to date
  is the quarters' targets added up (or the annual target pro rata) for cumulative measures
  and the quarter's (or the annual) target otherwise (grants.selectors.year_to_date_value
  and target_to_date, which the return page uses too). % of target is the year to date as a
  percentage of the annual target.
- Outcome RAG, against the target to date in the measure's direction: green when on or
  better than target; amber when short of it by no more than 10% of the target (at least
  90% of it when higher is better, at most 110% of it when lower is better); red beyond
  that; empty without an approved value or a target.
- Totals are =SUM() formulas over the rows above them, with their values cached.

Speed: `commissioner_data.gather` reads everything in a fixed number of queries; the sheets
are then written row by row in XlsxWriter's constant-memory mode through the formula-safe
writer, with no query per row.
"""

from decimal import Decimal

from grants.models import RAG, BudgetLine, OutcomeMeasure, Payment, QuarterlyReturn
from grants.models.common import ZERO
from grants.selectors import is_off_target, target_to_date, year_to_date_value
from grants.services.returns import variance_percent

from .commissioner_data import WorkbookData, gather
from .writer import Column, SafeWorkbook

RAG_TOLERANCE = Decimal("0.10")
NOT_STARTED = "Not started"
NOT_DUE = "Not due"  # the project does not run in that quarter
QUARTERS = (1, 2, 3, 4)

STATUS_LABELS = dict(QuarterlyReturn.Status.choices)
SPEND_LABELS = dict(QuarterlyReturn.SpendStatus.choices)
RAG_LABELS = dict(RAG.choices)
CATEGORY_LABELS = dict(BudgetLine.Category.choices)
UNIT_LABELS = dict(OutcomeMeasure.Unit.choices)
DIRECTION_LABELS = {OutcomeMeasure.Direction.HIGHER: "Higher", OutcomeMeasure.Direction.LOWER: "Lower"}
PAYMENT_LABELS = dict(Payment.Status.choices)
# How a measure's value is written: a percentage as %, money as £, counts and yes/no (1 or 0) as numbers.
UNIT_KINDS = {"count": "number", "percentage": "percent", "money": "money", "yes_no": "number"}
RETURN_STATUS_ORDER = [
    STATUS_LABELS[QuarterlyReturn.Status.APPROVED], STATUS_LABELS[QuarterlyReturn.Status.SUBMITTED],
    STATUS_LABELS[QuarterlyReturn.Status.RETURNED], STATUS_LABELS[QuarterlyReturn.Status.DRAFT],
    NOT_STARTED, NOT_DUE,
]


def outcome_rag(direction: str, target, ytd) -> str:
    """Green on or better than target, amber within 10% of it, red beyond; '' without both figures."""
    if ytd is None or target is None:
        return ""
    if not is_off_target(direction, target, ytd):
        return RAG.GREEN
    if direction == OutcomeMeasure.Direction.HIGHER:
        near = ytd >= target * (1 - RAG_TOLERANCE)
    else:
        near = ytd <= target * (1 + RAG_TOLERANCE)
    return RAG.AMBER if near else RAG.RED


def percent_of(part, whole):
    if part is None or whole is None or whole == 0:
        return None
    return part / whole * 100


def return_status(data: WorkbookData, project, number: int) -> str:
    """The status of the project's return for quarter `number` of the year, in words."""
    ret = data.returns.get((project.pk, number))
    if ret is not None:
        return STATUS_LABELS[ret.status]
    quarter = data.quarter.year.quarter(number)
    if project.end_date < quarter.start or project.start_date > quarter.end:
        return NOT_DUE
    return NOT_STARTED


def status_counts(data: WorkbookData) -> list[tuple[int, dict]]:
    """For each quarter to date, how many projects' returns are in each status."""
    counts = []
    for number in range(1, data.quarter.number + 1):
        by_status = dict.fromkeys(RETURN_STATUS_ORDER, 0)
        for project in data.projects:
            by_status[return_status(data, project, number)] += 1
        counts.append((number, by_status))
    return counts


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
    Column("Actual spend to date", "money", 15),
    Column("Variance £", "money", 14),
    Column("Variance %", "percent", 11),
    Column("Return status", "text", 16),
    Column("Officer RAG", "text", 10),
    Column("Spend verified", "text", 13),
    Column("Q1 return", "text", 14),
    Column("Q2 return", "text", 14),
    Column("Q3 return", "text", 14),
    Column("Q4 return", "text", 14),
]
SUMMARY_MONEY = (7, 8, 9, 10)  # columns with totals
SUMMARY_VARIANCE, SUMMARY_PROFILE, SUMMARY_PERCENT = 10, 8, 11


def summary_rows(data: WorkbookData):
    """(programme code, values) for each project, in the Summary's columns."""
    number = data.quarter.number
    for project in data.projects:
        annual = profiled = actual = ZERO
        for line in data.lines.get(project.pk, ()):
            annual += line.amount
            profiled += sum(line.profile[:number], ZERO)
            actual += sum(filter(None, line.actual), ZERO)  # None (and £0) add nothing
        ret = data.returns.get((project.pk, number))
        approved = ret is not None and ret.status == QuarterlyReturn.Status.APPROVED
        percent = variance_percent(actual, profiled)
        statuses = [return_status(data, project, q) if q <= number else None for q in QUARTERS]
        yield project.programme_code, (
            project.programme, project.reference, project.recipient, project.provider_name, project.name,
            data.priorities.get(project.pk), project.allocation_title,
            annual, profiled, actual, actual - profiled, percent,
            statuses[number - 1],
            RAG_LABELS.get(ret.officer_rag) if approved else None,
            SPEND_LABELS[ret.spend_status] if ret is not None else None,
            *statuses,
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
    profiled, variance = sums[SUMMARY_PROFILE], sums[SUMMARY_VARIANCE]
    sheet.write_ratio(row, SUMMARY_PERCENT, SUMMARY_VARIANCE, SUMMARY_PROFILE,
                      None if profiled == 0 else variance / profiled * 100)


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
    *[Column(f"Actual Q{q}", "money", 13) for q in QUARTERS],
    Column("Profiled to date", "money", 14),
    Column("Actual to date", "money", 14),
    Column("Variance £", "money", 13),
    Column("Variance %", "percent", 11),
]
SPEND_MONEY = tuple(range(6, 18))
SPEND_PROFILE, SPEND_VARIANCE, SPEND_PERCENT = 15, 17, 18


def spend_rows(data: WorkbookData):
    number = data.quarter.number
    for project in data.projects:
        head = (project.programme, project.reference, project.name, project.provider_name)
        for line in data.lines.get(project.pk, ()):
            profile, actual = line.profile, line.actual
            profiled = sum(profile[:number], ZERO)
            spent = sum(filter(None, actual), ZERO)
            yield (
                *head, CATEGORY_LABELS.get(line.category, line.category), line.description, line.amount,
                *profile, *actual, profiled, spent, spent - profiled, variance_percent(spent, profiled),
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
    profiled = sums[SPEND_PROFILE]
    sheet.write_ratio(row, SPEND_PERCENT, SPEND_VARIANCE, SPEND_PROFILE,
                      None if profiled == 0 else sums[SPEND_VARIANCE] / profiled * 100)


# --- Outcomes -----------------------------------------------------------------------------

OUTCOMES = [
    Column("Programme", "text", 24),
    Column("Reference", "text", 12),
    Column("Project", "text", 32),
    Column("Provider", "text", 28),
    Column("Measure", "text", 40),
    Column("Unit", "text", 12),
    Column("Better when", "text", 9),
    Column("Year to date is", "text", 16),
    Column("Baseline", "number", 11),
    Column("Annual target", "number", 11),
    *[Column(f"Q{q}", "number", 10) for q in QUARTERS],
    Column("Year to date", "number", 11),
    Column("Target to date", "number", 11),
    Column("% of annual target", "percent", 11),
    Column("RAG", "text", 8),
]
OUTCOME_VALUE_COLUMNS = (8, 9, 10, 11, 12, 13, 14, 15)  # written in the measure's own unit


def outcome_rows(data: WorkbookData):
    """(unit, values) for each project measure, in the Outcomes sheet's columns."""
    number = data.quarter.number
    labels = {}  # (unit, direction, cumulative) -> the three columns that describe the measure
    for project in data.projects:
        head = (project.programme, project.reference, project.name, project.provider_name)
        for pm in data.measures.get(project.pk, ()):
            kind = (pm.unit, pm.direction, pm.cumulative)
            if kind not in labels:
                labels[kind] = (UNIT_LABELS.get(pm.unit, pm.unit), DIRECTION_LABELS.get(pm.direction),
                                "Sum of quarters" if pm.cumulative else "Latest value")
            quarters = pm.values
            ytd = year_to_date_value(pm.cumulative, quarters[:number])
            target = target_to_date(pm.cumulative, pm.annual_target, pm.targets, number)
            yield pm.unit, (
                *head, pm.measure_name, *labels[kind], pm.baseline, pm.annual_target, *quarters, ytd, target,
                percent_of(ytd, pm.annual_target), RAG_LABELS.get(outcome_rag(pm.direction, target, ytd)),
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
    number = data.quarter.number
    for project in data.projects:
        text = data.narrative.get(project.pk)
        yield (
            project.programme, project.reference, project.name, project.provider_name,
            return_status(data, project, number),
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
        f"Spend to date adds {to_date} of {q.year}. Variance is actual spend to date minus profiled spend to "
        "date; variance % is the variance as a percentage of the profile.",
        "Outcomes: the year to date adds up the approved quarters for cumulative measures and takes the latest "
        "approved value for point-in-time measures and percentages. % of annual target is the year to date as "
        "a percentage of the annual target.",
        "Outcome RAG compares the year to date with the target to date in the measure's direction: green on or "
        "better than target, amber short of it by no more than 10% of the target, red beyond that.",
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
