"""
The finance codes of an allocation: its purchase order.

A purchase order is often raised in the finance system after the allocation is approved, so the funder's
finance and commissioner officers may record or change it at any status. It is carried onto each payment
as the payment is released (grants.services.payments); a payment released before it was set shows the
current one (grants.selectors.finance_codes.payment_codes). The supplier number is the organisation's
(grants.services.administration), the cost centre and ledger code the programme's
(grants.services.commissioning).
"""

from django.db import transaction

from grants import permissions
from grants.models import Allocation
from grants.models.common import single_line

from .base import Invalid, audited, claim, require
from .commissioning import ALLOCATION_STALE

PURCHASE_ORDER_MAX = Allocation._meta.get_field("purchase_order").max_length


def _checked_purchase_order(value: str) -> str:
    value = (value or "").strip()
    if len(value) > PURCHASE_ORDER_MAX:
        raise Invalid({"purchase_order": f"The purchase order must be {PURCHASE_ORDER_MAX} characters or fewer "
                                         f"(it has {len(value)})."})
    if single_line.regex.search(value):
        raise Invalid({"purchase_order": "Enter the purchase order on one line: it cannot hold line breaks, tabs "
                                         "or other control characters."})
    return value


def allocation_finance_codes_save(*, actor, allocation: Allocation, version: int | None,
                                  purchase_order: str) -> Allocation:
    """Record or change the allocation's purchase order (empty to remove it). `version` is the one the form
    was drawn at: an allocation saved since is not overwritten."""
    require(permissions.can_edit_finance_codes(actor, allocation))
    purchase_order = _checked_purchase_order(purchase_order)
    with transaction.atomic():
        locked = claim(allocation, None, version, ALLOCATION_STALE)
        if locked.purchase_order != purchase_order:
            locked.purchase_order = purchase_order
            audited(locked, actor, "Purchase order changed").save(update_fields=["purchase_order", "version",
                                                                                 "updated_at"])
    return locked


__all__ = ["allocation_finance_codes_save"]
