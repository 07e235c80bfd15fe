"""Raw AES-256-GCM loops: the baseline benchmarks compare the stream cipher with.

A benchmark helper, not part of the application (which imports `cryptography` only in
`shelter.crypto`): the loops are what the stream cipher costs on top of.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def raw_encrypt(key: bytes, chunks: Iterable[bytes]) -> int:
    """Seal each chunk with a counter nonce and discard it; return the bytes sealed."""
    aead, total = AESGCM(key), 0
    for counter, chunk in enumerate(chunks):
        aead.encrypt(counter.to_bytes(12, "big"), chunk, None)
        total += len(chunk)
    return total


def raw_seal(key: bytes, chunks: Iterable[bytes]) -> list[bytes]:
    """Sealed chunks (counter nonces), as input for `raw_decrypt`."""
    aead = AESGCM(key)
    return [aead.encrypt(i.to_bytes(12, "big"), chunk, None) for i, chunk in enumerate(chunks)]


def raw_decrypt(key: bytes, sealed: Sequence[bytes]) -> int:
    """Open each sealed chunk and discard the plaintext; return the plaintext bytes."""
    aead, total = AESGCM(key), 0
    for counter, chunk in enumerate(sealed):
        total += len(aead.decrypt(counter.to_bytes(12, "big"), chunk, None))
    return total
