"""
The Charts sheet of our workbooks: native spreadsheet charts (they stay live in Excel and
LibreOffice) beside the small tables they are drawn from.

Each chart's series point at cells of its own table on the Charts sheet ("Chart data"), so the
chart and its table always agree. The tables hold the figures of the same rows the data sheets
were written from (reporting.quarters through the sheets' row generators, or the report's own
figures); nothing is worked out anew here beyond adding those rows up by programme or counting
them by status.

The commissioner's workbook (one quarter):
    Spend against profile by quarter, for each programme: the Spend sheet's profile and
        approved actual of Q1 to Q4, added up by programme (a quarter with no approved return
        shows no actual spend, never £0 of underspend).
    Returns by status for the quarter: the Cover's count for the quarter.
    RAG by programme: the officer's rating of the quarter's approved returns (the Summary's
        "Officer RAG"); a return not approved, or approved without a rating, is "Not rated",
        never red.
    Measures against target to date: the Outcomes sheet's figure to date against the target of
        the same quarters, for the first ten counted measures (one axis, one unit); the table
        holds those rows, and a note under it says how many other measures with a target the
        Outcomes sheet has (at a national scale they are thousands: the sheet prints on a page
        or two whatever the size).

The performance report and the report by priority get the same four charts over their period:
spend against plan (by quarter, or by priority), returns by status for the period's last quarter,
RAG (the latest approved return's) by programme or by priority, and key outcomes against target.

The charts are placed on the left, two by two, and their tables on the right; the sheet prints
like every other (A4 landscape, one page wide).
"""

from collections import Counter
from dataclasses import dataclass, field

from grants.models import RAG, OutcomeMeasure

from .commissioner_sheets import (
    RETURN_STATUS_ORDER,
    UNIT_KINDS,
    outcome_rows,
    spend_rows,
    status_label,
    summary_rows,
)

SHEET = "Charts"
RAG_LABELS = dict(RAG.choices)
UNIT_LABELS = dict(OutcomeMeasure.Unit.choices)
NOT_RATED = "Not rated"
RAG_ORDER = [RAG_LABELS[RAG.RED], RAG_LABELS[RAG.AMBER], RAG_LABELS[RAG.GREEN], NOT_RATED]
RAG_COLOURS = {RAG_LABELS[RAG.RED]: "#D4351C", RAG_LABELS[RAG.AMBER]: "#F47738",
               RAG_LABELS[RAG.GREEN]: "#00703C", NOT_RATED: "#B1B4B6"}
SPENT_COLOUR, PROFILE_COLOUR, TARGET_COLOUR = "#1D70B8", "#F47738", "#B1B4B6"
MEASURES_CHARTED = 10  # the rest are in the table

# Where things go on the sheet: charts two by two from A3, tables from column R.
CHART_WIDTH, CHART_HEIGHT = 500, 300
CHART_ROWS, CHART_COLS = 17, 8  # the room one chart takes, in default rows and columns
TABLES_COLUMN = 17
FIRST_ROW = 2


@dataclass
class Table:
    """A chart's table: its title, column headings and kinds, and its rows of values."""

    title: str
    headings: list
    kinds: list
    rows: list = field(default_factory=list)
    row_kinds: list | None = None  # per row, the kinds of its cells where they differ from `kinds`
    note: str = ""  # said under the table, after a blank row
    top: int = 0  # the row of its title, once placed

    @property
    def first(self) -> int:
        return self.top + 2

    @property
    def last(self) -> int:
        return self.top + 1 + len(self.rows)

    def column(self, col: int, first: int | None = None, last: int | None = None) -> list:
        """A column of the table's data (or rows first..last of it, counted from 0) as a chart range."""
        start = self.first + (first or 0)
        end = self.first + last if last is not None else self.last
        return [SHEET, start, TABLES_COLUMN + col, end, TABLES_COLUMN + col]

    def columns(self, first_col: int, last_col: int) -> list:
        """Several columns of the table's data as one range (two-level categories)."""
        return [SHEET, self.first, TABLES_COLUMN + first_col, self.last, TABLES_COLUMN + last_col]

    def heading(self, col: int) -> list:
        return [SHEET, self.top + 1, TABLES_COLUMN + col]


@dataclass
class Chart:
    """What one chart draws from its table."""

    table: Table
    draw: object  # function (book) -> an XlsxWriter chart, or None when there is nothing to draw
    description: str


# --- Writing the sheet ------------------------------------------------------------------------


def write_charts(book, title: str, charts: list[Chart]):
    """Add the Charts sheet to `book` (a SafeWorkbook): the title, the tables (rows in order, as the
    constant-memory mode needs), then the charts over them."""
    sheet = book.sheet(SHEET)  # printed like every sheet: A4 landscape, one page wide (SafeWorkbook.close)
    ws = sheet.ws
    ws.set_column(TABLES_COLUMN, TABLES_COLUMN, 34)
    ws.set_column(TABLES_COLUMN + 1, TABLES_COLUMN + 7, 14)
    sheet.write(0, 0, title, fmt="title")
    sheet.write(1, TABLES_COLUMN, "Chart data: each chart is drawn from its table below", fmt="label")

    row = FIRST_ROW
    for chart in charts:
        table = chart.table
        table.top = row
        sheet.write(row, TABLES_COLUMN, table.title, fmt="label")
        for col, heading in enumerate(table.headings):
            sheet.write(row + 1, TABLES_COLUMN + col, heading, fmt="header")
        row += 2
        if not table.rows:
            sheet.write(row, TABLES_COLUMN, "Nothing to show for this period.")
            row += 1
        writers = {}  # by the kinds of a row's cells
        for n, values in enumerate(table.rows):
            kinds = tuple(table.row_kinds[n] if table.row_kinds else table.kinds)
            write_row = writers.get(kinds)
            if write_row is None:
                write_row = writers[kinds] = sheet.row_writer(kinds, first_col=TABLES_COLUMN)
            write_row(row, values)
            row += 1
        row += 1
        if table.note:
            sheet.write(row, TABLES_COLUMN, table.note)
            row += 2
    # The last row the charts cover, written so that the printed area takes them in.
    end = FIRST_ROW + (len(charts) + 1) // 2 * CHART_ROWS
    sheet.write(max(row, end), 0, "Each chart is drawn from its table on the right of this sheet.")

    for n, chart in enumerate(charts):
        drawn = chart.draw(book.book) if chart.table.rows else None
        if drawn is None:
            continue
        drawn.set_size({"width": CHART_WIDTH, "height": CHART_HEIGHT})
        ws.insert_chart(FIRST_ROW + (n // 2) * CHART_ROWS, (n % 2) * CHART_COLS, drawn,
                        {"description": chart.description, "object_position": 3})


def _titled(chart, title: str, x: str, y: str, legend=True):
    chart.set_title({"name": title, "name_font": {"size": 12}})
    chart.set_x_axis({"name": x})
    chart.set_y_axis({"name": y, "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
    chart.set_legend({"position": "bottom"} if legend else {"none": True})
    return chart


def spend_chart(table: Table, title: str, x: str, category_cols: tuple, spent_col: int, plan_col: int,
                plan_name: str) -> Chart:
    """Spend as columns against the plan as a line, over the table's categories (one column, or two for
    categories in two levels)."""

    def draw(book):
        categories = table.columns(*category_cols)
        columns = book.add_chart({"type": "column"})
        columns.add_series({"name": table.heading(spent_col), "categories": categories,
                            "values": table.column(spent_col), "fill": {"color": SPENT_COLOUR}})
        line = book.add_chart({"type": "line"})
        line.add_series({"name": table.heading(plan_col), "categories": categories,
                         "values": table.column(plan_col), "line": {"color": PROFILE_COLOUR, "width": 2.25},
                         "marker": {"type": "diamond", "size": 7, "fill": {"color": PROFILE_COLOUR},
                                    "border": {"color": PROFILE_COLOUR}}})
        columns.combine(line)
        _titled(columns, title, x, "£")
        columns.set_y_axis({"name": "£", "num_format": '"£"#,##0',
                            "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
        return columns

    return Chart(table, draw, f"{title}: approved spend as columns and {plan_name.lower()} as a line. "
                              f"The figures are in the table “{table.title}” on this sheet.")


def status_chart(table: Table, title: str) -> Chart:
    def draw(book):
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": table.heading(1), "categories": table.column(0), "values": table.column(1),
                          "fill": {"color": SPENT_COLOUR}, "data_labels": {"value": True}})
        chart.set_y_axis({"reverse": True})
        _titled(chart, title, "Projects", "Return status", legend=False)
        chart.set_x_axis({"name": "Projects", "min": 0, "major_unit": 1})
        chart.set_y_axis({"name": "Return status", "reverse": True})
        return chart

    return Chart(table, draw, f"{title}: the number of projects whose return is in each status. "
                              f"The figures are in the table “{table.title}” on this sheet.")


def rag_chart(table: Table, title: str, x: str) -> Chart:
    def draw(book):
        chart = book.add_chart({"type": "column", "subtype": "stacked"})
        for col, label in enumerate(RAG_ORDER, start=1):
            chart.add_series({"name": table.heading(col), "categories": table.column(0), "values": table.column(col),
                              "fill": {"color": RAG_COLOURS[label]}, "gap": 80})
        _titled(chart, title, x, "Projects")
        chart.set_y_axis({"name": "Projects", "min": 0, "major_unit": 1,
                          "major_gridlines": {"visible": True, "line": {"color": "#DDDDDD"}}})
        return chart

    return Chart(table, draw, f"{title}: stacked columns of the projects rated red, amber and green, and those "
                              "not rated (no approved return, or no rating). The figures are in the table "
                              f"“{table.title}” on this sheet.")


def measures_chart(table: Table, title: str, charted: int) -> Chart:
    def draw(book):
        if not charted:
            return None
        chart = book.add_chart({"type": "bar"})
        chart.add_series({"name": table.heading(2), "categories": table.column(0, 0, charted - 1),
                          "values": table.column(2, 0, charted - 1), "fill": {"color": SPENT_COLOUR}})
        chart.add_series({"name": table.heading(3), "categories": table.column(0, 0, charted - 1),
                          "values": table.column(3, 0, charted - 1), "fill": {"color": TARGET_COLOUR}})
        _titled(chart, title, "Count", "Measure")
        chart.set_x_axis({"name": "Count", "min": 0})
        chart.set_y_axis({"name": "Measure", "reverse": True, "num_font": {"size": 8}})
        return chart

    return Chart(table, draw, f"{title}: for up to {MEASURES_CHARTED} counted measures, the figure to date beside "
                              "the target of the same quarters. Every measure with a target is in the table "
                              f"“{table.title}” on this sheet.")


# --- Measures: the counted ones with a target first (the chart's rows), then the rest -----------------


MEASURE_HEADINGS = ["Measure", "Unit", "Figure to date", "Target to date", "% of target", "RAG", "In the chart"]


def measures_table(title: str, measures, others_on: str | None = None) -> tuple[Table, int]:
    """`measures`: (label, unit, unit label, figure, target, percent, RAG label); those with a target
    are in the table, each figure in its unit's kind (a percentage as %, money as £). The counted ones
    (up to MEASURES_CHARTED) come first: the chart draws those rows. With `others_on` (a sheet's
    name), the table holds only the charted rows, and a note under it says how many others with a
    target that sheet has: a workbook's measures of every project are a sheet of their own."""
    measures = [m for m in measures if m[4] is not None]
    counted = [n for n, m in enumerate(measures) if m[1] == "count"][:MEASURES_CHARTED]
    charted = [measures[n] for n in counted]
    rest = [m for n, m in enumerate(measures) if n not in set(counted)]
    kinds = ["text", "text", "number", "number", "percent", "text", "text"]
    table = Table(title, MEASURE_HEADINGS, kinds, row_kinds=[])
    if others_on is not None:
        if rest:
            table.note = (f"{'The' if charted else 'All'} {len(rest):,} {'other ' if charted else ''}"
                          f"measure{'s' if len(rest) != 1 else ''} with a target {'are' if len(rest) != 1 else 'is'} "
                          f"on the {others_on} sheet.")
        rest = []
    for n, (label, unit, unit_label, figure, target, percent, rag) in enumerate(charted + rest):
        table.rows.append([label, unit_label, figure, target, percent, rag, "Yes" if n < len(charted) else "No"])
        kind = UNIT_KINDS.get(unit, "number")
        table.row_kinds.append(["text", "text", kind, kind, "percent", "text", "text"])
    return table, len(charted)


# --- The commissioner's workbook --------------------------------------------------------------


class CommissionerTallies:
    """The figures of the commissioner's workbook's charts, added up from the rows of its data sheets
    as they are written (`row_seen` of each), so the rows are worked out once for both."""

    PROFILE_COLS, ACTUAL_COLS = range(8, 12), range(12, 16)  # the Spend sheet's Q1-Q4 profile and actual

    def __init__(self):
        self.spend = {}  # programme -> [[profile, approved actual or None]] for Q1-Q4
        self.ratings = {}  # programme -> Counter of RAG labels
        self.measures = []  # (label, unit, unit label, figure, target, percent, RAG label)

    def spend_seen(self, values):
        sums = self.spend.get(values[0])
        if sums is None:
            sums = self.spend[values[0]] = [[0, None] for _ in range(4)]
        for i, (p, a) in enumerate(zip(self.PROFILE_COLS, self.ACTUAL_COLS)):
            sums[i][0] += values[p] or 0
            if values[a] is not None:
                sums[i][1] = (sums[i][1] or 0) + values[a]

    def summary_seen(self, values):
        counts = self.ratings.get(values[0])
        if counts is None:
            counts = self.ratings[values[0]] = Counter()
        counts[values[16] or NOT_RATED] += 1

    def outcome_seen(self, unit, values):
        self.measures.append((f"{values[1]}: {values[4]}", unit, values[5], values[15], values[16], values[17],
                              values[19]))

    @classmethod
    def of(cls, data):
        """The tallies of `data` on their own, from the sheets' row generators."""
        tallies = cls()
        for values in spend_rows(data):
            tallies.spend_seen(values)
        for _code, values in summary_rows(data):
            tallies.summary_seen(values)
        for unit, values in outcome_rows(data):
            tallies.outcome_seen(unit, values)
        return tallies


def commissioner_charts(data, tallies: CommissionerTallies | None = None) -> list[Chart]:
    """The four charts of the commissioner's workbook for `data` (commissioner_data.WorkbookData), from
    the tallies of its data sheets' rows (worked out from `data` when not given)."""
    q = data.quarter
    number = q.number
    tallies = tallies or CommissionerTallies.of(data)

    # Spend and profile by programme and quarter: the Spend sheet's rows added up.
    spend = Table("Spend against profile by quarter", ["Programme", "Quarter", "Profile", "Spent (approved)"],
                  ["text", "text", "money", "money"])
    for name, sums in tallies.spend.items():
        for i, (plan, spent) in enumerate(sums):
            spend.rows.append([name if i == 0 else None, f"Q{i + 1}", plan, spent if i < number else None])

    statuses = Counter(status_label(p.statuses[number - 1]) for p in data.projects)
    status = Table(f"Returns by status, {q.label}", ["Return status", "Projects"], ["text", "number"],
                   [[label, statuses[label]] for label in RETURN_STATUS_ORDER])

    rag = Table(f"RAG by programme, {q.label} (officer's rating of approved returns)",
                ["Programme", *RAG_ORDER], ["text", *["number"] * len(RAG_ORDER)],
                [[name, *(counts[label] for label in RAG_ORDER)] for name, counts in tallies.ratings.items()])

    measures, charted = measures_table("Measures against target to date", tallies.measures, others_on="Outcomes")

    return [
        spend_chart(spend, f"Spend against profile by quarter, {q.year}", "Programme and quarter",
                    (0, 1), 3, 2, "Profile"),
        status_chart(status, f"Returns by status, {q.label}"),
        rag_chart(rag, f"RAG by programme, {q.label}", "Programme"),
        measures_chart(measures, "Measures against target to date", charted),
    ]


def write_commissioner_charts(book, data, tallies: CommissionerTallies | None = None):
    """The commissioner's workbook's Charts sheet (after its other sheets)."""
    write_charts(book, f"Charts: {data.quarter.label}", commissioner_charts(data, tallies))


# --- The performance report and the report by priority ----------------------------------------


def _status_table(title: str, projects) -> Table:
    """How many of `projects` (report rows) have their return of the period's last quarter in each status."""
    statuses = Counter(status_label(p.data.statuses[-1]) for p in projects if p.data.statuses)
    return Table(title, ["Return status", "Projects"], ["text", "number"],
                 [[label, statuses[label]] for label in RETURN_STATUS_ORDER])


def _rag_table(title: str, groups) -> Table:
    """(name, projects) -> how many projects' latest approved return is rated red, amber, green or not at all."""
    rows = []
    for name, projects in groups:
        counts = Counter(RAG_LABELS.get(p.rag) or NOT_RATED for p in projects)
        rows.append([name, *(counts[label] for label in RAG_ORDER)])
    return Table(title, ["", *RAG_ORDER], ["text", *["number"] * len(RAG_ORDER)], rows)


def _key_outcomes(groups):
    for group, outcomes in groups:
        for k in outcomes:
            yield (f"{group}: {k.name}" if group else k.name, k.unit, UNIT_LABELS.get(k.unit, k.unit), k.actual,
                   k.target, k.percent_of_target, RAG_LABELS.get(k.rag))


def performance_charts(report) -> list[Chart]:
    """The four charts of the performance report's workbook (reporting.reports.PerformanceReport)."""
    window = report.window.title
    spend = Table("Spend against plan by quarter", ["Quarter", "Plan (profile)", "Spent (approved returns)"],
                  ["text", "money", "money"], [[q.quarter.label, q.plan, q.spent] for q in report.by_quarter])
    last = report.window.quarters[-1].label
    status = _status_table(f"Returns by status, {last}", report.projects)
    programmes = {}
    for p in report.projects:
        programmes.setdefault(p.programme, []).append(p)
    rag = _rag_table("RAG by programme (latest approved return)", programmes.items())
    rag.headings[0] = "Programme"
    measures, charted = measures_table("Key outcomes against target", _key_outcomes([(None, report.key_outcomes)]))
    return [
        spend_chart(spend, f"Spend against plan by quarter, {window}", "Quarter", (0, 0), 2, 1, "Plan"),
        status_chart(status, f"Returns by status, {last}"),
        rag_chart(rag, "RAG by programme (latest approved return)", "Programme"),
        measures_chart(measures, f"Key outcomes against target, {window}", charted),
    ]


def priority_charts(report) -> list[Chart]:
    """The four charts of the report by priority's workbook (reporting.reports.PriorityReport)."""
    window = report.window.title
    spend = Table("Spend against plan by priority", ["Priority", "Plan (profile)", "Spent (approved returns)"],
                  ["text", "money", "money"], [[r.name, r.plan, r.spent] for r in report.rows])
    last = report.window.quarters[-1].label
    status = _status_table(f"Returns by status, {last} (each project once)", report.total.projects)
    rag = _rag_table("RAG by priority (latest approved return)", [(r.name, r.projects) for r in report.rows])
    rag.headings[0] = "Priority"
    measures, charted = measures_table("Key outcomes against target by priority",
                                       _key_outcomes([(r.name, r.key_outcomes) for r in report.rows]))
    return [
        spend_chart(spend, f"Spend against plan by priority, {window}", "Priority", (0, 0), 2, 1, "Plan"),
        status_chart(status, f"Returns by status, {last}"),
        rag_chart(rag, "RAG by priority (latest approved return)", "Priority"),
        measures_chart(measures, f"Key outcomes against target, {window}", charted),
    ]


def write_report_charts(book, report):
    """The Charts sheet of the performance report's or the report by priority's workbook."""
    charts = priority_charts(report) if hasattr(report, "rows") else performance_charts(report)
    write_charts(book, f"Charts: {report.subject.title}, {report.window.title}", charts)
