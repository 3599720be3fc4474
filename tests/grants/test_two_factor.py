"""
Two-factor sign-in through the real pages: the password, then a code from an authenticator app
(computed here from the key the set-up page shows, as the app would), or a recovery code.

With REQUIRE_2FA on (production), commissioner and finance officers and administrators set it up at
first sign-in and reach nothing else until they have; providers sign in with a password and may turn
it on. With it off (the demo while developing), nobody is asked unless they turned it on.
"""

import base64
import re
import time

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.services import two_factor
from tests.grants.test_settings import refusal, values

PASSWORD = "demo-password-only"
SETUP = "/two-factor/set-up/"
VERIFY = "/sign-in/code/"


@pytest.fixture
def people(actors, settings):
    settings.REQUIRE_2FA = True
    actors.admin = type(actors.user_a).objects.create_superuser("root", "root@example.org", PASSWORD)
    for user in (actors.commissioner, actors.finance, actors.user_a):
        user.set_password(PASSWORD)
        user.save()
    return actors


def sign_in(client, user, **extra):
    return client.post("/sign-in/", {"username": user.username, "password": PASSWORD, **extra})


def key_on(page) -> bytes:
    match = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', page.content.decode())
    assert match, "no key on the set-up page"
    return base64.b32decode(match.group(1).replace(" ", ""))


def code(key: bytes) -> str:
    """The code an authenticator app shows now for `key`."""
    return f"{totp(key, t0=0, step=30, digits=6):06d}"


def set_up(client) -> tuple[bytes, list[str]]:
    """Scan the code (read the key), enter a code the app shows; the recovery codes then shown."""
    key = key_on(client.get(SETUP))
    response = client.post(SETUP, {"code": code(key)})
    assert response.status_code == 302, response.content.decode()[:2000]
    codes = re.findall(r"<li><code>([^<]+)</code></li>", client.get(response["Location"]).content.decode())
    return key, codes


@pytest.mark.parametrize("who", ["commissioner", "finance", "admin"])
def test_the_people_who_move_money_set_it_up_at_first_sign_in_and_reach_nothing_before(people, who):
    client = Client()
    user = getattr(people, who)

    signed_in = sign_in(client, user)
    home = client.get(signed_in["Location"])
    for path in ["/", "/finance/", "/programmes/", "/reports/payments/?format=csv", "/admin/", "/two-factor/"]:
        response = client.get(path)
        assert response.status_code == 302 and response["Location"].startswith(SETUP), path

    assert home["Location"] == f"{SETUP}?next=%2F"
    key, codes = set_up(client)

    assert client.get("/").status_code == 200
    assert len(codes) == two_factor.RECOVERY_CODES == len(set(codes))
    assert TOTPDevice.objects.get(user=user).confirmed


def test_after_set_up_every_sign_in_asks_for_a_code_and_a_wrong_one_is_refused(people):
    client = Client()
    sign_in(client, people.commissioner)
    key, _ = set_up(client)
    client.post("/sign-out/")

    sign_in(client, people.commissioner)
    assert client.get("/")["Location"].startswith(VERIFY)
    wrong = client.post(VERIFY, {"code": "000000" if code(key) != "000000" else "111111", "next": "/finance/"})
    assert wrong.status_code == 400
    assert "That code is not right" in wrong.content.decode()
    assert client.get("/")["Location"].startswith(VERIFY)

    with time_machine.travel(time.time() + 31, tick=False):  # the next code, after the wait a wrong one costs
        right = client.post(VERIFY, {"code": code(key), "next": "/finance/"})
    assert right.status_code == 302 and right["Location"] == "/finance/"
    assert client.get("/").status_code == 200


def test_a_recovery_code_signs_in_once(people):
    client = Client()
    sign_in(client, people.finance)
    _, codes = set_up(client)
    client.post("/sign-out/")

    sign_in(client, people.finance)
    assert client.post(VERIFY, {"code": codes[0]}).status_code == 302
    client.post("/sign-out/")
    sign_in(client, people.finance)

    assert client.post(VERIFY, {"code": codes[0]}).status_code == 400
    assert StaticToken.objects.filter(device__user=people.finance).count() == two_factor.RECOVERY_CODES - 1


def test_a_code_from_the_wrong_key_does_not_set_it_up(people):
    client = Client()
    sign_in(client, people.commissioner)
    client.get(SETUP)

    response = client.post(SETUP, {"code": code(b"not the key shown on the page")})

    assert response.status_code == 400
    assert "That code is not right" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=people.commissioner, confirmed=True).exists()
    assert client.get("/")["Location"].startswith(SETUP)


def test_providers_sign_in_with_a_password_and_may_turn_it_on_then_are_asked_too(people):
    client = Client()
    assert sign_in(client, people.user_a)["Location"] == "/"
    assert client.get("/").status_code == 200

    key, _ = set_up(client)
    client.post("/sign-out/")
    sign_in(client, people.user_a)

    assert client.get("/")["Location"].startswith(VERIFY)
    with time_machine.travel(time.time() + 31, tick=False):  # a code is used once: the app's next one
        assert client.post(VERIFY, {"code": code(key)}).status_code == 302


def test_a_provider_may_turn_it_off_but_the_people_who_move_money_may_not(people):
    provider, commissioner = Client(), Client()
    sign_in(provider, people.user_a)
    set_up(provider)
    sign_in(commissioner, people.commissioner)
    set_up(commissioner)

    assert provider.post("/two-factor/turn-off/").status_code == 302
    refused = commissioner.post("/two-factor/turn-off/")

    assert not TOTPDevice.objects.filter(user=people.user_a).exists()
    assert refused.status_code == 403
    assert "cannot be turned off" in refused.content.decode()
    assert TOTPDevice.objects.filter(user=people.commissioner, confirmed=True).exists()


def test_while_developing_the_demo_users_sign_in_without_it(people, settings):
    settings.REQUIRE_2FA = False
    client = Client()

    assert sign_in(client, people.commissioner)["Location"] == "/"
    assert client.get("/finance/").status_code in (200, 403)
    assert client.get("/").status_code == 200


def test_new_recovery_codes_replace_the_old_ones(people):
    client = Client()
    sign_in(client, people.user_a)
    _, old = set_up(client)

    client.post("/two-factor/recovery-codes/")
    new = re.findall(r"<li><code>([^<]+)</code></li>", client.get("/two-factor/recovery-codes/").content.decode())

    assert len(new) == two_factor.RECOVERY_CODES and not set(new) & set(old)
    assert "You have 10 recovery codes left" in client.get("/two-factor/recovery-codes/").content.decode()


def test_it_is_on_in_production_off_while_developing_and_cannot_be_turned_off_in_production():
    assert values("REQUIRE_2FA")["REQUIRE_2FA"] is False
    assert values("REQUIRE_2FA", REQUIRE_2FA="True")["REQUIRE_2FA"] is True
    production = {"DEBUG": "False", "ALLOWED_HOSTS": "grants.example.org",
                  "SECRET_KEY": "k3Jw9-production-like-secret-for-the-2fa-check-0123456789-abcdefghij"}
    assert values("REQUIRE_2FA", **production)["REQUIRE_2FA"] is True
    assert "REQUIRE_2FA" in refusal("REQUIRE_2FA", REQUIRE_2FA="False", **production)["message"]
