"""Finance on the web: the finance page, payment schedules, releasing and withholding payments,
closing an allocation, clawback; and a provider's own funding, read-only."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from grants.kept_pages import kept_page
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from grants import forms as f
from grants import permissions, selectors
from grants.models import Clawback, Payment, Programme
from grants.periods import FinancialYear
from grants.selectors import finance_codes as finance_code_selectors
from grants.services import Invalid, NotAllowed
from grants.services import payments as services
from grants.services.base import money_text

from .base import call_service, form_page, funder_only, offer, require, run_service, stale_or_forbidden
from .commissioning import allocation_post, funding_ending_months
from .documents import clawback_target, documents_section, payment_target


@login_required
def finance_home(request):
    funder_only(request.user, "Finance pages")
    try:
        year = FinancialYear.from_label(request.GET.get("year", ""))
    except ValueError:
        year = None
    return kept_page(request, "grants/finance.html", ("finance",), query=("year",),
                     content=lambda _: {"page": selectors.finance_page(request.user, timezone.localdate(), year)})


@login_required
@require_POST
def schedule_update(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_manage_payments(request.user, allocation))
    run_service(request, lambda: services.payment_schedule_update(actor=request.user, allocation=allocation),
                success=str, catch=(Invalid, NotAllowed))
    return redirect(reverse("allocation-detail", args=[allocation.pk]) + "#payments")


FINANCE_ACTIONS = {
    "close": (permissions.can_close_allocation, f.ActionForm,
              lambda user, allocation, data: services.allocation_close(
                  actor=user, allocation=allocation, version=data["version"]),
              "Allocation closed."),
}


@login_required
@require_POST
def allocation_close(request, pk):
    return allocation_post(request, pk, "close", FINANCE_ACTIONS)


# Payments -----------------------------------------------------------------------------------


def _payment_page(request, payment, status=200, **forms):
    user = request.user
    version = {"version": payment.version}
    context = {"payment": payment, "allocation": payment.allocation,
               "part_balance": Payment.objects.filter(balance_of=payment).first()}
    context["codes"] = finance_code_selectors.payment_codes(payment)
    release = offer(permissions.can_release_payment(user, payment), lambda: services.check_release_payment(payment))
    if release.ready or "release" in forms:
        context["release_form"] = forms.get("release") or f.ReleaseForm(
            initial={**version, "paid_on": timezone.localdate()})
    elif release.shown:
        context["release_blocked"] = release.reason
    if permissions.can_withhold_payment(user, payment)[0]:
        context["withhold_form"] = forms.get("withhold") or f.WithholdForm(initial=version)
    if payment.allocation.programme.payment_terms == Programme.PaymentTerms.ARREARS:
        spend = selectors.quarter_spend([payment.allocation_id], {payment.allocation_id: [payment.period]})
        context["spend"] = spend[payment.allocation_id, payment.period]
    context["error_forms"] = [form for form in forms.values() if form.errors]
    context["history"] = [c for c in selectors.allocation_history(payment.allocation)
                          if c.subject == f"Payment {payment.period.label}"]
    context["document_section"] = documents_section(user, payment_target(payment))
    return render(request, "grants/payment_detail.html", context, status=status)


@login_required
def payment_detail(request, pk):
    return _payment_page(request, selectors.payment_for_user(request.user, pk))


@login_required
@require_POST
def payment_release(request, pk):
    payment = selectors.payment_for_user(request.user, pk)
    stale = stale_or_forbidden(request, permissions.can_release_payment, payment, obj=payment)
    form = f.ReleaseForm(request.POST)
    done = {}
    if call_service(form, lambda data: done.setdefault("payment", services.payment_release(
            actor=request.user, payment=payment, version=data["version"], reference=data["reference"],
            paid_on=data["paid_on"], amount=data["amount"], withhold_reason=data["withhold_reason"])),
            stale_message=services.PAYMENT_STALE if stale else None):
        paid = done["payment"].amount
        messages.success(request, f"Payment for {payment.period.label} released." if paid == payment.amount else
                         f"{money_text(paid)} of the payment for {payment.period.label} released: the other "
                         f"{money_text(payment.amount - paid)} is withheld until it is released.")
        return redirect("payment-detail", payment.pk)
    return _payment_page(request, payment, status=400, release=form)


@login_required
@require_POST
def payment_withhold(request, pk):
    payment = selectors.payment_for_user(request.user, pk)
    stale = stale_or_forbidden(request, permissions.can_withhold_payment, payment, obj=payment)
    form = f.WithholdForm(request.POST)
    if call_service(form, lambda data: services.payment_withhold(
            actor=request.user, payment=payment, version=data["version"], reason=data["reason"]),
            stale_message=services.PAYMENT_STALE if stale else None):
        messages.success(request, f"Payment for {payment.period.label} withheld.")
        return redirect("payment-detail", payment.pk)
    return _payment_page(request, payment, status=400, withhold=form)


# Clawback -----------------------------------------------------------------------------------


@login_required
def clawback_create(request, pk):
    allocation = selectors.allocation_for_user(request.user, pk)
    require(permissions.can_record_clawback(request.user, allocation))
    money = selectors.underspend(allocation)
    form = f.ClawbackForm(request.POST or None, initial={"amount": money.to_recover or None,
                                                         "requested_on": timezone.localdate()})
    if request.method == "POST" and call_service(form, lambda data: services.clawback_request(
            actor=request.user, allocation=allocation, amount=data["amount"], reason=data["reason"],
            requested_on=data["requested_on"], kind=data["kind"] or Clawback.Kind.UNDERSPEND)):
        messages.success(request, "Clawback recorded as requested.")
        return redirect(reverse("allocation-detail", args=[allocation.pk]) + "#money")
    return form_page(
        request, form, title="Recover money", heading="Recover money", caption=allocation.title,
        submit="Record the clawback", back_url=reverse("allocation-detail", args=[allocation.pk]),
        intro=(f"Released £{money.released:,.2f}; spend verified £{money.verified_spend:,.2f}; paid but not verified "
               f"as spent £{money.paid_not_spent:,.2f}; already asked back or waived "
               f"£{money.clawback_requested + money.clawback_received + money.clawback_waived:,.2f}."),
        status=400 if form.is_bound else 200,
    )


def _clawback_page(request, clawback, status=200, **forms):
    user = request.user
    context = {"clawback": clawback, "allocation": clawback.allocation}
    if permissions.can_settle_clawback(user, clawback)[0]:
        version = {"version": clawback.version}
        context["receive_form"] = forms.get("receive") or f.ReceiveForm(
            initial={**version, "received_on": timezone.localdate()})
        context["waive_form"] = forms.get("waive") or f.WaiveForm(initial=version)
    context["error_forms"] = [form for form in forms.values() if form.errors]
    context["document_section"] = documents_section(user, clawback_target(clawback))
    return render(request, "grants/clawback_detail.html", context, status=status)


@login_required
def clawback_detail(request, pk):
    return _clawback_page(request, selectors.clawback_for_user(request.user, pk))


@login_required
@require_POST
def clawback_settle(request, pk, action):
    clawback = selectors.clawback_for_user(request.user, pk)
    stale = stale_or_forbidden(request, permissions.can_settle_clawback, clawback, obj=clawback)
    if action == "receive":
        form = f.ReceiveForm(request.POST)
        call = lambda data: services.clawback_receive(  # noqa: E731
            actor=request.user, clawback=clawback, version=data["version"], received_on=data["received_on"])
        message = "Clawback recorded as received."
    else:
        form = f.WaiveForm(request.POST)
        call = lambda data: services.clawback_waive(  # noqa: E731
            actor=request.user, clawback=clawback, version=data["version"], reason=data["waived_reason"])
        message = "Clawback recorded as waived."
    if call_service(form, call, stale_message=services.CLAWBACK_STALE if stale else None):
        messages.success(request, message)
        return redirect("clawback-detail", clawback.pk)
    return _clawback_page(request, clawback, status=400, **{action: form})


# A provider's funding -----------------------------------------------------------------------


@login_required
def provider_funding(request):
    if not request.user.is_provider:
        raise PermissionDenied("“Funding” lists what a provider's organisation is paid; the funder's officers "
                               "see payments on each allocation.")
    def content():
        months = funding_ending_months()
        return {"allocations": selectors.provider_allocations(request.user),
                "ending": selectors.funding_ending(request.user, timezone.localdate(), months), "months": months}

    return kept_page(request, "grants/funding.html", ("funding",), content=lambda _: content())
