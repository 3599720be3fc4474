"""The base actors with something of each kind to attach documents to, and the helpers the document
tests share."""

from datetime import date
from decimal import Decimal

from grants.models import Clawback, Document, Payment, QuarterlyReturn
from grants.services import documents as services
from tests import factories as f
from tests.grants.documents import files


def with_things_to_attach_to(w):
    """Under allocation A: a draft and a submitted return of project A-1, a scheduled payment and a clawback;
    and a project of B's allocation that provider A delivers (B-2)."""
    w.draft_return = f.QuarterlyReturnFactory(project=w.project_a, quarter=2)
    w.submitted_return = f.QuarterlyReturnFactory(project=w.project_a, quarter=1,
                                                  status=QuarterlyReturn.Status.SUBMITTED)
    w.payment = f.PaymentFactory(allocation=w.allocation_a, quarter=1, amount=Decimal("25000.00"))
    w.clawback = Clawback.objects.create(allocation=w.allocation_a, amount=Decimal("100.00"), reason="Underspend.",
                                         requested_on=date(2024, 5, 1), recorded_by=w.finance)
    w.project_b2 = f.ProjectFactory(allocation=w.allocation_b, provider=w.provider_a, reference="B-2",
                                    name="Delivered by A for B")
    w.b2_return = f.QuarterlyReturnFactory(project=w.project_b2, quarter=1)
    w.b_payment = f.PaymentFactory(allocation=w.allocation_b, quarter=1)
    return w


def attach(actor, allocation, kind=Document.Kind.AGREEMENT, name="agreement.pdf", content=files.PDF, title="",
           **target) -> Document:
    return services.document_add(actor=actor, allocation=allocation, kind=kind, title=title,
                                 file=files.upload(name, content), **target)


def nothing_kept(media) -> bool:
    from tests.grants.documents.conftest import stored_files

    return (not Document.objects.exists() and not Document.history.exists() and not stored_files(media))


def released(payment: Payment, finance) -> Payment:
    payment.status = Payment.Status.RELEASED
    payment.reference = f"PAY-{payment.pk}"
    payment.paid_on = date(2023, 7, 3)
    payment.released_by = finance
    payment.save()
    return payment
