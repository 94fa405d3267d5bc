"""Small middleware the site needs and no well-kept package provides on its own.

* ``RequestIDMiddleware``: every request gets an id (the proxy's ``X-Request-ID``
  when it is sane, else a fresh one), echoed in the response header and stamped
  on every log line written while the request runs (``RequestIDFilter``), so a
  visitor's "something went wrong" can be matched to the server's log.
* ``SecurityHeadersMiddleware``: the two headers Django's ``SecurityMiddleware``
  does not set: ``Permissions-Policy`` and ``Cross-Origin-Resource-Policy``; and
  ``X-Robots-Tag: noindex`` on the admin.
* ``CacheControlMiddleware``: public pages may be cached for a few minutes;
  anything seen by a signed-in user, or that sets a cookie, is private. A request
  without a session cookie is anonymous without reading the session, so public
  pages carry no ``Vary: Cookie``.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.conf import settings
from django.utils.cache import patch_cache_control

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

# Every powerful browser feature the site never uses, switched off for the page and its frames.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "ambient-light-sensor",
        "autoplay",
        "bluetooth",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)


def current_request_id() -> str:
    return _request_id.get()


class RequestIDFilter(logging.Filter):
    """Adds ``request_id`` to every log record (``-`` outside a request)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        record.request_id = getattr(request, "id", None) or _request_id.get()
        return True


class RequestIDMiddleware:
    header = "X-Request-ID"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get(self.header, "")
        request.id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        token = _request_id.set(request.id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[self.header] = request.id
        return response


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if request.path.startswith(f"/{settings.ADMIN_URL}"):
            # Never in search results; robots.txt does not name the admin's path.
            response.headers.setdefault("X-Robots-Tag", "noindex, nofollow")
        return response


class CacheControlMiddleware:
    """``Cache-Control`` for pages whose view did not set one.

    Public: a successful GET by an anonymous visitor that sets no cookie, cached for
    ``PAGE_CACHE_SECONDS``. Everything else a signed-in user sees is ``private,
    no-cache`` (the admin and draft previews already send ``no-store``).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" in response:
            return response
        # Without a session cookie nobody is signed in: the session is not read, so an
        # anonymous page does not vary on Cookie (and the page cache may keep it).
        user = getattr(request, "user", None)
        signed_in = bool(
            settings.SESSION_COOKIE_NAME in request.COOKIES
            and user is not None
            and user.is_authenticated
        )
        if signed_in or response.cookies:
            patch_cache_control(response, private=True, no_cache=True)
        elif request.method in ("GET", "HEAD") and response.status_code == 200:
            patch_cache_control(response, public=True, max_age=settings.PAGE_CACHE_SECONDS)
        return response
