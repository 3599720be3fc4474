"""What the sign-in pages keep to hold back abuse: password reset requests, counted to limit them."""

from django.db import models


class PasswordResetRequest(models.Model):
    """A request for a password reset e-mail, by the address asked for and the client's address, kept for
    a day so that the requests from one client, or for one e-mail address, can be limited. Every request
    is recorded alike, whether an account has the address or not, so the limit tells nobody which do.
    The e-mail address is kept only as a keyed digest: what people typed is not stored."""

    email_digest = models.CharField(max_length=64)
    client_address = models.GenericIPAddressField()
    at = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "at"], name="reset_request_by_email"),
            models.Index(fields=["client_address", "at"], name="reset_request_by_address"),
        ]

    def __str__(self):
        return f"Password reset asked at {self.at:%d %b %Y %H:%M}"
