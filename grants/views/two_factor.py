"""Two-factor sign-in on the web: enter a code, set up the authenticator app, recovery codes, turn it off."""

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.middleware import HAS_DEVICE, has_device
from grants.services import Invalid, NotAllowed
from grants.services import two_factor as services

SETUP_DEVICE = "two_factor_setup_device"
NEW_CODES = "two_factor_new_codes"


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code", max_length=20, help_text="The 6-digit code your authenticator app shows, or a recovery code.",
        error_messages={"required": "Enter the code from your authenticator app, or a recovery code."},
    )

    def add_service_errors(self, errors):
        for key, message in errors.items():
            self.add_error(key if key in self.fields else None, message)


def _next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


@login_required
def verify(request):
    """The second step of signing in."""
    user = request.user
    if user.is_verified():
        return redirect(_next(request))
    if not has_device(request):
        return redirect("two-factor-setup" if services.required_for(user) else "two-factor")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                device = services.code_verify(user=user, code=form.cleaned_data["code"])
            except Invalid as error:
                form.add_service_errors(error.errors)
            else:
                request.session.cycle_key()
                otp_login(request, device)
                if device.name == services.RECOVERY and services.recovery_codes_left(user) <= 3:
                    messages.info(request, f"You have {services.recovery_codes_left(user)} recovery codes left: "
                                           "make new ones on the two-factor sign-in page.")
                return redirect(_next(request))
    return render(request, "registration/two_factor_verify.html",
                  {"form": form, "next": _next(request)}, status=status)


@login_required
def setup(request):
    """Set up the authenticator app: scan the code (or type the key), then enter a code it shows."""
    user = request.user
    if has_device(request) and not user.is_verified():
        return redirect("two-factor-verify")
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows for this account."
    device = None
    if request.method == "POST":
        device = TOTPDevice.objects.filter(pk=request.session.get(SETUP_DEVICE), user=user, confirmed=False).first()
        if device is None:
            form.is_valid()
            form.add_error(None, "Setting up took too long or was started again elsewhere: scan the new code below.")
        elif form.is_valid():
            try:
                codes = services.totp_device_confirm(user=user, device=device, code=form.cleaned_data["code"])
            except Invalid as error:
                form.add_service_errors(error.errors)
            else:
                request.session.cycle_key()
                device.refresh_from_db()
                otp_login(request, device)
                request.session[HAS_DEVICE] = True
                request.session.pop(SETUP_DEVICE, None)
                request.session[NEW_CODES] = codes
                messages.success(request, "Two-factor sign-in is on. Keep your recovery codes somewhere safe.")
                return redirect(reverse("two-factor-recovery-codes") + "?" + urlencode({"next": _next(request)}))
    if device is None:
        device = services.totp_device_start(user=user)
        request.session[SETUP_DEVICE] = device.pk
    qr = segno.make(device.config_url, error="m")
    key = base64.b32encode(device.bin_key).decode()
    return render(request, "registration/two_factor_setup.html", {
        "form": form, "qr": qr.svg_data_uri(scale=5, border=2), "key": " ".join(key[i:i + 4] for i in range(0, len(key), 4)),
        "required": services.required_for(user), "next": _next(request),
    }, status=400 if form.errors else 200)


@login_required
def recovery_codes(request):
    """New recovery codes are shown once; afterwards, how many are left and a way to make new ones."""
    user = request.user
    if not has_device(request):
        return redirect("two-factor-setup")
    if request.method == "POST":
        try:
            request.session[NEW_CODES] = services.recovery_codes_renew(user=user)
        except NotAllowed as error:
            raise PermissionDenied(error.message)
        return redirect("two-factor-recovery-codes")
    return render(request, "registration/two_factor_recovery_codes.html", {
        "codes": request.session.pop(NEW_CODES, None), "left": services.recovery_codes_left(user),
        "next": _next(request),
    })


@login_required
def account(request):
    user = request.user
    return render(request, "registration/two_factor.html", {
        "on": has_device(request), "required": services.required_for(user),
        "left": services.recovery_codes_left(user),
    })


@login_required
@require_POST
def turn_off(request):
    try:
        services.two_factor_turn_off(user=request.user)
    except NotAllowed as error:
        raise PermissionDenied(error.message)
    request.session[HAS_DEVICE] = False
    messages.success(request, "Two-factor sign-in is off. You can turn it on again at any time.")
    return redirect("two-factor")
