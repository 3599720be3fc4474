"""
Documents: files attached to an allocation (the signed agreement, the grant conditions, safeguarding
evidence), a quarterly return (evidence of spend, case-study material), a payment or a clawback.

Attaching one checks who may attach what where (grants.permissions), that the return, payment or
clawback is the allocation's, and the file itself (grants.uploads: its size, what its bytes are, that its
name agrees, and for Word, Excel and OpenDocument files their zip directory). Only then is the file
written, through Django's storage API under a random name (grants.models.documents.document_path), and
its row saved in the same transaction: if saving fails, the file written is deleted again, so a refusal
leaves nothing behind. Removing one is a soft removal: the row and the file stay for the audit trail;
nobody can download it any more.

A programme's conditions can require documents before money goes out (`missing_documents_for_release`):
the signed agreement before an allocation's first payment, safeguarding evidence before any.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from grants import permissions
from grants import uploads
from grants.models import Allocation, Clawback, Document, Payment, QuarterlyReturn
from grants.models.documents import DocumentKind
from grants.selectors import documents as document_selectors

from .base import Invalid, audited, claim, lock_allocation, require, validated

DOCUMENT_STALE = (
    "This document changed since you opened the page: someone else removed it. Nothing was changed. Open the "
    "page again to see the latest documents."
)
NO_FILE = "Choose a file to attach."


def _target(allocation, quarterly_return, payment, clawback):
    """The one thing the document is attached to, checked to be the allocation's."""
    given = [obj for obj in (quarterly_return, payment, clawback) if obj is not None]
    if len(given) > 1:
        raise TypeError("A document is attached to one thing: the allocation, or one of its returns, payments or "
                        "clawbacks.")
    target = given[0] if given else allocation
    under = target.project.allocation_id if quarterly_return is not None else getattr(target, "allocation_id",
                                                                                       allocation.pk)
    if under != allocation.pk:
        raise Invalid({"__all__": f"This {permissions.document_target(target)} is not under the allocation "
                                  f"“{allocation.title}”: attach the document where it belongs."})
    return target


def _kind_problem(kind: str, where: str) -> str:
    kinds = permissions.DOCUMENT_KINDS[where]
    if kind in kinds:
        return ""
    if kind not in DocumentKind.values:
        return "Choose what kind of document this is."
    names = ", ".join(kind_text(k) for k in kinds[:-1]) + " or " + kind_text(kinds[-1])
    on = {"allocation": "An allocation", "return": "A return", "payment": "A payment", "clawback": "A clawback"}[where]
    return f"{on} takes {names}: {kind_text(kind)} does not belong here."


def kind_text(kind: str) -> str:
    """A kind of document as a sentence names it ("signed grant agreement")."""
    label = DocumentKind(kind).label
    return label[0].lower() + label[1:]


def _read(file) -> tuple[bytes, str, int | None]:
    """The file's bytes (at most one more than the limit: more is refused unread), name and size."""
    name = getattr(file, "name", "") or ""
    size = getattr(file, "size", None)
    limit = settings.DOCUMENT_MAX_BYTES
    if size is not None and size > limit:
        return b"", name, size
    if hasattr(file, "seek"):
        file.seek(0)
    return file.read(limit + 1), name, size


def document_add(*, actor, allocation: Allocation, kind: str, title: str, file,
                 quarterly_return: QuarterlyReturn | None = None, payment: Payment | None = None,
                 clawback: Clawback | None = None) -> Document:
    """Attach `file` (an uploaded file, or any file object with a name) to the allocation, or to one of its
    returns, payments or clawbacks, as a document of `kind` called `title` (the file's name when blank)."""
    target = _target(allocation, quarterly_return, payment, clawback)
    where = permissions.document_target(target)
    require(permissions.can_add_document(actor, target, kind))
    errors = {}
    problem = _kind_problem(kind, where)
    if problem:
        errors["kind"] = problem
    sniffed = content = None
    if file is None:
        errors["file"] = NO_FILE
    else:
        content, name, size = _read(file)
        try:
            sniffed = uploads.check_document(content, name, max_bytes=settings.DOCUMENT_MAX_BYTES,
                                             max_unpacked=settings.DOCUMENT_MAX_UNPACKED_BYTES, size=size)
        except uploads.Refused as refused:
            errors["file"] = refused.message
    if errors:
        raise Invalid(errors)
    original_name = uploads.display_name(name)
    title = (title or "").strip() or original_name[:200]
    document = Document(
        allocation=allocation, quarterly_return=quarterly_return, payment=payment, clawback=clawback, kind=kind,
        title=title, original_name=original_name, content_type=sniffed.content_type, extension=sniffed.extension,
        size=len(content), sha256=hashlib.sha256(content).hexdigest(), added_by=actor,
    )
    validated(document, exclude=["file", "added_by", "allocation", "quarterly_return", "payment", "clawback"],
              messages={"title": "Enter a title of 200 characters or fewer, on one line."})
    stored = None
    try:
        with transaction.atomic():
            locked = lock_allocation(allocation.pk)
            # What the allocation is now decides (withdrawn since the page was drawn: nothing more is attached).
            require(permissions.can_add_document(actor, locked if target is allocation else target, kind))
            document.file.save(f"document{sniffed.extension}", ContentFile(content), save=False)
            stored = document.file.name
            audited(document, actor, f"Attached: {document.get_kind_display()}").save()
    except BaseException:
        if stored:
            document.file.storage.delete(stored)
        raise
    return document


def document_remove(*, actor, document: Document, version: int | None) -> Document:
    """Remove a document from view: it is kept, with its file, for the audit trail, saying who removed it and
    when."""
    require(permissions.can_remove_document(actor, document))
    with transaction.atomic():
        lock_allocation(document.allocation_id)
        locked = claim(document, None, version, DOCUMENT_STALE, removed_at__isnull=True)
        locked.removed_by = actor
        locked.removed_at = timezone.now()
        audited(locked, actor, f"Removed: {locked.get_kind_display()}").save(
            update_fields=["removed_by", "removed_at", "version"])
    return locked


# What the programme's conditions require before a payment: one rule, read where it is shown and
# where the release is refused (grants.selectors.documents).
AGREEMENT_MISSING, SAFEGUARDING_MISSING = document_selectors.AGREEMENT_MISSING, document_selectors.SAFEGUARDING_MISSING
missing_documents_for_release = document_selectors.missing_documents_for_release


__all__ = ["DOCUMENT_STALE", "document_add", "document_remove", "missing_documents_for_release"]
