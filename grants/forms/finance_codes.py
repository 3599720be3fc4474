"""The finance codes form on the allocation page: its purchase order."""

from .base import ServiceErrorsMixin, VersionForm
from .fields import text


class FinanceCodesForm(VersionForm, ServiceErrorsMixin):
    purchase_order = text("Purchase order", "the purchase order", required=False, max_length=30,
                          help_text="The purchase order raised in the finance system for this grant. It is "
                                    "carried onto each payment as it is released. Leave it empty to remove it.")

    @classmethod
    def initial_for(cls, allocation) -> dict:
        return {"purchase_order": allocation.purchase_order, "version": allocation.version}
