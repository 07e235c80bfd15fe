"""The crypto module's own exceptions.

Messages carry ids and categories only, never plaintext or key material, because exceptions end
up in logs and error reports.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class for every failure raised by `shelter.crypto`."""


class DecryptionFailed(CryptoError):
    """A ciphertext did not authenticate: tampered, truncated, moved to another row, or corrupt.

    `reason` is a short code for the access log: "tag" (did not authenticate), "format"
    (unknown header), "owner" (names another owner's key), "key" (its data key is missing),
    "truncated" or "length" (a document of the wrong size).
    """

    def __init__(self, message: str = "", *, reason: str = "tag") -> None:
        super().__init__(message)
        self.reason = reason


class DocumentMissing(CryptoError):
    """A document's stored file is not in the storage (deleted, or never made durable)."""

    reason = "missing"


class KeyMissing(CryptoError):
    """A key (master key, key file, data key) needed for the operation is not available."""


class KeyShredded(KeyMissing):
    """The data key was crypto-shredded: the data it protected is gone for good."""

    # An expected state: templates render a shredded value as empty. Tampering and missing
    # keys stay loud (a server error and a log line), never silently blank.
    silent_variable_failure = True


class KeyFileError(KeyMissing):
    """The master key file is missing, unreadable, malformed or has unsafe permissions."""


class KeyMismatch(CryptoError):
    """The key file does not belong to this database: a key fails its stored key check, or a
    master key that data keys are wrapped under is missing. Nothing may be written."""

    def __init__(self, key_id: str, reason: str) -> None:
        self.key_id = key_id
        self.reason = reason
        super().__init__(
            f"The key file does not match this database: {reason}. Nothing was written. "
            "Restore the key file this installation was set up with (SHELTER_MASTER_KEY_FILE) "
            "and restart Shelter."
        )


class StorageNotOurs(CryptoError):
    """The document storage carries another installation's marker, or none where one is due."""
