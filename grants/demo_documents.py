"""
The demo's documents. The demo fixture holds rows, not files, so `load_demo` attaches these after
loading it, through the documents service (sniffed, stored and recorded as any upload is): the signed
grant agreement of every allocation under a signed agreement, the Keeping Bristol Safe Partnership's
safeguarding evidence, and the evidence of spend behind the Sanctuary Scheme's approved second quarter.
Each file is a one-page PDF saying that it is illustrative.
"""

from django.core.files.base import ContentFile

from grants.choices import ALLOCATION_SIGNED
from grants.models import Allocation, Document, QuarterlyReturn, User
from grants.services.documents import document_add

from .demo import ILLUSTRATIVE


def pdf(title: str) -> bytes:
    """A one-page PDF with `title` and the illustrative label on it (ASCII only)."""
    lines = [title, "Illustrative document for the demonstration: not a real agreement or record.",
             ILLUSTRATIVE]
    text = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(text) + text.encode("ascii") + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _officer(allocation, role):
    return User.objects.filter(organisation_id=allocation.programme.commissioner_id, role=role).order_by("pk").first()


def attach() -> list[Document]:
    """Attach the demo's documents (once: nothing is attached where the demo's documents already are)."""
    if Document.objects.exists():
        return []
    added = []
    signed = Allocation.objects.filter(status__in=ALLOCATION_SIGNED + (Allocation.Status.CLOSED,)).select_related(
        "programme", "recipient").order_by("pk")
    for allocation in signed:
        added.append(document_add(
            actor=_officer(allocation, User.Role.FINANCE), allocation=allocation, kind=Document.Kind.AGREEMENT,
            title=f"Grant agreement signed {allocation.agreement_signed_on:%-d %B %Y}",
            file=ContentFile(pdf(f"Grant agreement: {allocation.title}"), name="grant-agreement.pdf")))
    bristol = Allocation.objects.filter(title="Keeping Bristol Safe Partnership 2023-24").first()
    if bristol is not None:
        manager = User.objects.filter(organisation_id=bristol.recipient_id, role=User.Role.PARTNERSHIP).first()
        added.append(document_add(
            actor=manager, allocation=bristol, kind=Document.Kind.SAFEGUARDING,
            title="DBS checks of the partnership's funded services' staff, 2023-24",
            file=ContentFile(pdf("Safeguarding evidence: DBS checks 2023-24"), name="dbs-checks-2023-24.pdf")))
        sanctuary_q2 = QuarterlyReturn.objects.filter(
            project__allocation=bristol, project__reference="SAN-2324", financial_year=2023, quarter=2,
            status=QuarterlyReturn.Status.APPROVED).first()
        if sanctuary_q2 is not None:
            added.append(document_add(
                actor=_officer(bristol, User.Role.COMMISSIONER), allocation=bristol, quarterly_return=sanctuary_q2,
                kind=Document.Kind.SPEND, title="Contractor's invoices for security fittings, July to September",
                file=ContentFile(pdf("Evidence of spend: Sanctuary Scheme 2023-24 Q2"), name="invoices-q2.pdf")))
    return added
