"""
The client's address, as the sign-in lockout (django-axes) and the password reset limits count it.

Behind the TLS proxy the README describes (nginx or a load balancer in front of gunicorn), every
request arrives from the proxy's own address, so a lockout by username and address would let
anyone lock any user out by failing five times from anywhere. The proxy passes the client's address
in X-Forwarded-For, appending the address it saw to whatever the client sent. So the header is
believed only when the request comes from a proxy named in FORWARDED_ALLOW_IPS (the same setting
gunicorn trusts for X-Forwarded-Proto), and then only its right-most address that is not itself a
trusted proxy: the one the outermost trusted proxy saw. Anything a client wrote further left is
ignored, so it cannot choose the address its failures are counted against.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request) -> str:
    """The address of the client that made the request, through trusted proxies only."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not is_trusted_proxy(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return remote  # not what a proxy of ours writes: count the proxy's own address
        if not is_trusted_proxy(hop):
            return hop
    return hops[0] if hops else remote
