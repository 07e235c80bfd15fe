"""Encryption of single values (model fields, wrapped file keys) under a data key.

Stored format (version 1)::

    0x01 | data key id (16 bytes, UUID) | nonce (12 bytes) | AES-256-GCM ciphertext + tag (16)

The AAD is the 17-byte header followed by a caller-given context (for fields: table|column|pk),
so a ciphertext moved to another row, column or table, or relabelled with another key id, fails.
"""

from __future__ import annotations

import logging
import secrets
import uuid

from cryptography.exceptions import InvalidTag

from shelter.crypto.datakeys import key_by_id, key_for_owner
from shelter.crypto.exceptions import DecryptionFailed

logger = logging.getLogger("shelter.crypto")

VERSION = 1
HEADER_BYTES = 17
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES


def field_context(table: str, column: str, pk: object) -> bytes:
    """The AAD context of one model field value."""
    return f"{table}|{column}|{pk}".encode()


def encrypt_field(
    purpose: str, owner_id: uuid.UUID | None, plaintext: bytes, context: bytes
) -> bytes:
    """Encrypt `plaintext` under the owner's data key (created on first use)."""
    key = key_for_owner(purpose, owner_id, create=True)
    header = bytes((VERSION,)) + key.datakey_id.bytes
    nonce = secrets.token_bytes(NONCE_BYTES)
    return header + nonce + key.aead.encrypt(nonce, plaintext, header + context)


def key_id_of(blob: bytes) -> uuid.UUID:
    """The data key id recorded in a ciphertext header (no decryption)."""
    if len(blob) < MIN_BYTES or blob[0] != VERSION:
        raise DecryptionFailed("Ciphertext has an unknown format.")
    return uuid.UUID(bytes=bytes(blob[1:HEADER_BYTES]))


def decrypt_field(
    purpose: str, owner_id: uuid.UUID | None, blob: bytes, context: bytes
) -> bytes:
    """Decrypt a value sealed by `encrypt_field` for the same owner and context.

    Raises DecryptionFailed if it does not authenticate, KeyShredded if the key is destroyed.
    """
    datakey_id = key_id_of(blob)
    key = key_by_id(datakey_id)
    if key.purpose != purpose or key.owner_id != owner_id:
        # A key of another owner: never use it, even if it would authenticate.
        logger.error("crypto: data key %s does not belong to the expected owner", datakey_id)
        raise DecryptionFailed(f"Ciphertext names data key {datakey_id} of another owner.")
    header = blob[:HEADER_BYTES]
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    try:
        return key.aead.decrypt(nonce, blob[HEADER_BYTES + NONCE_BYTES :], header + context)
    except InvalidTag as exc:
        logger.error("crypto: value under data key %s did not authenticate", datakey_id)
        raise DecryptionFailed("Encrypted value did not authenticate.") from exc
