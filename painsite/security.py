"""Security helpers referenced from settings: the login-lockout backend and the client address.

Kept apart from the settings so they can be imported (and tested) on their own.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings


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


def client_ip(request) -> str | None:
    """The visitor's address, for lockouts and logs.

    Behind ``TRUSTED_PROXY_COUNT`` reverse proxies (the TLS proxy in production),
    each proxy appends the address it received the request from to
    ``X-Forwarded-For``; the entry that many places from the right is the one our
    own outermost proxy saw, which a visitor cannot forge. With no trusted proxy,
    the header is ignored and the socket address is used.
    """
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
