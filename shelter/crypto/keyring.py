"""The keys the app asks for by name (the audit log's MAC and chain keys, its subject
pseudonyms, the blind-index key), handed out only once the loaded keys have passed the key
check against the database (`keycheck`). The provider itself is `providers.get_provider()`.
"""

from __future__ import annotations

import functools
import hmac

from shelter.crypto.keycheck import ensure_verified
from shelter.crypto.providers import get_provider


def get_audit_checkpoint_key() -> bytes:
    """The 32-byte MAC key the audit app uses to authenticate log checkpoints."""
    return get_provider().audit_checkpoint_key()


def get_audit_chain_key() -> bytes:
    """The 32-byte key that chains audit entries (HMAC-SHA256), derived from the audit key in
    the key file so that the chain and the checkpoints never use the same key.

    The keys are checked against the database first (once per process and key file): an entry
    chained under another installation's key would break the log for good (KeyMismatch)."""
    ensure_verified()
    return _derive_chain_key(get_audit_checkpoint_key())


@functools.lru_cache(maxsize=4)
def _derive_chain_key(audit_key: bytes) -> bytes:  # once per key, not once per audit entry
    return hmac.digest(audit_key, b"shelter/audit-chain-key/v2", "sha256")


def audit_subject_pseudonym(defender_id: object) -> str:
    """The audit log's name for a defender: HMAC-SHA256 of the defender's id under a key
    derived from the audit key (hex). Stable for the defender's life; without the key file it
    links to nothing, and the key itself never leaves this module."""
    message = b"defender:" + str(defender_id).encode()
    return hmac.digest(_derive_subject_key(get_audit_checkpoint_key()), message, "sha256").hex()


@functools.lru_cache(maxsize=4)
def _derive_subject_key(audit_key: bytes) -> bytes:
    return hmac.digest(audit_key, b"shelter/audit-subject-key/v1", "sha256")


def get_blind_index_key() -> bytes:
    """The 32-byte HMAC key for blind indexes (checked against the database first)."""
    ensure_verified()
    return get_provider().blind_index_key()
