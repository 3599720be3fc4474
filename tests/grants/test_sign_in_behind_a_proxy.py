"""
Signing in behind the TLS proxy the README describes: the proxy (at 127.0.0.1, the default of
FORWARDED_ALLOW_IPS) passes each request on with the client's address appended to X-Forwarded-For,
as nginx's `proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for` does.

Five wrong passwords for a user, each from a different client, used to lock the real user out: the
lockout saw only the proxy's address. Now failures are counted by username and client address
together, the address taken from the proxy's header only when the request comes from the proxy.
"""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config import proxy
from tests.grants.test_settings import refusal, values

SIGN_IN = "/sign-in/"
PROXY = "127.0.0.1"
PASSWORD = "demo-password-only"


def through_proxy(client, username, password, client_address, sent_by_client=""):
    """A sign-in as the proxy passes it on: the client's own header (if any), then the address the proxy saw."""
    forwarded = ", ".join(filter(None, [sent_by_client, client_address]))
    return client.post(SIGN_IN, {"username": username, "password": password},
                       REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def direct(client, username, password, address, forwarded=""):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    return client.post(SIGN_IN, {"username": username, "password": password}, REMOTE_ADDR=address, **extra)


@pytest.fixture
def commissioner(actors):
    actors.commissioner.set_password(PASSWORD)
    actors.commissioner.save()
    return actors.commissioner


def test_five_failures_from_five_clients_do_not_lock_the_real_user_out(client, commissioner):
    for n in range(1, 6):
        assert through_proxy(client, "commissioner", "wrong", f"203.0.113.{n}").status_code == 200

    response = through_proxy(client, "commissioner", PASSWORD, "198.51.100.7")

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == commissioner.pk


def test_five_failures_from_one_client_lock_that_user_at_that_address_only(client, commissioner):
    for _ in range(5):
        through_proxy(client, "commissioner", "wrong", "203.0.113.9")

    assert through_proxy(client, "commissioner", PASSWORD, "203.0.113.9").status_code == 429
    assert through_proxy(client, "commissioner", PASSWORD, "198.51.100.7").status_code == 302


def test_a_client_cannot_choose_its_address_by_writing_the_header_itself_through_the_proxy(client, commissioner):
    """The proxy appends the address it saw: whatever the client wrote to the left is not believed."""
    for n in range(1, 6):
        through_proxy(client, "commissioner", "wrong", "203.0.113.9", sent_by_client=f"10.0.0.{n}")

    response = through_proxy(client, "commissioner", PASSWORD, "203.0.113.9", sent_by_client="10.0.0.99")

    assert response.status_code == 429


def test_without_a_trusted_proxy_the_header_is_ignored(client, commissioner):
    """A client reaching the application directly cannot dodge the lockout with a header of its own."""
    for n in range(1, 6):
        direct(client, "commissioner", "wrong", "192.0.2.50", forwarded=f"203.0.113.{n}")

    assert direct(client, "commissioner", PASSWORD, "192.0.2.50", forwarded="203.0.113.77").status_code == 429
    assert direct(client, "commissioner", PASSWORD, "192.0.2.51").status_code == 302


class Request:
    def __init__(self, remote, forwarded=None):
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


@pytest.mark.parametrize("remote, forwarded, expected", [
    ("198.51.100.7", None, "198.51.100.7"),  # no proxy
    ("198.51.100.7", "203.0.113.1", "198.51.100.7"),  # not from a trusted proxy: the header is ignored
    ("127.0.0.1", "203.0.113.1", "203.0.113.1"),  # through the proxy
    ("127.0.0.1", "10.1.1.1, 203.0.113.1", "203.0.113.1"),  # the client's own part is ignored
    ("127.0.0.1", "203.0.113.1, 127.0.0.1", "203.0.113.1"),  # two trusted proxies in a row
    ("127.0.0.1", "unknown", "127.0.0.1"),  # not what a proxy of ours writes
    ("127.0.0.1", None, "127.0.0.1"),  # the proxy's own request
    ("127.0.0.1", "2001:db8::1", "2001:db8::1"),
])
def test_the_client_address_is_the_right_most_one_a_trusted_proxy_saw(settings, remote, forwarded, expected):
    settings.TRUSTED_PROXIES = ["127.0.0.1"]
    assert proxy.client_address(Request(remote, forwarded)) == expected


def test_trusted_proxies_may_be_networks(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    assert proxy.client_address(Request("10.2.3.4", "203.0.113.5, 10.9.9.9")) == "203.0.113.5"
    assert proxy.client_address(Request("127.0.0.1", "203.0.113.5")) == "127.0.0.1"


def test_the_proxies_are_read_from_forwarded_allow_ips_and_a_star_is_refused():
    assert values("TRUSTED_PROXIES")["TRUSTED_PROXIES"] == ["127.0.0.1"]
    assert values("TRUSTED_PROXIES", FORWARDED_ALLOW_IPS="10.0.0.5, 10.0.1.0/24")["TRUSTED_PROXIES"] == [
        "10.0.0.5", "10.0.1.0/24"]
    result = refusal("TRUSTED_PROXIES", FORWARDED_ALLOW_IPS="*")
    assert result["error"] == f"{ImproperlyConfigured.__module__}.{ImproperlyConfigured.__name__}"
    assert "FORWARDED_ALLOW_IPS" in result["message"]
