"""
The payment file: the payments a funder released in a date range, one row each, in a fixed column order
that a finance system can import (README, "The payment file", documents it column by column).

- **Which payments**: released, paid on a day from the first to the last of the range (both included),
  of the user's funder (`Payment.objects.for_user`). A quarter paid in part is two payments, the part
  and its balance, each its own row once released ("Part payment" says Yes on both).
- **The codes**: each as carried onto the payment when it was released; where that is blank (a payment
  released before the codes were carried, or a code set only later) the current code of the recipient,
  programme or allocation (grants.selectors.finance_codes.payment_codes: one rule for every surface).
- **The payee** is the legal body paid: a partnership's accountable body (its council) where it has one,
  as in open data; the recipient is named beside it.
- **CSV** (for importing): UTF-8 with a byte-order mark, comma-separated, CRLF line ends, a heading row
  and no total row; dates as 2023-04-01, date-times as 2023-07-03 09:30 (UK time), amounts as plain
  numbers with two decimal places (1234.50: no £, no thousands separator). **xlsx** (for people): the
  same columns typed (dates, a £ number format), the heading frozen and filtered, and a total row whose
  amount is a real =SUM() formula. Both go through the formula-safe writers: text that a spreadsheet would
  run as a formula stays text (quote-prefixed in the workbook, after an apostrophe in the CSV).

One query whatever the number of payments (everything a row shows is joined in), read in chunks.
"""

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils import timezone

from grants.models import Payment
from grants.models.common import ZERO
from grants.periods import FinancialYear
from grants.selectors.finance_codes import PAYMENT_CODES_RELATED, has_balance, is_part_payment, payee, payment_codes

from .spreadsheets.csv import safe_csv
from .spreadsheets.writer import Column, SafeWorkbook

# The longest range one file covers: a year, a leap year's included.
MAX_DAYS = 366
# Rows shown on the page before downloading; the files hold every one.
PREVIEW_ROWS = 50
SHEET_TITLE = "Payments"

COLUMNS = [
    Column("Payment ID", "number", 11),
    Column("Payment reference", "text", 20),
    Column("Paid on", "date", 12),
    Column("Supplier number", "text", 14),
    Column("Payee", "text", 34),
    Column("Recipient", "text", 34),
    Column("Programme code", "text", 14),
    Column("Cost centre", "text", 12),
    Column("Ledger code", "text", 12),
    Column("Purchase order", "text", 14),
    Column("Allocation title", "text", 34),
    Column("Financial year", "text", 10),
    Column("Quarter", "text", 8),
    Column("Amount", "money", 14),
    Column("Part payment", "text", 9),
    Column("Released by", "text", 20),
    Column("Released at", "datetime", 17),
]
HEADINGS = [column.heading for column in COLUMNS]
AMOUNT = HEADINGS.index("Amount")
IDENTIFIER = HEADINGS.index("Payment ID")


def payments_in_range(user, first: datetime.date, last: datetime.date):
    """The user's funder's payments released and paid from `first` to `last` (both included), oldest
    first, with everything a row shows in the same query."""
    return (
        Payment.objects.for_user(user)
        .filter(status=Payment.Status.RELEASED, paid_on__gte=first, paid_on__lte=last)
        .select_related(*PAYMENT_CODES_RELATED, "released_by")
        .annotate(part_paid=has_balance())
        .order_by("paid_on", "pk")
    )


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def row(payment: Payment) -> list:
    """One payment's values, in the order of COLUMNS."""
    allocation = payment.allocation
    codes = payment_codes(payment)
    return [
        payment.pk,
        payment.reference,
        payment.paid_on,
        codes.supplier_number,
        payee(allocation.recipient).name,
        allocation.recipient.name,
        allocation.programme.code,
        codes.cost_centre,
        codes.ledger_code,
        codes.purchase_order,
        allocation.title,
        FinancialYear(payment.financial_year).label,
        f"Q{payment.quarter}",
        payment.amount,
        "Yes" if is_part_payment(payment) else "No",
        _person(payment.released_by),
        payment.released_at,
    ]


def rows(payments) -> Iterator[list]:
    for payment in payments.iterator(chunk_size=2000):
        yield row(payment)


@dataclass(frozen=True)
class Summary:
    count: int
    total: Decimal


def summary(payments) -> Summary:
    """How many payments the file holds and their total, to the penny: one query."""
    found = payments.order_by().aggregate(count=Count("pk"), total=Sum("amount"))
    return Summary(found["count"], found["total"] or ZERO)


def preview(payments) -> list[list]:
    """The first PREVIEW_ROWS rows, as the file holds them."""
    return [row(payment) for payment in payments[:PREVIEW_ROWS]]


def filename(first: datetime.date, last: datetime.date, extension: str) -> str:
    return f"payments-{first:%Y-%m-%d}-to-{last:%Y-%m-%d}.{extension}"


def csv_lines(payments) -> Iterator[str]:
    """The CSV file, line by line, for a streaming response."""
    return safe_csv(COLUMNS, rows(payments))


def write_xlsx(payments, target, *, total: Decimal | None = None, first: datetime.date | None = None,
               last: datetime.date | None = None, organisation="", made_by="") -> None:
    """The workbook into the binary file `target`: the heading, one row per payment and a total row
    whose amount is =SUM() over the rows (its value cached: `total`, or the rows' own sum). The payment
    ID is a whole number shown as it is (no thousands separator). Printed pages name the payments'
    dates (`first` to `last`), the organisation and who made the file."""
    book = SafeWorkbook(target)
    book.print_setup(title="Payment file: payments released",
                     period=f"{first:%-d %B %Y} to {last:%-d %B %Y}" if first and last else "",
                     organisation=organisation, made_by=made_by, made_at=timezone.now())
    book.add_format("identifier", {"num_format": "0", "valign": "top", "align": "left"})
    sheet = book.sheet(SHEET_TITLE)
    sheet.header(0, COLUMNS)
    kinds = [column.kind for column in COLUMNS]
    kinds[IDENTIFIER] = "text"  # left empty by the row writer, then written in its own format
    write_row = sheet.row_writer(kinds)
    added, end = ZERO, 1
    for values in rows(payments):
        identifier, values[IDENTIFIER] = values[IDENTIFIER], None
        write_row(end, values)
        sheet.write(end, IDENTIFIER, identifier, "number", fmt="identifier")
        added += values[AMOUNT]
        end += 1
    sheet.filtered(0, end - 1)
    sheet.label(end, 0, "Total", fmt="total_label")
    for col in range(1, len(COLUMNS)):
        if col != AMOUNT:
            sheet.write(end, col, None, fmt="total_label")
    sheet.write_total(end, AMOUNT, 1, end - 1, added if total is None else total)
    book.close()
