"""The process-wide key provider, built once from settings.

`SHELTER_MASTER_KEY_FILE` names the local key file. `SHELTER_KEY_PROVIDER` (optional dotted path
to a `KeyProvider` subclass taking no arguments) selects another backend such as a KMS later.
"""

from __future__ import annotations

import functools
import hmac
import threading

from django.conf import settings
from django.utils.module_loading import import_string

from shelter.crypto.providers import KeyProvider, LocalFileKeyProvider

_lock = threading.Lock()
_provider: KeyProvider | None = None


def _build() -> KeyProvider:
    dotted = getattr(settings, "SHELTER_KEY_PROVIDER", "")
    if dotted:
        return import_string(dotted)()
    return LocalFileKeyProvider(settings.SHELTER_MASTER_KEY_FILE)


def get_provider() -> KeyProvider:
    """The key provider, loading the key file on first use (KeyFileError if unusable)."""
    global _provider
    if _provider is None:
        with _lock:
            if _provider is None:
                _provider = _build()
    return _provider


def reset_provider() -> None:
    """Forget the loaded keys (between tests, or to force a fresh read of the key file); the
    next use checks them against the database again."""
    global _provider
    with _lock:
        _provider = None


def get_audit_checkpoint_key() -> bytes:
    """The 32-byte MAC key the audit app uses to authenticate log checkpoints."""
    return get_provider().audit_checkpoint_key()


def get_audit_chain_key() -> bytes:
    """The 32-byte key that chains audit entries (HMAC-SHA256), derived from the audit key in
    the key file so that the chain and the checkpoints never use the same key.

    The keys are checked against the database first (once per process and key file): an entry
    chained under another installation's key would break the log for good (KeyMismatch)."""
    from shelter.crypto.keycheck import ensure_verified

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
    from shelter.crypto.keycheck import ensure_verified

    ensure_verified()
    return get_provider().blind_index_key()
