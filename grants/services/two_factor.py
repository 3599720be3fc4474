"""
Two-factor sign-in: a time-based code from an authenticator app (django-otp's TOTP device), with ten
single-use recovery codes (its static device) for a lost phone.

Who must use it: commissioner and finance officers and administrators (the people who move money),
when REQUIRE_2FA is on (always in production; off for the demo users while developing). Anyone else
may turn it on, and then it is asked for at every sign-in like anyone's. Only someone who is not
required to use it may turn it off. django-otp throttles wrong codes per device (each failure doubles
the wait before the next try).
"""

from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .base import Invalid, NotAllowed

APP = "Authenticator app"
RECOVERY = "Recovery codes"
RECOVERY_CODES = 10


def required_for(user) -> bool:
    """Must this user sign in with a second factor?"""
    if not getattr(settings, "REQUIRE_2FA", False):
        return False
    return bool(user.is_superuser or user.is_staff
                or user.role in (user.Role.COMMISSIONER, user.Role.FINANCE, user.Role.ADMINISTRATOR))


def has_device(user) -> bool:
    return next(devices_for_user(user, confirmed=True), None) is not None


def totp_device_start(*, user) -> TOTPDevice:
    """The authenticator app's key, not yet confirmed: a new one each time set-up starts again."""
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        return TOTPDevice.objects.create(user=user, name=APP, confirmed=False)


def totp_device_confirm(*, user, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the app with a code it shows; its other apps are replaced, and fresh recovery codes made
    (returned, to be shown once)."""
    code = "".join((code or "").split())
    if not code.isdigit() or len(code) != device.digits:
        raise Invalid({"code": f"Enter the {device.digits}-digit code your authenticator app shows."})
    with transaction.atomic():
        locked = TOTPDevice.objects.select_for_update().get(pk=device.pk, user=user, confirmed=False)
        if not locked.verify_token(code):
            raise Invalid({"code": "That code is not right, or has expired: enter the code the app shows now."})
        TOTPDevice.objects.filter(user=user).exclude(pk=locked.pk).delete()
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        codes = _new_recovery_codes(user)
    return codes


def _new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def recovery_codes_renew(*, user) -> list[str]:
    if not has_device(user):
        raise NotAllowed("Set up two-factor sign-in first.")
    with transaction.atomic():
        return _new_recovery_codes(user)


def recovery_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def code_verify(*, user, code: str):
    """The device that accepts `code` (the app's, or a recovery code, which is then used up), or Invalid."""
    code = "".join((code or "").split())
    if not code:
        raise Invalid({"code": "Enter the code from your authenticator app, or a recovery code."})
    # A six-digit code is the app's; anything else a recovery code. Each is tried only on its own kind of
    # device, so that a mistyped code does not hold back (throttle) the other.
    kind = TOTPDevice if code.isdigit() else StaticDevice
    for device in devices_for_user(user, confirmed=True):
        if not isinstance(device, kind):
            continue
        verified = verify_token(user, device.persistent_id, code)
        if verified is not None:
            return verified
    raise Invalid({"code": "That code is not right. Enter the code your authenticator app shows now, or one of "
                           "your recovery codes. After several wrong codes you must wait before trying again."})


def two_factor_turn_off(*, user) -> None:
    if required_for(user):
        raise NotAllowed("Your role moves money: two-factor sign-in cannot be turned off. If you have lost your "
                         "phone, sign in with a recovery code and set up the app again.")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
