"""Compressed HTML for public pages (gzip and brotli), never for a response with a secret.

BREACH recovers a secret from a compressed response that also reflects what an
attacker sends; a page with no secret in it has nothing to recover. So a response
is compressed only when it cannot hold one: a GET or HEAD from a visitor without a
session cookie, outside the admin, that set no cookie and used no CSRF token (no
form with ``csrfmiddlewaretoken``). See docs/design/performance.md.

``encode()`` does the work once per cached page (``core.page_cache`` keeps every
encoding); ``CompressionMiddleware`` compresses the public responses the page cache
does not keep (search results, a page the cache could not store).
"""

from __future__ import annotations

import gzip

import brotli
from django.conf import settings
from django.utils.cache import patch_vary_headers

MIN_SIZE = 200  # below this, compression saves nothing worth a header
TEXT_TYPES = ("text/", "application/xml", "application/json", "application/rss+xml")
# Cached pages are compressed once, so they get the best ratio; pages compressed per
# request use quicker settings (brotli 5 is faster than gzip 6 and still smaller).
BROTLI_QUALITY_STORED = 9
BROTLI_QUALITY_LIVE = 5
GZIP_LEVEL = 6
SECRET_MARKER = b"csrfmiddlewaretoken"


def has_session(request) -> bool:
    """Whether the request carries a session cookie: staff, or someone signing in."""
    return settings.SESSION_COOKIE_NAME in request.COOKIES


def is_admin(request) -> bool:
    return request.path.startswith(f"/{settings.ADMIN_URL}")


def used_csrf_token(request) -> bool:
    """``get_token()`` ran: the page holds a CSRF token (a form) or set its cookie."""
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))


def is_text(response) -> bool:
    return response.get("Content-Type", "").startswith(TEXT_TYPES)


def may_compress(request, response) -> bool:
    """A public response that carries no secret (see the module text)."""
    return (
        request.method in ("GET", "HEAD")
        and not response.streaming
        and not response.has_header("Content-Encoding")
        and response.status_code in (200, 404)
        and is_text(response)
        and not has_session(request)
        and not is_admin(request)
        and not response.cookies
        and not used_csrf_token(request)
        and len(response.content) >= MIN_SIZE
        and SECRET_MARKER not in response.content
    )


def accepted(request) -> list[str]:
    """The encodings the client takes, best first: ``br``, ``gzip`` (q=0 refuses one)."""
    header = request.META.get("HTTP_ACCEPT_ENCODING", "")
    taken = set()
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        name = name.strip().lower()
        quality = params.strip()
        if quality.replace(" ", "").lower() in ("q=0", "q=0.0", "q=0.00", "q=0.000"):
            continue
        taken.add(name)
    return [name for name in ("br", "gzip") if name in taken or "*" in taken]


def encode(body: bytes, quality: int = BROTLI_QUALITY_STORED) -> dict[str, bytes]:
    """The body in every encoding the site serves."""
    return {
        "identity": body,
        "br": brotli.compress(body, mode=brotli.MODE_TEXT, quality=quality),
        "gzip": gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0),
    }


def weaken_etag(response) -> None:
    """A compressed body is not byte-for-byte the one a strong ETag was made from."""
    etag = response.get("ETag")
    if etag and etag.startswith('"'):
        response["ETag"] = f"W/{etag}"


class CompressionMiddleware:
    """gzip or brotli for public responses the page cache did not already encode."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not may_compress(request, response):
            return response
        patch_vary_headers(response, ("Accept-Encoding",))
        for name in accepted(request):
            if name == "br":
                body = brotli.compress(
                    response.content, mode=brotli.MODE_TEXT, quality=BROTLI_QUALITY_LIVE
                )
            else:
                body = gzip.compress(response.content, compresslevel=GZIP_LEVEL, mtime=0)
            if len(body) >= len(response.content):
                return response
            response.content = body
            response["Content-Length"] = str(len(body))
            response["Content-Encoding"] = name
            weaken_etag(response)
            break
        return response
