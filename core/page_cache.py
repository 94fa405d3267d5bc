"""The page cache: public pages for anonymous visitors, kept whole in Django's cache.

``PageCacheMiddleware`` sits near the top of ``MIDDLEWARE``, before the session,
authentication, two-step, lockout and history middleware, so a page it holds is
answered without any of them (or the view) running. The cache is Django's own:
Redis when ``REDIS_URL`` is set, so every app server shares one copy; this
process's memory otherwise (the embedded default runs one process).

**Who gets a cached page.** A GET or HEAD with no session cookie (staff, and so every
draft preview, always have one), outside the admin, with no query string but
``?page=N``, and no ``Authorization`` header. Everyone else goes straight through.

**What is kept.** A 200 answer to such a GET that set no cookie, used no CSRF token
(no form carrying one), sends no ``Cache-Control: private/no-store/no-cache`` and does
not vary on ``Cookie``: by construction it is the same for every anonymous visitor.

**Invalidation.** One number, the *content version*, is part of every key. Any save,
delete or many-to-many change of a model the page-type registry knows (page types,
and the models added with ``registry.register_model``: glossary, figures, areas,
synonyms, clinic details...) bumps it, at once and again when the transaction
commits (a page rendered from the old rows meanwhile is kept under the old number,
which nobody asks for again). The receivers look the model up in the registry when
the signal fires, so a page type registered by any app, at any time, is covered.
The version is a time in microseconds, always moving forward, so it also serves as
the pages' ``Last-Modified``; ``ETag`` is made from it too, and a conditional GET for
a kept page is answered ``304`` from the cache, without rendering.

Each page is kept in every encoding (identity, brotli, gzip; see
``core.compression``), compressed once when it is stored, each under its own key.
Each process also remembers the pages it served last (``LOCAL_ENTRIES``, keyed by
version like the shared ones, so never stale): a hit then costs one read of the
version from the shared cache.
"""

from __future__ import annotations

import hashlib
import re
import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import http_date

from . import compression
from .registry import registry
from .signals import content_loaded

VERSION_KEY = "pagecache:version"
PAGE_KEY = "pagecache:page:{version}:{digest}"
HEADER = "X-Page-Cache"  # hit, miss (stored now) or bypass: for tests, the bench and logs
_PAGE_QUERY = re.compile(r"^(page=[0-9]{1,6})?$")
# Headers made again for every answer, never kept with the page.
_NOT_KEPT = {
    "content-length",
    "content-encoding",
    "etag",
    "last-modified",
    "vary",
    "set-cookie",
    "x-request-id",
    HEADER.lower(),
}
_NO_STORE = ("private", "no-store", "no-cache")
LOCAL_ENTRIES = 128  # pages this process keeps in its own memory as well
LOCAL_MAX_BYTES = 256 * 1024
_local: OrderedDict[str, dict] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(key: str) -> dict | None:
    with _local_lock:
        entry = _local.get(key)
        if entry is not None:
            _local.move_to_end(key)
        return entry


def _local_put(key: str, entry: dict) -> None:
    if len(entry["body"]) > LOCAL_MAX_BYTES:
        return
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def _read(key: str) -> dict | None:
    entry = _local_get(key)
    if entry is None:
        entry = cache.get(key)
        if entry is not None:
            _local_put(key, entry)
    return entry


# --- the content version ----------------------------------------------------------------


def _now_us() -> int:
    return time.time_ns() // 1000


def content_version() -> int:
    """The current content version (made, from the clock, if the cache lost it)."""
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, _now_us(), timeout=None)
        version = cache.get(VERSION_KEY) or _now_us()  # an unreachable cache: a new number
    return int(version)


def bump_content_version() -> int:
    """A new content version, later than the current one: every kept page is obsolete.

    The old key is deleted first: a delete that cannot reach Redis is done as soon as
    Redis is back (``painsite.cache``), so an outage cannot bring back an old number.
    """
    old = cache.get(VERSION_KEY) or 0
    new = max(_now_us(), int(old) + 1)
    cache.delete(VERSION_KEY)
    cache.set(VERSION_KEY, new, timeout=None)
    return new


def content_changed() -> None:
    """Call after any change patients could see: now, and again once it is committed
    (once per transaction, however many rows it writes: a load saves thousands)."""
    bump_content_version()
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        func is bump_content_version for _sids, func, _robust in connection.run_on_commit
    ):
        return  # already due at this commit (a rolled-back savepoint drops it; then re-added)
    transaction.on_commit(bump_content_version)


def _on_save_or_delete(sender, raw=False, **kwargs):
    if registry.is_content_model(sender):
        content_changed()
        registry.model_changed(sender)  # e.g. a glossary term: the glossary is read again


def _on_m2m_changed(sender, instance, action, model=None, **kwargs):
    if not action.startswith("post_"):
        return
    if registry.is_content_model(type(instance)) or registry.is_content_model(model):
        content_changed()


def connect_signals() -> None:
    """Follow every content model (``CoreConfig.ready()``)."""
    post_save.connect(_on_save_or_delete, dispatch_uid="page-cache-save")
    post_delete.connect(_on_save_or_delete, dispatch_uid="page-cache-delete")
    m2m_changed.connect(_on_m2m_changed, dispatch_uid="page-cache-m2m")
    content_loaded.connect(
        lambda sender, **kwargs: content_changed(), dispatch_uid="page-cache-load", weak=False
    )


# --- which requests and responses -----------------------------------------------------


def may_serve(request) -> bool:
    """An anonymous visitor's GET or HEAD for a public page (see the module text)."""
    return (
        request.method in ("GET", "HEAD")
        and not compression.has_session(request)
        and not compression.is_admin(request)
        and not request.path.startswith((settings.STATIC_URL, settings.MEDIA_URL))
        and "HTTP_AUTHORIZATION" not in request.META
        and _PAGE_QUERY.match(request.META.get("QUERY_STRING", "")) is not None
    )


def may_store(request, response) -> bool:
    """The answer is the same for every anonymous visitor and carries no secret."""
    cache_control = response.get("Cache-Control", "").lower()
    vary = {v.strip() for v in response.get("Vary", "").lower().split(",") if v.strip()}
    return (
        request.method == "GET"
        and response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Content-Encoding")
        and not any(word in cache_control for word in _NO_STORE)
        and vary <= {"accept-encoding"}  # the same for everyone but the encoding
        and compression.is_text(response)
        and not compression.used_csrf_token(request)
        and compression.SECRET_MARKER not in response.content
    )


def page_key(request, version: int) -> str:
    where = f"{request.scheme}://{request.get_host()}{request.get_full_path()}"
    digest = hashlib.sha256(where.encode()).hexdigest()[:32]
    return PAGE_KEY.format(version=version, digest=digest)


def etag_for(version: int) -> str:
    # Weak: the same page is sent identity, brotli or gzip encoded.
    return f'W/"pc{version}"'


def last_modified_for(version: int) -> int:
    return version // 1_000_000


# --- keeping and answering ------------------------------------------------------------


def make_entries(response) -> dict[str, dict]:
    """The page once per encoding (identity, br, gzip), each kept under its own key so
    a hit reads only the encoding it sends."""
    headers = [(k, v) for k, v in response.items() if k.lower() not in _NOT_KEPT]
    content = response.content
    bodies = (
        compression.encode(content)
        if len(content) >= compression.MIN_SIZE
        else {"identity": content}
    )
    return {
        encoding: {
            "status": response.status_code,
            "headers": headers,
            "body": body,
            "encoding": encoding,
            "compressed": len(bodies) > 1,
        }
        for encoding, body in bodies.items()
    }


def preferred(request) -> list[str]:
    return [*compression.accepted(request), "identity"]


def answer(request, entry: dict, version: int, state: str):
    body = entry["body"]
    response = HttpResponse(b"" if request.method == "HEAD" else body, status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    response["Content-Length"] = str(len(body))
    if entry["encoding"] != "identity":
        response["Content-Encoding"] = entry["encoding"]
    if entry["compressed"]:
        patch_vary_headers(response, ("Accept-Encoding",))
    response["ETag"] = etag_for(version)
    response["Last-Modified"] = http_date(last_modified_for(version))
    response[HEADER] = state
    return get_conditional_response(
        request,
        etag=response["ETag"],
        last_modified=last_modified_for(version),
        response=response,
    )


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.timeout = getattr(settings, "PAGE_CACHE_STORE_SECONDS", 3600)

    def __call__(self, request):
        if not may_serve(request):
            response = self.get_response(request)
            response.headers.setdefault(HEADER, "bypass")
            return response
        version = content_version()
        key = page_key(request, version)
        wanted = preferred(request)
        entry = _read(f"{key}:{wanted[0]}")
        if entry is None and len(wanted) > 1:  # a short page is kept unencoded only
            entry = _read(f"{key}:identity")
        if entry is not None:
            return answer(request, entry, version, "hit")
        response = self.get_response(request)
        if not may_store(request, response):
            response.headers.setdefault(HEADER, "bypass")
            return response
        entries = make_entries(response)
        cache.set_many({f"{key}:{name}": entry for name, entry in entries.items()}, self.timeout)
        encoding = next(name for name in wanted if name in entries)
        _local_put(f"{key}:{encoding}", entries[encoding])
        return answer(request, entries[encoding], version, "miss")
