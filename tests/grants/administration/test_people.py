"""
People: an administrator invites someone by e-mail (a one-time link to set a password, Django's token),
sends the invitation again, changes a role, and switches an account off and on again. Nobody deactivates
themselves or the last administrator; an account switched off cannot sign in and what it did stays.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from grants import permissions
from grants.models import AccountEvent, QuarterlyReturn, User
from grants.services import Invalid, NotAllowed
from grants.services import administration as services
from tests import factories as f
from tests.worlds import client_for

NEW_PASSWORD = "a long and unusual passphrase 42"


def invite(client, w, committed=None, **changes):
    data = {"first_name": "Nadia", "last_name": "Rahman", "email": "Nadia.Rahman@provider-a.example.org",
            "organisation": w.provider_a.pk, "role": "provider", **changes}
    if committed is None:
        return client.post(reverse("user-invite"), data)
    with committed():
        return client.post(reverse("user-invite"), data)


def link_in(message) -> str:
    match = re.search(r"https://grants\.example\.org(/invitation/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


@pytest.fixture
def site(settings):
    settings.SITE_URL = "https://grants.example.org"


def test_an_invitation_makes_an_account_without_a_password_and_emails_a_link(w, site, committed):
    response = invite(client_for(w.administrator), w, committed)

    person = User.objects.get(email="Nadia.Rahman@provider-a.example.org")
    assert response.status_code == 302 and response["Location"] == reverse("user-detail", args=[person.pk])
    assert (person.username, person.organisation, person.role) == ("nadia.rahman@provider-a.example.org",
                                                                   w.provider_a, User.Role.PROVIDER)
    assert not person.has_usable_password() and person.is_active
    [message] = mail.outbox
    assert message.to == ["Nadia.Rahman@provider-a.example.org"]
    assert "invited you" in message.body and "nadia.rahman@provider-a.example.org" in message.body
    assert link_in(message)
    assert person.account_events.get().kind == AccountEvent.Kind.INVITED


def test_the_link_sets_the_password_once_and_then_fails(w, site, committed, client):
    invite(client_for(w.administrator), w, committed)
    link = link_in(mail.outbox[0])

    form = client.get(link, follow=True)
    assert "Set your password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("invitation-complete")

    signed_in = client.post("/sign-in/", {"username": "nadia.rahman@provider-a.example.org", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    again = client_for(None).get(link, follow=True).content.decode()
    assert "This invitation link does not work" in again


def test_a_deactivated_persons_invitation_link_does_not_work(w, site, committed, client):
    invite(client_for(w.administrator), w, committed)
    person = User.objects.get(email__iexact="nadia.rahman@provider-a.example.org")
    services.user_deactivate(actor=w.administrator, user=person)
    assert "does not work" in client.get(link_in(mail.outbox[0]), follow=True).content.decode()


def test_an_invitation_can_be_sent_again_until_the_password_is_set(w, site, committed):
    admin = client_for(w.administrator)
    invite(admin, w, committed)
    person = User.objects.get(email__iexact="nadia.rahman@provider-a.example.org")

    with committed():
        admin.post(reverse("user-resend", args=[person.pk]))
    assert len(mail.outbox) == 2
    assert link_in(mail.outbox[1])
    person.set_password(NEW_PASSWORD)
    person.save()
    with committed():
        admin.post(reverse("user-resend", args=[person.pk]))
    assert len(mail.outbox) == 2
    assert [e.kind for e in person.account_events.all()] == ["invited", "invitation_resent"]


def test_an_address_already_in_use_is_refused_on_the_field(w):
    response = invite(client_for(w.administrator), w, email=w.user_b.email.upper())
    assert response.status_code == 400
    assert "Someone already has an account with this email address." in response.content.decode()
    assert 'class="govuk-error-summary"' in response.content.decode()


def test_a_form_with_several_mistakes_lists_them_all(w):
    response = invite(client_for(w.administrator), w, first_name="", email="not an address", role="")
    page = response.content.decode()
    for message in ("Enter their first name.", "Enter an email address in the correct format", "Choose their role."):
        assert message in page


@pytest.mark.parametrize("organisation, role", [("commissioner_org", "provider"), ("provider_a", "commissioner"),
                                                ("provider_a", "administrator")])
def test_each_organisation_has_its_own_roles(w, organisation, role):
    response = invite(client_for(w.administrator), w, organisation=getattr(w, organisation).pk, role=role)
    assert response.status_code == 400
    assert not User.objects.filter(email__iexact="nadia.rahman@provider-a.example.org").exists()


def test_nobody_is_invited_into_an_organisation_the_funder_does_not_work_with(w):
    response = invite(client_for(w.administrator), w, organisation=w.provider_x.pk)
    assert response.status_code == 400 and "Choose an organisation from the list." in response.content.decode()
    with pytest.raises(NotAllowed):
        services.user_invite(actor=w.administrator, values={
            "first_name": "X", "last_name": "Y", "email": "x@example.org", "organisation": w.provider_x,
            "role": "provider"})


def test_a_commissioner_officer_cannot_invite_anyone(w):
    with pytest.raises(NotAllowed):
        services.user_invite(actor=w.commissioner, values={
            "first_name": "X", "last_name": "Y", "email": "x@example.org", "organisation": w.provider_a,
            "role": "provider"})


def test_the_administrator_changes_a_role_within_the_organisations_roles(w):
    admin = client_for(w.administrator)
    assert admin.post(reverse("user-role", args=[w.viewer.pk]), {"role": "finance"}).status_code == 302
    w.viewer.refresh_from_db()
    assert w.viewer.role == User.Role.FINANCE
    assert w.viewer.account_events.get().comment == "From viewer to finance officer"

    refused = admin.post(reverse("user-role", args=[w.user_a.pk]), {"role": "commissioner"})
    assert refused.status_code == 400
    w.user_a.refresh_from_db()
    assert w.user_a.role == User.Role.PROVIDER


def test_the_last_administrator_keeps_the_role(w):
    with pytest.raises(Invalid):
        services.user_role_change(actor=w.administrator, user=w.administrator, role=User.Role.VIEWER)
    f.UserFactory(organisation=w.commissioner_org, role=User.Role.ADMINISTRATOR)
    services.user_role_change(actor=w.administrator, user=w.administrator, role=User.Role.VIEWER)


def test_a_deactivated_person_cannot_sign_in_and_their_returns_stay(w, client):
    ret = f.QuarterlyReturnFactory(project=w.project_a, financial_year=2023, quarter=1)
    response = client_for(w.administrator).post(reverse("user-deactivate", args=[w.user_a.pk]),
                                                {"reason": "Left the organisation."})
    assert response.status_code == 302

    w.user_a.refresh_from_db()
    assert not w.user_a.is_active
    refused = client.post("/sign-in/", {"username": w.user_a.username, "password": f.DEMO_PASSWORD})
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert QuarterlyReturn.objects.filter(pk=ret.pk).exists()
    assert User.objects.filter(pk=w.user_a.pk).exists()
    event = w.user_a.account_events.get()
    assert (event.kind, event.actor, event.comment) == ("deactivated", w.administrator, "Left the organisation.")


def test_a_deactivated_person_can_be_reactivated(w, client):
    admin = client_for(w.administrator)
    admin.post(reverse("user-deactivate", args=[w.user_a.pk]))
    admin.post(reverse("user-reactivate", args=[w.user_a.pk]))
    assert client.post("/sign-in/", {"username": w.user_a.username, "password": f.DEMO_PASSWORD}).status_code == 302


def test_an_administrator_cannot_deactivate_themselves(w):
    f.UserFactory(organisation=w.commissioner_org, role=User.Role.ADMINISTRATOR)
    admin = client_for(w.administrator)
    page = admin.get(reverse("user-detail", args=[w.administrator.pk])).content.decode()
    assert "You cannot deactivate your own account" in page and "Deactivate the account</button>" not in page
    response = admin.post(reverse("user-deactivate", args=[w.administrator.pk]))
    assert response.status_code == 403
    w.administrator.refresh_from_db()
    assert w.administrator.is_active


def test_the_last_administrator_cannot_be_deactivated(w):
    """Two administrators may switch each other off one at a time, never both: the second finds the other
    already off and would be the last one. The rule is counted with the administrators locked."""
    second = f.UserFactory(organisation=w.commissioner_org, role=User.Role.ADMINISTRATOR)
    assert not permissions.can_deactivate_user(second, w.administrator, active_administrators=1)[0]
    services.user_deactivate(actor=second, user=w.administrator)
    w.administrator.refresh_from_db()
    with pytest.raises(NotAllowed):
        services.user_deactivate(actor=w.administrator, user=second)
    second.refresh_from_db()
    assert second.is_active
