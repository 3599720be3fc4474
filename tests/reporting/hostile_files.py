"""
Workbooks built to tie up a server: a real return template with one part swollen by a great many
tiny things, each file inside every byte limit (upload size, unpacked size, compression ratio).

- `huge_row`: one extra row of 1,500,000 tiny cells just before `</sheetData>` of a sheet.
- `many_rows`: a great many short rows at the end of a sheet.
- `many_shared_strings`: a shared-strings table of 1,900,000 strings.
- `many_styles`: a styles part with 400,000 cell formats.

The numbers are those the issue measured (10-16 s and about 600 MB to read the row before the
importer was bounded). The values vary, so that each file compresses less than 100 to one (where the
zip-bomb check looks) and packs into less than the 5 MB upload limit.
"""

import io
import re
import zipfile

from reporting.spreadsheets import template as t

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def sheet_parts(content: bytes) -> dict[str, str]:
    """Each sheet's name and the zip member that holds it, read from the workbook and its relationships."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    workbook = archive.read("xl/workbook.xml").decode()
    rels = archive.read("xl/_rels/workbook.xml.rels").decode()
    targets = {}
    for rel in re.findall(r"<Relationship\b[^>]*>", rels):
        rel_id = re.search(r'Id="([^"]+)"', rel).group(1)
        target = re.search(r'Target="([^"]+)"', rel).group(1).lstrip("/")
        targets[rel_id] = target if target.startswith("xl/") else f"xl/{target}"
    parts = {}
    for sheet in re.findall(r"<sheet\b[^>]*>", workbook):
        name = re.search(r'name="([^"]+)"', sheet).group(1)
        rel_id = re.search(r'r:id="([^"]+)"', sheet).group(1)
        parts[name] = targets[rel_id]
    return parts


def rewrite(content: bytes, changes: dict[str, bytes]) -> bytes:
    """The same zip with the members named in `changes` replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = changes.pop(info.filename, None)
            target.writestr(info.filename, source.read(info.filename) if data is None else data)
        for name, data in changes.items():
            target.writestr(name, data)
    return out.getvalue()


def _cells(count: int) -> bytes:
    # Short numbers that vary: tiny cells that still compress only about ten to one.
    return "".join(f"<c><v>{(i * 7919) % 997}</v></c>" for i in range(count)).encode()


def _before_end_of_sheet_data(xml: bytes, extra: bytes) -> bytes:
    if b"</sheetData>" in xml:
        return xml.replace(b"</sheetData>", extra + b"</sheetData>", 1)
    return xml.replace(b"<sheetData/>", b"<sheetData>" + extra + b"</sheetData>", 1)


def huge_row(content: bytes, sheet: str = t.SPEND_SHEET, cells: int = 1_500_000) -> bytes:
    part = sheet_parts(content)[sheet]
    xml = zipfile.ZipFile(io.BytesIO(content)).read(part)
    return rewrite(content, {part: _before_end_of_sheet_data(xml, b'<row r="1000">' + _cells(cells) + b"</row>")})


def many_rows(content: bytes, sheet: str = t.SPEND_SHEET, rows: int = 300_000) -> bytes:
    part = sheet_parts(content)[sheet]
    xml = zipfile.ZipFile(io.BytesIO(content)).read(part)
    extra = "".join(f'<row r="{100 + i}"><c r="A{100 + i}"><v>{i % 997}</v></c></row>' for i in range(rows))
    return rewrite(content, {part: _before_end_of_sheet_data(xml, extra.encode())})


SST = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def many_shared_strings(content: bytes, strings: int = 1_900_000) -> bytes:
    """The shared-strings table swollen (added, as Excel would write it, to a file saved without one)."""
    archive = zipfile.ZipFile(io.BytesIO(content))
    changes = {}
    if "xl/sharedStrings.xml" in archive.namelist():
        xml = archive.read("xl/sharedStrings.xml")
    else:
        xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{MAIN}"></sst>'.encode()
        types = archive.read("[Content_Types].xml")
        changes["[Content_Types].xml"] = types.replace(
            b"</Types>", f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SST}"/></Types>'.encode())
        rels = archive.read("xl/_rels/workbook.xml.rels")
        changes["xl/_rels/workbook.xml.rels"] = rels.replace(
            b"</Relationships>",
            f'<Relationship Id="rIdStrings" Type="{SST_REL}" Target="sharedStrings.xml"/></Relationships>'.encode())
    extra = "".join(f"<si><t>{i}</t></si>" for i in range(strings)).encode()
    xml = re.sub(rb'(count|uniqueCount)="\d+"', lambda m: m.group(1) + b'="%d"' % strings, xml)
    changes["xl/sharedStrings.xml"] = xml.replace(b"</sst>", extra + b"</sst>")
    return rewrite(content, changes)


def many_styles(content: bytes, formats: int = 400_000) -> bytes:
    archive = zipfile.ZipFile(io.BytesIO(content))
    xml = archive.read("xl/styles.xml")
    extra = "".join(f'<xf numFmtId="{(i * 7919) % 164}" fontId="{i % 5}" fillId="{i % 3}" borderId="{i % 2}" xfId="0"/>'
                    for i in range(formats)).encode()
    return rewrite(content, {"xl/styles.xml": xml.replace(b"</cellXfs>", extra + b"</cellXfs>", 1)})


def unpacked_and_packed(content: bytes) -> tuple[int, int]:
    """The file's total unpacked size and its size, to show it is inside every byte limit."""
    members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    return sum(m.file_size for m in members), len(content)


def many_attributes(content: bytes, sheet: str = t.SPEND_SHEET, attributes: int = 1_000_000) -> bytes:
    """One row whose start tag has a great many attributes (expat builds them all before any handler runs)."""
    part = sheet_parts(content)[sheet]
    xml = zipfile.ZipFile(io.BytesIO(content)).read(part)
    tag = b'<row r="999" ' + b" ".join(b'a%d="%d"' % (i, (i * 7919) % 997) for i in range(attributes)) + b"/>"
    return rewrite(content, {part: _before_end_of_sheet_data(xml, tag)})


# --- A password-protected workbook ------------------------------------------------------------

FREE, END, FAT_SECTOR, NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name: str, kind: int, start: int, size: int, child=NO_STREAM, right=NO_STREAM) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00" if name else b""
    return (encoded.ljust(64, b"\x00") + len(encoded).to_bytes(2, "little") + bytes([kind, 1])
            + NO_STREAM.to_bytes(4, "little") + right.to_bytes(4, "little") + child.to_bytes(4, "little")
            + bytes(16 + 4 + 8 + 8) + start.to_bytes(4, "little") + size.to_bytes(8, "little"))


def encrypted_workbook(package: bytes = b"\x00" * 4096) -> bytes:
    """What Excel saves when a workbook is encrypted with a password: not a zip but an OLE compound file
    holding an EncryptionInfo stream and the encrypted package (compound file format version 3,
    512-byte sectors; both streams large enough to sit in ordinary sectors)."""
    info = b"\x04\x00\x04\x00\x40\x00\x00\x00".ljust(4096, b"\x00")  # the agile encryption's version and flags
    streams = [("EncryptionInfo", info), ("EncryptedPackage", package.ljust(4096, b"\x00"))]
    fat = [FAT_SECTOR, END]  # sector 0 holds the FAT, sector 1 the directory
    directory = [None]
    next_sector = 2
    data = b""
    for index, (name, content) in enumerate(streams, start=1):
        sectors = len(content) // 512
        fat += [next_sector + i + 1 for i in range(sectors - 1)] + [END]
        right = index + 1 if index < len(streams) else NO_STREAM
        directory.append(_directory_entry(name, 2, next_sector, len(content), right=right))
        next_sector += sectors
        data += content
    directory[0] = _directory_entry("Root Entry", 5, END, 0, child=1)
    directory.append(_directory_entry("", 0, 0, 0))
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + bytes(16) + (0x3E).to_bytes(2, "little")
              + (3).to_bytes(2, "little") + (0xFFFE).to_bytes(2, "little") + (9).to_bytes(2, "little")
              + (6).to_bytes(2, "little") + bytes(6) + (0).to_bytes(4, "little") + (1).to_bytes(4, "little")
              + (1).to_bytes(4, "little") + (0).to_bytes(4, "little") + (4096).to_bytes(4, "little")
              + END.to_bytes(4, "little") + (0).to_bytes(4, "little") + END.to_bytes(4, "little")
              + (0).to_bytes(4, "little") + (0).to_bytes(4, "little") + FREE.to_bytes(4, "little") * 108)
    assert len(header) == 512
    fat_sector = b"".join(n.to_bytes(4, "little") for n in fat + [FREE] * (128 - len(fat)))
    return header + fat_sector + b"".join(directory) + data
