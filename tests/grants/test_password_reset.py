"""
"Forgot your password?": a link by e-mail, Django's own views, limited, and never saying whether an
account has the address asked for.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from grants.models import PasswordResetRequest
from grants.services import accounts

RESET = "/password-reset/"
SENT = "/password-reset/sent/"
NEW_PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def provider(actors, settings):
    settings.SITE_URL = "https://grants.example.org"
    actors.user_a.email = "provider-a@example.org"
    actors.user_a.save()
    return actors.user_a


def ask(client, email, address="203.0.113.10"):
    return client.post(RESET, {"email": email}, REMOTE_ADDR=address)


def link_in(message) -> str:
    match = re.search(r"https://grants\.example\.org(/password-reset/[^/\s]+/[^/\s]+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_the_sign_in_page_offers_a_way_back_in(client, db):
    page = client.get("/sign-in/").content.decode()
    assert f'href="{RESET}">Forgot your password?</a>' in page


def test_a_known_address_gets_a_link_that_sets_a_new_password_and_signs_in(client, provider):
    response = ask(client, "Provider-A@example.org", address="127.0.0.1")
    assert response.status_code == 302 and response["Location"] == SENT
    [message] = mail.outbox
    assert message.to == ["provider-a@example.org"]

    form = client.get(link_in(message), follow=True)
    assert "Set a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == "/password-reset/done/"

    signed_in = client.post("/sign-in/", {"username": provider.username, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    assert int(client.session["_auth_user_id"]) == provider.pk


def test_the_link_works_once(client, provider):
    ask(client, provider.email)
    path = link_in(mail.outbox[0])
    form = client.get(path, follow=True)
    client.post(form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(path, follow=True)

    assert "This link does not work" in again.content.decode()


def test_an_unknown_address_gets_the_same_answer_and_no_email(client, provider):
    known = ask(client, provider.email)
    unknown = ask(client, "nobody@example.org")

    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"])
    assert len(mail.outbox) == 1
    assert client.get(SENT).content == client.get(SENT).content


def test_the_link_is_built_from_the_site_address_never_the_host_the_request_named(client, provider):
    client.post(RESET, {"email": provider.email}, HTTP_HOST="localhost")

    body = mail.outbox[0].body
    assert "https://grants.example.org/password-reset/" in body
    assert "localhost" not in body


def test_a_weak_new_password_is_refused_with_a_message(client, provider):
    ask(client, provider.email)
    form = client.get(link_in(mail.outbox[0]), follow=True)

    response = client.post(form.redirect_chain[-1][0], {"new_password1": "password", "new_password2": "password"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "This password is too short" in page


def test_requests_for_one_address_are_limited_whether_or_not_it_has_an_account(client, provider):
    for email in (provider.email, "nobody@example.org"):
        answers = [ask(client, email, address=f"198.51.100.{n}").status_code for n in range(4)]
        assert answers == [302, 302, 302, 429], email
    assert len(mail.outbox) == accounts.RESET_PER_EMAIL


def test_requests_from_one_client_are_limited(client, provider):
    answers = [ask(client, f"someone{n}@example.org").status_code for n in range(6)]

    assert answers == [302] * accounts.RESET_PER_ADDRESS + [429]
    assert "too many password reset e-mails" in ask(client, provider.email).content.decode()
    assert mail.outbox == []


def test_the_limit_is_for_an_hour_and_old_requests_are_forgotten(provider):
    now = timezone.now()
    for _ in range(accounts.RESET_PER_EMAIL):
        assert accounts.password_reset_request(email=provider.email, client_address="203.0.113.1",
                                               now=now - timedelta(hours=2))
    assert accounts.password_reset_request(email=provider.email, client_address="203.0.113.1", now=now)
    accounts.password_reset_request(email="x@example.org", client_address="203.0.113.2",
                                    now=now + timedelta(days=2))
    assert PasswordResetRequest.objects.count() == 1


def test_what_people_typed_is_not_stored(client, provider):
    ask(client, provider.email)
    stored = PasswordResetRequest.objects.get()
    assert provider.email not in stored.email_digest
    assert stored.email_digest == accounts.email_digest(" PROVIDER-A@example.org ")
