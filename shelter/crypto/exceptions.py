"""The crypto module's own exceptions.

Messages carry ids and categories only, never plaintext or key material, because exceptions end
up in logs and error reports.
"""

from __future__ import annotations


class CryptoError(Exception):
    """Base class for every failure raised by `shelter.crypto`."""


class DecryptionFailed(CryptoError):
    """A ciphertext did not authenticate: tampered, truncated, moved to another row, or corrupt."""


class KeyMissing(CryptoError):
    """A key (master key, key file, data key) needed for the operation is not available."""


class KeyShredded(KeyMissing):
    """The data key was crypto-shredded: the data it protected is gone for good."""

    # An expected state: templates render a shredded value as empty. Tampering and missing
    # keys stay loud (a server error and a log line), never silently blank.
    silent_variable_failure = True


class KeyFileError(KeyMissing):
    """The master key file is missing, unreadable, malformed or has unsafe permissions."""
