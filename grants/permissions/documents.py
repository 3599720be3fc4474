"""Who may attach, remove and read documents (grants.services.documents)."""

from grants.choices import RETURN_EDITABLE
from grants.models import Allocation, Clawback, Payment, QuarterlyReturn
from grants.models.documents import DocumentKind

from . import OK, Allowed, AllocationStatus, _commissioner_of, _delivers, _finance_of


# Files attached to an allocation, one of its returns, payments or clawbacks (grants.services.documents).
# Who may attach (and remove) what, where: on the allocation, the funder's commissioner and finance
# officers any kind, and the recipient's people its signed agreement, the grant conditions and
# safeguarding evidence; on a return, the provider while it may change the return, and the funder's
# officers; on a payment or a clawback, the funder's finance officers. A provider removes only what its
# own organisation attached. Who may read a document is its reach (document_scope): 404 outside it.

DocKind = DocumentKind
# The kinds of document each thing takes.
DOCUMENT_KINDS = {
    "allocation": (DocKind.AGREEMENT, DocKind.CONDITIONS, DocKind.SAFEGUARDING, DocKind.OTHER),
    "return": (DocKind.SPEND, DocKind.CASE_STUDY, DocKind.OTHER),
    "payment": (DocKind.PAYMENT, DocKind.OTHER),
    "clawback": (DocKind.CLAWBACK, DocKind.OTHER),
}
# What an allocation's recipient attaches to it.
RECIPIENT_DOCUMENT_KINDS = (DocKind.AGREEMENT, DocKind.CONDITIONS, DocKind.SAFEGUARDING)


def document_target(target) -> str:
    """What a document is attached to, as DOCUMENT_KINDS names it."""
    if isinstance(target, QuarterlyReturn):
        return "return"
    if isinstance(target, Payment):
        return "payment"
    if isinstance(target, Clawback):
        return "clawback"
    if isinstance(target, Allocation):
        return "allocation"
    raise TypeError(f"A document is attached to an allocation, a return, a payment or a clawback, not {target!r}")


def target_allocation(target) -> Allocation:
    """The allocation a document on `target` is filed under."""
    return target if isinstance(target, Allocation) else (
        target.project.allocation if isinstance(target, QuarterlyReturn) else target.allocation)


def _document_rights(user, target, any_status=False) -> tuple[tuple, str]:
    """(the kinds of document `user` may attach to `target`, or none; and why none)."""
    where = document_target(target)
    allocation = target_allocation(target)
    funder = allocation.programme.commissioner_id
    officer = _commissioner_of(user, funder) or _finance_of(user, funder)
    kinds = DOCUMENT_KINDS[where]
    if where == "allocation":
        if not officer:
            if not (user.is_provider and user.organisation_id == allocation.recipient_id):
                return (), ("Only the funder's commissioner and finance officers, and the allocation's recipient, can "
                            "attach or remove documents on an allocation.")
            kinds = RECIPIENT_DOCUMENT_KINDS
    elif where == "return":
        if not officer:
            if not _delivers(user, target.project):
                return (), ("Only the provider that delivers the project, and the funder's commissioner and finance "
                            "officers, can attach or remove documents on its return.")
            if not any_status and target.status not in RETURN_EDITABLE:
                return (), (f"This return is {target.get_status_display().lower()}: its provider can attach or remove "
                            "documents while it is a draft or sent back for amendment.")
    elif not _finance_of(user, funder):
        return (), f"Only a finance officer of the funder can attach or remove documents on a {where}."
    if not any_status and allocation.status == AllocationStatus.WITHDRAWN:
        return (), "This allocation is withdrawn: nothing more can be attached to it or removed from it."
    return kinds, ""


def addable_document_kinds(user, target) -> tuple:
    """The kinds of document `user` may attach to `target` now (none when they may attach nothing)."""
    return _document_rights(user, target)[0]


def can_add_document(user, target, kind: str | None = None, any_status=False) -> Allowed:
    """Attach a document to an allocation, a return, a payment or a clawback (of `kind`, when given: a
    kind the thing does not take at all is the service's to refuse)."""
    kinds, reason = _document_rights(user, target, any_status)
    if not kinds:
        return False, reason
    if kind is not None and kind not in kinds and kind in DOCUMENT_KINDS[document_target(target)]:
        label = DocKind(kind).label
        return False, (f"Only the funder's officers can attach {label[0].lower()}{label[1:]} here: the recipient "
                       "attaches its signed agreement, the grant conditions and safeguarding evidence.")
    return OK


def can_remove_document(user, document, any_status=False) -> Allowed:
    """Remove a document: whoever may attach its kind where it is attached; a provider only what its own
    organisation attached. The document and its file are kept for the audit trail."""
    if not any_status and document.removed_at is not None:
        return False, "This document has already been removed."
    target = document.clawback or document.payment or document.quarterly_return or document.allocation
    kinds, reason = _document_rights(user, target, any_status)
    if not kinds:
        return False, reason
    if document.kind not in kinds or (user.is_provider and document.added_by.organisation_id != user.organisation_id):
        return False, "Only the funder's officers can remove a document the funder attached."
    return OK
