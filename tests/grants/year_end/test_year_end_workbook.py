"""
The year-end workbook (/reports/year-end.xlsx, or `?format=xlsx` on the page): a Summary sheet and an
Allocations sheet written through the formula-safe writer, read back with openpyxl: typed cells (money
with a £ format, dates as dates), a frozen and filtered header, a total row of real =SUM() formulas,
and every figure equal to the selector's rows and to what the page shows.
"""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
import time_machine
from openpyxl import load_workbook

from grants.models import Allocation
from grants.periods import FinancialYear
from grants.selectors.year_end import FIGURES, year_end
from reporting.spreadsheets.writer import MONEY_FORMAT
from tests import worlds
from tests.grants.year_end.helpers import page_rows, page_summary
from tests.grants.year_end.world import YEAR_ENDED, a_year_end
from tests.spreadsheet_tables import filtered_range
from tests.worlds import client_for, penny

D = Decimal
Y = FinancialYear(2023)
URL = "/reports/year-end.xlsx"
MONEY_COLUMNS = 7  # the last seven columns, in FIGURES' order

scenario = worlds.built_once(lambda: a_year_end(worlds.two_providers_one_programme()))


@pytest.fixture
def w(scenario, db):
    with time_machine.travel(YEAR_ENDED, tick=False):
        yield worlds.fresh(scenario)


def download(user, **params):
    response = client_for(user).get(URL, params)
    assert response.status_code == 200, response
    content = b"".join(response.streaming_content)
    return response, load_workbook(BytesIO(content)), load_workbook(BytesIO(content), data_only=True)


def money_rows(sheet) -> list[list]:
    """The Allocations sheet's rows under the header, as written."""
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


# --- Who may download it --------------------------------------------------------------------------


@pytest.mark.parametrize("actor, expected", [
    ("user_a", 403), ("user_b", 403), ("viewer", 200), ("commissioner", 200), ("finance", 200), ("outsider", 200),
])
def test_the_funders_officers_download_it_and_providers_are_refused(w, actor, expected):
    assert client_for(getattr(w, actor)).get(URL).status_code == expected


def test_someone_signed_out_is_sent_to_sign_in(w):
    response = client_for(None).get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_year_just_ended_by_default_named_in_the_file(w):
    response, book, _ = download(w.finance)

    assert response["Content-Disposition"] == 'attachment; filename="year-end-2023-24.xlsx"'
    assert book.sheetnames == ["Summary", "Allocations"]
    assert book["Summary"]["A1"].value == "Year end 2023-24"


def test_a_year_that_cannot_be_read_goes_back_to_the_page_that_says_why(w):
    response = client_for(w.finance).get(URL, {"year": "2023-2025"})

    assert response.status_code == 302
    assert response["Location"] == "/finance/year-end/?year=2023-2025"


def test_the_page_sends_its_reader_to_the_same_workbook(w):
    response = client_for(w.finance).get("/finance/year-end/", {"format": "xlsx", "year": "2024-25"}, follow=True)

    assert response["Content-Disposition"] == 'attachment; filename="year-end-2024-25.xlsx"'


# --- The Allocations sheet ------------------------------------------------------------------------


def test_every_row_and_total_equals_the_selectors_and_the_pages(w):
    _, book, cached = download(w.finance)
    result = year_end(w.finance, Y)
    shown = page_rows(client_for(w.finance).get("/finance/year-end/").content.decode())
    rows = money_rows(cached["Allocations"])

    data, total = rows[:-1], rows[-1]
    assert [row[0] for row in data] == [r.allocation.title for r in result.all_rows]
    for row, expected in zip(data, result.all_rows):
        figures = dict(zip(FIGURES, (penny(value) for value in row[-MONEY_COLUMNS:])))
        assert figures == {name: getattr(expected, name) for name in FIGURES}
        on_page = shown[str(expected.allocation.pk)]
        assert {name: figures[name] for name in on_page} == on_page
        assert row[1:5] == [expected.allocation.recipient.name, expected.allocation.programme.name,
                            expected.allocation.programme.code, expected.allocation.get_status_display()]
    assert total[0] == "Total"
    assert dict(zip(FIGURES, (penny(v) for v in total[-MONEY_COLUMNS:]))) == {
        name: getattr(result.totals, name) for name in FIGURES}


def test_totals_are_real_sums_of_the_rows_above(w):
    _, book, _ = download(w.finance)
    sheet = book["Allocations"]
    last = sheet.max_row

    assert last == 1 + 4 + 1  # header, four allocations, total
    for column in "IJKLMNO":
        assert sheet[f"{column}{last}"].value == f"=SUM({column}2:{column}{last - 1})"


def test_cells_are_typed_with_a_frozen_filtered_header(w):
    _, book, _ = download(w.finance)
    sheet = book["Allocations"]

    assert sheet.freeze_panes == "A2"
    assert filtered_range(sheet) == "A1:O5"
    assert [c.value for c in sheet[1]][:8] == ["Allocation", "Recipient", "Programme", "Programme code", "Status",
                                              "Starts", "Ends", "In 2023-24"]
    assert [c.value for c in sheet[1]][8:] == ["Amount for 2023-24", "Spend verified", "Awaiting verification",
                                              "Paid", "Accrual", "Prepayment", "Committed for 2024-25"]
    first = sheet[2]
    assert isinstance(first[5].value, datetime.datetime) and first[5].value.date() == datetime.date(2023, 4, 1)
    assert first[5].number_format == "d mmm yyyy"
    for cell in first[8:]:
        assert isinstance(cell.value, (int, float)) and cell.number_format == MONEY_FORMAT
    assert sheet["H5"].value == "Starts in 2024-25" and sheet["H2"].value == "Ran in 2023-24"


def test_a_name_that_looks_like_a_formula_stays_text(w):
    Allocation.objects.filter(pk=w.allocation_a.pk).update(title=worlds.FORMULA_NAME)
    _, book, _ = download(w.finance)

    cell = book["Allocations"]["A2"]
    assert cell.value == worlds.FORMULA_NAME and cell.data_type == "s" and cell.quotePrefix


# --- The Summary sheet ----------------------------------------------------------------------------


def test_the_summary_says_the_pages_figures_with_what_they_mean(w):
    _, _, cached = download(w.finance)
    summary = cached["Summary"]
    html = client_for(w.finance).get("/finance/year-end/").content.decode()

    figures = {}
    for label, value, meaning in summary.iter_rows(min_row=2, max_col=3, values_only=True):
        if isinstance(value, (int, float)) and meaning:
            figures[label] = penny(value)
            assert meaning.replace("'", "&#x27;") in html
    assert figures == {"Accruals": D("9500.50"), "Prepayments": D("35000.00"), "Awaiting verification": D("5000.00"),
                       "Committed for 2024-25": D("80000.00")}
    assert list(figures.values()) == list(page_summary(html).values())
    labels = {row[0]: row[1] for row in summary.iter_rows(min_row=2, max_col=2, values_only=True) if row[0]}
    assert labels["Financial year"] == "2023-24"
    assert labels["Year ends"] == datetime.datetime(2024, 3, 31)
    assert labels["Funder"] == str(w.commissioner_org)
