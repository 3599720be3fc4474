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
    Spend      project × budget line, each capital or revenue: profile and approved actual for
               Q1–Q4, what awaits approval, to date against the profile of the approved quarters,
               variance; the total, then capital and revenue apart (=SUMIF()).
    Funding    per project, the year's budget of this grant beside other funders' money
               (confirmed and expected): total cost and the commissioner's share.
    Outcomes   project × measure: unit, how it adds up, baseline, target, Q1–Q4 approved values,
               the figure to date against the target of the same quarters, % of that target
               and of the annual target, and a RAG rating.
    Narrative  the quarter's progress, challenges, case study and risks per project.
    Payments   allocation × quarter (the whole year): scheduled, released and withheld.
    Charts     four native charts (spend against profile by programme, returns by status, RAG by
               programme, measures against target), each drawn from a table on the same sheet
               (reporting.spreadsheets.charts).

Every sheet is set up to print (A4 landscape, one page wide, the heading row repeated, a header and
footer with the title, commissioner, period, protective marking and page numbers: writer.py).

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
writer, with no query per row. The data sheets are written by
reporting.spreadsheets.commissioner_sheets; the cover and the workbook as a whole here.
"""

from reporting import collector

from .charts import CommissionerTallies, write_commissioner_charts
from .commissioner_data import WorkbookData, gather
from .commissioner_sheets import (
    NARRATIVE,
    PARTNERSHIPS,
    RETURN_STATUS_ORDER,
    narrative_rows,
    partnership_rows,
    status_label,
    write_funding,
    write_outcomes,
    write_payments,
    write_spend,
    write_summary,
)
from .printing import text_lines
from .writer import SafeWorkbook


# --- Cover --------------------------------------------------------------------------------


def status_counts(data: WorkbookData) -> list[tuple[int, dict]]:
    """For each quarter to date, how many projects' returns are in each status."""
    counts = []
    for i in range(data.quarter.number):
        by_status = dict.fromkeys(RETURN_STATUS_ORDER, 0)
        for project in data.projects:
            by_status[status_label(project.statuses[i])] += 1
        counts.append((i + 1, by_status))
    return counts


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
        "Capital lines (the Capital category) and every other line (revenue) are totalled apart under the "
        "Spend sheet's total.",
        "Payments list every quarter of the year for each allocation. Totals are =SUM() formulas.",
    ]


# The cover is label-value pairs: labels in column A, each value (and each note) wrapped across
# columns B to H, which the "Returns by status" table below them uses one by one.
COVER_LABEL_WIDTH, COVER_COLUMN_WIDTH, COVER_LAST_COL = 26, 16, len(RETURN_STATUS_ORDER) + 1
COVER_VALUE_WIDTH = COVER_COLUMN_WIDTH * COVER_LAST_COL


def write_cover(sheet, data: WorkbookData):
    q = data.quarter
    ws = sheet.ws
    ws.set_column(0, 0, COVER_LABEL_WIDTH)
    ws.set_column(1, COVER_LAST_COL, COVER_COLUMN_WIDTH)
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
        ("Commissioner", str(data.commissioner) if data.commissioner else None, "wrap"),
        ("Programmes", programmes, "wrap"),
        ("Period", f"{q.label} ({q.start:%-d %B %Y} to {q.end:%-d %B %Y})", "wrap"),
        ("Year to date", f"{to_date} ({q.year.start:%-d %B %Y} to {q.end:%-d %B %Y})", "wrap"),
        ("Generated at", data.generated_at, "datetime"),
        ("Generated by", _person(data.user), "wrap"),
        ("Filters used", filters, "wrap"),
        ("Projects", len(data.projects), "number"),
    ]
    row = 2
    for label, value, kind in rows:
        sheet.label(row, 0, label)
        sheet.merged(row, 1, COVER_LAST_COL, value, kind, width=COVER_VALUE_WIDTH,
                     fmt="number_left" if kind == "number" else None)
        row += 1

    row += 1
    sheet.label(row, 0, "Returns by status")
    row += 1
    headings = ["Quarter", *RETURN_STATUS_ORDER, "Total"]
    sheet.fit_row(row, max(headings, key=lambda h: text_lines(h, COVER_COLUMN_WIDTH)), COVER_COLUMN_WIDTH)
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
        sheet.merged(row, 1, COVER_LAST_COL, note, "wrap", width=COVER_VALUE_WIDTH)
        row += 1


# --- The workbook -------------------------------------------------------------------------


def write_commissioner_workbook(target, data: WorkbookData):
    """Write the workbook for `data` to `target` (a path or a binary file object)."""
    book = SafeWorkbook(target, constant_memory=True)
    q = data.quarter
    book.print_setup(title=f"Commissioner's quarterly return: {q.label}" + (
        f" ({data.programme_code})" if data.programme_code else ""),
        organisation=str(data.commissioner or ""), period=f"{q.start:%-d %B %Y} to {q.end:%-d %B %Y}",
        made_by=data.user.get_full_name() or data.user.username, made_at=data.generated_at)
    cover = book.sheet("Cover")
    summary = book.sheet("Summary")
    spend = book.sheet("Spend")
    funding = book.sheet("Funding")
    outcomes = book.sheet("Outcomes")
    narrative = book.sheet("Narrative")
    partnerships = book.sheet("Partnerships")
    payments = book.sheet("Payments")
    write_cover(cover, data)
    tallies = CommissionerTallies()  # the charts' figures, from the same rows as they are written
    write_summary(summary, data, tallies.summary_seen)
    write_spend(spend, data, tallies.spend_seen)
    write_funding(funding, data)
    write_outcomes(outcomes, data, tallies.outcome_seen)
    narrative.table(NARRATIVE, narrative_rows(data))
    partnerships.table(PARTNERSHIPS, partnership_rows(data))
    write_payments(payments, data)
    write_commissioner_charts(book, data, tallies)
    book.close()


def commissioner_workbook(target, *, user, quarter, programme_code=None) -> int:
    """Read what `user` may see for `quarter` (and one programme, by code) and write the workbook
    to `target`; return the number of projects in it. Raises PermissionDenied or
    commissioner_data.UnknownProgramme."""
    with collector.paused():
        data = gather(user, quarter, programme_code)
        write_commissioner_workbook(target, data)
        projects = len(data.projects)
        # Let go of the figures while the collector is paused: they are freed as they are dropped,
        # and the collector's first pass afterwards has nothing of them left to look through.
        del data
    return projects


def workbook_filename(quarter, programme_code=None) -> str:
    suffix = f"-{programme_code}" if programme_code else ""
    return f"commissioner-return-{quarter.year.label}-Q{quarter.number}{suffix}.xlsx"
