"""The cache on Redis, for which Redis out of reach is a miss, never an error.

Everything the cache holds can be had without it: pages are rendered, sessions are read from
their table (`cached_db`), the API's rate counts start again. So while Redis does not answer
(or answers an error), every read misses and every write is dropped, and the outage is logged
once a minute (comptoir.outage), not once per request.

A write dropped meanwhile would leave its key's older value in Redis, served again once Redis is
back with its data (after a network cut, say): the session of someone who signed out meanwhile.
So the keys of dropped writes are remembered and deleted before anything else once Redis
answers again: up to LOST_KEYS_MAX per process (past that, an older entry may be served until it
expires), and not those written to expire within SHORT_LIVED_SECONDS (the pages, the rate
counts), whose older value, written alike, is as short-lived.
"""

import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

from comptoir.outage import outage_for

LOST_KEYS_MAX = 10_000
SHORT_LIVED_SECONDS = 5 * 60
_MISSING = object()


class _LostKeys:
    """Keys whose writes were dropped, in one process, for one Redis."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[str] = set()

    def __bool__(self) -> bool:
        return bool(self._keys)

    def add(self, keys: Iterable[str]) -> None:
        with self._lock:
            for key in keys:
                if len(self._keys) >= LOST_KEYS_MAX:
                    return
                self._keys.add(key)

    def take(self) -> list[str]:
        with self._lock:
            keys, self._keys = list(self._keys), set()
        return keys


def _worth_deleting(keys: Iterable[str], timeout: int | None) -> list[str]:
    # A timeout of 0 deletes the key: that write is worth replaying too.
    short_lived = timeout is not None and 0 < timeout <= SHORT_LIVED_SECONDS
    return [] if short_lived else list(keys)


_lost_keys: dict[str, _LostKeys] = {}
_lost_keys_lock = threading.Lock()


class _ForgivingClient(RedisCacheClient):
    def __init__(self, servers: list[str], **options: Any) -> None:
        super().__init__(servers, **options)
        location = ",".join(servers)
        self._outage = outage_for(
            "The cache's Redis", location, meanwhile="its reads miss and its writes are dropped"
        )
        with _lost_keys_lock:
            self._lost = _lost_keys.setdefault(location, _LostKeys())

    def _call(
        self, call: Callable[..., Any], *args: Any, miss: Any, writes: Iterable[str] = ()
    ) -> Any:
        if self._outage.waiting():
            self._lost.add(writes)
            return miss
        try:
            if self._lost:
                self._lost_delete()
            found = call(*args)
        except RedisError as error:
            # Not only a connection refused or timed out: a full Redis refusing writes, or
            # something else answering at its address, is as much a miss.
            self._outage.failed(error)
            self._lost.add(writes)
            return miss
        self._outage.answered()
        return found

    def _lost_delete(self) -> None:
        keys = self._lost.take()
        try:
            super().delete_many(keys)
        except RedisError:
            self._lost.add(keys)
            raise

    def add(self, key, value, timeout):
        writes = _worth_deleting([key], timeout)
        return self._call(super().add, key, value, timeout, miss=False, writes=writes)

    def get(self, key, default):
        return self._call(super().get, key, default, miss=default)

    def set(self, key, value, timeout):
        writes = _worth_deleting([key], timeout)
        self._call(super().set, key, value, timeout, miss=None, writes=writes)

    def touch(self, key, timeout):
        writes = _worth_deleting([key], timeout)
        return self._call(super().touch, key, timeout, miss=False, writes=writes)

    def delete(self, key):
        return self._call(super().delete, key, miss=False, writes=[key])

    def get_many(self, keys):
        return self._call(super().get_many, keys, miss={})

    def has_key(self, key):
        return self._call(super().has_key, key, miss=False)

    def incr(self, key, delta):
        found = self._call(super().incr, key, delta, miss=_MISSING, writes=[key])
        if found is _MISSING:
            # Django's answer for a key the cache does not hold: callers already handle it.
            raise ValueError(f"Key '{key}' not found.")
        return found

    def set_many(self, data, timeout):
        writes = _worth_deleting(data, timeout)
        self._call(super().set_many, data, timeout, miss=None, writes=writes)

    def delete_many(self, keys):
        keys = list(keys)
        self._call(super().delete_many, keys, miss=None, writes=keys)

    def clear(self):
        return self._call(super().clear, miss=False)


class ResilientRedisCache(RedisCache):
    """Django's RedisCache, reading a miss and dropping a write while Redis does not answer."""

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = _ForgivingClient
