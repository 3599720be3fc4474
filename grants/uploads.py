"""
An uploaded document, judged by its bytes and never by its name.

What may be attached: PDF, PNG and JPEG images, Word (.docx), Excel (.xlsx) and OpenDocument text (.odt)
documents, and plain text or CSV in UTF-8. `check_document()` works out what a file really is from its
first bytes (and, for the zip-based formats, from the zip's central directory), and refuses, with a
message saying what and why:

- an empty file, or one over the size limit (before anything else is looked at);
- anything that is not one of the kinds above: a program, a web page, a zip of something else, an older
  Office file, a macro-enabled document;
- a file whose name says it is one kind and whose bytes are another ("The file says it is a PDF but it is
  not: it is a Windows program"), and an allowed file whose name does not end as its kind does: the name
  and the contents must agree, so that what is downloaded later opens as what it says it is;
- for .docx, .xlsx and .odt, a zip whose central directory holds too many members, unpacks to too much,
  packs any large member more than MAX_RATIO times (a zip bomb), names a member with a path outside the
  archive (an absolute path, a drive letter or ".."), or is encrypted. Only the directory is read (and the
  few bytes of an .odt's "mimetype" member): nothing is unpacked.

The name someone gave the file is kept only as text to show (`display_name`): without any directory, with
no control characters, at most 255 characters. Where the file is stored is never made from it.

Pure Python: no Django models, no settings (the caller passes the limits), no reads or writes.
"""

import io
import posixpath
import re
import unicodedata
import zipfile
from dataclasses import dataclass

# A member of a zip over this many bytes unpacked must pack to at least 1/MAX_RATIO of its size.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1024 * 1024
# A Word or Excel document with many pictures has a few hundred members; a zip bomb has thousands.
MAX_MEMBERS = 1000
NAME_MAX = 255


@dataclass(frozen=True)
class Kind:
    """One kind of file that may be attached."""

    key: str
    label: str  # as a sentence names it: "a PDF", "a PNG image"
    extensions: tuple[str, ...]  # with their dot, the first the one a file of this kind is stored under
    content_type: str


PDF = Kind("pdf", "a PDF", (".pdf",), "application/pdf")
PNG = Kind("png", "a PNG image", (".png",), "image/png")
JPEG = Kind("jpeg", "a JPEG image", (".jpg", ".jpeg"), "image/jpeg")
DOCX = Kind("docx", "a Word document (.docx)", (".docx",),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
XLSX = Kind("xlsx", "an Excel workbook (.xlsx)", (".xlsx",),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ODT = Kind("odt", "an OpenDocument text document (.odt)", (".odt",), "application/vnd.oasis.opendocument.text")
TEXT = Kind("text", "a plain text or CSV file", (".txt", ".csv"), "text/plain; charset=utf-8")
ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, ODT, TEXT)
BY_EXTENSION = {extension: kind for kind in ALLOWED for extension in kind.extensions}
ALLOWED_TEXT = ("PDF, PNG or JPEG images, Word (.docx), Excel (.xlsx) and OpenDocument (.odt) documents, "
                "and plain text or CSV files")
ACCEPT = ",".join(BY_EXTENSION)  # for the file input's accept attribute

ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP = b"PK\x05\x06"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Markup a browser would read as a page, at the start of what is otherwise text.
MARKUP = re.compile(rb"^\s*<(!doctype|!--|\?xml|html|head|body|script|style|svg|iframe|object|embed|meta|link|a|img|div|"
                    rb"table|form|p|span|h[1-6])[\s/>]", re.IGNORECASE)

# What a refused file is, for the message: (the bytes it starts with, what it is).
NOT_ALLOWED = (
    (b"\x7fELF", "a program (an ELF executable)"),
    (b"\xcf\xfa\xed\xfe", "a program (a Mac executable)"),
    (b"\xca\xfe\xba\xbe", "a program (a Mac or Java executable)"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"BZh", "a bzip2 archive"),
    (b"{\\rtf", "a Rich Text Format document (.rtf)"),
    (b"%!PS", "a PostScript file"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
)


class Refused(Exception):
    """The file cannot be attached; `message` says why, for the person who chose it."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Sniffed:
    """What an accepted file is: its kind, the extension it is stored and downloaded under (with its dot)
    and the content type it is served with."""

    kind: Kind
    extension: str
    content_type: str


# --- The name ---------------------------------------------------------------------------------------


def display_name(name: str) -> str:
    """The name a person gave the file, as text to show: its last path part (either slash), without
    control or formatting characters, trimmed, at most 255 characters with its extension kept."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = " ".join(name.split()).strip(" .")
    if len(name) > NAME_MAX:
        stem, extension = posixpath.splitext(name)
        extension = extension if len(extension) <= 16 else ""
        name = stem[: NAME_MAX - len(extension)] + extension
    return name


def name_extension(name: str) -> str:
    """The extension of a display name, lower case with its dot ("" when it has none)."""
    return posixpath.splitext(name)[1].lower()


# --- The bytes --------------------------------------------------------------------------------------


def _is_text(content: bytes) -> bool:
    if b"\x00" in content:
        return False
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _windows_program(content: bytes) -> bool:
    """A DOS or Windows executable starts "MZ" and, being binary, holds NUL bytes (a text file that happens
    to start with the letters MZ does not)."""
    return content.startswith(b"MZ") and b"\x00" in content[:1024]


def _zip_member_problem(members: list[zipfile.ZipInfo], max_unpacked: int) -> str:
    """What is wrong with a zip's central directory for a document, or ""."""
    if zip_unpacks_too_much(members, max_members=MAX_MEMBERS, max_unpacked=max_unpacked):
        return "unpacks to far more data than a document holds, so it was not opened"
    for member in members:
        name = member.filename
        parts = re.split(r"[\\/]", name)
        if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
            return f"holds a file named with a path outside the document (“{display_name(name) or name[:60]}”), " \
                   "so it was not opened"
        if member.flag_bits & 0x1:
            return "is encrypted, so it cannot be checked: remove the password and attach it again"
    return ""


def _zip_kind(content: bytes, max_unpacked: int) -> tuple[Kind | None, str]:
    """(the kind of document a zip is, or None; and what it is or what is wrong with it, for a message)."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError):
        return None, "a damaged or incomplete zip file"
    names = {m.filename for m in members}
    if "word/document.xml" in names and "[Content_Types].xml" in names:
        kind = DOCX
    elif "xl/workbook.xml" in names and "[Content_Types].xml" in names:
        kind = XLSX
    elif "mimetype" in names:
        info = archive.getinfo("mimetype")
        kind = None
        if info.file_size <= 100 and info.compress_type == zipfile.ZIP_STORED and not info.flag_bits & 0x1:
            try:
                if archive.read("mimetype").strip() == ODT_MIMETYPE:
                    kind = ODT
            except (zipfile.BadZipFile, ValueError, OSError, EOFError, KeyError, NotImplementedError):
                return None, "a damaged or incomplete zip file"
        if kind is None:
            return None, "an OpenDocument file other than a text document, or another zip archive"
    else:
        return None, "a zip archive"
    problem = _zip_member_problem(members, max_unpacked)
    if problem:
        return None, f"{kind.label} that {problem}"
    if any(re.search(r"(^|/)vbaProject\.bin$", name, re.IGNORECASE) for name in names):
        return None, f"{kind.label} with macros in it"
    return kind, ""


def sniff(content: bytes, *, max_unpacked: int) -> tuple[Kind | None, str]:
    """What the bytes are: (an allowed kind, "") or (None, what they are instead, for a message)."""
    if content.startswith(b"%PDF-"):
        return PDF, ""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG, ""
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG, ""
    if content.startswith(ZIP_MAGIC):
        return _zip_kind(content, max_unpacked)
    if content.startswith(EMPTY_ZIP):
        return None, "an empty zip archive"
    if content.startswith(OLE_MAGIC):
        return None, ("an older Office file (.doc, .xls, .msg or similar): save it as a Word (.docx) or Excel "
                      "(.xlsx) document, or as a PDF")
    if _windows_program(content):
        return None, "a Windows program"
    for magic, what in NOT_ALLOWED:
        if content.startswith(magic):
            return None, what
    text = content[3:] if content.startswith(b"\xef\xbb\xbf") else content
    if _is_text(text):
        if MARKUP.match(text):
            return None, "a web page or other markup (HTML, SVG or XML)"
        if text.startswith(b"#!"):
            return None, "a script"
        return TEXT, ""
    if b"\x00" not in content and content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return None, "text in UTF-16: save it as UTF-8 text"
    return None, "a kind of file that cannot be attached (it is neither a document, an image nor UTF-8 text)"


def _megabytes(size: int) -> str:
    value = size / 1024 / 1024
    if value < 1:
        return f"{max(size / 1024, 1):.0f} KB"
    return f"{value:.0f} MB" if value == int(value) or value >= 10 else f"{value:.1f} MB"


def check_document(content: bytes, name: str, *, max_bytes: int, max_unpacked: int, size: int | None = None) -> Sniffed:
    """What the uploaded file is, or Refused saying why it cannot be attached. `content` is the file's
    bytes (at most `max_bytes + 1` of them need be read: more is refused as too large), `name` the name it
    was uploaded under (shown in messages only), `size` its whole size when known."""
    shown = display_name(name)
    if (size or 0) > max_bytes or len(content) > max_bytes:
        what = f"The file is {_megabytes(size)}" if (size or 0) > max_bytes else "The file is too large"
        raise Refused(f"{what}: the largest file you can attach is {_megabytes(max_bytes)}. Attach a smaller copy "
                      "(for example a PDF of only the pages needed).")
    if not content:
        raise Refused("The file is empty: check it was saved, choose it again and attach it.")
    kind, what = sniff(content, max_unpacked=max_unpacked)
    claimed = BY_EXTENSION.get(name_extension(shown))
    if kind is None:
        if claimed is not None:
            raise Refused(f"The file says it is {claimed.label} but it is not: it is {what}. "
                          f"Only {ALLOWED_TEXT} can be attached.")
        raise Refused(f"This kind of file cannot be attached: it is {what}. Only {ALLOWED_TEXT} can be attached.")
    if claimed is None:
        raise Refused(f"The file is {kind.label} but its name (“{shown}”) does not end {kind.extensions[0]}: "
                      f"rename it to end {kind.extensions[0]} and attach it again.")
    if claimed is not kind:
        raise Refused(f"The file says it is {claimed.label} but it is not: it is {kind.label}. Rename it to end "
                      f"{kind.extensions[0]}, or attach the file you meant to.")
    extension = name_extension(shown)
    content_type = kind.content_type
    if kind is TEXT and extension == ".csv":
        content_type = "text/csv; charset=utf-8"
    return Sniffed(kind=kind, extension=extension, content_type=content_type)


# --- Zip directories, for any upload ------------------------------------------------------------------


def zip_unpacks_too_much(members, *, max_members: int, max_unpacked: int, max_ratio: int = MAX_RATIO,
                         ratio_from: int = RATIO_FROM_BYTES) -> bool:
    """Whether a zip's central directory (`ZipFile.infolist()`) holds more than `max_members` members,
    unpacks to more than `max_unpacked` bytes in all, or has a member over `ratio_from` bytes unpacked that
    packs more than `max_ratio` times: a zip bomb, refused before anything is inflated."""
    return (len(members) > max_members or sum(m.file_size for m in members) > max_unpacked
            or any(m.file_size > ratio_from and m.file_size > max_ratio * max(m.compress_size, 1) for m in members))


__all__ = ["ALLOWED", "ALLOWED_TEXT", "ACCEPT", "Kind", "Refused", "Sniffed", "check_document", "display_name",
           "sniff", "zip_unpacks_too_much"]
