"""The streaming file cipher: round trips at every size, and every kind of tampering fails."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelter.crypto.exceptions import DecryptionFailed
from shelter.crypto.stream import (
    CHUNK,
    HEADER_BYTES,
    SEALED_CHUNK,
    StreamDecryptor,
    StreamEncryptor,
    decrypt_file,
)

KEY = bytes(range(32))


def seal(data: bytes, piece: int = 4096) -> bytes:
    encryptor = StreamEncryptor(KEY)
    sealed = [encryptor.header]
    for i in range(0, len(data), piece):
        sealed.extend(encryptor.update(data[i : i + piece]))
    return b"".join([*sealed, encryptor.finalize()])


def unseal(blob: bytes, key: bytes = KEY) -> bytes:
    return b"".join(decrypt_file(key, io.BytesIO(blob)))


def split(blob: bytes) -> tuple[bytes, list[bytes]]:
    body = blob[HEADER_BYTES:]
    chunks = [body[i : i + SEALED_CHUNK] for i in range(0, len(body), SEALED_CHUNK)]
    return blob[:HEADER_BYTES], chunks


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 7])
def test_round_trip_at_chunk_boundaries(size):
    data = os.urandom(size)
    assert unseal(seal(data)) == data
    assert unseal(seal(data, piece=CHUNK)) == data


def test_empty_file_is_one_authenticated_empty_chunk():
    blob = seal(b"")
    assert len(blob) == HEADER_BYTES + 16
    assert unseal(blob) == b""
    with pytest.raises(DecryptionFailed):
        unseal(blob[:HEADER_BYTES])


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=3 * CHUNK + 100), piece=st.integers(1, 2 * CHUNK + 3),
       feed=st.integers(1, 3 * SEALED_CHUNK))
def test_any_content_any_piece_sizes_round_trips(data, piece, feed):
    blob = seal(data, piece)
    decryptor = StreamDecryptor(KEY, blob[:HEADER_BYTES])
    out = []
    for i in range(HEADER_BYTES, len(blob), feed):
        out += decryptor.update(blob[i : i + feed])
    out.append(decryptor.finalize())
    assert b"".join(out) == data


@pytest.fixture
def three_chunks() -> bytes:
    return seal(os.urandom(2 * CHUNK + 100))


def test_flipped_bit_anywhere_fails(three_chunks):
    for position in (0, HEADER_BYTES - 1, HEADER_BYTES + 5, HEADER_BYTES + SEALED_CHUNK + 9,
                     len(three_chunks) - 1):
        tampered = bytearray(three_chunks)
        tampered[position] ^= 0x01
        with pytest.raises(DecryptionFailed):
            unseal(bytes(tampered))


def test_reordered_chunks_fail(three_chunks):
    header, chunks = split(three_chunks)
    with pytest.raises(DecryptionFailed):
        unseal(header + chunks[1] + chunks[0] + chunks[2])


def test_dropped_chunk_fails(three_chunks):
    header, chunks = split(three_chunks)
    with pytest.raises(DecryptionFailed):
        unseal(header + chunks[0] + chunks[2])


def test_truncation_at_a_chunk_boundary_fails(three_chunks):
    header, chunks = split(three_chunks)
    with pytest.raises(DecryptionFailed):
        unseal(header + chunks[0] + chunks[1])
    with pytest.raises(DecryptionFailed):
        unseal(three_chunks[:-5])


def test_appended_chunk_or_bytes_fail(three_chunks):
    header, chunks = split(three_chunks)
    with pytest.raises(DecryptionFailed):
        unseal(three_chunks + chunks[0])
    with pytest.raises(DecryptionFailed):
        unseal(three_chunks + b"\x00")


def test_chunk_from_another_file_fails(three_chunks):
    other = seal(os.urandom(2 * CHUNK + 100))
    header, chunks = split(three_chunks)
    _, foreign = split(other)
    with pytest.raises(DecryptionFailed):
        unseal(header + chunks[0] + foreign[1] + chunks[2])


def test_wrong_key_fails(three_chunks):
    with pytest.raises(DecryptionFailed):
        unseal(three_chunks, key=bytes(32))


def test_not_a_document_fails():
    with pytest.raises(DecryptionFailed):
        unseal(b"%PDF-1.7 plaintext" * 10)
