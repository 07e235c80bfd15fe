"""Caches of unwrapped data keys, so a page of rows costs one unwrap per key, not per field.

Two scopes:
- a request cache, installed by `KeyCacheMiddleware` through a ContextVar and dropped at the end of
  the request (so a key shredded elsewhere is not used past the current request);
- a small process cache, bounded in size and age, for code outside requests (commands, tasks).

A key whose row was created in a transaction that has not committed yet is never cached: if that
transaction rolled back, a cached key would let later writes encrypt under a key that does not
exist in the database, and that data would be lost.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

OwnerKey = tuple[str, uuid.UUID | None]

PROCESS_CACHE_SIZE = 256
PROCESS_CACHE_TTL = 60.0


@dataclass(frozen=True, slots=True)
class UnwrappedKey:
    """An unwrapped data key, as a ready AES-GCM object (the raw bytes are not kept around)."""

    datakey_id: uuid.UUID
    purpose: str
    owner_id: uuid.UUID | None
    aead: Any  # cryptography's AESGCM

    def __repr__(self) -> str:
        return f"UnwrappedKey({self.purpose}:{self.owner_id}, id={self.datakey_id})"


class KeyCache:
    """An LRU of unwrapped keys by data key id, with an owner -> id index."""

    def __init__(self, maxsize: int, ttl: float | None) -> None:
        self._maxsize = maxsize
        self._ttl = ttl
        self._by_id: OrderedDict[uuid.UUID, tuple[float, UnwrappedKey]] = OrderedDict()
        self._by_owner: dict[OwnerKey, uuid.UUID] = {}
        self._lock = threading.Lock()

    def get(self, datakey_id: uuid.UUID) -> UnwrappedKey | None:
        with self._lock:
            item = self._by_id.get(datakey_id)
            if item is None:
                return None
            stamp, key = item
            if self._ttl is not None and time.monotonic() - stamp > self._ttl:
                self._drop(datakey_id)
                return None
            self._by_id.move_to_end(datakey_id)
            return key

    def get_for_owner(self, purpose: str, owner_id: uuid.UUID | None) -> UnwrappedKey | None:
        datakey_id = self._by_owner.get((purpose, owner_id))
        return None if datakey_id is None else self.get(datakey_id)

    def put(self, key: UnwrappedKey) -> None:
        with self._lock:
            self._by_id[key.datakey_id] = (time.monotonic(), key)
            self._by_id.move_to_end(key.datakey_id)
            self._by_owner[(key.purpose, key.owner_id)] = key.datakey_id
            while len(self._by_id) > self._maxsize:
                self._drop(next(iter(self._by_id)))

    def evict_owner(self, purpose: str, owner_id: uuid.UUID | None) -> None:
        with self._lock:
            datakey_id = self._by_owner.get((purpose, owner_id))
            if datakey_id is not None:
                self._drop(datakey_id)

    def _drop(self, datakey_id: uuid.UUID) -> None:
        _, key = self._by_id.pop(datakey_id, (0.0, None))
        if key is not None:
            self._by_owner.pop((key.purpose, key.owner_id), None)

    def clear(self) -> None:
        with self._lock:
            self._by_id.clear()
            self._by_owner.clear()

    def __len__(self) -> int:
        return len(self._by_id)


_process_cache = KeyCache(PROCESS_CACHE_SIZE, PROCESS_CACHE_TTL)
_request_cache: ContextVar[KeyCache | None] = ContextVar("shelter_key_cache", default=None)
_uncommitted: set[uuid.UUID] = set()
_uncommitted_lock = threading.Lock()


def active_cache() -> KeyCache:
    """The request's cache inside a request, the process cache elsewhere."""
    cache = _request_cache.get()  # not `or`: an empty cache is falsy (it has __len__)
    return cache if cache is not None else _process_cache


@contextmanager
def key_cache_scope(maxsize: int = 4096) -> Iterator[KeyCache]:
    """Give the enclosed code its own key cache, emptied on exit (one per request)."""
    cache = KeyCache(maxsize, None)
    token = _request_cache.set(cache)
    try:
        yield cache
    finally:
        _request_cache.reset(token)
        cache.clear()


def mark_uncommitted(datakey_id: uuid.UUID) -> None:
    with _uncommitted_lock:
        _uncommitted.add(datakey_id)


def mark_committed(datakey_id: uuid.UUID) -> None:
    with _uncommitted_lock:
        _uncommitted.discard(datakey_id)


def remember(key: UnwrappedKey) -> None:
    """Cache `key` unless its row may still be rolled back."""
    if key.datakey_id not in _uncommitted:
        active_cache().put(key)


def forget_owner(purpose: str, owner_id: uuid.UUID | None) -> None:
    """Drop an owner's key from every cache this process can reach (after shredding)."""
    _process_cache.evict_owner(purpose, owner_id)
    request_cache = _request_cache.get()
    if request_cache is not None:
        request_cache.evict_owner(purpose, owner_id)


def clear_all() -> None:
    """Empty the process cache and the current request cache (tests, key rotation)."""
    _process_cache.clear()
    request_cache = _request_cache.get()
    if request_cache is not None:
        request_cache.clear()
