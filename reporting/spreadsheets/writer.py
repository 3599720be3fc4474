"""
The one way we write a cell.

Every workbook we produce goes through `SafeWorkbook`: text is always written
as a string (never a formula, a number or a link), text that a spreadsheet
would take for a formula (starting with =, +, -, @, a tab, a carriage return
or a line feed, or with =, +, -, @ behind leading spaces) gets Excel's quote
prefix as well, and characters that the
file format cannot hold are removed. The only formulas in our files are the
totals we write on purpose with `write_total` and `write_total_where` (and a
total row's percentage with `write_ratio`), each with its value cached so that a reader that does not
calculate still sees the figure.

Money is a `Decimal` in the database and a number with a £ format in the
sheet; percentages are fractions with a % format; dates are dates.

Every workbook is also a document that is printed, pasted into board packs and shown on a
screen, so on closing, every sheet gets the same page set-up (`SafeSheet.page_setup`): A4
landscape, one page wide and as many tall as needed, its heading row (or its title row)
repeated on every page, the print area set to what was written, and the header and footer of
reporting.spreadsheets.printing (`SafeWorkbook.print_setup`). Column widths of text come from the
texts written (the widest text of each column, between MIN_WIDTH and MAX_WIDTH characters, with
no second pass over the data: the writer notes the length as it writes); text longer than a
column can show is wrapped, and its row is made tall enough to show it (an estimate from its
length: XlsxWriter does not size rows to wrapped text, and in constant-memory mode a row's height
can only be set while the row is being written).

Each data sheet's rows are an Excel table under its frozen heading row (`SafeSheet.filtered`,
reporting.spreadsheets.excel_tables). A range with no data row gets a plain filter. The totals
stay =SUM() formulas below the table, outside it.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

import xlsxwriter
from django.conf import settings
from django.utils import timezone
from xlsxwriter.utility import xl_rowcol_to_cell

from .cell_text import clean_text, looks_like_formula
from .excel_tables import TABLE_STYLE, Worksheet, table_headings, table_name
from .printing import A4, PrintSetup, row_height, text_lines

MONEY_FORMAT = '"£"#,##0.00;-"£"#,##0.00'
PERCENT_FORMAT = "0.0%"
DATE_FORMAT = "d mmm yyyy"
DATETIME_FORMAT = "d mmm yyyy hh:mm"

# Widths of text columns, in characters: from the widest text written, within these bounds.
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its heading, its kind of value and its width in characters."""

    heading: str
    kind: str = "text"  # text, money, percent, number, date, datetime
    width: float = 14


class SafeWorkbook:
    """An XlsxWriter workbook whose cells can only be written safely.

    `target` is a path or a binary file object. With `constant_memory` (the
    default) each sheet must be written row by row, top to bottom."""

    def __init__(self, target, *, constant_memory=True):
        self.book = xlsxwriter.Workbook(
            target,
            {
                "constant_memory": constant_memory,
                # Belt and braces: we never call the guessing write(), but if anything does,
                # it must not turn text into formulas, numbers or links.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self.table_names = set()  # the names of the workbook's Excel tables, lower case
        self.text_cache = {}  # short texts already made safe: names and labels repeat on every row
        self.sheets = []  # every SafeSheet, in order: each gets the page set-up on closing
        self.printing = None  # a PrintSetup, see print_setup()
        self.formats = {}
        self.format_properties = {}  # by name, so that the same formats can be made elsewhere
        for name, properties in {
            "text": {"valign": "top"},
            "wrap": {"valign": "top", "text_wrap": True},
            "money": {"num_format": MONEY_FORMAT, "valign": "top"},
            "percent": {"num_format": PERCENT_FORMAT, "valign": "top"},
            "number": {"num_format": "#,##0.##", "valign": "top"},
            "number_left": {"num_format": "#,##0.##", "valign": "top", "align": "left"},  # a figure beside a label
            "date": {"num_format": DATE_FORMAT, "valign": "top", "align": "left"},
            "datetime": {"num_format": DATETIME_FORMAT, "valign": "top", "align": "left"},
            "header": {"bold": True, "text_wrap": True, "valign": "top", "bottom": 1, "bg_color": "#F3F2F1"},
            "title": {"bold": True, "font_size": 16},
            "label": {"bold": True, "valign": "top"},
            "total_label": {"bold": True, "top": 1},
            "total_money": {"bold": True, "top": 1, "num_format": MONEY_FORMAT},
            "total_number": {"bold": True, "top": 1, "num_format": "#,##0.##"},
            "total_percent": {"bold": True, "top": 1, "num_format": PERCENT_FORMAT},
        }.items():
            self.add_format(name, properties)

    def add_format(self, name: str, properties: dict):
        """Register a named format, and its quote-prefixed twin for text that looks like a formula."""
        quoted = {**properties, "quote_prefix": True}
        self.formats[name] = self.book.add_format(properties)
        self.formats[f"{name}_quoted"] = self.book.add_format(quoted)
        self.format_properties[name], self.format_properties[f"{name}_quoted"] = dict(properties), quoted
        return self.formats[name]

    def sheet(self, name: str) -> "SafeSheet":
        return SafeSheet(self, self.book.add_worksheet(name, worksheet_class=Worksheet))

    def print_setup(self, *, title: str, organisation="", period="", made_by="", made_at=None, marking=None):
        """What the header and footer of every printed page say: the workbook's title, the organisation
        (the commissioner) and the period; when and by whom it was made; the protective marking
        (the PROTECTIVE_MARKING setting unless given; empty for none)."""
        if marking is None:
            marking = settings.PROTECTIVE_MARKING
        self.printing = PrintSetup(str(title), str(organisation or ""), str(period or ""), str(made_by or ""),
                                   made_at, marking)

    def close(self):
        printing = self.printing or PrintSetup(title="", marking=settings.PROTECTIVE_MARKING)
        header, footer = printing.header(), printing.footer()
        for sheet in self.sheets:
            sheet.finish()
            sheet.page_setup(header=header, footer=footer)
        self.book.close()


class SafeSheet:
    def __init__(self, workbook: SafeWorkbook, worksheet):
        self.workbook = workbook
        self.ws = worksheet
        self.formats = workbook.formats
        # One function per kind for cells in their kind's own format: the path long tables take.
        self._writers = _kind_writers(worksheet, self.formats, workbook.text_cache)
        self.title_rows = (0, 0)  # repeated on every printed page: the first heading row, else the title
        self.columns = {}  # col -> Column, as given to header(): widths are set on closing
        self.widest = {}  # col -> length of the longest text written in it (only for header() columns)
        self.headings = {}  # row -> the headings written in it by header()
        self.filters = []  # (heading row, last row of data): Excel tables added on closing, see filtered()
        self._headed = False
        workbook.sheets.append(self)

    # --- printing and widths ---------------------------------------------------------------

    def filtered(self, heading_row: int, last_row: int):
        """The rows under the headings of `heading_row` (written by header()) down to `last_row`, as an
        Excel table added on closing: filters on its headings, banded rows, and structured references
        by heading. With no row of data, a plain filter on the headings."""
        self.filters.append((heading_row, max(last_row, heading_row)))

    def _add_tables(self):
        ws = self.ws
        for heading_row, last_row in self.filters:
            headings = self.headings[heading_row]
            if last_row > heading_row and table_headings(headings):
                name = table_name(ws.name, self.workbook.table_names)
                ws.add_table(heading_row, 0, last_row, len(headings) - 1, {
                    "name": name, "style": TABLE_STYLE, "columns": [{"header": h} for h in headings]})
            else:
                ws.autofilter(heading_row, 0, last_row, len(headings) - 1)

    def finish(self):
        """Add the tables (see filtered()) and set the widths of the columns given to header(): text from the widest text written (within
        MIN_WIDTH and MAX_WIDTH, and never narrower than the longest word of the heading), wrapped text
        no wider than its column's own width, other kinds their column's own width."""
        self._add_tables()
        for col, column in self.columns.items():
            width = column.width
            if column.kind in ("text", "wrap"):
                longest = max(self.widest.get(col, 0), _longest_word(column.heading)) + 2
                limit = MAX_WIDTH if column.kind == "text" else min(column.width, MAX_WIDTH * 1.5)
                width = min(max(longest, MIN_WIDTH), limit)
            self.ws.set_column(col, col, width)

    def page_setup(self, *, title_rows=None, header="", footer=""):
        """A4 landscape, one page wide and as many tall as needed, `title_rows` (first, last) repeated on
        every page (this sheet's heading row unless given), the print area what was written, and the
        header and footer (texts with Excel's codes, see PrintSetup)."""
        ws = self.ws
        ws.set_landscape()
        ws.set_paper(A4)
        ws.fit_to_pages(1, 0)
        first, last = title_rows or self.title_rows
        ws.repeat_rows(first, last)
        ws.print_area(0, 0, max(ws.dim_rowmax or 0, last), ws.dim_colmax or 0)
        if header:
            ws.set_header(header)
        if footer:
            ws.set_footer(footer)

    def fit_row(self, row: int, text, width: float):
        """Make `row` tall enough for `text` wrapped in `width` characters. In constant-memory mode,
        only while `row` is the row being written."""
        lines = text_lines(clean_text(str(text)), width) if text else 1
        if lines > 1:
            self.ws.set_row(row, row_height(lines))

    # --- single cells ----------------------------------------------------------------------

    def write(self, row: int, col: int, value, kind: str = "text", fmt=None):
        """Write `value` as `kind` (text, wrap, money, percent, number, date, datetime).

        `fmt` is a format or the name of one registered with `add_format`; text that looks
        like a formula gets the named format's quote-prefixed twin. None leaves the cell
        empty (but formatted). Numbers of kind "percent" are percentages (96 means 96%)."""
        ws = self.ws
        if value is None or value == "":
            if fmt is not None:
                ws.write_blank(row, col, None, self.formats[fmt] if isinstance(fmt, str) else fmt)
            return
        if fmt is None:
            if kind not in self._writers:
                raise ValueError(f"Unknown cell kind {kind!r}")
            self._writers[kind](row, col, value)
            return
        if kind in ("text", "wrap"):
            text = clean_text(str(value))
            name = fmt if isinstance(fmt, str) else kind
            if looks_like_formula(text):
                name = f"{name}_quoted"
            ws.write_string(row, col, text, self.formats[name] if isinstance(fmt, str) else fmt)
            if fmt != "header" and col in self.columns and len(text) > self.widest.get(col, 0):
                self.widest[col] = len(text)
            return
        if isinstance(fmt, str):
            fmt = self.formats[fmt]
        if kind in ("money", "number"):
            ws.write_number(row, col, _number(value), fmt)
        elif kind == "percent":
            ws.write_number(row, col, _number(value) / 100, fmt)
        elif kind in ("date", "datetime"):
            ws.write_datetime(row, col, _naive_date(value, kind), fmt)
        else:
            raise ValueError(f"Unknown cell kind {kind!r}")

    def write_total(self, row: int, col: int, first_row: int, last_row: int, value, kind="money"):
        """A real =SUM() over rows first_row..last_row of this column, with `value` cached."""
        if last_row < first_row:
            formula = "=0"
        else:
            formula = f"=SUM({xl_rowcol_to_cell(first_row, col)}:{xl_rowcol_to_cell(last_row, col)})"
        self.ws.write_formula(row, col, formula, self.formats[f"total_{kind}"], _number(value))

    def write_total_where(self, row: int, col: int, first_row: int, last_row: int, key_col: int, key: str, value,
                          kind="money"):
        """A real =SUMIF() over rows first_row..last_row of this column, of the rows whose `key_col` holds
        `key` (a label of ours, such as "Capital", never a user's text), with `value` cached."""
        if last_row < first_row:
            formula = "=0"
        else:
            keys = f"{xl_rowcol_to_cell(first_row, key_col)}:{xl_rowcol_to_cell(last_row, key_col)}"
            values = f"{xl_rowcol_to_cell(first_row, col)}:{xl_rowcol_to_cell(last_row, col)}"
            formula = f'=SUMIF({keys},"{key}",{values})'
        self.ws.write_formula(row, col, formula, self.formats[f"total_{kind}"], _number(value))

    def write_ratio(self, row: int, col: int, numerator_col: int, denominator_col: int, value):
        """A total row's percentage as a real formula over two cells of the same row
        (numerator / denominator, empty when the denominator is 0), with `value` cached:
        a percentage (96 means 96%) or None for empty."""
        numerator = xl_rowcol_to_cell(row, numerator_col)
        denominator = xl_rowcol_to_cell(row, denominator_col)
        formula = f'=IF({denominator}=0,"",{numerator}/{denominator})'
        cached = "" if value is None else _number(value) / 100
        self.ws.write_formula(row, col, formula, self.formats["total_percent"], cached)

    def merged(self, row: int, first_col: int, last_col: int, value, kind: str = "wrap", *, width=None,
               fmt=None):
        """One value across several cells of a row (a note on a cover sheet), written like any other;
        with `width` (of the cells together, in characters), wrapped text gets a row tall enough."""
        self.ws.merge_range(row, first_col, row, last_col, "", self.formats[fmt or kind])
        self.write(row, first_col, value, kind, fmt=fmt)
        if width and kind == "wrap" and value:
            self.fit_row(row, value, width)

    def label(self, row: int, col: int, text: str, fmt: str = "label"):
        self.write(row, col, text, fmt=fmt)

    # --- rows and tables -------------------------------------------------------------------

    def row_writer(self, kinds, first_col=0):
        """A function `(row, values)` that writes one row of values (a sequence as long as `kinds`)
        in these kinds, each in its kind's format, from column `first_col`; None (or empty text)
        leaves a cell empty.

        The fast path for long tables: the columns are grouped by kind once, so that each cell
        costs one safety check and one call to the worksheet. (A row's cells may be written in
        any order, even in constant-memory mode.)"""
        unknown = [kind for kind in kinds if kind not in self._writers]
        if unknown:
            raise ValueError(f"Unknown cell kind {unknown[0]!r}")
        formats, cache, ws = self.formats, self.workbook.text_cache, self.ws
        # Text columns note their widest text; text that would not fit wraps, and its row grows to show it.
        widths = {col: column.width for col, column in self.columns.items()}
        # (index in the values, column in the sheet)
        cells = [(i, first_col + i, kind) for i, kind in enumerate(kinds)]
        strings = [(i, col, formats[k], formats[f"{k}_quoted"],
                    min(widths.get(col, MAX_WIDTH), MAX_WIDTH * 1.5) if k == "wrap" else MAX_WIDTH, k == "wrap")
                   for i, col, k in cells if k in ("text", "wrap")]
        wrap, wrap_quoted = formats["wrap"], formats["wrap_quoted"]
        widest = self.widest
        for _, col, *_ in strings:
            widest.setdefault(col, 0)
        set_row = ws.set_row
        numbers = [(i, col, formats[k]) for i, col, k in cells if k in ("money", "number")]
        percents = [(i, col, formats[k]) for i, col, k in cells if k == "percent"]
        others = [(i, col, self._writers[k]) for i, col, k in cells if k in ("date", "datetime")]
        write_string, write_number, known = ws.write_string, ws.write_number, cache.get

        def write_row(row, values):
            lines = 1
            for i, col, plain, quoted, width, paragraphs in strings:
                value = values[i]
                if value is not None:
                    text, looks_like = known(value) or safe_text(value, cache)
                    if text:
                        size = len(text)
                        if size > widest[col]:
                            widest[col] = size
                        if size > width or (paragraphs and "\n" in text):
                            if plain is not wrap:  # too long for the widest text column: wrapped
                                plain, quoted = wrap, wrap_quoted
                            lines = max(lines, text_lines(text, width))
                        write_string(row, col, text, quoted if looks_like else plain)
            if lines > 1:
                set_row(row, row_height(lines))
            for i, col, fmt in numbers:
                value = values[i]
                if value is not None:
                    if type(value) is Decimal:
                        # The exact fraction's quotient: the same float as float(value), and quicker
                        # (float() goes through the text of the number).
                        top, bottom = value.as_integer_ratio()
                        write_number(row, col, top / bottom, fmt)
                    else:
                        write_number(row, col, _number(value), fmt)
            for i, col, fmt in percents:
                value = values[i]
                if value is not None:
                    if type(value) is Decimal:
                        top, bottom = value.as_integer_ratio()
                        write_number(row, col, top / bottom / 100, fmt)
                    else:
                        write_number(row, col, _number(value) / 100, fmt)
            for i, col, write in others:
                value = values[i]
                if value is not None:
                    write(row, col, value)

        return write_row

    def write_row(self, row: int, values, kinds):
        """Write one row of values, each in its kind (a list as long as the values)."""
        self.row_writer(kinds)(row, values)

    def header(self, row: int, columns: list[Column], *, freeze=True):
        """Headings, frozen above the data and with filters when `freeze`; the first heading row of a
        sheet is repeated on every printed page. The columns' widths are set on closing (finish())."""
        if not self._headed:
            self._headed, self.title_rows = True, (row, row)
        self.headings[row] = [clean_text(column.heading) for column in columns]
        lines = 1
        for col, column in enumerate(columns):
            self.columns[col] = column
            width = column.width if column.kind not in ("text", "wrap") else max(
                _longest_word(column.heading) + 2, MIN_WIDTH)
            lines = max(lines, text_lines(column.heading, width))
        if lines > 1:
            self.ws.set_row(row, row_height(lines))
        for col, column in enumerate(columns):
            self.write(row, col, column.heading, fmt="header")
        if freeze:
            self.ws.freeze_panes(row + 1, 0)

    def rows(self, first_row: int, columns: list[Column], rows) -> int:
        """Write each row of values in the columns' kinds; return the next free row."""
        write_row = self.row_writer([c.kind for c in columns])
        row = first_row
        for values in rows:
            write_row(row, values)
            row += 1
        return row

    def table(self, columns: list[Column], rows, *, first_row=0) -> int:
        """A header and the rows under it, as an Excel table (see filtered()); return the next free row."""
        self.header(first_row, columns)
        end = self.rows(first_row + 1, columns, rows)
        self.filtered(first_row, end - 1)
        return end


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


# Texts up to this length are remembered once made safe (names, references, labels), up to this many.
_CACHED_TEXT_LENGTH = 200
_CACHED_TEXTS = 100_000


def safe_text(value, cache: dict) -> tuple[str, bool]:
    """The text a cell can hold, and whether it needs the quote prefix."""
    text = value if type(value) is str else str(value)
    known = cache.get(text)
    if known is not None:
        return known
    cleaned = clean_text(text)
    result = (cleaned, looks_like_formula(cleaned))
    if len(text) <= _CACHED_TEXT_LENGTH:
        if len(cache) >= _CACHED_TEXTS:
            cache.clear()
        cache[text] = result
    return result


def _kind_writers(ws, formats, cache) -> dict:
    """A function (row, col, value) per kind, writing in the kind's own format. Closures over the
    worksheet's methods and the formats, since a long table calls them for every cell."""
    write_string, write_number, write_datetime = ws.write_string, ws.write_number, ws.write_datetime

    def strings(name):
        plain, quoted = formats[name], formats[f"{name}_quoted"]
        known = cache.get

        def write(row, col, value):
            text, looks_like = known(value) or safe_text(value, cache)
            if text:
                write_string(row, col, text, quoted if looks_like else plain)

        return write

    def numbers(name):
        fmt = formats[name]

        def write(row, col, value):
            write_number(row, col, float(value) if type(value) is Decimal else _number(value), fmt)

        return write

    def percentages(name):
        fmt = formats[name]

        def write(row, col, value):
            write_number(row, col, (float(value) if type(value) is Decimal else _number(value)) / 100, fmt)

        return write

    def dates(name):
        fmt = formats[name]

        def write(row, col, value):
            write_datetime(row, col, _naive_date(value, name), fmt)

        return write

    return {
        "text": strings("text"), "wrap": strings("wrap"),
        "money": numbers("money"), "number": numbers("number"), "percent": percentages("percent"),
        "date": dates("date"), "datetime": dates("datetime"),
    }


def _naive_date(value, kind):
    if not isinstance(value, datetime.date):
        raise TypeError(f"A {kind} cell needs a date, not {value!r}")
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        value = timezone.localtime(value).replace(tzinfo=None)  # as people here read the clock
    return value


def _number(value) -> float:
    kind = type(value)
    if kind is Decimal or kind is float or kind is int:
        return float(value)
    if isinstance(value, bool):
        return float(int(value))
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    raise TypeError(f"A number cell needs a number, not {value!r}")
