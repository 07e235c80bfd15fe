"""The purpose-named API of the encryption core; other apps import from here.

Fields:     encrypt_field, decrypt_field, field_context (usually used via the model fields)
Documents:  store_document, open_document (audited), decrypt_document (not audited: checks),
            delete_document_file, StoredFile
Integrity:  Withheld, is_withheld (a value that failed its check), withhold_fields (forms),
            DocumentMissing
Search:     blind_index, blind_index_hex, name_tokens, name_token_lookup (whole name tokens)
Storage:    check_document_storage, mark_document_storage (the installation marker)
Keys:       prefetch_data_keys, shred_case_key, shred_defender_key, is_case_shredded,
            get_audit_checkpoint_key, purge_shredded_remnants
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

from django.apps import apps
from django.db import connection

from shelter.crypto import datakeys
from shelter.crypto.blind_index import blind_index, blind_index_hex, name_tokens
from shelter.crypto.documents import (
    StoredFile,
    decrypt_document,
    delete_document_file,
    open_document,
    store_document,
)
from shelter.crypto.exceptions import (
    CryptoError,
    DecryptionFailed,
    DocumentMissing,
    KeyMissing,
    KeyShredded,
    StorageNotOurs,
)
from shelter.crypto.fieldcrypto import decrypt_field, encrypt_field, field_context
from shelter.crypto.fields import BlindIndexField, BlindIndexTokensField
from shelter.crypto.formfields import withhold_fields
from shelter.crypto.integrity import Withheld, is_withheld
from shelter.crypto.keyring import get_audit_checkpoint_key
from shelter.crypto.models import DataKey, KeyPurpose
from shelter.crypto.storagemark import check_not_foreign as check_document_storage_not_foreign
from shelter.crypto.storagemark import check_owned as check_document_storage
from shelter.crypto.storagemark import mark_storage as mark_document_storage
from shelter.crypto.uploads import accepts_uploads

logger = logging.getLogger("shelter.crypto")

__all__ = [
    "CryptoError", "DecryptionFailed", "DocumentMissing", "KeyMissing", "KeyShredded",
    "accepts_uploads",
    "StorageNotOurs", "StoredFile", "Withheld", "check_document_storage",
    "check_document_storage_not_foreign",
    "mark_document_storage",
    "blind_index", "blind_index_hex", "name_token_lookup", "name_tokens", "decrypt_document",
    "decrypt_field",
    "delete_document_file", "encrypt_field",
    "field_context", "get_audit_checkpoint_key", "is_case_shredded", "is_withheld",
    "open_document",
    "prefetch_data_keys",
    "purge_shredded_remnants", "shred_case_key", "shred_defender_key", "store_document",
    "withhold_fields",
]


def name_token_lookup(purpose: str, token: str) -> str:
    """What a `BlindIndexTokensField` holds for one name token: filter with
    ``{field}__contains=name_token_lookup(purpose, token)`` (whole-token match)."""
    return BlindIndexTokensField.lookup(purpose, token)


def _secure_delete() -> None:
    # SQLite otherwise leaves overwritten cell content in free space inside the database file.
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA secure_delete = ON")


def _clear_blind_indexes(purpose: str, owner_id: uuid.UUID) -> None:
    """Blind indexes outlive their data key (the index key is global): remove them too, or
    "is this named person in the programme?" could still be answered after shredding."""
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields
                  if isinstance(f, BlindIndexField)]
        spec = getattr(model, "encryption_key_owner", "")
        if not fields or spec in ("", "programme"):
            continue
        if getattr(model, "encryption_key_purpose", KeyPurpose.CASE) != purpose:
            continue
        model._default_manager.filter(**{spec: owner_id}).update(**dict.fromkeys(fields))


def shred_case_key(case_id: uuid.UUID) -> uuid.UUID:
    """Destroy a case's data key: its fields, notes and documents become unreadable for good.

    The caller (a service) checks permission, records the audit event and stamps the case.
    Returns the DataKey row id.
    """
    _secure_delete()
    _clear_blind_indexes(KeyPurpose.CASE, case_id)
    return datakeys.shred(KeyPurpose.CASE, case_id)


def shred_defender_key(defender_id: uuid.UUID) -> uuid.UUID:
    """Destroy a defender's data key (identity, contact details) and blind indexes."""
    _secure_delete()
    _clear_blind_indexes(KeyPurpose.DEFENDER, defender_id)
    return datakeys.shred(KeyPurpose.DEFENDER, defender_id)


def prefetch_data_keys(purpose: str, owner_ids: Iterable[uuid.UUID]) -> int:
    """Warm the key cache for a page of rows with one query, e.g.
    ``prefetch_data_keys("defender", [d.pk for d in page])`` before showing their names."""
    return datakeys.prefetch(purpose, owner_ids)


def is_case_shredded(case_id: uuid.UUID) -> bool:
    """True once the case's data key was destroyed."""
    return datakeys.is_shredded(KeyPurpose.CASE, case_id)


def purge_shredded_remnants() -> None:
    """Compact the key table so overwritten wrapped keys leave no old row versions behind.

    PostgreSQL keeps dead tuples until VACUUM; VACUUM FULL rewrites the (small) table. Must run
    outside a transaction (management commands do). Backups and WAL archives are not touched:
    see SECURITY.md on the backup window.
    """
    if connection.in_atomic_block:
        logger.warning("crypto: purge skipped inside a transaction")
        return
    table = connection.ops.quote_name(DataKey._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM FULL {table}")
        elif connection.vendor == "sqlite":
            cursor.execute("PRAGMA secure_delete = ON")
            cursor.execute("VACUUM")
            # In WAL mode the old page images live on in the -wal file until it is reset.
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
