"""
Downloads of the lists: the filtered, sorted rows as xlsx and CSV, to the penny, typed, and
formula-safe; only the two formats offered are accepted.
"""

import csv
import datetime
import io
import re
from decimal import Decimal

import openpyxl
import pytest
import time_machine

from reporting.spreadsheets.writer import DATE_FORMAT, MONEY_FORMAT
from tests import worlds
from tests.reporting.lists_fixtures import (  # noqa: F401
    FORMULA_NAME,
    URLS,
    body,
    client_for,
    csv_rows,
    penny,
    two_years_and_an_outsider,
    xlsx_rows,
)
from tests.spreadsheet_tables import filtered_range

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# For each list: the heading that names a row, how the page's record gives that name, and the
# money columns with the record's attribute (or the sum) each one comes from.
SHAPES = {
    "programmes": ("Programme", lambda r: r.name,
                   {"Budget": "total_budget", "Allocated": "allocated", "Spent (approved returns)": "spent",
                    "Paid (released)": "paid"}),
    "allocations": ("Allocation", lambda r: r.title,
                    {"Amount": "amount", "Spent (approved returns)": "spent", "Paid (released)": "paid"}),
    "projects": ("Reference", lambda r: r.reference, {"Budget": "budget", "Spent (approved returns)": "spent"}),
    "returns": ("Quarter", lambda r: r.period.label,
                {"Spend": "spend", "Profile": "profile",
                 "Variance (spend less profile)": lambda r: r.spend - r.profile}),
    "payments": ("Allocation", lambda r: r.allocation.title, {"Amount": "amount"}),
}

# Filters and orders to download under, per list (values resolved against the world).
CASES = [
    ("programmes", {"sort": "-spent"}),
    ("programmes", {"priority": "asb", "sort": "name"}),
    ("allocations", {"sort": "paid"}),
    ("allocations", {"organisation": "a"}),
    ("projects", {"sort": "-spent"}),
    ("projects", {"priority": "asb", "sort": "budget"}),
    ("projects", {"sort": "-rag"}),
    ("returns", {"status": "approved", "sort": "-spend"}),
    ("returns", {"sort": "variance"}),
    ("payments", {"status": "released", "sort": "-amount"}),
    ("payments", {"quarter": "2"}),
    ("payments", {"sort": "paid_on"}),
]


# Built once for this module (tests/worlds/: built_once_per_module), each test in a savepoint on top,
# so that what a test writes is gone before the next.
two_years_once = worlds.built_once_per_module(
    lambda: worlds.two_years_with_priorities_and_an_outsider(worlds.two_providers_one_programme()))


@pytest.fixture
def two_years_and_an_outsider(two_years_once, db):
    return worlds.fresh(two_years_once)


def resolve(two_years_and_an_outsider, params):
    values = {"asb": two_years_and_an_outsider.asb.pk, "a": two_years_and_an_outsider.provider_a.pk}
    return {k: values.get(v, v) for k, v in params.items()}


def page_records(client, slug, params):
    response = client.get(URLS[slug], params)
    assert response.status_code == 200
    return [row.record for row in response.context["table"].paginated_rows]


@pytest.mark.parametrize("who", ["commissioner", "user_a"])
@pytest.mark.parametrize("slug, params", CASES)
def test_a_download_holds_the_filtered_rows_in_the_order_shown_to_the_penny(two_years_and_an_outsider, slug, params, who):
    client = client_for(getattr(two_years_and_an_outsider, who))
    params = resolve(two_years_and_an_outsider, params)
    shown = page_records(client, slug, params)
    heading, name, money = SHAPES[slug]
    for wanted, read, amount in (("xlsx", xlsx_rows, penny), ("csv", csv_rows, Decimal)):
        response = client.get(URLS[slug], {**params, "format": wanted})
        assert response.status_code == 200
        rows = read(response)
        assert [row[heading] for row in rows] == [name(r) for r in shown]
        for row, record in zip(rows, shown):
            for column, attribute in money.items():
                expected = attribute(record) if callable(attribute) else getattr(record, attribute)
                assert amount(row[column]) == expected, (wanted, column)


def test_the_returns_download_carries_the_figures_of_the_returns(two_years_and_an_outsider):
    client = client_for(two_years_and_an_outsider.finance)
    params = {"status": "approved", "sort": "-spend"}
    for rows, amount in ((xlsx_rows(client.get(URLS["returns"], {**params, "format": "xlsx"})), penny),
                         (csv_rows(client.get(URLS["returns"], {**params, "format": "csv"})), Decimal)):
        assert [(r["Reference"], r["Quarter"], r["Status"], r["Spend check"], r["Officer's RAG"]) for r in rows] == [
            ("A-1", "2023-24 Q1", "Approved", "Verified", "Green"),
            ("B-1", "2023-24 Q1", "Approved", "Not checked", "Red"),
        ]
        assert [(amount(r["Spend"]), amount(r["Profile"]), amount(r["Variance (spend less profile)"]))
                for r in rows] == [
            (Decimal("9500.25"), Decimal("10000.00"), Decimal("-499.75")),
            (Decimal("8000.10"), Decimal("10000.00"), Decimal("-1999.90")),
        ]


def test_the_payments_download_says_why_a_payment_is_withheld(two_years_and_an_outsider):
    rows = csv_rows(client_for(two_years_and_an_outsider.commissioner).get(URLS["payments"], {"status": "withheld", "format": "csv"}))
    assert [(r["Recipient"], r["Quarter"], r["Amount"], r["Reason withheld"]) for r in rows] == [
        ("Provider B", "2023-24 Q2", "20000.50", "The Q1 return was late.")]


def test_the_projects_download_lists_each_projects_priorities(two_years_and_an_outsider):
    rows = csv_rows(client_for(two_years_and_an_outsider.commissioner).get(URLS["projects"], {"format": "csv"}))
    assert {r["Reference"]: r["Priorities"] for r in rows} == {
        "A-1": "Serious violence", "B-1": "Anti-social behaviour; Serious violence", "A-2": "Anti-social behaviour"}


def test_xlsx_cells_are_typed_money_as_pounds_and_dates_as_dates(two_years_and_an_outsider):
    content = body(client_for(two_years_and_an_outsider.commissioner).get(URLS["payments"], {"status": "released", "format": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    headings = [c.value for c in sheet[1]]
    first = dict(zip(headings, sheet[2]))
    assert first["Amount"].data_type == "n" and first["Amount"].number_format == MONEY_FORMAT
    assert first["Paid on"].is_date and first["Paid on"].number_format == DATE_FORMAT
    assert first["Paid on"].value == datetime.datetime(2023, 6, 30)
    assert first["Quarter"].data_type == "s"
    assert sheet.freeze_panes == "A2"  # the headings stay in view
    assert filtered_range(sheet) == f"A1:I{sheet.max_row}"
    assert sheet.title == "Payments"


def test_csv_money_is_a_plain_number_and_dates_are_iso(two_years_and_an_outsider):
    rows = csv_rows(client_for(two_years_and_an_outsider.commissioner).get(URLS["returns"], {"rag": "red", "format": "csv"}))
    (b1,) = rows
    assert b1["Variance (spend less profile)"] == "-1999.90"  # a negative amount stays a number
    assert b1["Due"] == "2023-07-30"  # 30 days after 30 June
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", b1["Submitted"])  # local time, to the minute


# --- Formula safety -----------------------------------------------------------------------------


@pytest.fixture
def hostile(two_years_and_an_outsider):
    """Names that a spreadsheet would take for formulas, and a character XML cannot hold."""
    two_years_and_an_outsider.provider_b.name = FORMULA_NAME
    two_years_and_an_outsider.provider_b.save()
    two_years_and_an_outsider.project_b.name = "-2+3"
    two_years_and_an_outsider.project_b.save()
    two_years_and_an_outsider.allocation_b.title = "@SUM(A1)\x07"
    two_years_and_an_outsider.allocation_b.save()
    return two_years_and_an_outsider


@pytest.mark.parametrize("slug", ["allocations", "projects", "returns", "payments"])
def test_xlsx_keeps_formula_like_names_as_quoted_text(hostile, slug):
    content = body(client_for(hostile.commissioner).get(URLS[slug], {"format": "xlsx"}))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert not any(cell.data_type == "f" for cell in cells)
    hostile_cells = [c for c in cells if c.value in (FORMULA_NAME, "-2+3", "@SUM(A1)")]
    assert hostile_cells
    for cell in hostile_cells:
        assert cell.data_type == "s"
        assert cell.quotePrefix
    assert not any("\x07" in str(c.value) for c in cells)


def csv_rows_of(text):
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


@pytest.mark.parametrize("slug", ["allocations", "projects", "returns", "payments"])
def test_csv_puts_an_apostrophe_before_formula_like_names(hostile, slug):
    text = body(client_for(hostile.commissioner).get(URLS[slug], {"format": "csv"})).decode()
    fields = [value for row in csv_rows_of(text) for value in row.values()]
    assert "'" + FORMULA_NAME in fields
    assert FORMULA_NAME not in fields
    assert "\x07" not in text
    if slug in ("projects", "returns"):
        assert "'-2+3" in fields and "-2+3" not in fields
    if slug in ("allocations", "payments"):
        assert "'@SUM(A1)" in fields


def test_the_page_shows_formula_like_names_as_they_are(hostile):
    text = client_for(hostile.commissioner).get(URLS["projects"]).content.decode()
    assert "=HYPERLINK(&quot;http://x&quot;,&quot;click&quot;)" in text


# --- Formats and names --------------------------------------------------------------------------


@pytest.mark.parametrize("wanted", ["json", "XLSX", "xls", "tsv", "ods", "html", "latex"])
@pytest.mark.parametrize("slug", list(URLS))
def test_a_format_that_is_not_offered_is_refused_with_a_message(two_years_and_an_outsider, slug, wanted):
    response = client_for(two_years_and_an_outsider.commissioner).get(URLS[slug], {"format": wanted})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert "Downloads are offered as xlsx or CSV only" in response.content.decode()


def test_the_tables2_export_parameter_does_nothing(two_years_and_an_outsider):
    response = client_for(two_years_and_an_outsider.commissioner).get(URLS["projects"], {"_export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


@time_machine.travel(datetime.datetime(2024, 5, 15, 12, 0), tick=False)
@pytest.mark.parametrize("slug", list(URLS))
def test_downloads_are_named_after_the_list_and_the_day(two_years_and_an_outsider, slug):
    client = client_for(two_years_and_an_outsider.viewer)
    xlsx = client.get(URLS[slug], {"format": "xlsx"})
    assert xlsx["Content-Type"] == XLSX
    assert xlsx["Content-Disposition"] == f'attachment; filename="{slug}-2024-05-15.xlsx"'
    csv_file = client.get(URLS[slug], {"format": "csv"})
    assert csv_file["Content-Type"] == "text/csv; charset=utf-8"
    assert csv_file["Content-Disposition"] == f'attachment; filename="{slug}-2024-05-15.csv"'
    assert csv_file.streaming


def test_an_empty_list_downloads_as_headings_only(two_years_and_an_outsider):
    client = client_for(two_years_and_an_outsider.commissioner)
    params = {"status": "withheld", "quarter": "1"}
    assert xlsx_rows(client.get(URLS["payments"], {**params, "format": "xlsx"})) == []
    text = body(client.get(URLS["payments"], {**params, "format": "csv"})).decode()
    assert text == "\ufeffAllocation,Recipient,Programme,Quarter,Amount,Status,Paid on,Payment reference," \
                   "Reason withheld\r\n"
