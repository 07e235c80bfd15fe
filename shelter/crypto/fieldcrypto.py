"""Encryption of single values (model fields, wrapped file keys) under a data key.

Stored format::

    version (1) | data key id (16 bytes, UUID) | nonce (12 bytes) | AES-256-GCM ciphertext + tag

The AAD is the 17-byte header followed by a caller-given context (for fields: table|column|pk),
so a ciphertext moved to another row, column or table, or relabelled with another key id, fails.
Version 2 (written now) pads the plaintext (0x80 then zeros, ISO/IEC 7816-4) to a multiple of
32 bytes, so a short value's length (a name, a phone number) does not show; version 1 (no
padding) is still read. Padding is removed only after the tag verified: no padding oracle.
"""

from __future__ import annotations

import logging
import secrets
import uuid

from cryptography.exceptions import InvalidTag

from shelter.crypto.datakeys import key_by_id, key_for_owner
from shelter.crypto.exceptions import DecryptionFailed

logger = logging.getLogger("shelter.crypto")

VERSION = 2
READABLE_VERSIONS = frozenset({1, 2})
PAD_BLOCK = 32
HEADER_BYTES = 17
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_BYTES = HEADER_BYTES + NONCE_BYTES + TAG_BYTES


def _pad(data: bytes) -> bytes:
    fill = PAD_BLOCK - len(data) % PAD_BLOCK
    return data + b"\x80" + bytes(fill - 1)


def _unpad(data: bytes) -> bytes:
    end = len(data.rstrip(b"\x00")) - 1
    if end < 0 or data[end] != 0x80:
        raise DecryptionFailed("Encrypted value has invalid padding.", reason="format")
    return data[:end]


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
    return header + nonce + key.aead.encrypt(nonce, _pad(plaintext), header + context)


def key_id_of(blob: bytes) -> uuid.UUID:
    """The data key id recorded in a ciphertext header (no decryption)."""
    if len(blob) < MIN_BYTES or blob[0] not in READABLE_VERSIONS:
        raise DecryptionFailed("Ciphertext has an unknown format.", reason="format")
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
        raise DecryptionFailed(f"Ciphertext names data key {datakey_id} of another owner.",
                               reason="owner")
    header = blob[:HEADER_BYTES]
    nonce = blob[HEADER_BYTES : HEADER_BYTES + NONCE_BYTES]
    try:
        plain = key.aead.decrypt(nonce, blob[HEADER_BYTES + NONCE_BYTES :], header + context)
    except InvalidTag as exc:
        logger.error("crypto: value under data key %s did not authenticate", datakey_id)
        raise DecryptionFailed("Encrypted value did not authenticate.") from exc
    return plain if blob[0] == 1 else _unpad(plain)
