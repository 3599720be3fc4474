"""The documents a user may see: one by id for its download, and those attached to one thing for its page."""

from django.db.models import Exists, OuterRef
from django.shortcuts import get_object_or_404

from grants.models import Allocation, Clawback, Document, Payment, QuarterlyReturn
from grants.models.documents import DocumentKind

AGREEMENT_MISSING = ("The programme requires the signed grant agreement to be attached to the allocation before its "
                     "first payment: attach it on the allocation page.")
SAFEGUARDING_MISSING = ("The programme requires safeguarding evidence (for example DBS checks) to be attached to the "
                        "allocation before any payment is released: attach it on the allocation page.")


def documents_missing(programme, *, agreement: bool, safeguarding: bool, paid_before: bool) -> list[str]:
    """What the programme's conditions still require attached before a payment: the signed agreement before
    an allocation's first payment (while none of its payments is released), safeguarding evidence before
    every payment. Given what is attached (current documents only) and whether a payment went out before."""
    missing = []
    if programme.agreement_before_payment and not agreement and not paid_before:
        missing.append(AGREEMENT_MISSING)
    if programme.safeguarding_before_payment and not safeguarding:
        missing.append(SAFEGUARDING_MISSING)
    return missing


def missing_documents_for_release(payment: Payment, allocation: Allocation | None = None) -> str:
    """What the programme's conditions still require attached before `payment` is released, naming each
    missing document, or "" when nothing is missing. `allocation`: the payment's allocation with its
    programme, when the caller has it (locked, in the release); otherwise read through the payment.
    One query when the programme requires anything, none when it does not."""
    allocation = allocation or payment.allocation
    programme = allocation.programme
    if not (programme.agreement_before_payment or programme.safeguarding_before_payment):
        return ""
    current = Document.objects.filter(allocation=OuterRef("pk"), removed_at__isnull=True)
    found = Allocation.objects.filter(pk=allocation.pk).values(
        agreement=Exists(current.filter(kind=DocumentKind.AGREEMENT)),
        safeguarding=Exists(current.filter(kind=DocumentKind.SAFEGUARDING)),
        paid_before=Exists(Payment.objects.filter(allocation=OuterRef("pk"), status=Payment.Status.RELEASED)
                           .exclude(pk=payment.pk)),
    ).get()
    return " ".join(documents_missing(programme, **found))


def documents_missing_for(payments) -> dict[int, list[str]]:
    """`documents_missing` for each of `payments` (unreleased, with their allocation and programme read), by
    payment id: two queries whatever their number, none when no programme requires anything."""
    wanted = [p for p in payments if p.allocation.programme.agreement_before_payment
              or p.allocation.programme.safeguarding_before_payment]
    if not wanted:
        return {}
    ids = {p.allocation_id for p in wanted}
    attached = set(Document.objects.filter(allocation_id__in=ids, removed_at__isnull=True, kind__in=[
        DocumentKind.AGREEMENT, DocumentKind.SAFEGUARDING]).values_list("allocation_id", "kind").distinct())
    paid = set(Payment.objects.filter(allocation_id__in=ids, status=Payment.Status.RELEASED)
               .values_list("allocation_id", flat=True).distinct())
    return {p.pk: documents_missing(p.allocation.programme, agreement=(p.allocation_id, DocumentKind.AGREEMENT) in attached,
                                    safeguarding=(p.allocation_id, DocumentKind.SAFEGUARDING) in attached,
                                    paid_before=p.allocation_id in paid) for p in wanted}


def document_for_user(user, pk: int) -> Document:
    """A document in the user's reach and not removed, with what it is attached to, or 404."""
    return get_object_or_404(
        Document.objects.for_user(user).current().select_related(
            "allocation__programme", "quarterly_return__project__allocation__programme", "payment", "clawback",
            "added_by"),
        pk=pk,
    )


def started_return(project, quarter) -> QuarterlyReturn:
    """The project's return for the quarter (its reach is the project's), or 404 when it is not started:
    documents are attached to a return once there is one."""
    return get_object_or_404(QuarterlyReturn, project=project, financial_year=quarter.financial_year,
                             quarter=quarter.number)


def documents_for(user, target) -> list[Document]:
    """The documents attached to `target` (an allocation itself, or one of its returns, payments or
    clawbacks) that the user may see, newest first, not removed. One query, however many there are:
    each document is handed the target (and its allocation) already read, so that asking what it is
    attached to, or who may remove it, reads nothing more."""
    documents = Document.objects.for_user(user).current().select_related("added_by")
    if isinstance(target, QuarterlyReturn):
        documents = documents.filter(quarterly_return=target)
        allocation = target.project.allocation
    elif isinstance(target, Payment):
        documents = documents.filter(payment=target)
        allocation = target.allocation
    elif isinstance(target, Clawback):
        documents = documents.filter(clawback=target)
        allocation = target.allocation
    elif isinstance(target, Allocation):
        documents = documents.filter(allocation=target, quarterly_return__isnull=True, payment__isnull=True,
                                     clawback__isnull=True)
        allocation = target
    else:
        raise TypeError(f"Documents are attached to an allocation, a return, a payment or a clawback, not {target!r}")
    found = list(documents.order_by("-added_at", "-pk"))
    for document in found:
        document.allocation = allocation
        if target is not allocation:
            setattr(document, {QuarterlyReturn: "quarterly_return", Payment: "payment", Clawback: "clawback"}[
                type(target)], target)
    return found
