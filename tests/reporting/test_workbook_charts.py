"""
The Charts sheet of the commissioner's workbook and of the two report workbooks: native charts with
a title, axis titles and a description, whose series point at the workbook's own cells, which hold
the same figures as the data sheets.
"""

import io
import re
import zipfile

import openpyxl
import pytest

from grants.models import Programme
from reporting.reports import Window, performance_report, priority_report, programme_subject
from reporting.spreadsheets.charts import NOT_RATED, RAG_ORDER
from reporting.spreadsheets.reports import performance_workbook, priority_workbook
from tests.reporting.report_fixtures import END, years  # noqa: F401
from tests.reporting.workbook_fixtures import FORMULA_NAME, PERIOD, export, penny, two_programmes  # noqa: F401

C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
XDR = "{http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing}"


# --- Reading the charts back ------------------------------------------------------------------------


def charts_of(content: bytes) -> dict:
    """Each chart of the workbook by its title: its axis titles, and its series' names, categories
    and values as the cells they point at."""
    from defusedxml import ElementTree

    charts = {}
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in sorted(n for n in archive.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            root = ElementTree.fromstring(archive.read(name))
            title = "".join(t.text or "" for t in root.find(f"{C}chart/{C}title").iter(f"{A}t"))
            axes = ["".join(t.text or "" for t in ax.iter(f"{A}t"))
                    for tag in ("catAx", "valAx") for ax in root.iter(f"{C}{tag}")]
            series = []
            for ser in root.iter(f"{C}ser"):
                def ref(part):
                    found = ser.find(f"{C}{part}")
                    f = None if found is None else found.find(f".//{C}f")
                    return None if f is None else f.text
                series.append({"name": ref("tx"), "categories": ref("cat"), "values": ref("val")})
            charts[title] = {"axes": axes, "series": series}
        descriptions = []
        for name in archive.namelist():
            if re.fullmatch(r"xl/drawings/drawing\d+\.xml", name):
                root = ElementTree.fromstring(archive.read(name))
                descriptions += [p.get("descr") for p in root.iter(f"{XDR}cNvPr") if p.get("descr")]
    return {"charts": charts, "descriptions": descriptions}


def cells(book, reference: str) -> list:
    """The values of the cells a chart's reference (=Sheet!$A$1:$A$4) points at, in order."""
    sheet, area = reference.lstrip("=").rsplit("!", 1)
    sheet = sheet.strip("'").replace("''", "'")
    rows = book[sheet][area.replace("$", "")]
    if not isinstance(rows, tuple):
        return [rows.value]
    if not isinstance(rows[0], tuple):
        rows = (rows,) if len(rows) and rows[0].row == rows[-1].row else tuple((c,) for c in rows)
    return [tuple(c.value for c in row) if len(row) > 1 else row[0].value for row in rows]


def chart_table(book, title: str) -> list[dict]:
    """A chart data table of the Charts sheet, by its title: its rows as dicts by heading."""
    ws = book["Charts"]
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == title:
                headings = [c.value for c in ws[cell.row + 1][cell.column - 1:] if c.value is not None]
                table, r = [], cell.row + 2
                while ws.cell(r, cell.column).value is not None or ws.cell(r, cell.column + 1).value is not None:
                    values = [ws.cell(r, cell.column + i).value for i in range(len(headings))]
                    table.append(dict(zip(headings, values)))
                    r += 1
                return table
    raise AssertionError(f"No table {title!r}")


def series_agree_with_their_cells(content: bytes, book):
    """Every series of every chart points at cells of this workbook that hold figures."""
    found = charts_of(content)
    for title, chart in found["charts"].items():
        assert chart["series"], title
        for series in chart["series"]:
            assert series["values"].startswith("Charts!"), series
            assert any(isinstance(v, (int, float)) for v in cells(book, series["values"])), (title, series)
            assert series["categories"].startswith("Charts!")
            assert series["name"].startswith("Charts!")
    return found


# --- The commissioner's workbook -------------------------------------------------------------------


def test_the_commissioners_workbook_has_its_four_charts_titled_and_described(two_programmes):
    book = export(two_programmes.commissioner)
    found = series_agree_with_their_cells(book.content, book.formulas)
    titles = list(found["charts"])
    assert titles == [f"Spend against profile by quarter, {PERIOD.year}", f"Returns by status, {PERIOD.label}",
                      f"RAG by programme, {PERIOD.label}", "Measures against target to date"]
    for title, chart in found["charts"].items():
        assert len([a for a in chart["axes"] if a]) == 2, title
    assert len(found["descriptions"]) == 4
    assert all("table" in d for d in found["descriptions"])
    assert book.formulas.sheetnames[-1] == "Charts"


def test_spend_against_profile_adds_up_the_spend_sheets_rows(two_programmes):
    book = export(two_programmes.commissioner)
    table = chart_table(book.values, "Spend against profile by quarter")
    spend = book.rows("Spend")
    programme = None
    for row in table:
        programme = row["Programme"] or programme
        q = row["Quarter"]
        lines = [r for r in spend if r["Programme"] == programme]
        assert penny(row["Profile"]) == sum(penny(r[f"Profile {q}"]) for r in lines)
        actual = [r[f"Actual {q} (approved)"] for r in lines if r[f"Actual {q} (approved)"] is not None]
        assert row["Spent (approved)"] == (None if not actual else pytest.approx(float(sum(map(penny, actual)))))
    # Q3 and Q4 are after the period: no actual spend is shown, not even £0.
    assert [r["Spent (approved)"] for r in table if r["Quarter"] in ("Q3", "Q4")] == [None] * 4
    # The chart's columns are the spend, its line the profile.
    spend_chart = export_charts(book)[f"Spend against profile by quarter, {PERIOD.year}"]
    assert [cells(book.formulas, s["name"]) for s in spend_chart["series"]] == [["Spent (approved)"], ["Profile"]]
    assert cells(book.values, spend_chart["series"][1]["values"]) == [r["Profile"] for r in table]


def export_charts(book) -> dict:
    return charts_of(book.content)["charts"]


def test_returns_by_status_are_the_covers_count_for_the_quarter(two_programmes):
    book = export(two_programmes.commissioner)
    table = {r["Return status"]: r["Projects"] for r in chart_table(book.values, f"Returns by status, {PERIOD.label}")}
    summary = book.rows("Summary")
    for status, count in table.items():
        assert count == sum(1 for r in summary if r["Return status"] == status), status
    assert sum(table.values()) == len(summary)


def test_a_return_not_approved_is_never_counted_red(two_programmes):
    # B-1's Q2 return was sent back with the officer's red rating; C-1's is not started.
    book = export(two_programmes.commissioner)
    table = {r["Programme"]: r for r in chart_table(book.values, f"RAG by programme, {PERIOD.label} "
                                                                  "(officer's rating of approved returns)")}
    assert {name: [row[label] for label in RAG_ORDER] for name, row in table.items()} == {
        "Community Safety Fund": [0, 1, 0, 1],  # A-1 amber, B-1 awaiting
        "Serious Violence Duty": [0, 0, 0, 1],
    }
    assert RAG_ORDER[-1] == NOT_RATED
    rag = export_charts(book)[f"RAG by programme, {PERIOD.label}"]
    assert [cells(book.values, s["name"]) for s in rag["series"]] == [[label] for label in RAG_ORDER]


def test_measures_against_target_are_the_outcomes_sheets_figures(two_programmes):
    book = export(two_programmes.commissioner)
    table = chart_table(book.values, "Measures against target to date")
    outcomes = {f"{r['Reference']}: {r['Measure']}": r for r in book.rows("Outcomes")}
    assert table
    for row in table:
        sheet_row = outcomes[row["Measure"]]
        assert (row["Figure to date"], row["Target to date"]) == (
            sheet_row["Figure to date"], sheet_row["Target for the same quarters"])
    charted = [r for r in table if r["In the chart"] == "Yes"]
    assert charted and all(r["Unit"] == "Count" for r in charted)
    assert table[:len(charted)] == charted  # the chart's rows come first
    chart = export_charts(book)["Measures against target to date"]
    assert cells(book.values, chart["series"][0]["values"]) == [r["Figure to date"] for r in charted]
    assert cells(book.values, chart["series"][1]["values"]) == [r["Target to date"] for r in charted]


def test_a_programme_name_that_looks_like_a_formula_is_text_in_the_chart_tables(two_programmes):
    programme = Programme.objects.get(pk=two_programmes.svd.pk)
    programme.name = FORMULA_NAME
    programme.save()
    book = export(two_programmes.commissioner)
    found = [c for row in book.formulas["Charts"].iter_rows() for c in row if c.value == FORMULA_NAME]
    assert len(found) >= 2  # the spend table and the RAG table
    assert all(c.data_type == "s" and c.quotePrefix for c in found)


# --- The report workbooks --------------------------------------------------------------------------


def _workbook(write, report) -> tuple[bytes, openpyxl.Workbook]:
    buffer = io.BytesIO()
    write(buffer, report)
    return buffer.getvalue(), openpyxl.load_workbook(io.BytesIO(buffer.getvalue()), data_only=True)


def test_the_performance_reports_workbook_has_the_same_charts(years):
    report = performance_report(years.commissioner, programme_subject(years.commissioner, "SVF"), Window(END))
    content, book = _workbook(performance_workbook, report)
    found = series_agree_with_their_cells(content, book)
    assert len(found["charts"]) == 4 and len(found["descriptions"]) == 4
    table = chart_table(book, "Spend against plan by quarter")
    assert [(r["Quarter"], penny(r["Plan (profile)"]), penny(r["Spent (approved returns)"])) for r in table] == [
        (q.quarter.label, q.plan, q.spent) for q in report.by_quarter]
    rag = chart_table(book, "RAG by programme (latest approved return)")
    assert sum(sum(r[label] for label in RAG_ORDER) for r in rag) == len(report.projects)


def test_the_report_by_prioritys_workbook_has_the_same_charts(years):
    report = priority_report(years.commissioner, Window(END))
    content, book = _workbook(priority_workbook, report)
    found = series_agree_with_their_cells(content, book)
    assert len(found["charts"]) == 4
    table = chart_table(book, "Spend against plan by priority")
    assert [(r["Priority"], penny(r["Plan (profile)"]), penny(r["Spent (approved returns)"])) for r in table] == [
        (r.name, r.plan, r.spent) for r in report.rows]
    statuses = chart_table(book, f"Returns by status, {Window(END).quarters[-1].label} (each project once)")
    assert sum(r["Projects"] for r in statuses) == len(report.total.projects)

