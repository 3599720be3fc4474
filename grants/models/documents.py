"""Documents behind the figures: files attached to an allocation, a quarterly return, a payment or a
clawback (grants.services.documents)."""

import uuid

from django.conf import settings
from django.db import models
from simple_history.models import HistoricalRecords

from .common import single_line
from .payments import Clawback, Payment
from .programmes import Allocation
from .returns import QuarterlyReturn
from .scoping import ScopedQuerySet, _funder_by_allocation, _reaches_anything, project_scope


class DocumentKind(models.TextChoices):
    AGREEMENT = "agreement", "Signed grant agreement"
    CONDITIONS = "conditions", "Grant conditions"
    SAFEGUARDING = "safeguarding", "Safeguarding evidence (for example DBS checks)"
    SPEND = "spend", "Evidence of spend (invoice, ledger extract)"
    CASE_STUDY = "case_study", "Case study material"
    PAYMENT = "payment", "Payment evidence (remittance, payment request)"
    CLAWBACK = "clawback", "Clawback correspondence"
    OTHER = "other", "Other"


def document_scope(user, prefix: str = "") -> models.Q | None:
    """A Q over Document: the funder's side sees every document under its allocations; a provider those
    of the returns of projects it reaches, and those of allocations made to its organisation (delivering a
    project under someone else's allocation does not show that recipient's agreement or payments)."""
    if not _reaches_anything(user):
        return None
    if user.is_funder_side:
        return _funder_by_allocation(user, prefix)
    if user.is_provider:
        on_return = project_scope(user, f"{prefix}quarterly_return__project__")
        recipient = models.Q(**{f"{prefix}quarterly_return__isnull": True,
                                f"{prefix}allocation__recipient_id": user.organisation_id})
        return recipient | (models.Q(**{f"{prefix}quarterly_return__isnull": False}) & on_return)
    return None


class DocumentQuerySet(ScopedQuerySet):
    scope = (document_scope, "")

    def current(self):
        """Not removed."""
        return self.filter(removed_at__isnull=True)


def document_path(document: "Document", filename: str) -> str:
    """Where the file is kept: nothing of the uploaded name, so no path can be smuggled in."""
    return f"documents/{document.allocation_id}/{uuid.uuid4().hex}{document.extension}"


class Document(models.Model):
    """A file attached to one thing: the allocation itself, or one of its returns, payments or clawbacks."""

    Kind = DocumentKind

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="documents")
    quarterly_return = models.ForeignKey(QuarterlyReturn, on_delete=models.PROTECT, null=True, blank=True,
                                         related_name="documents")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    clawback = models.ForeignKey(Clawback, on_delete=models.PROTECT, null=True, blank=True, related_name="documents")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    title = models.CharField(max_length=200, validators=[single_line])
    file = models.FileField(upload_to=document_path, max_length=255)
    original_name = models.CharField("file name", max_length=255)
    content_type = models.CharField(max_length=100)
    extension = models.CharField(max_length=10)  # as sniffed, with its dot: ".pdf"
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)
    removed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    removed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=0, editable=False)
    history = HistoricalRecords()

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-added_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(quarterly_return__isnull=True, payment__isnull=True)
                           | models.Q(quarterly_return__isnull=True, clawback__isnull=True)
                           | models.Q(payment__isnull=True, clawback__isnull=True)),
                name="document_attached_to_one_thing",
            ),
            models.CheckConstraint(condition=~models.Q(removed_at__isnull=False, removed_by__isnull=True),
                                   name="removed_document_says_by_whom"),
        ]
        indexes = [models.Index(fields=["allocation", "kind"], name="document_allocation_kind")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"
