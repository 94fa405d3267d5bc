"""Spam and abuse protection for the feedback form, without any outside service.

* ``same_origin``: the POST must come from a page of this site (``Origin``, or
  ``Referer`` when a browser sends no ``Origin``): the request's host, ``SITE_URL``
  or an exact origin in ``CSRF_TRUSTED_ORIGINS``. This is what protects the form
  against cross-site posting, in place of a CSRF token (see docs/design/security.md).
* ``within_rate_limit``: a counter per visitor address in Django's cache, keyed by
  a salted HMAC of the address (never the address itself, never stored elsewhere),
  in fixed windows of ``FEEDBACK_RATE_WINDOW`` seconds. The address comes from
  the configuration's helper named by ``FEEDBACK_CLIENT_IP`` (the same one
  django-axes uses, ``painsite.security.client_ip``, which believes
  ``X-Forwarded-For`` only from ``TRUSTED_PROXIES``); this app sits below the
  configuration layer, so it is handed the helper rather than importing it.
"""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache
from django.utils.crypto import salted_hmac
from django.utils.module_loading import import_string

KEY_SALT = "painsite.feedback.rate-limit"


def _origin(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def allowed_origins(request) -> set[str]:
    origins = {f"{request.scheme}://{request.get_host()}".lower()}
    for url in (settings.SITE_URL, *getattr(settings, "CSRF_TRUSTED_ORIGINS", ())):
        origin = _origin(url)
        if origin and "*" not in origin:  # exact origins only, no wildcards here
            origins.add(origin)
    return origins


def same_origin(request) -> bool:
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin.lower() in allowed_origins(request)  # "null" is never allowed
    referer = _origin(request.headers.get("Referer", ""))
    return referer is not None and referer in allowed_origins(request)


def rate_key(request, now: float | None = None) -> str:
    window = settings.FEEDBACK_RATE_WINDOW
    address = import_string(settings.FEEDBACK_CLIENT_IP)(request) or "unknown"
    digest = salted_hmac(KEY_SALT, address, algorithm="sha256").hexdigest()[:32]
    bucket = int((time.time() if now is None else now) // window)
    return f"feedback-rate:{digest}:{bucket}"


def within_rate_limit(request) -> bool:
    """Count this post; False once the address has sent more than the limit this window."""
    key = rate_key(request)
    window = settings.FEEDBACK_RATE_WINDOW
    cache.add(key, 0, timeout=window + 5)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr, or the cache is unavailable
        cache.set(key, 1, timeout=window + 5)
        count = 1
    return count <= settings.FEEDBACK_RATE_LIMIT
