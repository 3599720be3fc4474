"""
Accounts: how often a password reset e-mail may be asked for.

Django's own views send the e-mail and check the link; this limits them. Every request counts, for
an address that has an account or not, so that being refused says nothing about which addresses do:
at most RESET_PER_ADDRESS requests from one client address and RESET_PER_EMAIL for one e-mail address
in RESET_WINDOW. Rows older than a day are removed as new ones come.
"""

import hashlib
import hmac
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from grants.models import PasswordResetRequest

RESET_PER_ADDRESS = 5
RESET_PER_EMAIL = 3
RESET_WINDOW = timedelta(hours=1)


def email_digest(email: str) -> str:
    key = hashlib.sha256(f"grants.password-reset:{settings.SECRET_KEY}".encode()).digest()
    return hmac.new(key, email.strip().lower().encode(), hashlib.sha256).hexdigest()


def password_reset_request(*, email: str, client_address: str, now=None) -> bool:
    """Record a request for a reset e-mail; False (and nothing recorded) if the limits are reached."""
    now = now or timezone.now()
    digest = email_digest(email)
    since = now - RESET_WINDOW
    with transaction.atomic():
        PasswordResetRequest.objects.filter(at__lt=now - timedelta(days=1)).delete()
        recent = PasswordResetRequest.objects.filter(at__gte=since)
        if (recent.filter(client_address=client_address).count() >= RESET_PER_ADDRESS
                or recent.filter(email_digest=digest).count() >= RESET_PER_EMAIL):
            return False
        PasswordResetRequest.objects.create(email_digest=digest, client_address=client_address, at=now)
    return True
