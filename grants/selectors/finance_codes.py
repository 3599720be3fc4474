"""
Reads for the finance codes: who is paid, the codes a payment carries, and a released payment's
remittance advice.

The codes a finance system needs to post a payment: the supplier number of the organisation paid, the
programme's cost centre and ledger (nominal) code, and the allocation's purchase order. They are copied
onto a payment when it is released. A code blank on the payment (a payment released before the codes
were carried, or a code that was set only later) is read from the recipient, programme and allocation
as they are now: `payment_codes` is that one rule, for every page and file that shows a payment's codes.
"""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch
from django.shortcuts import get_object_or_404

from grants.models import Allocation, Organisation, Payment, QuarterlyReturn, SpendLine

from .common import _sum_of

# What a page or file showing payments' codes reads with each payment, in the same query.
PAYMENT_CODES_RELATED = ("allocation__programme__commissioner", "allocation__recipient__accountable_body")


@dataclass(frozen=True)
class FinanceCodes:
    supplier_number: str = ""
    cost_centre: str = ""
    ledger_code: str = ""
    purchase_order: str = ""


def payee(recipient: Organisation) -> Organisation:
    """The legal body paid: a partnership's accountable body (its council) where it has one, else the
    recipient itself. (Read `recipient.accountable_body` with select_related: otherwise one query.)"""
    return recipient.accountable_body or recipient


def supplier_number_of(recipient: Organisation) -> str:
    """The recipient's supplier number; for a partnership without one, its accountable body's (the council
    that holds the agreement and the bank account)."""
    if recipient.supplier_number:
        return recipient.supplier_number
    body = recipient.accountable_body
    return body.supplier_number if body is not None else ""


def current_codes(allocation: Allocation) -> FinanceCodes:
    """The codes a payment of the allocation would carry if released now. Needs the allocation's programme
    and recipient (with its accountable body) loaded: `PAYMENT_CODES_RELATED`."""
    programme = allocation.programme
    return FinanceCodes(supplier_number=supplier_number_of(allocation.recipient), cost_centre=programme.cost_centre,
                        ledger_code=programme.ledger_code, purchase_order=allocation.purchase_order)


def payment_codes(payment: Payment) -> FinanceCodes:
    """The codes of a payment: each as carried onto it when it was released, or, where that is blank, the
    current one (`current_codes`)."""
    now = current_codes(payment.allocation)
    return FinanceCodes(
        supplier_number=payment.supplier_number or now.supplier_number,
        cost_centre=payment.cost_centre or now.cost_centre,
        ledger_code=payment.ledger_code or now.ledger_code,
        purchase_order=payment.purchase_order or now.purchase_order,
    )


def has_balance():
    """An expression: the payment was paid in part, its balance a payment of the same quarter."""
    return Exists(Payment.objects.filter(balance_of=OuterRef("pk")))


def is_part_payment(payment: Payment) -> bool:
    """A quarter paid in part, or the balance of one. Reads `payment.part_paid` where the query annotated
    it (`has_balance`), else asks the database."""
    if payment.balance_of_id is not None:
        return True
    annotated = getattr(payment, "part_paid", None)
    if annotated is not None:
        return annotated
    return Payment.objects.filter(balance_of=payment).exists()


# The remittance advice --------------------------------------------------------------------------


@dataclass
class Remittance:
    payment: Payment
    codes: FinanceCodes
    payer: Organisation
    payee: Organisation
    recipient: Organisation
    returns: list  # for a payment in arrears: the returns whose verified spend it pays, each with `spend`
    balance: Payment | None  # paid in part: the rest, withheld with its reason (and perhaps released since)
    part_of: Payment | None  # the balance of a quarter paid in part: the part paid first

    @property
    def part_payment(self) -> bool:
        return self.balance is not None or self.part_of is not None


def remittance_for_user(user, pk: int) -> Remittance:
    """A payment in the user's reach (the funder's officers, the recipient's users) with what its remittance
    advice shows: 404 outside reach. Whether it is released is the caller's to check. Two queries whatever
    the payment: the payment with its allocation, programme, payer, recipient, accountable body and the
    quarter's other part; and the returns it pays with their spend."""
    spend = SpendLine.objects.filter(quarterly_return=OuterRef("pk")).entered()
    payment = get_object_or_404(
        Payment.objects.for_user(user)
        .select_related(*PAYMENT_CODES_RELATED, "balance_of", "balance", "released_by")
        .prefetch_related(Prefetch("returns", queryset=QuarterlyReturn.objects.select_related("project")
                                   .annotate(spend=_sum_of(spend, "actual"))
                                   .order_by("financial_year", "quarter", "project__name", "pk"))),
        pk=pk,
    )
    try:
        balance = payment.balance
    except Payment.DoesNotExist:
        balance = None
    allocation = payment.allocation
    return Remittance(
        payment=payment, codes=payment_codes(payment), payer=allocation.programme.commissioner,
        payee=payee(allocation.recipient), recipient=allocation.recipient, returns=list(payment.returns.all()),
        balance=balance, part_of=payment.balance_of,
    )
