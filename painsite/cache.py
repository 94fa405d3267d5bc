"""The Redis cache, made optional: when Redis is down the site keeps working from the database.

``TolerantRedisCache`` is Django's ``RedisCache`` (configured in settings when
``REDIS_URL`` is set) in which an unreachable Redis behaves like an empty cache:
a read misses, a write is dropped, and a warning is logged. Guarding the backend,
rather than each caller, covers every cache call, ours and Django's alike.

After a failure the cache is left alone for ``RETRY_AFTER_SECONDS`` (calls answer
as a miss at once), so an outage costs each process one failed connection every
few seconds instead of one per call.

A delete that could not reach Redis is remembered and done first when Redis is
back, so a value that was meant to be forgotten (the clinic's old phone number,
say) is not served again for the rest of its lifetime in the cache.
"""

from __future__ import annotations

import functools
import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger("painsite.cache")

RETRY_AFTER_SECONDS = 10.0
UNAVAILABLE = (RedisError, OSError)

MAX_PENDING_DELETES = 1000

# Per Redis (by LOCATION), shared by all threads of a process (Django makes one cache
# object per thread): when it may be tried again, and the deletes it still owes.
_down_until: dict[str, float] = {}
_pending_deletes: dict[str, set[str]] = {}
_lock = threading.Lock()


def reset() -> None:
    """Forget past failures and owed deletes: the next call tries Redis again (for tests)."""
    with _lock:
        _down_until.clear()
        _pending_deletes.clear()


def _tolerant(fallback):
    """Run the method; if Redis cannot be reached, log and return ``fallback(*args)``."""

    def decorate(method):
        @functools.wraps(method)
        def wrapper(self, *args, **kwargs):
            if _down_until.get(self._location_key, 0.0) > time.monotonic():
                self._owe_deletes(method.__name__, args, kwargs)
                return fallback(*args, **kwargs)
            try:
                self._pay_deletes()
                return method(self, *args, **kwargs)
            except UNAVAILABLE as exc:
                self._owe_deletes(method.__name__, args, kwargs)
                _down_until[self._location_key] = time.monotonic() + RETRY_AFTER_SECONDS
                logger.warning(
                    "The Redis cache is unavailable (%s: %s); pages are built from the "
                    "database, and Redis is tried again in %d seconds.",
                    type(exc).__name__,
                    exc,
                    RETRY_AFTER_SECONDS,
                )
                return fallback(*args, **kwargs)

        return wrapper

    return decorate


def _key_not_found(key, *args, **kwargs):
    raise ValueError(f"Key '{key}' not found (the cache is unavailable).")


def _default(key, default=None, *args, **kwargs):
    return default


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, keeping one ``redis.Redis`` per connection pool.

    Django makes a new ``redis.Redis`` for every call, and each copies some 170
    response callbacks: about a third of a page-cache hit. A ``redis.Redis`` is
    thread-safe (each command takes a connection from the pool), so one is enough.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class TolerantRedisCache(RedisCache):
    """``RedisCache`` where every call survives Redis being down (see the module text)."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
        self._location_key = ",".join(self._servers)

    def _owe_deletes(self, name: str, args: tuple, kwargs: dict) -> None:
        if name == "delete":
            keys = [args[0] if args else kwargs["key"]]
        elif name == "delete_many":
            keys = list(args[0] if args else kwargs["keys"])
        else:
            return
        version = kwargs.get("version", args[1] if len(args) > 1 else None)
        with _lock:
            owed = _pending_deletes.setdefault(self._location_key, set())
            for key in keys:
                if len(owed) < MAX_PENDING_DELETES:
                    owed.add(self.make_and_validate_key(key, version=version))

    def _pay_deletes(self) -> None:
        """Do the deletes owed from an outage (raises if Redis is still unreachable)."""
        if not _pending_deletes.get(self._location_key):
            return
        with _lock:
            owed = _pending_deletes.pop(self._location_key, set())
        try:
            if owed:
                self._cache.get_client(write=True).delete(*owed)
        except BaseException:
            with _lock:
                _pending_deletes.setdefault(self._location_key, set()).update(owed)
            raise
        logger.info("Redis is back: %d key(s) deleted during the outage are now gone.", len(owed))

    add = _tolerant(lambda *a, **k: False)(RedisCache.add)
    get = _tolerant(_default)(RedisCache.get)
    set = _tolerant(lambda *a, **k: None)(RedisCache.set)
    touch = _tolerant(lambda *a, **k: False)(RedisCache.touch)
    delete = _tolerant(lambda *a, **k: False)(RedisCache.delete)
    get_many = _tolerant(lambda *a, **k: {})(RedisCache.get_many)
    has_key = _tolerant(lambda *a, **k: False)(RedisCache.has_key)
    incr = _tolerant(_key_not_found)(RedisCache.incr)
    set_many = _tolerant(lambda data, *a, **k: list(data))(RedisCache.set_many)
    delete_many = _tolerant(lambda *a, **k: None)(RedisCache.delete_many)
    clear = _tolerant(lambda *a, **k: False)(RedisCache.clear)
