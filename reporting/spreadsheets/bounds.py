"""
Bounding the work an uploaded workbook can make us do, before openpyxl reads any of it.

Byte limits alone do not bound the work: a few megabytes of tiny cells, shared strings or cell
formats, well inside the upload size, the unpacked size and the compression ratio, took openpyxl
10 to 16 seconds and 300 to 600 MB to read (it reads the shared strings and styles whole when it
opens a workbook, and a whole row before it can stop at the last row asked for). So every XML
part of the package is first streamed once through expat (the parser underneath ElementTree and
defusedxml, so it sees exactly what openpyxl would), in chunks, counting as it goes, and the
scan stops the moment any count passes its limit:

- elements in the whole workbook, and the unpacked size of any one part;
- rows in a sheet, the row and column of every cell, and cells in any one row;
- strings in the shared-strings table, and entries of each kind in the styles part;
- characters in any one text (a spreadsheet cell holds at most 32,767), and bytes read without
  reaching the end of a tag (so that a tag of a million attributes is never built);
- any XML entity declaration (entity tricks), as defusedxml refuses them.

The limits, and the wording of each refusal, are a `Limits`: by default a return template's
(`TEMPLATE_LIMITS`), and the indicator-figures import (reporting.places.files) passes its own, of
a file of figures. A template is tiny beside its limits (a few hundred cells, strings and
formats), and a file that passes them takes openpyxl a fraction of a second to read. What the
scan counted of each sheet (its last row and column) is kept, so that once the signed identity
has said which template this is, each sheet can be held to the template's own used range
(`check_sheet`).

Members that are not XML (images, printer settings) are not scanned; openpyxl does not parse them
either. A part that is not well-formed XML stops the scan of that part where expat stops, which is
where openpyxl's parser would stop too.
"""

import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

# The limits. A template for a project with 50 budget lines and 50 measures, filled in and saved by
# Excel, LibreOffice or openpyxl, stays far inside every one of them.
MAX_PART_BYTES = 10 * 1024 * 1024  # unpacked size of any one XML part
MAX_ELEMENTS = 100_000  # XML elements in the whole workbook
MAX_TEXT = 32_767  # characters in one text: Excel's limit for a cell
# Bytes the parser may read without reaching the end of a tag, a text or a comment. A tag of ours is a
# few hundred bytes; a tag of a million attributes would take expat seconds and hundreds of megabytes
# to build before any handler of ours could count them, so it is stopped here first.
MAX_PENDING_BYTES = 512 * 1024
MAX_SHARED_STRINGS = 10_000  # different texts in the shared-strings table
MAX_STYLE_ENTRIES = 2_000  # entries of any one kind in the styles part
MAX_ROWS = 3_000  # rows in any sheet, and the highest row number a cell may have
MAX_COLUMN = 64  # the right-most column a cell may be in (column BL)
MAX_CELLS_PER_ROW = MAX_COLUMN
# Beyond a template's used range, once its identity says which template it is.
MARGIN_ROWS = 100
MARGIN_COLUMNS = 10

CHUNK = 64 * 1024
STYLE_KINDS = {
    "numFmt": "number formats", "font": "fonts", "fill": "fills", "border": "borders", "xf": "cell formats",
    "cellStyle": "cell styles", "dxf": "differential formats",
}
_CELL_REF = re.compile(r"([A-Za-z]{1,3})(\d{1,7})$")


class Unbounded(Exception):
    """The file asks for more work than its limits allow; `message` says what, `sheet` where."""

    def __init__(self, message: str, sheet: str = ""):
        super().__init__(message)
        self.message, self.sheet = message, sheet


def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_NEW_TEMPLATE = "Download a new template from the return page."


@dataclass(frozen=True)
class Wording:
    """What each refusal of the scan says, given the limit passed (and where, for a row or a cell)."""

    unpacked: str  # a part unpacks to more than part_bytes
    elements: Callable[[int], str]  # (limit)
    rows: Callable[[int], str]  # (limit): more rows in a sheet, or a row numbered beyond it
    cell_row: Callable[[int, int], str]  # (row, limit): a cell in a row beyond the limit
    wide_row: Callable[[int, int, int], str]  # (row, cells per row, right-most column)
    shared_strings: Callable[[int], str]  # (limit)
    styles: Callable[[int, str], str]  # (limit, what the entries are, e.g. "cell formats")
    text: Callable[[int], str]  # (limit)
    long_tag: str
    entities: str


TEMPLATE_WORDING = Wording(
    unpacked=f"The file unpacks to far more data than a return template holds, so it was not opened. {_NEW_TEMPLATE}",
    elements=lambda limit: (
        f"The file holds far more than a return template does (over {limit:,} XML elements), so it was not "
        f"opened. {_NEW_TEMPLATE}"),
    rows=lambda limit: (
        f"The sheet holds more than {limit:,} rows; a return template holds a few dozen, so the file was not "
        f"opened. {_NEW_TEMPLATE}"),
    cell_row=lambda row, limit: (
        f"The sheet has a cell in row {row:,}; a return template holds a few dozen rows, so the file was not "
        f"opened. {_NEW_TEMPLATE}"),
    wide_row=lambda row, cells, column: (
        f"Row {row} holds more than {cells} cells (or cells beyond column {column_letters(column)}); a return "
        f"template's rows are a dozen cells wide, so the file was not opened. {_NEW_TEMPLATE}"),
    shared_strings=lambda limit: (
        f"The file holds more than {limit:,} different texts; a return template holds a few hundred, so it was "
        f"not opened. {_NEW_TEMPLATE}"),
    styles=lambda limit, kind: (
        f"The file defines more than {limit:,} {kind}; a return template has a few dozen, so it was not opened. "
        f"{_NEW_TEMPLATE}"),
    text=lambda limit: (
        f"The file holds a text of more than {limit:,} characters, more than a spreadsheet cell can hold, so it "
        f"was not opened. {_NEW_TEMPLATE}"),
    long_tag=f"The file holds a tag far longer than a spreadsheet writes, so it was not opened. {_NEW_TEMPLATE}",
    entities=("The file could not be read as an Excel workbook: it declares XML entities, which Excel never "
              "writes. Save it again in Excel and upload the new copy."),
)


@dataclass(frozen=True)
class Limits:
    """The most the scan lets a package hold, and how it words a refusal: a return template's by default."""

    part_bytes: int = MAX_PART_BYTES
    elements: int = MAX_ELEMENTS
    text: int = MAX_TEXT
    pending_bytes: int = MAX_PENDING_BYTES
    shared_strings: int = MAX_SHARED_STRINGS
    style_entries: int = MAX_STYLE_ENTRIES
    rows: int = MAX_ROWS
    column: int = MAX_COLUMN
    cells_per_row: int = MAX_CELLS_PER_ROW
    wording: Wording = TEMPLATE_WORDING


TEMPLATE_LIMITS = Limits()


@dataclass
class SheetExtent:
    """How far a sheet's cells reach, 1-based, as the scan found them."""

    rows: int = 0
    last_row: int = 0
    last_column: int = 0
    lowest: str = ""  # a cell in the last row
    rightmost: str = ""  # a cell in the last column


@dataclass
class Scan:
    """What the scan of a whole package found."""

    sheets: dict[str, SheetExtent] = field(default_factory=dict)  # by sheet name
    parts: dict[str, str] = field(default_factory=dict)  # sheet name -> zip member
    elements: int = 0
    malformed: set[str] = field(default_factory=set)  # members expat could not parse to the end


def _local(name: str) -> str:
    """An element's local name ("row" from "http://...main row")."""
    return name.rpartition(" ")[2]


class _Part:
    """The expat handlers for one part, counting against the package's limits."""

    def __init__(self, scan: Scan, member: str, sheet_name: str | None, limits: Limits):
        self.scan, self.member, self.sheet_name = scan, member, sheet_name
        self.limits, self.say = limits, limits.wording
        self.parser = None
        self.reached = 0  # the byte index of the last tag, text or comment the parser finished
        self.root = None
        self.text = 0
        self.counts: dict[str, int] = {}
        self.extent = SheetExtent()
        self.row = 0
        self.row_cells = 0
        self.column = 0
        self.workbook_sheets: list[tuple[str, str]] = []  # (name, relationship id) from workbook.xml
        self.relationships: dict[str, str] = {}  # id -> target, from a .rels part

    def where(self) -> str:
        return self.sheet_name or ""

    def start(self, name, attributes):
        self.reached = self.parser.CurrentByteIndex
        self.scan.elements += 1
        if self.scan.elements > self.limits.elements:
            raise Unbounded(self.say.elements(self.limits.elements))
        self.text = 0
        local = _local(name)
        if self.root is None:
            self.root = local
        elif self.root == "worksheet":
            if local == "row":
                self._row(attributes)
            elif local == "c":
                self._cell(attributes)
        elif self.root == "sst" and local == "si":
            limit = self.limits.shared_strings
            self._count("si", limit, lambda: self.say.shared_strings(limit))
        elif self.root == "styleSheet" and local in STYLE_KINDS:
            limit = self.limits.style_entries
            self._count(local, limit, lambda: self.say.styles(limit, STYLE_KINDS[local]))
        elif self.root == "workbook" and local == "sheet":
            rel_id = next((v for k, v in attributes.items() if _local(k) == "id"), "")
            self.workbook_sheets.append((attributes.get("name", ""), rel_id))
        elif self.root == "Relationships" and local == "Relationship":
            self.relationships[attributes.get("Id", "")] = attributes.get("Target", "")

    def _count(self, kind, limit, message):
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if self.counts[kind] > limit:
            raise Unbounded(message())

    def _row(self, attributes):
        number = attributes.get("r", "")
        self.row = int(number) if number.isdigit() and len(number) < 10 else self.row + 1
        self.row_cells = self.column = 0
        self.extent.rows += 1
        limit = self.limits.rows
        if self.extent.rows > limit or self.row > limit:
            raise Unbounded(self.say.rows(limit), self.where())

    def _cell(self, attributes):
        self.row_cells += 1
        match = _CELL_REF.match(attributes.get("r", ""))
        if match:
            self.column = column_number(match.group(1))
            row = int(match.group(2))
        else:
            self.column += 1
            row = self.row or 1
        limits = self.limits
        if self.row_cells > limits.cells_per_row or self.column > limits.column:
            raise Unbounded(self.say.wide_row(row, limits.cells_per_row, limits.column), self.where())
        if row > limits.rows:
            raise Unbounded(self.say.cell_row(row, limits.rows), self.where())
        extent = self.extent
        if row > extent.last_row:
            extent.last_row, extent.lowest = row, f"{column_letters(self.column)}{row}"
        if self.column > extent.last_column:
            extent.last_column, extent.rightmost = self.column, f"{column_letters(self.column)}{row}"

    def end(self, name):
        self.reached = self.parser.CurrentByteIndex
        self.text = 0

    def comment(self, data):
        self.reached = self.parser.CurrentByteIndex

    def characters(self, data):
        self.reached = self.parser.CurrentByteIndex
        self.text += len(data)
        if self.text > self.limits.text:
            raise Unbounded(self.say.text(self.limits.text), self.where())

    def entity(self, *args):
        # defusedxml refuses the same (openpyxl reads through it): never expanded, never fetched.
        raise Unbounded(self.say.entities)


def _looks_like_xml(first: bytes) -> bool:
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16, which expat reads from its byte-order mark
        return True
    stripped = first.removeprefix(b"\xef\xbb\xbf").lstrip()
    return stripped.startswith(b"<") or not stripped


def _scan_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, scan: Scan, sheet_name: str | None,
                 limits: Limits) -> _Part | None:
    part = _Part(scan, info.filename, sheet_name, limits)
    with archive.open(info) as stream:
        first = stream.read(CHUNK)
        if not _looks_like_xml(first):
            return None
        if info.file_size > limits.part_bytes:
            raise Unbounded(limits.wording.unpacked, sheet_name or "")
        parser = expat.ParserCreate(namespace_separator=" ")
        part.parser = parser
        parser.buffer_text = True
        parser.buffer_size = CHUNK
        parser.StartElementHandler = part.start
        parser.EndElementHandler = part.end
        parser.CharacterDataHandler = part.characters
        parser.CommentHandler = part.comment
        parser.ProcessingInstructionHandler = lambda target, data: part.comment(data)
        parser.EntityDeclHandler = part.entity
        parser.UnparsedEntityDeclHandler = part.entity
        try:
            chunk, fed = first, 0
            while chunk:
                parser.Parse(chunk, False)
                fed += len(chunk)
                if fed - part.reached > limits.pending_bytes:
                    raise Unbounded(limits.wording.long_tag, sheet_name or "")
                chunk = stream.read(CHUNK)
            parser.Parse(b"", True)
        except expat.ExpatError:
            # openpyxl's parser (expat too) stops at the same place: it will refuse the part if it needs it.
            scan.malformed.add(info.filename)
    if part.root == "worksheet" and sheet_name is not None:
        scan.sheets[sheet_name] = part.extent
    return part


def _target(base: str, target: str) -> str:
    """A relationship's target as a zip member name (targets are relative to the workbook's folder)."""
    if target.startswith("/"):
        return target[1:]
    folder = base.rpartition("/")[0]
    parts = (folder + "/" + target).split("/") if folder else target.split("/")
    resolved = []
    for piece in parts:
        if piece == "..":
            if resolved:
                resolved.pop()
        elif piece and piece != ".":
            resolved.append(piece)
    return "/".join(resolved)


def scan_package(archive: zipfile.ZipFile, first_sheet: str | None = None,
                 limits: Limits = TEMPLATE_LIMITS) -> Scan:
    """Stream every XML part of the package once, within `limits`; raise Unbounded past any of them.

    The workbook and its relationships are read first, to put a name to each sheet; then `first_sheet`
    (the identity, which says what the rest must be), then the shared strings and styles, then the rest."""
    scan = Scan()
    infos = archive.infolist()
    by_name = {info.filename: info for info in infos}
    workbook_name, rels_name = "xl/workbook.xml", "xl/_rels/workbook.xml.rels"
    workbook = _scan_member(archive, by_name[workbook_name], scan, None, limits) if workbook_name in by_name else None
    rels = _scan_member(archive, by_name[rels_name], scan, None, limits) if rels_name in by_name else None
    if workbook is not None and rels is not None:
        for name, rel_id in workbook.workbook_sheets:
            target = rels.relationships.get(rel_id)
            if target:
                scan.parts[name] = _target("xl/workbook.xml", target)
    sheet_of = {member: name for name, member in scan.parts.items()}
    first = [scan.parts[first_sheet]] if first_sheet in scan.parts else []
    order = first + ["xl/sharedStrings.xml", "xl/styles.xml"]
    done = {"xl/workbook.xml", rels_name}
    for member in order:
        if member in by_name and member not in done:
            _scan_member(archive, by_name[member], scan, sheet_of.get(member), limits)
            done.add(member)
    for info in infos:
        # Every entry, duplicates of a name included: a reader may take either.
        if info.filename not in done or info is not by_name.get(info.filename):
            _scan_member(archive, info, scan, sheet_of.get(info.filename), limits)
    return scan


def check_sheet(scan: Scan, sheet: str, rows: int, columns: int) -> None:
    """Hold `sheet` to a used range of `rows` × `columns` (1-based), with a margin; raise Unbounded beyond it."""
    extent = scan.sheets.get(sheet)
    if extent is None:
        return
    if extent.last_row > rows + MARGIN_ROWS:
        beyond = extent.lowest
    elif extent.last_column > columns + MARGIN_COLUMNS:
        beyond = extent.rightmost
    else:
        return
    raise Unbounded(
        f"The sheet has a cell at {beyond}, well beyond the template's last cell {column_letters(columns)}{rows}: "
        "rows or columns have been added, so the file was not read. Download a new template and copy your "
        "figures into it.", sheet)
