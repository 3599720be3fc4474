"""The documents a user may see: one by id for its download, and those attached to one thing for its page."""

from django.shortcuts import get_object_or_404

from grants.models import Allocation, Clawback, Document, Payment, QuarterlyReturn


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
