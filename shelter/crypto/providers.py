"""Key providers: where master keys (key-encryption keys) live and how they wrap data keys.

`KeyProvider` is the seam for a KMS or Vault transit backend later: such a backend implements
wrap/unwrap remotely and never hands out the master key. `LocalFileKeyProvider` keeps master keys
in a local 0600 JSON key file (see `keyfile`).
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from abc import ABC, abstractmethod

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shelter.crypto.exceptions import DecryptionFailed, KeyMissing
from shelter.crypto.keyfile import KeyFile, load_key_file

logger = logging.getLogger("shelter.crypto")

NONCE_BYTES = 12


class KeyProvider(ABC):
    """Master key operations. Implementations must be thread-safe."""

    @abstractmethod
    def active_key_id(self) -> str:
        """The id of the master key new data keys are wrapped under."""

    @abstractmethod
    def key_ids(self) -> frozenset[str]:
        """Every master key id this provider can unwrap with."""

    @abstractmethod
    def wrap(self, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
        """Encrypt and authenticate `plaintext` (a data key) under master key `key_id`."""

    @abstractmethod
    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        """Reverse `wrap`; raise DecryptionFailed if `wrapped` or `aad` was altered."""

    @abstractmethod
    def blind_index_key(self) -> bytes:
        """The HMAC key for blind indexes (separate from every master key)."""

    @abstractmethod
    def audit_checkpoint_key(self) -> bytes:
        """The MAC key for audit log checkpoints (separate from every other key)."""


class LocalFileKeyProvider(KeyProvider):
    """Master keys from a local key file, loaded once and reloaded only when the file changes.

    A reload happens when an unknown key id is asked for: another process may have rotated the
    master key, and this one must then be able to unwrap data keys re-wrapped under the new key.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.Lock()
        self._mtime_ns = 0
        self._data: KeyFile
        self._aeads: dict[str, AESGCM] = {}
        self._load()

    def _load(self) -> None:
        data = load_key_file(self._path)
        self._mtime_ns = os.stat(self._path).st_mtime_ns
        self._aeads = {kid: AESGCM(key) for kid, key in data.master_keys.items()}
        self._data = data

    def reload_if_changed(self) -> bool:
        """Reload the key file if it was replaced since it was read. Return True if reloaded."""
        with self._lock:
            try:
                changed = os.stat(self._path).st_mtime_ns != self._mtime_ns
            except OSError:
                return False
            if changed:
                self._load()
            return changed

    def _aead(self, key_id: str) -> AESGCM:
        aead = self._aeads.get(key_id)
        if aead is None and self.reload_if_changed():
            aead = self._aeads.get(key_id)
        if aead is None:
            logger.error("crypto: master key %s is not in the key file", key_id)
            raise KeyMissing(f"Master key {key_id} is not available.")
        return aead

    def active_key_id(self) -> str:
        return self._data.active_master_key

    def key_ids(self) -> frozenset[str]:
        return frozenset(self._data.master_keys)

    def wrap(self, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead(key_id).encrypt(nonce, plaintext, aad)

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        aead = self._aead(key_id)
        try:
            return aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except (InvalidTag, ValueError) as exc:
            logger.error("crypto: unwrapping under master key %s failed", key_id)
            raise DecryptionFailed(f"Wrapped key under {key_id} did not authenticate.") from exc

    def blind_index_key(self) -> bytes:
        return self._data.blind_index_key

    def audit_checkpoint_key(self) -> bytes:
        return self._data.audit_checkpoint_key
