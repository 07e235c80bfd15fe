"""Key checks: the database remembers which keys it was written with, and refuses others.

A valid but *wrong* key file (another installation's, or a fresh one) would otherwise start the
app: every page fails, yet each request appends audit entries hashed under the wrong chain key,
and the append-only log is broken for good. So each key leaves a check value in the database
(`KeyCheck`): a MAC of a fixed label under the key, never the key. `ensure_verified()` compares
them before anything is written — at the first request (`KeyCacheMiddleware`), in `manage.py
check`, before the first audit write and before a new data key is wrapped — once per process
and again after each key file reload. On a mismatch it raises `KeyMismatch` and writes nothing.

A key without a check row gets one on first use, so a new database is never blocked. A master
key that already wraps data keys must first unwrap one of them (evidence, not trust), and every
data key in the database must be wrapped under a key the file holds.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
from dataclasses import dataclass

from django.db import IntegrityError, connection, transaction

from shelter.crypto.exceptions import DecryptionFailed, KeyMismatch
from shelter.crypto.models import DataKey, KeyCheck, KeyCheckKind, wrap_aad
from shelter.crypto.providers import KeyProvider, get_provider

logger = logging.getLogger("shelter.crypto")

LABEL = "shelter/key-check/v1"
AUDIT_KEY_ID = "audit-key"
BLIND_INDEX_KEY_ID = "blind-index-key"

_lock = threading.Lock()
_verified: tuple[KeyProvider, int] | None = None  # the provider object and its generation


@dataclass(frozen=True)
class _Key:
    kind: str
    key_id: str

    @property
    def label(self) -> bytes:
        return f"{LABEL}|{self.kind}|{self.key_id}".encode()

    def describe(self) -> str:
        return {"master": "master key", "audit": "audit key"}.get(self.kind, "blind-index key")


def _secret(provider: KeyProvider, key: _Key) -> bytes:
    return (provider.audit_checkpoint_key() if key.kind == KeyCheckKind.AUDIT
            else provider.blind_index_key())


def _value(provider: KeyProvider, key: _Key) -> bytes:
    if key.kind == KeyCheckKind.MASTER:
        return provider.key_check_value(key.key_id, key.label)
    return hmac.digest(_secret(provider, key), key.label, hashlib.sha256)


def _matches(provider: KeyProvider, key: _Key, value: bytes) -> bool:
    if key.kind == KeyCheckKind.MASTER:
        return provider.key_check_matches(key.key_id, key.label, value)
    return hmac.compare_digest(_value(provider, key), value)


def _keys(provider: KeyProvider) -> list[_Key]:
    return [_Key(KeyCheckKind.AUDIT, AUDIT_KEY_ID), _Key(KeyCheckKind.BLIND_INDEX,
            BLIND_INDEX_KEY_ID), *(_Key(KeyCheckKind.MASTER, k) for k in
                                   sorted(provider.key_ids()))]


def _unwraps_its_data_keys(provider: KeyProvider, key_id: str) -> bool:
    """For a master key with no check row yet: does it open a data key stored under it?"""
    row = DataKey.objects.filter(master_key_id=key_id, shredded_at__isnull=True).first()
    if row is None:
        return True  # nothing to compare with: a new key
    try:
        provider.unwrap(key_id, bytes(row.wrapped_key), wrap_aad(row.purpose, row.owner_id,
                                                                 row.id))
    except DecryptionFailed:
        return False
    return True


def _orphaned_master_ids(provider: KeyProvider) -> list[str]:
    """Master key ids that live data keys are wrapped under but the key file lacks."""
    def missing() -> list[str]:
        return sorted(set(DataKey.objects.filter(shredded_at__isnull=True)
                          .exclude(master_key_id__in=provider.key_ids())
                          .values_list("master_key_id", flat=True)[:20]))

    found = missing()
    if found:  # a rotation in another process may have just added the key: look again
        reload = getattr(provider, "reload_if_changed", None)
        if reload is not None and reload():
            found = missing()
    return found


def _problems(provider: KeyProvider) -> tuple[list[tuple[str, str]], list[_Key]]:
    """(key id, reason) for every failed check, and the keys that have no check row yet."""
    stored = {(r.kind, r.key_id): bytes(r.check_value) for r in KeyCheck.objects.all()}
    problems: list[tuple[str, str]] = []
    unregistered: list[_Key] = []
    for key in _keys(provider):
        value = stored.get((key.kind, key.key_id))
        if value is None:
            if key.kind == KeyCheckKind.MASTER and not _unwraps_its_data_keys(provider,
                                                                                key.key_id):
                problems.append((key.key_id, f"{key.describe()} {key.key_id} does not unwrap "
                                             "the data keys stored under it"))
            else:
                unregistered.append(key)
        elif not _matches(provider, key, value):
            problems.append((key.key_id, f"{key.describe()} {key.key_id} does not match "
                                         "its key check in the database"))
    # First the most telling: the id of a master key the right key file holds.
    missing = [(key_id, f"master key {key_id} is missing from the key file but data keys "
                        "are wrapped under it") for key_id in _orphaned_master_ids(provider)]
    return missing + problems, unregistered


def _register(provider: KeyProvider, key: _Key) -> None:
    """Store the check for a key seen for the first time; a concurrent first use is fine."""
    try:
        with transaction.atomic():
            KeyCheck.objects.create(kind=key.kind, key_id=key.key_id,
                                    check_value=_value(provider, key))
    except IntegrityError:
        value = KeyCheck.objects.get(kind=key.kind, key_id=key.key_id).check_value
        if not _matches(provider, key, bytes(value)):
            raise KeyMismatch(key.key_id, f"{key.describe()} {key.key_id} does not match its "
                                          "key check in the database") from None
        return
    logger.info("crypto: key check stored for %s %s", key.kind, key.key_id)


def _table_ready() -> bool:
    return KeyCheck._meta.db_table in connection.introspection.table_names()


def verify(provider: KeyProvider) -> None:
    """Check every key of `provider` against the database; raise KeyMismatch on any failure."""
    problems, unregistered = _problems(provider)
    if problems:
        for key_id, _reason in problems:
            logger.error("crypto: key check failed for key %s; refusing to write", key_id)
        raise KeyMismatch(problems[0][0], "; ".join(reason for _id, reason in problems))
    for key in unregistered:
        _register(provider, key)


def ensure_verified() -> bool:
    """Verify the loaded keys once per process and after each key file reload (cheap after).

    Raises KeyMismatch. Returns False only before `migrate` created the key check table.
    """
    global _verified
    provider = get_provider()
    provider.refresh()
    state = _verified
    if state is not None and state[0] is provider and state[1] == provider.generation:
        return True
    with _lock:
        generation = provider.generation
        if not _table_ready():
            return False  # before `migrate`: nothing is stored yet, so nothing can mismatch
        verify(provider)
        _verified = (provider, generation)
    return True
