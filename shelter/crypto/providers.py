"""Key providers: where master keys (key-encryption keys) live and how they wrap data keys.

`KeyProvider` is the seam for a KMS or Vault transit backend later: such a backend implements
wrap/unwrap remotely and never hands out the master key. `LocalFileKeyProvider` keeps master keys
in a local 0600 JSON key file (see `keyfile`).

`get_provider()` is the process-wide provider, built once from settings:
`SHELTER_MASTER_KEY_FILE` names the local key file; `SHELTER_KEY_PROVIDER` (optional dotted path
to a `KeyProvider` subclass taking no arguments) selects another backend such as a KMS later.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from abc import ABC, abstractmethod

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.utils.module_loading import import_string

from shelter.crypto.exceptions import DecryptionFailed, KeyMissing
from shelter.crypto.keyfile import KeyFile, load_key_file

logger = logging.getLogger("shelter.crypto")

NONCE_BYTES = 12
# How often (at most) reads look at the key file for a change; wrapping always looks.
RELOAD_INTERVAL = 1.0


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
    def key_check_value(self, key_id: str, label: bytes) -> bytes:
        """A MAC of `label` under master key `key_id` (stored in the database as a key check)."""

    @abstractmethod
    def key_check_matches(self, key_id: str, label: bytes, value: bytes) -> bool:
        """True if `value` is `key_check_value(key_id, label)` for the key held now."""

    @property
    def generation(self) -> int:
        """Changes whenever the provider's keys change (a key file reload)."""
        return 0

    def refresh(self) -> None:  # noqa: B027 - optional hook; a remote provider needs none
        """Pick up changed keys (cheap; rate-limited by implementations)."""

    @abstractmethod
    def blind_index_key(self) -> bytes:
        """The HMAC key for blind indexes (separate from every master key)."""

    @abstractmethod
    def audit_checkpoint_key(self) -> bytes:
        """The MAC key for audit log checkpoints (separate from every other key)."""


def _file_stamp(path: str) -> tuple[int, int, int, int]:
    # The rotation commands replace the file by rename, so the inode changes even when the
    # modification time does not (coarse clocks); size and ctime catch in-place edits.
    info = os.stat(path)
    return info.st_ino, info.st_mtime_ns, info.st_ctime_ns, info.st_size


class LocalFileKeyProvider(KeyProvider):
    """Master keys from a local key file, reloaded whenever the file changes.

    Another process (`rotate_master_key`) may add a key, make it active or retire one while
    this one runs. Reads look at the file at most once per RELOAD_INTERVAL (one stat call) and
    whenever an unknown key id is met; wrapping always looks first, so a new data key is never
    wrapped under a key that is no longer the active one in the file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = os.fspath(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int, int] = (0, 0, 0, 0)
        self._checked_at = 0.0
        self._generation = 0
        # The decoded file and its ciphers, swapped together so readers never mix two files.
        self._state: tuple[KeyFile, dict[str, AESGCM]]
        self._load()

    def _load(self) -> None:
        try:  # stamp first: a change during the read is then seen by the next check
            stamp = _file_stamp(self._path)
        except OSError:
            stamp = (0, 0, 0, 0)
        data = load_key_file(self._path)  # says clearly what is wrong with the file
        self._state = (data, {kid: AESGCM(key) for kid, key in data.master_keys.items()})
        self._stamp = stamp
        self._generation += 1
        self._checked_at = time.monotonic()

    @property
    def generation(self) -> int:
        return self._generation

    def reload_if_changed(self) -> bool:
        """Reload the key file if it changed since it was read. Return True if reloaded.

        A file that became unusable (removed, malformed, exposed) raises KeyFileError rather
        than letting this process carry on with keys the operator took away.
        """
        with self._lock:
            self._checked_at = time.monotonic()
            try:
                changed = _file_stamp(self._path) != self._stamp
            except FileNotFoundError:
                changed = True  # load_key_file says so, clearly
            if changed:
                self._load()
                logger.info("crypto: key file reloaded; active master key %s",
                            self._state[0].active_master_key)
            return changed

    def refresh(self) -> None:
        if time.monotonic() - self._checked_at >= RELOAD_INTERVAL:
            self.reload_if_changed()

    def _aead(self, key_id: str) -> AESGCM:
        aead = self._state[1].get(key_id)
        if aead is None and self.reload_if_changed():
            aead = self._state[1].get(key_id)
        if aead is None:
            logger.error("crypto: master key %s is not in the key file", key_id)
            raise KeyMissing(f"Master key {key_id} is not available.")
        return aead

    def active_key_id(self) -> str:
        self.refresh()
        return self._state[0].active_master_key

    def key_ids(self) -> frozenset[str]:
        self.refresh()
        return frozenset(self._state[0].master_keys)

    def wrap(self, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
        self.reload_if_changed()
        data, aeads = self._state
        if key_id != data.active_master_key:
            raise KeyMissing(f"Master key {key_id} is not the active key in the key file "
                             f"(active: {data.active_master_key}); nothing was wrapped.")
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + aeads[key_id].encrypt(nonce, plaintext, aad)

    def key_check_value(self, key_id: str, label: bytes) -> bytes:
        nonce = secrets.token_bytes(NONCE_BYTES)
        return nonce + self._aead(key_id).encrypt(nonce, b"", label)  # GMAC of the label

    def key_check_matches(self, key_id: str, label: bytes, value: bytes) -> bool:
        try:
            self._aead(key_id).decrypt(value[:NONCE_BYTES], value[NONCE_BYTES:], label)
        except (InvalidTag, ValueError):
            return False
        return True

    def unwrap(self, key_id: str, wrapped: bytes, aad: bytes) -> bytes:
        aead = self._aead(key_id)
        try:
            return aead.decrypt(wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:], aad)
        except (InvalidTag, ValueError) as exc:
            logger.error("crypto: unwrapping under master key %s failed", key_id)
            raise DecryptionFailed(f"Wrapped key under {key_id} did not authenticate.") from exc

    def blind_index_key(self) -> bytes:
        return self._state[0].blind_index_key

    def audit_checkpoint_key(self) -> bytes:
        return self._state[0].audit_checkpoint_key


# --- the process-wide provider -------------------------------------------------------------
_provider_lock = threading.Lock()
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
        with _provider_lock:
            if _provider is None:
                _provider = _build()
    return _provider


def reset_provider() -> None:
    """Forget the loaded keys (between tests, or to force a fresh read of the key file); the
    next use checks them against the database again."""
    global _provider
    with _provider_lock:
        _provider = None
