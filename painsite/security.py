"""Security helpers referenced from settings: the login-lockout backend and the client address.

Kept apart from the settings so they can be imported (and tested) on their own.
"""

from __future__ import annotations

import functools
import ipaddress

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class AxesBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for every sign-in that comes from a web request.

    Sign-in forms (the admin's, the two-step one) always pass ``request``, so they
    are counted and locked out after ``AXES_FAILURE_LIMIT`` failures. Code that
    calls ``authenticate()`` with no request at all (management commands, the
    test client's ``login()``) is not a web sign-in: there is no address to count
    against, so this backend steps aside instead of raising.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def trusted_networks(entries) -> tuple[IPNetwork, ...]:
    """``TRUSTED_PROXIES`` as networks; a clear ImproperlyConfigured for a bad entry."""
    return _networks(tuple(entries))


@functools.lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"TRUSTED_PROXIES: {entry!r} is not an IP address or network "
                "(e.g. 127.0.0.1, ::1 or 10.0.0.0/8)."
            ) from None
    return tuple(networks)


def _address(text: str | None) -> IPAddress | None:
    try:
        address = ipaddress.ip_address((text or "").strip())
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:10.0.0.1 is 10.0.0.1
    return mapped or address


def _trusted(address: IPAddress | None, networks) -> bool:
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str | None:
    """The visitor's address, for lockouts and logs.

    ``X-Forwarded-For`` is believed only from a proxy we trust: when the direct
    peer (``REMOTE_ADDR``) is in ``TRUSTED_PROXIES``, the header is read from the
    right, skipping our own proxies, and the first other address is the
    visitor's. Anyone who reaches gunicorn directly gets their own socket
    address, whatever header they send, so a lockout cannot be dodged by
    forging one.
    """
    remote = request.META.get("REMOTE_ADDR")
    networks = trusted_networks(getattr(settings, "TRUSTED_PROXIES", ()))
    peer = _address(remote)
    if not _trusted(peer, networks):
        return remote
    client = peer
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:  # not an address: forged or broken; keep the last one we trust
            break
        client = address
        if not _trusted(address, networks):
            break
    return str(client)
