"""
Two-factor sign-in on every page.

After the password, someone who has set up two-factor sign-in (or must have: see
grants/services/two_factor.py) reaches nothing but the pages that finish signing in until a code
has verified them: every other request, the Django admin's included, is sent to enter a code, or to
set up the authenticator app at first sign-in. Whether the user has a device is noted in the session
when they sign in, so that pages cost no extra query.
"""

from urllib.parse import urlencode

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import reverse

from grants.services import two_factor

HAS_DEVICE = "two_factor_has_device"


@receiver(user_logged_in)
def note_the_device(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[HAS_DEVICE] = two_factor.has_device(user)


def has_device(request) -> bool:
    if HAS_DEVICE not in request.session:
        request.session[HAS_DEVICE] = two_factor.has_device(request.user)
    return request.session[HAS_DEVICE]


class TwoFactorMiddleware:
    """After django_otp.middleware.OTPMiddleware, which tells whether the user is verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified():
            open_paths = (reverse("two-factor-verify"), reverse("two-factor-setup"), reverse("logout"),
                          "/password-reset/", "/static/")
            if not request.path_info.startswith(open_paths):
                if has_device(request):
                    return self._to("two-factor-verify", request)
                if two_factor.required_for(user):
                    return self._to("two-factor-setup", request)
        return self.get_response(request)

    @staticmethod
    def _to(name, request):
        target = reverse(name)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
