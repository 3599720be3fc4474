"""The finance codes on the web: an allocation's purchase order, and a released payment's remittance advice
for its recipient. Reach decides 404 (the scoped selectors), permission 403 with the reason."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST

from grants import permissions
from grants.forms.finance_codes import FinanceCodesForm
from grants.models import Payment
from grants.selectors import finance_codes as selectors
from grants.services import finance_codes as services

from .commissioning import allocation_post

FINANCE_CODES_ACTIONS = {
    "finance_codes": (permissions.can_edit_finance_codes, FinanceCodesForm,
                      lambda user, allocation, data: services.allocation_finance_codes_save(
                          actor=user, allocation=allocation, version=data["version"],
                          purchase_order=data["purchase_order"]),
                      "Purchase order saved."),
}


@login_required
@require_POST
def allocation_finance_codes(request, pk):
    return allocation_post(request, pk, "finance_codes", FINANCE_CODES_ACTIONS)


@login_required
def payment_remittance(request, pk):
    """The remittance advice of a released payment, to print or save as a PDF: for the funder's officers and
    the recipient's users. A payment not released yet has none (409, saying so)."""
    remittance = selectors.remittance_for_user(request.user, pk)
    if remittance.payment.status != Payment.Status.RELEASED:
        return render(request, "grants/payment_remittance.html", {"remittance": remittance, "unavailable": True},
                      status=409)
    return render(request, "grants/payment_remittance.html", {"remittance": remittance})
