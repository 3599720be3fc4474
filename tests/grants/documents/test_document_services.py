"""
Attaching and removing documents through the service (grants/services/documents.py): who may attach
what where, the refusals and their messages, a hostile file leaving nothing behind (no row, no history,
no file), the file stored under a random name only, the audit history, and the documents a programme
requires before a payment is released.
"""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grants.models import Allocation, Document, Payment
from grants.services import Invalid, NotAllowed, Stale
from grants.services import documents as services
from tests import factories as f
from tests.grants.documents import files
from tests.grants.documents.conftest import stored_files
from tests.grants.documents.world import attach, nothing_kept, released, with_things_to_attach_to

Kind = Document.Kind


@pytest.fixture
def w(actors):
    return with_things_to_attach_to(actors)


# --- Who may attach what, where ------------------------------------------------------------------------

ALLOWED = [
    # (actor, where, kind)
    ("commissioner", "allocation", Kind.AGREEMENT), ("commissioner", "allocation", Kind.OTHER),
    ("finance", "allocation", Kind.CONDITIONS), ("user_a", "allocation", Kind.AGREEMENT),
    ("user_a", "allocation", Kind.SAFEGUARDING), ("user_a", "allocation", Kind.CONDITIONS),
    ("user_a", "draft_return", Kind.SPEND), ("user_a", "draft_return", Kind.CASE_STUDY),
    ("commissioner", "draft_return", Kind.OTHER), ("finance", "submitted_return", Kind.SPEND),
    ("commissioner", "submitted_return", Kind.CASE_STUDY),
    ("finance", "payment", Kind.PAYMENT), ("finance", "clawback", Kind.CLAWBACK), ("finance", "clawback", Kind.OTHER),
]

REFUSED = [
    ("viewer", "allocation", Kind.AGREEMENT, "Only the funder's commissioner and finance officers, and the "
                                             "allocation's recipient, can attach or remove documents on an allocation."),
    ("user_b", "allocation", Kind.AGREEMENT, "Only the funder's commissioner and finance officers, and the"),
    ("outsider", "allocation", Kind.AGREEMENT, "Only the funder's commissioner and finance officers, and the"),
    ("user_a", "allocation", Kind.OTHER, "Only the funder's officers can attach other here: the recipient attaches "
                                         "its signed agreement, the grant conditions and safeguarding evidence."),
    ("user_a", "submitted_return", Kind.SPEND, "This return is submitted: its provider can attach or remove documents "
                                               "while it is a draft or sent back for amendment."),
    ("user_b", "draft_return", Kind.SPEND, "Only the provider that delivers the project, and the funder's"),
    ("viewer", "draft_return", Kind.SPEND, "Only the provider that delivers the project, and the funder's"),
    ("commissioner", "payment", Kind.PAYMENT, "Only a finance officer of the funder can attach or remove documents on "
                                              "a payment."),
    ("user_a", "payment", Kind.PAYMENT, "Only a finance officer of the funder can attach or remove documents on a"),
    ("commissioner", "clawback", Kind.CLAWBACK, "Only a finance officer of the funder can attach or remove documents "
                                                "on a clawback."),
]


def target_of(w, where) -> dict:
    return {"allocation": {}, "draft_return": {"quarterly_return": w.draft_return},
            "submitted_return": {"quarterly_return": w.submitted_return}, "payment": {"payment": w.payment},
            "clawback": {"clawback": w.clawback}}[where]


@pytest.mark.parametrize("actor, where, kind", ALLOWED)
def test_it_attaches_a_document_for_those_who_may(w, media, actor, where, kind):
    document = attach(getattr(w, actor), w.allocation_a, kind, **target_of(w, where))

    document.refresh_from_db()
    assert document.kind == kind and document.added_by == getattr(w, actor) and document.allocation == w.allocation_a
    assert stored_files(media) == [media / document.file.name]


@pytest.mark.parametrize("actor, where, kind, message", REFUSED)
def test_it_refuses_those_who_may_not_saying_why(w, media, actor, where, kind, message):
    with pytest.raises(NotAllowed) as refused:
        attach(getattr(w, actor), w.allocation_a, kind, **target_of(w, where))

    assert refused.value.message.startswith(message)
    assert nothing_kept(media)


@pytest.mark.parametrize("where, kind, message", [
    ("allocation", Kind.SPEND, "An allocation takes signed grant agreement, grant conditions, safeguarding evidence "
                               "(for example DBS checks) or other: evidence of spend (invoice, ledger extract) does "
                               "not belong here."),
    ("draft_return", Kind.AGREEMENT, "A return takes evidence of spend (invoice, ledger extract), case study material "
                                     "or other: signed grant agreement does not belong here."),
    ("payment", Kind.SAFEGUARDING, "A payment takes payment evidence (remittance, payment request) or other:"),
    ("clawback", Kind.PAYMENT, "A clawback takes clawback correspondence or other:"),
    ("allocation", "cheque", "Choose what kind of document this is."),
])
def test_each_thing_takes_its_own_kinds_of_document(w, media, where, kind, message):
    actor = w.finance
    with pytest.raises(Invalid) as refused:
        attach(actor, w.allocation_a, kind, **target_of(w, where))
    assert refused.value.errors["kind"].startswith(message)
    assert nothing_kept(media)


@pytest.mark.parametrize("target", [
    lambda w: {"quarterly_return": w.b2_return}, lambda w: {"payment": w.b_payment},
])
def test_a_return_or_payment_of_another_allocation_is_refused(w, media, target):
    with pytest.raises(Invalid) as refused:
        attach(w.finance, w.allocation_a, Kind.OTHER, **target(w))
    assert "is not under the allocation “Allocation to A”: attach the document where it belongs." in \
        refused.value.errors["__all__"]
    assert nothing_kept(media)


def test_a_document_is_attached_to_one_thing_only(w, media):
    with pytest.raises(TypeError):
        attach(w.finance, w.allocation_a, Kind.OTHER, payment=w.payment, clawback=w.clawback)
    assert nothing_kept(media)


def test_nothing_more_is_attached_to_a_withdrawn_allocation(w, media):
    Allocation.objects.filter(pk=w.allocation_a.pk).update(status="withdrawn", withdrawn_reason="No match funding.")
    w.allocation_a.refresh_from_db()
    with pytest.raises(NotAllowed) as refused:
        attach(w.commissioner, w.allocation_a)
    assert refused.value.message == "This allocation is withdrawn: nothing more can be attached to it or removed from it."
    assert nothing_kept(media)


def test_a_provider_delivering_under_another_allocation_attaches_to_its_own_returns_only(w, media):
    document = attach(w.user_a, w.allocation_b, Kind.SPEND, quarterly_return=w.b2_return)
    assert document.quarterly_return == w.b2_return
    with pytest.raises(NotAllowed):
        attach(w.user_a, w.allocation_b, Kind.AGREEMENT)


# --- Hostile files: refused, and nothing kept ---------------------------------------------------------------

HOSTILE = [
    ("a Windows program named .pdf", "agreement.pdf", files.EXE,
     "The file says it is a PDF but it is not: it is a Windows program."),
    ("a web page named .png", "photo.png", files.HTML,
     "The file says it is a PNG image but it is not: it is a web page or other markup"),
    ("a zip bomb named .docx", "report.docx", files.zip_bomb_docx(),
     "The file says it is a Word document (.docx) but it is not: it is a Word document (.docx) that unpacks to far "
     "more data than a document holds"),
    ("a .docx with a ../ member", "report.docx", files.traversal_docx(),
     "The file says it is a Word document (.docx) but it is not: it is a Word document (.docx) that holds a file "
     "named with a path outside the document"),
    ("a .docx of 1,500 members", "report.docx", files.many_members_docx(),
     "The file says it is a Word document (.docx) but it is not: it is a Word document (.docx) that unpacks to far"),
    ("a .docx with macros", "report.docx", files.macro_docx(), "The file says it is a Word document (.docx) but it is "
                                                               "not: it is a Word document (.docx) with macros in it."),
    ("an empty file", "agreement.pdf", b"", "The file is empty: check it was saved, choose it again and attach it."),
    ("a PDF without .pdf", "agreement", files.PDF, "The file is a PDF but its name (“agreement”) does not end .pdf"),
    ("a script named .txt", "notes.txt", files.SCRIPT, "The file says it is a plain text or CSV file but it is not: "
                                                       "it is a script."),
]


@pytest.mark.parametrize("what, name, content, message", HOSTILE, ids=[h[0] for h in HOSTILE])
def test_a_hostile_file_is_refused_and_nothing_is_kept(w, media, what, name, content, message):
    with pytest.raises(Invalid) as refused:
        attach(w.user_a, w.allocation_a, Kind.AGREEMENT, name=name, content=content)

    assert refused.value.errors["file"].startswith(message)
    assert nothing_kept(media)


def test_a_file_over_the_limit_is_refused_unread_and_nothing_is_kept(w, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    upload = files.upload("agreement.pdf", files.PDF + b"%" * (1024 * 1024))

    with pytest.raises(Invalid) as refused:
        services.document_add(actor=w.user_a, allocation=w.allocation_a, kind=Kind.AGREEMENT, title="", file=upload)

    assert refused.value.errors["file"].startswith("The file is 1.0 MB: the largest file you can attach is 1 MB.")
    assert upload.tell() == 0  # not read at all
    assert nothing_kept(media)


def test_a_file_at_the_limit_is_attached(w, media, settings):
    settings.DOCUMENT_MAX_BYTES = 1024 * 1024
    content = files.PDF + b"%" * (1024 * 1024 - len(files.PDF))
    assert attach(w.user_a, w.allocation_a, content=content).size == 1024 * 1024


def test_no_file_at_all_is_refused_with_the_kind_checked_too(w, media):
    with pytest.raises(Invalid) as refused:
        services.document_add(actor=w.finance, allocation=w.allocation_a, kind="", title="", file=None)
    assert refused.value.errors == {"kind": "Choose what kind of document this is.", "file": "Choose a file to attach."}


def test_a_title_over_200_characters_is_refused_and_nothing_is_kept(w, media):
    with pytest.raises(Invalid) as refused:
        attach(w.user_a, w.allocation_a, title="T" * 201)
    assert refused.value.errors["title"] == "Enter a title of 200 characters or fewer, on one line."
    assert nothing_kept(media)


def test_a_failure_after_the_file_was_written_deletes_it(w, media, monkeypatch):
    def fail(self, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr(Document, "save", fail)
    with pytest.raises(RuntimeError):
        attach(w.user_a, w.allocation_a)
    assert nothing_kept(media)


@pytest.mark.parametrize("name, shown", [
    ("../../etc/passwd.pdf", "passwd.pdf"), ("C:\\x\\evil.pdf", "evil.pdf"), ("/etc/cron.d/x.pdf", "x.pdf"),
    ("agree\x00ment\n.pdf", "agreement.pdf"),
])
def test_a_path_for_a_name_is_shown_without_it_and_the_file_is_stored_under_a_random_name(w, media, name, shown):
    document = attach(w.user_a, w.allocation_a, name=name)

    assert document.original_name == shown and document.title == shown
    assert re.fullmatch(rf"documents/{w.allocation_a.pk}/[0-9a-f]{{32}}\.pdf", document.file.name)
    assert stored_files(media) == [media / document.file.name]
    assert (media / document.file.name).read_bytes() == files.PDF


def test_what_is_kept_of_a_document(w, media):
    import hashlib

    document = attach(w.user_a, w.allocation_a, Kind.SAFEGUARDING, name="DBS checks.csv", content=files.CSV,
                      title="  DBS checks, May 2024 ")

    document.refresh_from_db()
    assert (document.title, document.original_name, document.extension, document.content_type, document.size,
            document.sha256) == ("DBS checks, May 2024", "DBS checks.csv", ".csv", "text/csv; charset=utf-8",
                                 len(files.CSV), hashlib.sha256(files.CSV).hexdigest())
    assert document.file.name.endswith(".csv") and "DBS" not in document.file.name


def test_attaching_is_in_the_history_with_who_and_why(w, media):
    document = attach(w.user_a, w.allocation_a, Kind.AGREEMENT)
    [record] = Document.history.filter(id=document.pk)
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+", w.user_a, "Attached: Signed grant agreement")


# --- Removing ------------------------------------------------------------------------------------------


def test_removing_keeps_the_document_and_its_file_and_says_who(w, media):
    document = attach(w.user_a, w.allocation_a, Kind.AGREEMENT)

    services.document_remove(actor=w.commissioner, document=document, version=document.version)

    document.refresh_from_db()
    assert document.removed_by == w.commissioner and document.removed_at is not None
    assert not Document.objects.current().exists()
    assert stored_files(media) == [media / document.file.name]
    latest = Document.history.filter(id=document.pk).latest("history_id")
    assert (latest.history_type, latest.history_user, latest.history_change_reason) == (
        "~", w.commissioner, "Removed: Signed grant agreement")


def test_removing_a_document_someone_else_removed_since_is_stale(w, media):
    document = attach(w.commissioner, w.allocation_a, Kind.CONDITIONS)
    services.document_remove(actor=w.finance, document=document, version=document.version)

    with pytest.raises(Stale) as stale:
        services.document_remove(actor=w.commissioner, document=document, version=document.version)
    assert stale.value.message == services.DOCUMENT_STALE


@pytest.mark.parametrize("remover, message", [
    ("user_a", "Only the funder's officers can remove a document the funder attached."),
    ("viewer", "Only the funder's commissioner and finance officers, and the allocation's recipient"),
    ("user_b", "Only the funder's commissioner and finance officers, and the allocation's recipient"),
])
def test_a_provider_removes_only_what_its_organisation_attached(w, media, remover, message):
    document = attach(w.commissioner, w.allocation_a, Kind.CONDITIONS)
    with pytest.raises(NotAllowed) as refused:
        services.document_remove(actor=getattr(w, remover), document=document, version=document.version)
    assert refused.value.message.startswith(message)

    own = attach(w.user_a, w.allocation_a, Kind.AGREEMENT)
    services.document_remove(actor=w.user_a, document=own, version=own.version)


def test_a_removed_document_cannot_be_removed_again(w, media):
    document = attach(w.user_a, w.allocation_a)
    services.document_remove(actor=w.user_a, document=document, version=document.version)
    document.refresh_from_db()
    with pytest.raises(NotAllowed) as refused:
        services.document_remove(actor=w.user_a, document=document, version=document.version)
    assert refused.value.message == "This document has already been removed."


# --- Documents required before a payment -----------------------------------------------------------------


def requiring(w, agreement=False, safeguarding=False):
    programme = w.programme
    programme.agreement_before_payment, programme.safeguarding_before_payment = agreement, safeguarding
    programme.save()
    return Payment.objects.select_related("allocation__programme").get(pk=w.payment.pk)


def test_nothing_is_required_when_the_programme_asks_for_nothing_and_nothing_is_read(w, django_assert_num_queries):
    payment = requiring(w)
    with django_assert_num_queries(0):
        assert services.missing_documents_for_release(payment) == ""


def test_the_signed_agreement_is_required_before_the_first_payment(w, media):
    payment = requiring(w, agreement=True)
    assert services.missing_documents_for_release(payment) == services.AGREEMENT_MISSING
    assert services.AGREEMENT_MISSING == (
        "The programme requires the signed grant agreement to be attached to the allocation before its first payment: "
        "attach it on the allocation page.")

    attach(w.user_a, w.allocation_a, Kind.AGREEMENT)
    assert services.missing_documents_for_release(payment) == ""


def test_the_agreement_is_not_asked_for_again_once_a_payment_is_released(w):
    payment = requiring(w, agreement=True)
    released(f.PaymentFactory(allocation=w.allocation_a, quarter=2), w.finance)
    assert services.missing_documents_for_release(payment) == ""


def test_safeguarding_evidence_is_required_before_every_payment(w, media):
    payment = requiring(w, safeguarding=True)
    released(f.PaymentFactory(allocation=w.allocation_a, quarter=2), w.finance)
    assert services.missing_documents_for_release(payment) == services.SAFEGUARDING_MISSING
    assert "safeguarding evidence (for example DBS checks)" in services.SAFEGUARDING_MISSING

    attach(w.user_a, w.allocation_a, Kind.SAFEGUARDING, name="dbs.txt", content=files.TEXT)
    assert services.missing_documents_for_release(payment) == ""


def test_both_missing_are_both_named(w):
    payment = requiring(w, agreement=True, safeguarding=True)
    assert services.missing_documents_for_release(payment) == (
        f"{services.AGREEMENT_MISSING} {services.SAFEGUARDING_MISSING}")


def test_a_removed_document_does_not_count(w, media):
    payment = requiring(w, agreement=True, safeguarding=True)
    agreement = attach(w.user_a, w.allocation_a, Kind.AGREEMENT)
    attach(w.user_a, w.allocation_a, Kind.SAFEGUARDING)
    assert services.missing_documents_for_release(payment) == ""

    services.document_remove(actor=w.user_a, document=agreement, version=agreement.version)
    assert services.missing_documents_for_release(payment) == services.AGREEMENT_MISSING


def test_documents_of_another_allocation_do_not_count(w, media):
    payment = requiring(w, safeguarding=True)
    attach(w.user_b, w.allocation_b, Kind.SAFEGUARDING)
    assert services.missing_documents_for_release(payment) == services.SAFEGUARDING_MISSING


def test_it_is_one_query_however_many_documents_there_are(w, media):
    payment = requiring(w, agreement=True, safeguarding=True)
    for _ in range(3):
        attach(w.user_a, w.allocation_a, Kind.CONDITIONS)
    with CaptureQueriesContext(connection) as few:
        services.missing_documents_for_release(payment, payment.allocation)
    for _ in range(10):
        attach(w.user_a, w.allocation_a, Kind.SAFEGUARDING)
    with CaptureQueriesContext(connection) as many:
        services.missing_documents_for_release(payment, payment.allocation)
    assert len(few) == len(many) == 1
