"""
What an uploaded file is, from its bytes (grants/uploads.py): each kind that may be attached is
recognised whatever it is called, and everything else is refused with a message that says what the
file is and what may be attached; the name a person gave it is kept only as text to show.
"""

import pytest

from grants import uploads
from tests.grants.documents import files

MB = 1024 * 1024
LIMITS = {"max_bytes": 10 * MB, "max_unpacked": 100 * MB}


def check(name, content, **limits):
    return uploads.check_document(content, name, **{**LIMITS, **limits})


def refusal(name, content, **limits) -> str:
    with pytest.raises(uploads.Refused) as refused:
        check(name, content, **limits)
    return refused.value.message


@pytest.mark.parametrize("name, content, extension, content_type", [
    ("agreement.pdf", files.PDF, ".pdf", "application/pdf"),
    ("AGREEMENT.PDF", files.PDF, ".pdf", "application/pdf"),
    ("photo.png", files.PNG, ".png", "image/png"),
    ("photo.jpg", files.JPEG, ".jpg", "image/jpeg"),
    ("photo.jpeg", files.JPEG, ".jpeg", "image/jpeg"),
    ("case study.docx", files.docx(), ".docx", uploads.DOCX.content_type),
    ("ledger.xlsx", files.xlsx(), ".xlsx", uploads.XLSX.content_type),
    ("letter.odt", files.odt(), ".odt", uploads.ODT.content_type),
    ("ledger.csv", files.CSV, ".csv", "text/csv; charset=utf-8"),
    ("notes.txt", files.TEXT, ".txt", "text/plain; charset=utf-8"),
    ("notes.txt", b"\xef\xbb\xbf" + files.TEXT, ".txt", "text/plain; charset=utf-8"),
])
def test_each_kind_that_may_be_attached_is_recognised_by_its_bytes(name, content, extension, content_type):
    sniffed = check(name, content)
    assert (sniffed.extension, sniffed.content_type) == (extension, content_type)


def test_a_pdf_cut_short_is_still_a_pdf_nothing_here_reads_past_its_header():
    assert check("agreement.pdf", files.TRUNCATED_PDF).kind is uploads.PDF


def test_a_file_that_starts_with_the_letters_mz_but_is_text_is_text():
    assert check("names.txt", b"MZ Smith, DBS checked\n").kind is uploads.TEXT


@pytest.mark.parametrize("name, content, message", [
    ("agreement.pdf", files.EXE, "The file says it is a PDF but it is not: it is a Windows program."),
    ("agreement.pdf", files.ELF, "The file says it is a PDF but it is not: it is a program (an ELF executable)."),
    ("agreement.pdf", files.plain_zip(), "The file says it is a PDF but it is not: it is a zip archive."),
    ("agreement.pdf", files.HTML, "The file says it is a PDF but it is not: it is a web page or other markup"),
    ("photo.png", files.HTML, "The file says it is a PNG image but it is not: it is a web page or other markup"),
    ("photo.png", files.SVG, "The file says it is a PNG image but it is not: it is a web page or other markup"),
    ("notes.txt", files.HTML, "The file says it is a plain text or CSV file but it is not: it is a web page"),
    ("notes.txt", files.SCRIPT, "The file says it is a plain text or CSV file but it is not: it is a script."),
    ("notes.txt", files.NOT_UTF8, "The file says it is a plain text or CSV file but it is not: it is a kind of file"),
    ("report.docx", files.OLD_WORD, "The file says it is a Word document (.docx) but it is not: it is an older Office"),
    ("report.docx", files.xlsx(), "The file says it is a Word document (.docx) but it is not: it is an Excel workbook"),
    ("report.docx", files.PDF, "The file says it is a Word document (.docx) but it is not: it is a PDF. Rename it"),
    ("photo.jpg", files.PNG, "The file says it is a JPEG image but it is not: it is a PNG image. Rename it to end .png"),
    ("letter.odt", files.odt(b"application/vnd.oasis.opendocument.spreadsheet"),
     "The file says it is an OpenDocument text document (.odt) but it is not: it is an OpenDocument file other"),
])
def test_a_name_that_lies_about_the_bytes_is_refused_saying_what_the_file_is(name, content, message):
    assert refusal(name, content).startswith(message)


@pytest.mark.parametrize("name, content, what", [
    ("setup.exe", files.EXE, "it is a Windows program"),
    ("page.html", files.HTML, "it is a web page or other markup"),
    ("archive.zip", files.plain_zip(), "it is a zip archive"),
    ("report.doc", files.OLD_WORD, "it is an older Office file"),
    ("picture.gif", b"GIF89a\x01\x00\x01\x00", "it is a GIF image"),
])
def test_a_kind_of_file_that_may_not_be_attached_is_refused_saying_what_may(name, content, what):
    message = refusal(name, content)
    assert message.startswith(f"This kind of file cannot be attached: {what}")
    assert message.endswith(f"Only {uploads.ALLOWED_TEXT} can be attached.")


@pytest.mark.parametrize("name, content, message", [
    ("agreement", files.PDF, "The file is a PDF but its name (“agreement”) does not end .pdf: rename it to end .pdf"),
    ("agreement.exe", files.PDF, "The file is a PDF but its name (“agreement.exe”) does not end .pdf"),
])
def test_an_allowed_file_whose_name_does_not_say_what_it_is_is_refused(name, content, message):
    assert refusal(name, content).startswith(message)


@pytest.mark.parametrize("content, what", [
    (files.zip_bomb_docx(), "a Word document (.docx) that unpacks to far more data than a document holds"),
    (files.many_members_docx(), "a Word document (.docx) that unpacks to far more data than a document holds"),
    (files.traversal_docx(), "a Word document (.docx) that holds a file named with a path outside the document "
                             "(“evil”)"),
    (files.absolute_docx(), "a Word document (.docx) that holds a file named with a path outside the document"),
    (files.macro_docx(), "a Word document (.docx) with macros in it"),
    (b"PK\x03\x04this is no zip at all", "a damaged or incomplete zip file"),
])
def test_zip_tricks_inside_a_document_are_refused_from_its_directory(content, what):
    assert refusal("report.docx", content).startswith(f"The file says it is a Word document (.docx) but it is not: "
                                                      f"it is {what}")


def test_a_document_that_unpacks_beyond_the_limit_is_refused():
    assert "unpacks to far more data" in refusal("report.docx", files.docx({"word/a.xml": b"a" * 5000}),
                                                 max_unpacked=4000)


def test_an_empty_file_is_refused():
    assert refusal("agreement.pdf", b"") == "The file is empty: check it was saved, choose it again and attach it."


def test_a_file_over_the_limit_is_refused_before_its_bytes_are_looked_at():
    assert refusal("agreement.pdf", files.EXE, max_bytes=10, size=12 * MB).startswith(
        "The file is 12 MB: the largest file you can attach is 1 KB.")
    assert refusal("agreement.pdf", b"%PDF-" + b"x" * 100, max_bytes=100).startswith(
        "The file is too large: the largest file you can attach is")
    assert check("agreement.pdf", b"%PDF-" + b"x" * 95, max_bytes=100).kind is uploads.PDF


def test_the_limit_is_said_in_megabytes():
    message = refusal("agreement.pdf", files.PDF, max_bytes=10 * MB, size=10 * MB + 1)
    assert message == ("The file is 10 MB: the largest file you can attach is 10 MB. Attach a smaller copy (for "
                       "example a PDF of only the pages needed).")


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\x\\evil.pdf", "evil.pdf"),
    ("/var/www/agreement.pdf", "agreement.pdf"),
    ("agree\x00ment\r\n.pdf", "agreement.pdf"),
    ("agreement\u202egnp.pdf", "agreementgnp.pdf"),
    ("  Signed   agreement.pdf  ", "Signed agreement.pdf"),
    ("a" * 300 + ".pdf", "a" * 251 + ".pdf"),
    ("", ""),
])
def test_the_name_is_kept_only_as_text_to_show(name, shown):
    assert uploads.display_name(name) == shown


def test_a_zip_directory_that_unpacks_too_much_is_told_apart_from_one_that_does_not():
    import io
    import zipfile

    members = zipfile.ZipFile(io.BytesIO(files.zip_bomb_docx())).infolist()
    assert uploads.zip_unpacks_too_much(members, max_members=200, max_unpacked=50 * MB)
    assert not uploads.zip_unpacks_too_much(members, max_members=200, max_unpacked=50 * MB, max_ratio=10_000)
    assert uploads.zip_unpacks_too_much(members, max_members=2, max_unpacked=50 * MB, max_ratio=10_000)
