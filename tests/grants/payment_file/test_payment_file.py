"""
The payment file (/finance/payment-file/): the payments released in a range of days, in the documented
column order, as CSV bytes a finance system imports and as a typed workbook with a real total; formula-
looking codes kept as text in both; the range's first and last days included; an empty range; ranges
refused with a message on the field; only released payments, only the user's funder's; the total to the
penny. The world is described in conftest.py.
"""

import csv
import datetime
import io
from datetime import date
from decimal import Decimal

import openpyxl
import pytest

from reporting import payment_file
from tests.dates import date_boxes
from tests.grants.commissioning.helpers import table_rows
from tests.spreadsheet_tables import filtered_range
from tests.worlds import client_for

from .conftest import FIRST, FORMULA, LAST

URL = "/finance/payment-file/"

# The layout README documents ("The payment file"), heading by heading: a finance system imports by it.
HEADINGS = [
    "Payment ID", "Payment reference", "Paid on", "Supplier number", "Payee", "Recipient", "Programme code",
    "Cost centre", "Ledger code", "Purchase order", "Allocation title", "Financial year", "Quarter", "Amount",
    "Part payment", "Released by", "Released at",
]


def query(first="1/4/2023", last="30/6/2023", **extra) -> dict:
    return {**date_boxes(paid_from=first, paid_to=last), **extra}


def download(user, fmt, **kwargs):
    return client_for(user).get(URL, query(format=fmt, **kwargs))


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response) -> list[list[str]]:
    text = body(response).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def workbook(response):
    return openpyxl.load_workbook(io.BytesIO(body(response)))["Payments"]


def expected_rows(w) -> list[list[str]]:
    """The rows of the CSV, as the layout says they are written."""
    released_at = "2023-07-03 09:30"
    return [
        [str(w.a_q1.pk), "BACS-A1", "2023-04-01", "SUP-A", "Provider A", "Provider A", "CSF", "CC-100", "5100",
         "PO-A-1", "Allocation to A", "2023-24", "Q1", "25000.00", "No", "finance", released_at],
        [str(w.a_q4.pk), "BACS-A4", "2023-05-02", "SUP-A", "Provider A", "Provider A", "CSF", "CC-200", "5100",
         "PO-A-2", "Allocation to A", "2023-24", "Q4", "25000.03", "No", "finance", released_at],
        [str(w.a_q3.pk), "BACS-A3", "2023-05-15", "SUP-A", "Provider A", "Provider A", "CSF", "CC-100", "5100",
         "PO-A-2", "Allocation to A", "2023-24", "Q3", "9999.99", "Yes", "finance", released_at],
        [str(w.a_q3_balance.pk), "BACS-A3B", "2023-06-01", "SUP-A", "Provider A", "Provider A", "CSF", "CC-100",
         "5100", "PO-A-2", "Allocation to A", "2023-24", "Q3", "15000.01", "Yes", "finance", released_at],
        [str(w.b_q1.pk), "'=1+2", "2023-06-30", "'" + FORMULA, "Testshire Council", "Provider B", "CSF", "CC-100",
         "5100", "", "Allocation to B", "2023-24", "Q1", "25000.00", "No", "finance", released_at],
    ]


# --- The rows and their layout ------------------------------------------------------------------------


def test_the_columns_are_in_the_documented_order():
    assert payment_file.HEADINGS == HEADINGS
    assert [c.kind for c in payment_file.COLUMNS] == [
        "number", "text", "date", "text", "text", "text", "text", "text", "text", "text", "text", "text", "text",
        "money", "text", "text", "datetime"]


def test_the_csv_holds_the_released_payments_of_the_range_in_order_with_their_codes(paid):
    response = download(paid.finance, "csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="payments-2023-04-01-to-2023-06-30.csv"'
    rows = csv_rows(response)
    assert rows[0] == HEADINGS
    assert rows[1:] == expected_rows(paid)


def test_the_csv_bytes_are_utf8_with_a_byte_order_mark_and_crlf_line_ends(paid):
    data = body(download(paid.finance, "csv"))

    assert data.startswith(b"\xef\xbb\xbfPayment ID,Payment reference,Paid on,Supplier number,Payee,")
    lines = data.split(b"\r\n")
    assert len(lines) == 1 + 5 + 1 and lines[-1] == b""  # heading, five payments, and the last line's end
    assert lines[1] == (f"{paid.a_q1.pk},BACS-A1,2023-04-01,SUP-A,Provider A,Provider A,CSF,CC-100,5100,PO-A-1,"
                        "Allocation to A,2023-24,Q1,25000.00,No,finance,2023-07-03 09:30").encode()
    # Text a spreadsheet would run stays text: an apostrophe before it, quoted where it holds a comma.
    assert lines[5].startswith(f"{paid.b_q1.pk},'=1+2,2023-06-30,\"'=HYPERLINK(\"\"http://x\"\",\"\"click\"\")\","
                               "Testshire Council,".encode())
    assert b"\xc2\xa3" not in data  # no £ in a CSV amount


def test_the_workbook_is_typed_with_a_real_total(paid):
    response = download(paid.finance, "xlsx")

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="payments-2023-04-01-to-2023-06-30.xlsx"'
    sheet = workbook(response)
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    first = rows[1]
    assert first[0] == paid.a_q1.pk and sheet["A2"].number_format == "0"
    assert first[2] == datetime.datetime(2023, 4, 1) and sheet["C2"].is_date
    assert sheet["C2"].number_format == "d mmm yyyy"
    assert first[13] == 25000.0 and sheet["N2"].number_format == '"£"#,##0.00;-"£"#,##0.00'
    assert first[16] == datetime.datetime(2023, 7, 3, 9, 30) and sheet["Q2"].is_date
    assert [r[13] for r in rows[1:6]] == [25000.0, 25000.03, 9999.99, 15000.01, 25000.0]
    assert [r[1] for r in rows[1:6]] == ["BACS-A1", "BACS-A4", "BACS-A3", "BACS-A3B", "=1+2"]
    total = rows[6]
    assert total[0] == "Total"
    assert total[13] == "=SUM(N2:N6)"
    assert sheet.freeze_panes == "A2"
    assert filtered_range(sheet) == "A1:Q6"
    assert len(rows) == 7


def test_the_workbook_caches_the_total_to_the_penny(paid):
    sheet = openpyxl.load_workbook(io.BytesIO(body(download(paid.finance, "xlsx"))), data_only=True)["Payments"]
    assert Decimal(str(sheet["N7"].value)) == Decimal("100000.03")


def test_a_formula_looking_code_or_reference_is_text_in_the_workbook(paid):
    sheet = workbook(download(paid.finance, "xlsx"))
    reference, supplier = sheet["B6"], sheet["D6"]

    assert (reference.value, reference.data_type) == ("=1+2", "s")
    assert (supplier.value, supplier.data_type) == (FORMULA, "s")
    assert reference.quotePrefix and supplier.quotePrefix


def test_the_page_shows_how_many_payments_and_their_total_to_the_penny(paid):
    response = client_for(paid.finance).get(URL, query())

    assert response.status_code == 200
    page = response.content.decode()
    assert '<strong data-figure="count">5</strong> payments' in page
    assert '<strong class="app-money" data-figure="total">£100,000.03</strong>' in page
    preview = table_rows(response, "payment-file-preview")
    assert [row[1] for row in preview] == ["BACS-A1", "BACS-A4", "BACS-A3", "BACS-A3B", "=1+2"]
    assert preview[0][2] == "1 Apr 2023" and preview[0][13] == "£25,000.00"
    assert "format=csv" in page and "format=xlsx" in page


def test_the_page_and_the_file_add_up_to_the_same_total(paid):
    summary = payment_file.summary(payment_file.payments_in_range(paid.finance, FIRST, LAST))
    rows = csv_rows(download(paid.finance, "csv"))[1:]
    assert summary.count == len(rows) == 5
    assert summary.total == sum((Decimal(r[13]) for r in rows), Decimal(0)) == Decimal("100000.03")


# --- Which payments -----------------------------------------------------------------------------------


def test_the_first_and_last_days_are_included_and_the_days_around_them_are_not(paid):
    def ids(first, last):
        return [r[0] for r in csv_rows(download(paid.finance, "csv", first=first, last=last))[1:]]

    assert ids("1/4/2023", "1/4/2023") == [str(paid.a_q1.pk)]
    assert ids("30/6/2023", "30/6/2023") == [str(paid.b_q1.pk)]
    assert ids("2/4/2023", "29/6/2023") == [str(p.pk) for p in (paid.a_q4, paid.a_q3, paid.a_q3_balance)]
    assert ids("1/7/2023", "1/7/2023") == [str(paid.a_q2.pk)]


def test_an_empty_range_gives_the_heading_alone_and_a_total_of_nothing(paid):
    csv_data = body(download(paid.finance, "csv", first="1/1/2023", last="31/1/2023"))
    assert csv_data == "\ufeff".encode() + ",".join(HEADINGS).encode() + b"\r\n"

    sheet = workbook(download(paid.finance, "xlsx", first="1/1/2023", last="31/1/2023"))
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADINGS
    assert rows[1][0] == "Total" and rows[1][13] == "=0"

    page = client_for(paid.finance).get(URL, query(first="1/1/2023", last="31/1/2023"))
    assert page.status_code == 200
    assert '<strong data-figure="count">0</strong> payments' in page.content.decode()
    assert 'data-testid="payment-file-empty"' in page.content.decode()


def test_only_released_payments_are_in_the_file(paid):
    ids = {r[0] for r in csv_rows(download(paid.finance, "csv"))[1:]}
    assert str(paid.b_q2.pk) not in ids  # scheduled, though a payment date was forced on it


def test_another_funders_payments_never_appear(paid):
    ours = {r[0] for r in csv_rows(download(paid.finance, "csv"))[1:]}
    assert str(paid.elsewhere.pk) not in ours

    theirs = csv_rows(download(paid.outsider_finance, "csv"))
    assert [r[0] for r in theirs[1:]] == [str(paid.elsewhere.pk)]
    assert theirs[1][3] == "EL-9" and theirs[1][7] == "EL-1"  # its own codes, read as they are now
    assert csv_rows(download(paid.outsider, "csv"))[1:] == theirs[1:]  # its commissioner officer too


def test_the_commissioner_officer_gets_the_same_file_as_finance(paid):
    assert body(download(paid.commissioner, "csv")) == body(download(paid.finance, "csv"))


# --- Ranges refused ------------------------------------------------------------------------------------


@pytest.mark.parametrize("first, last, field, message", [
    ("", "30/6/2023", "paid_from", "Enter the first day of the range."),
    ("1/4/2023", "", "paid_to", "Enter the last day of the range."),
    ("31/2/2023", "30/6/2023", "paid_from", "The first day must be a real date"),
    ("1/4/2023", "30/13/2023", "paid_to", "The last day must be a real date"),
    ("1/4/2023", "31/3/2023", "paid_to", "The last day must be the same as or after the first day (1 April 2023)."),
    ("1/4/2023", "1/4/2024", "paid_to", "The range can be at most 366 days (a year): it has 367."),
])
def test_a_bad_range_is_refused_with_a_message_on_its_field(paid, first, last, field, message):
    for fmt in ("", "csv", "xlsx"):
        response = client_for(paid.finance).get(URL, query(first=first, last=last, **({"format": fmt} if fmt else {})))
        assert response.status_code == 400
        assert response["Content-Type"].startswith("text/html")
        form = response.context["form"]
        assert any(error.startswith(message) for error in form.errors[field]), form.errors
        assert f'href="#id_{field}_day"' in response.content.decode()  # the error summary links to the field


def test_a_leap_year_is_one_range(paid):
    response = download(paid.finance, "csv", first="1/4/2023", last="31/3/2024")  # 366 days
    assert response.status_code == 200


def test_a_format_that_is_not_offered_is_refused(paid):
    response = client_for(paid.finance).get(URL, query(format="pdf"))
    assert response.status_code == 400
    assert "The payment file is offered as CSV or xlsx only" in response.content.decode()


def test_the_page_without_a_range_offers_the_last_quarter_that_ended(paid):
    response = client_for(paid.finance).get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert not form.is_bound
    assert (form.initial["paid_from"], form.initial["paid_to"]) == (date(2023, 4, 1), date(2023, 6, 30))
    assert 'data-testid="payment-file-summary"' not in response.content.decode()


@pytest.mark.parametrize("who", ["viewer", "user_a", "user_b"])
def test_only_finance_and_commissioner_officers_take_the_file(paid, who):
    for fmt in ("", "csv"):
        response = client_for(getattr(paid, who)).get(URL, query(**({"format": fmt} if fmt else {})))
        assert response.status_code == 403
        assert "finance and commissioner officers" in response.content.decode()


def test_signed_out_is_sent_to_sign_in(paid):
    response = client_for(None).get(URL, query(format="csv"))
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_finance_page_links_to_it_for_finance_and_commissioners_only(paid):
    for who, shown in [("finance", True), ("commissioner", True), ("viewer", False)]:
        page = client_for(getattr(paid, who)).get("/finance/").content.decode()
        assert (f'href="{URL}"' in page) is shown, who
