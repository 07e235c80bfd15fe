"""Data keys: creation, unwrapping (cached), master key re-wrapping and shredding."""

from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.db import IntegrityError, transaction
from django.utils import timezone

from shelter.crypto import keycache, keycheck
from shelter.crypto.exceptions import KeyMissing, KeyShredded
from shelter.crypto.keycache import UnwrappedKey
from shelter.crypto.models import DataKey, KeyCheck, KeyCheckKind, KeyPurpose, wrap_aad
from shelter.crypto.providers import get_provider

logger = logging.getLogger("shelter.crypto")

DATA_KEY_BYTES = 32


def _unwrap(row: DataKey) -> UnwrappedKey:
    if row.shredded_at is not None:
        raise KeyShredded(f"Data key {row.id} was shredded.")
    raw = get_provider().unwrap(
        row.master_key_id, bytes(row.wrapped_key), wrap_aad(row.purpose, row.owner_id, row.id)
    )
    return UnwrappedKey(row.id, row.purpose, row.owner_id, AESGCM(raw))


def _master_key_retired(master_id: str) -> bool:
    """Whether `master_id` was retired; on PostgreSQL, also hold a share lock on its key check
    until this transaction ends, so `rotate_master_key --retire` (which takes the row for
    update, then counts the data keys under it) either sees this new row or has already
    retired the key. SQLite serialises writers (BEGIN IMMEDIATE) to the same effect."""
    table = KeyCheck._meta.db_table
    connection = transaction.get_connection()
    lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT retired_at FROM {table} WHERE kind = %s AND key_id = %s{lock}",  # noqa: S608
                       [KeyCheckKind.MASTER.value, master_id])
        row = cursor.fetchone()
    return row is not None and row[0] is not None


def _wrap_new(purpose: str, owner_id: uuid.UUID | None, row_id: uuid.UUID,
              raw: bytes) -> tuple[str, bytes, bool]:
    """(master key id, wrapped key, checks ready) under the key active in the file right now."""
    provider = get_provider()
    for attempt in range(3):
        master_id = provider.active_key_id()
        try:
            wrapped = provider.wrap(master_id, raw, wrap_aad(purpose, owner_id, row_id))
        except KeyMissing:  # rotated between the two calls: take the new active key
            if attempt == 2:
                raise
            continue
        # The wrap looked at the key file; a key it just loaded is checked (and registered).
        return master_id, wrapped, keycheck.ensure_verified()
    raise KeyMissing("No active master key could be used.")  # pragma: no cover


def _create(purpose: str, owner_id: uuid.UUID | None) -> UnwrappedKey | None:
    """Create an owner's key; None if a concurrent writer created it first."""
    keycheck.ensure_verified()  # never wrap under, nor store beside, another installation's keys
    row_id = uuid.uuid4()
    raw = secrets.token_bytes(DATA_KEY_BYTES)
    for _attempt in range(3):
        master_id, wrapped, checks_ready = _wrap_new(purpose, owner_id, row_id, raw)
        try:
            with transaction.atomic():
                if checks_ready and _master_key_retired(master_id):
                    get_provider().refresh()
                    continue  # retired meanwhile: the file has a newer active key
                DataKey.objects.create(
                    id=row_id, purpose=purpose, owner_id=owner_id,
                    master_key_id=master_id, wrapped_key=wrapped,
                )
            break
        except IntegrityError:
            return None
    else:
        raise KeyMissing(f"Master key {master_id} is retired but still active in the key file.")
    if transaction.get_connection().in_atomic_block:
        keycache.mark_uncommitted(row_id)
        transaction.on_commit(lambda: keycache.mark_committed(row_id))
    logger.info("crypto: created %s data key %s under master key %s", purpose, row_id, master_id)
    return UnwrappedKey(row_id, purpose, owner_id, AESGCM(raw))


def _load_owner(purpose: str, owner_id: uuid.UUID | None) -> UnwrappedKey | None:
    row = DataKey.objects.filter(purpose=purpose, owner_id=owner_id).first()
    if row is None:
        return None
    key = _unwrap(row)
    keycache.remember(key)
    return key


def key_for_owner(purpose: str, owner_id: uuid.UUID | None, *, create: bool) -> UnwrappedKey:
    """The owner's data key, created on first use when `create` is true."""
    if purpose != KeyPurpose.PROGRAMME and owner_id is None:
        raise KeyMissing(f"A {purpose} key needs an owner id.")
    key = keycache.active_cache().get_for_owner(purpose, owner_id)
    if key is None:
        key = _load_owner(purpose, owner_id)
    if key is None and create:
        key = _create(purpose, owner_id) or _load_owner(purpose, owner_id)
    if key is None:
        raise KeyMissing(f"No {purpose} data key for owner {owner_id}.")
    return key


def prefetch(purpose: str, owner_ids: Iterable[uuid.UUID]) -> int:
    """Unwrap the keys of many owners with one query (a list page); return how many."""
    cache = keycache.active_cache()
    missing = {o for o in owner_ids if cache.get_for_owner(purpose, o) is None}
    count = 0
    if missing:
        rows = DataKey.objects.filter(purpose=purpose, owner_id__in=missing,
                                      shredded_at__isnull=True)
        for row in rows:
            keycache.remember(_unwrap(row))
            count += 1
    return count


def key_by_id(datakey_id: uuid.UUID) -> UnwrappedKey:
    """A data key by its row id (as recorded in a ciphertext header)."""
    key = keycache.active_cache().get(datakey_id)
    if key is not None:
        return key
    row = DataKey.objects.filter(pk=datakey_id).first()
    if row is None:
        raise KeyMissing(f"Data key {datakey_id} does not exist.")
    key = _unwrap(row)
    keycache.remember(key)
    return key


def is_shredded(purpose: str, owner_id: uuid.UUID | None) -> bool:
    """True once the owner's key was destroyed."""
    return DataKey.objects.filter(
        purpose=purpose, owner_id=owner_id, shredded_at__isnull=False
    ).exists()


def shred(purpose: str, owner_id: uuid.UUID) -> uuid.UUID:
    """Destroy an owner's data key for good; return the row id.

    The wrapped key is overwritten and the row kept as a tombstone (the unique constraint then
    stops a new key being created for the same owner). If the owner never had a key, a
    tombstone is created so that nothing can be encrypted for it later.
    """
    now = timezone.now()
    with transaction.atomic():
        row = DataKey.objects.select_for_update().filter(purpose=purpose, owner_id=owner_id).first()
        if row is None:
            row = DataKey.objects.create(
                purpose=purpose, owner_id=owner_id, master_key_id="-",
                wrapped_key=b"", shredded_at=now,
            )
        elif row.shredded_at is None:
            DataKey.objects.filter(pk=row.pk).update(wrapped_key=b"", shredded_at=now)
    keycache.forget_owner(purpose, owner_id)
    logger.warning("crypto: shredded %s data key %s", purpose, row.id)
    return row.id


def rewrap(row: DataKey, new_master_id: str) -> bool:
    """Re-wrap one data key under `new_master_id`. False if it changed meanwhile (skipped).

    A compare-and-swap update: a concurrent shred (or rotation) wins, so a shredded key can
    never be resurrected by a rotation that read it just before.
    """
    plain = get_provider().unwrap(
        row.master_key_id, bytes(row.wrapped_key), wrap_aad(row.purpose, row.owner_id, row.id)
    )
    wrapped = get_provider().wrap(new_master_id, plain, wrap_aad(row.purpose, row.owner_id, row.id))
    updated = DataKey.objects.filter(
        pk=row.pk, master_key_id=row.master_key_id, shredded_at__isnull=True
    ).update(wrapped_key=wrapped, master_key_id=new_master_id, rotated_at=timezone.now())
    return updated == 1
