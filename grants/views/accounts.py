"""
Getting back in: "forgot your password" by e-mail, with Django's own views (a signed, single-use link
that expires; the new password checked by the password validators).

The answer never says whether an account has the address: the same page follows every request,
and requests are limited per client and per e-mail address alike (grants/services/accounts.py).
The link in the e-mail is built from SITE_URL, never from the Host header of the request.
"""

from urllib.parse import urlsplit

from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse_lazy

from config.proxy import client_address
from grants.services import accounts

TOO_MANY = ("You have asked for too many password reset e-mails. Wait an hour and try again, or ask your "
            "administrator.")


class ResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(
        label="Email address", max_length=254, help_text="The address your account is registered with.",
        error_messages={"required": "Enter your email address.",
                        "invalid": "Enter an email address in the correct format, like name@example.org."},
    )


class NewPasswordForm(auth_forms.SetPasswordForm):
    error_messages = {"password_mismatch": "The two passwords do not match: type the same password twice."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].label = "New password"
        self.fields["new_password1"].help_text = "At least 12 characters, not a common password, not all numbers."
        self.fields["new_password1"].error_messages["required"] = "Enter a new password."
        self.fields["new_password2"].label = "Type the new password again"
        self.fields["new_password2"].help_text = ""
        self.fields["new_password2"].error_messages["required"] = "Type the new password again."


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password-reset-sent")

    def form_valid(self, form):
        allowed = accounts.password_reset_request(email=form.cleaned_data["email"],
                                                  client_address=client_address(self.request))
        if not allowed:
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        site = urlsplit(settings.SITE_URL)
        form.save(
            domain_override=site.netloc, use_https=site.scheme == "https", request=self.request,
            subject_template_name=self.subject_template_name, email_template_name=self.email_template_name,
            extra_email_context={"product_name": settings.SITE_NAME, "site_url": settings.SITE_URL.rstrip("/")},
        )
        return HttpResponseRedirect(self.get_success_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class PasswordResetSentView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_sent.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link in an invitation (grants/services/administration.py): the same single-use token as a password
    reset, in an invitation's words. A deactivated account's link does not work."""

    form_class = NewPasswordForm
    template_name = "registration/invitation_confirm.html"
    success_url = reverse_lazy("invitation-complete")

    def get_user(self, uidb64):
        user = super().get_user(uidb64)
        return user if user is not None and user.is_active else None


class InvitationCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/invitation_complete.html"
