"""
Documents on the web: the documents section of the allocation, return, payment and clawback pages,
attaching a document, downloading one and removing one.

A file is only ever sent by `document_download`, read through the storage API after the user's reach
is checked (404 outside it): never from a public address. It goes as an attachment, under the content
type its bytes were found to be, with nosniff and no caching.
"""

import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from grants import permissions, selectors, uploads
from grants.forms.documents import DocumentForm
from grants.models import Allocation
from grants.selectors import documents as document_selectors
from grants.services import Stale
from grants.services import documents as services

from .base import call_service, form_status, posted_version, project_and_quarter, require, run_service


@dataclass
class Target:
    """What a document is attached to, with its page and where documents are added to it."""

    obj: object
    allocation: Allocation
    name: str
    page_url: str
    add_url: str


def allocation_target(allocation) -> Target:
    return Target(allocation, allocation, allocation.title, reverse("allocation-detail", args=[allocation.pk]),
                  reverse("allocation-document-add", args=[allocation.pk]))


def return_target(ret, project) -> Target:
    ret.project = project  # read with its allocation and programme: nothing more is read for them
    args = [project.reference, ret.financial_year, ret.quarter]
    return Target(ret, project.allocation, f"{project.name}: {ret.period.label} return",
                  reverse("return-detail", args=args), reverse("return-document-add", args=args))


def payment_target(payment) -> Target:
    return Target(payment, payment.allocation, f"Payment for {payment.period.label}",
                  reverse("payment-detail", args=[payment.pk]), reverse("payment-document-add", args=[payment.pk]))


def clawback_target(clawback) -> Target:
    return Target(clawback, clawback.allocation, f"Clawback of £{clawback.amount:,.2f}",
                  reverse("clawback-detail", args=[clawback.pk]), reverse("clawback-document-add", args=[clawback.pk]))


def documents_section(user, target: Target) -> dict:
    """What a page's documents section shows (templates/grants/_documents.html): the documents the user may
    see, each with whether they may remove it, and the form to attach one if they may. One query."""
    documents = document_selectors.documents_for(user, target.obj)
    for document in documents:
        document.removable = permissions.can_remove_document(user, document)[0]
    kinds = permissions.addable_document_kinds(user, target.obj)
    form = DocumentForm(kinds=kinds, auto_id="id_document_%s") if kinds else None
    return {"documents": documents, "form": form, "add_url": target.add_url, "accept": uploads.ACCEPT}


def _add(request, target: Target):
    user = request.user
    require(permissions.can_add_document(user, target.obj))
    kinds = permissions.addable_document_kinds(user, target.obj)
    posted = request.method == "POST"
    form = DocumentForm(request.POST if posted else None, request.FILES if posted else None, kinds=kinds,
                        auto_id="id_document_%s")
    where = permissions.document_target(target.obj)
    on = {} if where == "allocation" else {"quarterly_return" if where == "return" else where: target.obj}
    done = {}

    def call(data):
        done["document"] = services.document_add(actor=user, allocation=target.allocation, kind=data["kind"],
                                                 title=data["title"], file=data["file"], **on)

    if posted and call_service(form, call):
        messages.success(request, f"{done['document'].get_kind_display()} attached: {done['document'].title}.")
        return redirect(target.page_url + "#documents")
    return render(request, "grants/document_add.html", {"form": form, "target": target, "accept": uploads.ACCEPT},
                  status=form_status(form))


@login_required
@require_http_methods(["GET", "POST"])
def allocation_document_add(request, pk):
    return _add(request, allocation_target(selectors.allocation_for_user(request.user, pk)))


@login_required
@require_http_methods(["GET", "POST"])
def return_document_add(request, reference, year, quarter):
    project, period = project_and_quarter(request.user, reference, year, quarter)
    return _add(request, return_target(document_selectors.started_return(project, period), project))


@login_required
@require_http_methods(["GET", "POST"])
def payment_document_add(request, pk):
    return _add(request, payment_target(selectors.payment_for_user(request.user, pk)))


@login_required
@require_http_methods(["GET", "POST"])
def clawback_document_add(request, pk):
    return _add(request, clawback_target(selectors.clawback_for_user(request.user, pk)))


def _target_of(document) -> Target:
    if document.quarterly_return_id:
        ret = document.quarterly_return
        return return_target(ret, ret.project)
    if document.payment_id:
        document.payment.allocation = document.allocation
        return payment_target(document.payment)
    if document.clawback_id:
        document.clawback.allocation = document.allocation
        return clawback_target(document.clawback)
    return allocation_target(document.allocation)


def download_name(document) -> tuple[str, str]:
    """(an ASCII name for old clients, the name itself) to download the document under: the name it was
    attached with, ending in the extension its bytes were found to be."""
    name = document.original_name or "document"
    stem = name[: -len(document.extension)] if name.lower().endswith(document.extension) else name
    name = f"{stem}{document.extension}"
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = re.sub(r"[^A-Za-z0-9 ._()-]+", "_", ascii_stem).strip(" ._") or "document"
    return f"{ascii_stem}{document.extension}", name


@login_required
def document_download(request, pk):
    document = document_selectors.document_for_user(request.user, pk)
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("The file of this document cannot be found.")
    response = FileResponse(handle, content_type=document.content_type)
    fallback, name = download_name(document)
    response["Content-Disposition"] = f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def document_remove(request, pk):
    """GET asks "Are you sure?"; POST (from that page) removes the document."""
    document = document_selectors.document_for_user(request.user, pk)
    require(permissions.can_remove_document(request.user, document))
    target = _target_of(document)
    back = target.page_url + "#documents"
    if request.method == "GET":
        return render(request, "grants/document_remove.html", {"document": document, "target": target,
                                                                "back_url": back})
    run_service(request, lambda: services.document_remove(actor=request.user, document=document,
                                                          version=posted_version(request)),
                success=f"Document removed: {document.title}.", catch=(Stale,))
    return redirect(back)
