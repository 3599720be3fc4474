"""
CSV written by the same rule as our workbooks.

A CSV file has no types: whatever opens it guesses, and a spreadsheet takes text
starting with =, +, -, @, a tab, a carriage return or a line feed for a formula
(and, opened with "trim spaces", text with = + - @ behind leading spaces too).
So every text value that starts that way gets a leading apostrophe (the usual
defence: the spreadsheet shows it as text), and characters a spreadsheet cannot
hold are removed, exactly as `writer.clean_text` does for xlsx.

Values are written by the kind of their column (the writer's `Column.kind`):
money as plain numbers with two decimal places (1234.50, no £ sign, so that it
stays a number), dates as 2023-04-01, date-times in local time as 2023-04-01 09:30.
Only text is escaped: a number or a date we format ourselves cannot be a formula,
and a negative amount must stay a number.

`safe_csv(columns, rows)` yields the file line by line for a streaming response:
a byte-order mark first, so that a spreadsheet reads the £ signs and accents in
names as UTF-8, then the headings, then one line per row.
"""

import csv
import datetime
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.utils import timezone

from .cell_text import clean_text, looks_like_formula
from .writer import Column

BYTE_ORDER_MARK = "\ufeff"


def safe_text(value) -> str:
    """Text as a CSV cell should hold it: cleaned, and with an apostrophe before a formula-like start."""
    text = clean_text(value if type(value) is str else str(value))
    return "'" + text if looks_like_formula(text) else text


def _number(value) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (int, float)):
        return str(value)
    raise TypeError(f"A number cell needs a number, not {value!r}")


def _money(value) -> str:
    if isinstance(value, Decimal):
        return format(value.quantize(Decimal("0.01")), "f")
    return _number(value)


def _date(value) -> str:
    if not isinstance(value, datetime.date):
        raise TypeError(f"A date cell needs a date, not {value!r}")
    if isinstance(value, datetime.datetime):
        value = value.date() if value.tzinfo is None else timezone.localtime(value).date()
    return value.isoformat()


def _datetime(value) -> str:
    if not isinstance(value, datetime.datetime):
        raise TypeError(f"A date-time cell needs a date-time, not {value!r}")
    if value.tzinfo is not None:
        value = timezone.localtime(value)
    return value.strftime("%Y-%m-%d %H:%M")


_FORMATTERS = {
    "text": safe_text,
    "wrap": safe_text,
    "money": _money,
    "number": _number,
    "percent": _number,
    "date": _date,
    "datetime": _datetime,
}


class _Line:
    """A file-like object that hands back what csv.writer writes to it, one line at a time."""

    def write(self, text):
        return text


def safe_csv(columns: list[Column], rows: Iterable) -> Iterator[str]:
    """The CSV file, line by line: a byte-order mark and the headings, then each row of values
    (None or empty text is an empty field)."""
    try:
        formatters = [_FORMATTERS[c.kind] for c in columns]
    except KeyError as error:
        raise ValueError(f"Unknown cell kind {error.args[0]!r}") from None
    writer = csv.writer(_Line())
    yield BYTE_ORDER_MARK + writer.writerow([safe_text(c.heading) for c in columns])
    for values in rows:
        yield writer.writerow(
            ["" if value is None or value == "" else formatters[i](value) for i, value in enumerate(values)]
        )
