"""
Documents on the web (grants/views/documents.py): the section on each page, attaching through the
form (a refused file shown again with its message, nothing kept), the download (only to those who may
see what the document is attached to, every actor tried on every kind of document, as an attachment
with the content type its bytes were found to be) and removing one; never a public address.
"""

import io
import re
from urllib.parse import quote

import pytest
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from grants.models import Document
from grants.services import documents as services
from tests.grants.commissioning.helpers import table_rows
from tests.grants.documents import files
from tests.grants.documents.conftest import stored_files
from tests.grants.documents.world import attach, nothing_kept, with_things_to_attach_to
from tests.grants.return_views.helpers import error_summary_links
from tests.worlds import ACTORS, client_for

Kind = Document.Kind


@pytest.fixture
def w(actors):
    return with_things_to_attach_to(actors)


def get(w, actor, url):
    return client_for(None if actor == "anonymous" else getattr(w, actor)).get(url)


def return_url(ret, *rest):
    return reverse("return-detail", args=[ret.project.reference, ret.financial_year, ret.quarter]) + "".join(rest)


# --- Downloads: who gets what ---------------------------------------------------------------------------

# Each kind of document, and the answer of each actor (ACTORS' order: anonymous, provider A, provider B, the
# funder's viewer, commissioner and finance officers, another funder's commissioner officer).
DOCUMENTS = {
    "A's signed agreement": (lambda w: attach(w.commissioner, w.allocation_a, Kind.AGREEMENT),
                             [302, 200, 404, 200, 200, 200, 404]),
    "A's safeguarding evidence": (lambda w: attach(w.user_a, w.allocation_a, Kind.SAFEGUARDING),
                                  [302, 200, 404, 200, 200, 200, 404]),
    "spend evidence on A's return": (
        lambda w: attach(w.user_a, w.allocation_a, Kind.SPEND, quarterly_return=w.draft_return),
        [302, 200, 404, 200, 200, 200, 404]),
    "a remittance on A's payment": (lambda w: attach(w.finance, w.allocation_a, Kind.PAYMENT, payment=w.payment),
                                    [302, 200, 404, 200, 200, 200, 404]),
    "a letter on A's clawback": (lambda w: attach(w.finance, w.allocation_a, Kind.CLAWBACK, clawback=w.clawback),
                                 [302, 200, 404, 200, 200, 200, 404]),
    "B's signed agreement (A delivers B-2)": (lambda w: attach(w.commissioner, w.allocation_b, Kind.AGREEMENT),
                                              [302, 404, 200, 200, 200, 200, 404]),
    "B's payment evidence (A delivers B-2)": (
        lambda w: attach(w.finance, w.allocation_b, Kind.PAYMENT, payment=w.b_payment),
        [302, 404, 200, 200, 200, 200, 404]),
    "spend evidence on B-2's return, which A delivers": (
        lambda w: attach(w.user_a, w.allocation_b, Kind.SPEND, quarterly_return=w.b2_return),
        [302, 200, 200, 200, 200, 200, 404]),
}


@pytest.mark.parametrize("what", DOCUMENTS)
def test_a_document_is_sent_only_to_those_who_may_see_what_it_is_attached_to(w, media, what):
    make, answers = DOCUMENTS[what]
    document = make(w)
    url = reverse("document-download", args=[document.pk])

    got = [get(w, actor, url).status_code for actor in ACTORS]

    assert dict(zip(ACTORS, got)) == dict(zip(ACTORS, answers))


def test_a_removed_document_is_sent_to_nobody(w, media):
    document = attach(w.user_a, w.allocation_a)
    services.document_remove(actor=w.commissioner, document=document, version=document.version)
    url = reverse("document-download", args=[document.pk])
    assert [get(w, actor, url).status_code for actor in ACTORS] == [302, 404, 404, 404, 404, 404, 404]


def test_a_document_that_does_not_exist_is_not_found(w):
    assert get(w, "commissioner", reverse("document-download", args=[999999])).status_code == 404


def test_the_download_is_an_attachment_of_the_sniffed_type_never_cached_or_sniffed(w, media):
    document = attach(w.user_a, w.allocation_a, Kind.SAFEGUARDING, name="../Vérification DBS \"mai\".csv",
                      content=files.CSV)

    response = get(w, "commissioner", reverse("document-download", args=[document.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.CSV
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    shown = 'Vérification DBS "mai".csv'
    assert response["Content-Disposition"] == (
        f"attachment; filename=\"Verification DBS _mai.csv\"; filename*=UTF-8''{quote(shown, safe='')}")


@pytest.mark.parametrize("name, content, content_type", [
    ("agreement.pdf", files.PDF, "application/pdf"),
    ("photo.jpeg", files.JPEG, "image/jpeg"),
    ("case study.docx", files.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
])
def test_each_kind_goes_out_as_what_its_bytes_are(w, media, name, content, content_type):
    document = attach(w.user_a, w.allocation_a, Kind.AGREEMENT, name=name, content=content)
    response = get(w, "user_a", reverse("document-download", args=[document.pk]))
    assert response["Content-Type"] == content_type
    assert f'filename="{name}"' in response["Content-Disposition"]


def test_a_file_missing_from_the_storage_is_not_found_not_a_server_error(w, media):
    document = attach(w.user_a, w.allocation_a)
    (media / document.file.name).unlink()
    assert get(w, "user_a", reverse("document-download", args=[document.pk])).status_code == 404


def test_no_public_address_serves_a_stored_file(w, media):
    document = attach(w.user_a, w.allocation_a)
    for path in (f"/{document.file.name}", f"/media/{document.file.name}", f"{settings.MEDIA_URL}{document.file.name}"):
        assert get(w, "commissioner", path).status_code == 404, path
    page = get(w, "commissioner", reverse("allocation-detail", args=[w.allocation_a.pk])).content.decode()
    assert document.file.name not in page and reverse("document-download", args=[document.pk]) in page


# --- The section on each page ----------------------------------------------------------------------------


def test_the_allocation_page_lists_its_documents_with_their_download_and_who_added_them(w, media):
    attach(w.user_a, w.allocation_a, Kind.AGREEMENT, name="Signed agreement.pdf", title="Agreement 2023-24")
    attach(w.finance, w.allocation_a, Kind.PAYMENT, payment=w.payment)  # the payment's, not listed here

    response = get(w, "commissioner", reverse("allocation-detail", args=[w.allocation_a.pk]))

    [row] = table_rows(response, "documents")
    assert row[:2] == ["Signed grant agreement", "Agreement 2023-24"]
    assert row[2].startswith("Signed agreement.pdf") and row[2].endswith("bytes")
    assert w.user_a.username in row[3]
    assert 'enctype="multipart/form-data"' in response.content.decode()


@pytest.mark.parametrize("actor, sees_form, sees_remove", [
    ("user_a", True, False), ("viewer", False, False), ("commissioner", True, True), ("finance", True, True),
])
def test_the_attach_form_and_remove_link_show_for_those_who_may(w, media, actor, sees_form, sees_remove):
    document = attach(w.commissioner, w.allocation_a, Kind.CONDITIONS)
    page = get(w, actor, reverse("allocation-detail", args=[w.allocation_a.pk])).content.decode()
    assert ('data-testid="attach-document"' in page) is sees_form
    assert (reverse("document-remove", args=[document.pk]) in page) is sees_remove


def test_a_provider_delivering_under_another_allocation_sees_no_documents_section_there(w, media):
    attach(w.commissioner, w.allocation_b, Kind.AGREEMENT)
    page = get(w, "user_a", reverse("allocation-detail", args=[w.allocation_b.pk])).content.decode()
    assert 'id="documents"' not in page


@pytest.mark.parametrize("page, make", [
    (lambda w: return_url(w.draft_return), lambda w: attach(w.user_a, w.allocation_a, Kind.SPEND,
                                                            quarterly_return=w.draft_return)),
    (lambda w: reverse("payment-detail", args=[w.payment.pk]),
     lambda w: attach(w.finance, w.allocation_a, Kind.PAYMENT, payment=w.payment)),
    (lambda w: reverse("clawback-detail", args=[w.clawback.pk]),
     lambda w: attach(w.finance, w.allocation_a, Kind.CLAWBACK, clawback=w.clawback)),
])
def test_each_page_lists_the_documents_attached_to_it(w, media, page, make):
    document = make(w)
    response = get(w, "user_a", page(w))
    assert response.status_code == 200
    [row] = table_rows(response, "documents")
    assert row[0] == document.get_kind_display()
    assert reverse("document-download", args=[document.pk]) in response.content.decode()


def test_an_unstarted_return_has_nothing_to_attach_to(w):
    url = reverse("return-document-add", args=["A-1", 2023, 4])
    assert get(w, "user_a", url).status_code == 404


# --- Attaching through the form ---------------------------------------------------------------------------


def post_document(w, actor, url, name="agreement.pdf", content=files.PDF, kind=Kind.AGREEMENT, title=""):
    return client_for(getattr(w, actor)).post(url, {"kind": kind, "title": title,
                                                    "file": files.upload(name, content)})


def test_attaching_through_the_form_goes_back_to_the_page(w, media):
    url = reverse("allocation-document-add", args=[w.allocation_a.pk])
    response = post_document(w, "user_a", url, title="Signed agreement")

    assert response.status_code == 302
    assert response["Location"] == reverse("allocation-detail", args=[w.allocation_a.pk]) + "#documents"
    document = Document.objects.get()
    assert (document.kind, document.title, document.added_by) == (Kind.AGREEMENT, "Signed agreement", w.user_a)


@pytest.mark.parametrize("name, content, message", [
    ("agreement.pdf", files.EXE, "The file says it is a PDF but it is not: it is a Windows program."),
    ("photo.png", files.HTML, "The file says it is a PNG image but it is not: it is a web page or other markup"),
    ("report.docx", files.traversal_docx(), "it is a Word document (.docx) that holds a file named with a path"),
    ("agreement.pdf", b"", "The file is empty"),
])
def test_a_refused_file_comes_back_on_the_form_with_its_message_and_nothing_kept(w, media, name, content, message):
    url = reverse("allocation-document-add", args=[w.allocation_a.pk])
    response = post_document(w, "user_a", url, name=name, content=content)

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page.replace("&#x27;", "'")
    assert "id_document_file" in error_summary_links(response)
    assert 'enctype="multipart/form-data"' in page and "<title>Error: Attach a document" in page
    assert nothing_kept(media)


def test_no_file_chosen_is_asked_for(w, media):
    url = reverse("allocation-document-add", args=[w.allocation_a.pk])
    response = client_for(w.user_a).post(url, {"kind": Kind.AGREEMENT, "title": ""})
    assert response.status_code == 400 and "Choose a file to attach." in response.content.decode()
    assert nothing_kept(media)


def test_a_kind_the_recipient_may_not_attach_is_not_offered_and_refused_if_forged(w, media):
    url = reverse("allocation-document-add", args=[w.allocation_a.pk])
    form = client_for(w.user_a).get(url).content.decode()
    assert 'value="agreement"' in form and 'value="other"' not in form

    response = post_document(w, "user_a", url, kind=Kind.OTHER)
    assert response.status_code == 400
    assert "Choose what kind of document this is from the list." in response.content.decode()
    assert nothing_kept(media)


@pytest.mark.parametrize("url, kind", [
    (lambda w: reverse("return-document-add", args=["A-1", 2023, 2]), Kind.SPEND),
    (lambda w: reverse("payment-document-add", args=[w.payment.pk]), Kind.PAYMENT),
    (lambda w: reverse("clawback-document-add", args=[w.clawback.pk]), Kind.CLAWBACK),
])
def test_attaching_to_a_return_a_payment_or_a_clawback(w, media, url, kind):
    actor = "user_a" if kind == Kind.SPEND else "finance"
    response = post_document(w, actor, url(w), kind=kind)
    assert response.status_code == 302
    assert Document.objects.get().kind == kind


def test_a_document_up_to_the_limit_is_attached_and_one_over_it_refused_on_the_form(w, media, settings):
    url = reverse("allocation-document-add", args=[w.allocation_a.pk])
    limit = settings.DOCUMENT_MAX_BYTES
    at_limit = files.PDF + b"%" * (limit - len(files.PDF))
    assert post_document(w, "user_a", url, content=at_limit).status_code == 302

    over = post_document(w, "user_a", url, content=at_limit + b"%")
    assert over.status_code == 400
    assert "the largest file you can attach is 10 MB" in over.content.decode()
    assert Document.objects.count() == 1


def call_application(path: str, length: int) -> tuple[str, str]:
    """The WSGI application asked for a multipart POST of `length` bytes, none of which are read."""
    environ = {
        "REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(b""), "wsgi.errors": io.StringIO(),
        "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "multipart/form-data; boundary=xyz", "CONTENT_LENGTH": str(length),
    }
    answer = {}

    def start_response(status, headers, exc_info=None):
        answer["status"] = status

    body = b"".join(WSGIHandler()(environ, start_response)).decode()
    return answer["status"], body


def test_a_request_far_over_the_document_limit_is_refused_unread_saying_the_documents_limit(w, media):
    path = reverse("allocation-document-add", args=[w.allocation_a.pk])
    status, page = call_application(path, settings.REQUEST_MAX_BYTES + 1)

    assert status.startswith("413")
    assert "The largest file you can attach is\n10 MB" in page
    assert settings.REQUEST_MAX_BYTES >= settings.DOCUMENT_MAX_BYTES + 64 * 1024


# --- Removing --------------------------------------------------------------------------------------------


def test_removing_asks_first_then_removes_and_goes_back(w, media):
    document = attach(w.user_a, w.allocation_a, Kind.SPEND, quarterly_return=w.draft_return)
    url = reverse("document-remove", args=[document.pk])
    client = client_for(w.user_a)

    asked = client.get(url)
    assert asked.status_code == 200 and "Are you sure you want to remove the document" in asked.content.decode()

    response = client.post(url, {"version": document.version})
    assert response.status_code == 302 and response["Location"] == return_url(w.draft_return, "#documents")
    assert not Document.objects.current().exists()
    assert stored_files(media)  # kept for the audit trail


@pytest.mark.parametrize("actor, status", [
    ("anonymous", 302), ("user_a", 403), ("user_b", 404), ("viewer", 403), ("commissioner", 200), ("finance", 200),
    ("outsider", 404),
])
def test_who_may_remove_a_document_the_funder_attached(w, media, actor, status):
    document = attach(w.commissioner, w.allocation_a, Kind.CONDITIONS)
    assert get(w, actor, reverse("document-remove", args=[document.pk])).status_code == status


def test_removing_a_document_removed_since_is_not_found(w, media):
    document = attach(w.commissioner, w.allocation_a, Kind.CONDITIONS)
    services.document_remove(actor=w.finance, document=document, version=document.version)
    response = client_for(w.commissioner).post(reverse("document-remove", args=[document.pk]),
                                               {"version": document.version})
    assert response.status_code == 404


# --- History -----------------------------------------------------------------------------------------------


def test_attaching_and_removing_are_in_the_allocation_history(w, media):
    document = attach(w.user_a, w.allocation_a, Kind.AGREEMENT, title="Signed agreement")
    services.document_remove(actor=w.commissioner, document=document, version=document.version)

    page = get(w, "commissioner", reverse("allocation-detail", args=[w.allocation_a.pk]))
    rows = [" ".join(row) for row in table_rows(page, "allocation-history")]
    assert any("Document: Signed agreement" in row and "Signed grant agreement" in row and w.user_a.username in row
               for row in rows), rows
    assert any("Document: Signed agreement" in row and "removed at" in row.lower() for row in rows), rows


def test_attaching_is_in_the_return_history(w, media):
    attach(w.user_a, w.allocation_a, Kind.CASE_STUDY, quarterly_return=w.draft_return, title="Case study")
    page = get(w, "commissioner", return_url(w.draft_return, "history/"))
    assert "Document: Case study" in page.content.decode()


# --- Queries do not grow with the documents -----------------------------------------------------------------


PAGES = [
    ("commissioner", lambda w: reverse("allocation-detail", args=[w.allocation_a.pk]), {}),
    ("user_a", lambda w: reverse("allocation-detail", args=[w.allocation_a.pk]), {}),
    ("user_a", lambda w: return_url(w.draft_return), {"quarterly_return": "draft_return"}),
    ("finance", lambda w: return_url(w.draft_return), {"quarterly_return": "draft_return"}),
    ("finance", lambda w: reverse("payment-detail", args=[w.payment.pk]), {"payment": "payment"}),
    ("user_a", lambda w: reverse("clawback-detail", args=[w.clawback.pk]), {"clawback": "clawback"}),
]


def _grow(w, count, target):
    kinds = {"quarterly_return": Kind.SPEND, "payment": Kind.PAYMENT, "clawback": Kind.CLAWBACK}
    on = {name: getattr(w, attribute) for name, attribute in target.items()}
    kind = kinds[next(iter(target))] if target else Kind.CONDITIONS
    for n in range(count):
        attach(w.finance if target.keys() & {"payment", "clawback"} else w.user_a, w.allocation_a, kind,
               name=f"evidence {n}.pdf", **on)


@pytest.mark.parametrize("who, path, target", PAGES, ids=[f"{p[0]} {i}" for i, p in enumerate(PAGES)])
def test_a_page_makes_as_many_queries_with_12_documents_as_with_2(w, media, django_assert_num_queries, who, path,
                                                                   target):
    client, url = client_for(getattr(w, who)), path(w)
    _grow(w, 2, target)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        small = client.get(url)
    assert small.status_code == 200 and len(table_rows(small, "documents")) == 2

    _grow(w, 10, target)
    with django_assert_num_queries(len(few)):
        large = client.get(url)
    assert len(table_rows(large, "documents")) == 12
    assert not re.search(r"documents/\d+/[0-9a-f]{32}", large.content.decode())
