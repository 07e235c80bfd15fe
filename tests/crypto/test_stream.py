"""The streaming file cipher: round trips at every size, and every kind of tampering fails."""

from __future__ import annotations

import io
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelter.crypto.exceptions import DecryptionFailed
from shelter.crypto.stream import (
    BATCH_CHUNKS,
    CHUNK,
    HEADER_BYTES,
    READ_CHUNKS,
    SEALED_CHUNK,
    BufferedEncryptor,
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


def seal_buffered(data: bytes, piece: int, prefix: bytes) -> tuple[bytes, list[int]]:
    """Seal through the reused buffer; what each flush saw is copied at once, as a writer
    writes it before the buffer is reused."""
    out: list[bytes] = []
    encryptor = BufferedEncryptor(KEY, lambda view: out.append(bytes(view)), nonce_prefix=prefix)
    for i in range(0, len(data), piece):
        assert encryptor.update(data[i : i + piece]) == []
    encryptor.finalize()
    return encryptor.header + b"".join(out), [len(batch) for batch in out]


BATCH_SIZES = [0, 1, CHUNK, BATCH_CHUNKS * CHUNK - 1, BATCH_CHUNKS * CHUNK,
               BATCH_CHUNKS * CHUNK + 1, 2 * BATCH_CHUNKS * CHUNK + CHUNK + 5]


@pytest.mark.parametrize("size", BATCH_SIZES)
def test_buffered_encryption_writes_the_same_bytes_as_chunk_by_chunk(size):
    data = os.urandom(size)
    prefix = os.urandom(7)
    encryptor = StreamEncryptor(KEY, nonce_prefix=prefix)
    chunks = [c for i in range(0, size, CHUNK) for c in encryptor.update(data[i : i + CHUNK])]
    expected = encryptor.header + b"".join([*chunks, encryptor.finalize()])
    for piece in (CHUNK, 4093):
        blob, batches = seal_buffered(data, piece, prefix)
        assert blob == expected
        assert unseal(blob) == data
        # Whole batches of BATCH_CHUNKS sealed chunks, then the rest with the last chunk.
        assert all(n == BATCH_CHUNKS * SEALED_CHUNK for n in batches[:-1])


def test_buffered_encryption_reuses_one_buffer_and_copies_mutable_input():
    views: list[memoryview] = []
    seen: list[bytes] = []

    def flush(view: memoryview) -> None:
        views.append(view)
        seen.append(bytes(view))

    data = os.urandom(3 * BATCH_CHUNKS * CHUNK)
    encryptor = BufferedEncryptor(KEY, flush)
    reused = bytearray(CHUNK)
    for i in range(0, len(data), CHUNK):
        reused[:] = data[i : i + CHUNK]
        encryptor.update(reused)
    encryptor.finalize()
    assert all(view.obj is views[0].obj for view in views)  # one buffer throughout
    assert unseal(encryptor.header + b"".join(seen)) == data


@settings(max_examples=25, deadline=None)
@given(data=st.binary(max_size=BATCH_CHUNKS * CHUNK + 3 * CHUNK), piece=st.integers(1, 3 * CHUNK))
def test_buffered_encryption_round_trips_any_content(data, piece):
    blob, _ = seal_buffered(data, piece, os.urandom(7))
    assert unseal(blob) == data


class ReadOnly:
    """A handle with `read` only and short reads, like an S3 response body."""

    def __init__(self, blob: bytes) -> None:
        self._blob, self._at = blob, 0

    def read(self, size: int) -> bytes:
        piece = self._blob[self._at : self._at + min(size, 100_000)]
        self._at += len(piece)
        return piece


READ_SIZES = [0, 1, READ_CHUNKS * CHUNK - 1, READ_CHUNKS * CHUNK, READ_CHUNKS * CHUNK + 1,
              (READ_CHUNKS + 1) * CHUNK, 2 * READ_CHUNKS * CHUNK, 2 * READ_CHUNKS * CHUNK + 9]


@pytest.mark.parametrize("size", READ_SIZES)
def test_decrypt_file_round_trips_around_its_read_size_with_any_handle(size):
    data = os.urandom(size)
    blob = seal(data, piece=CHUNK)
    pieces = list(decrypt_file(KEY, io.BytesIO(blob)))
    assert b"".join(pieces) == data
    assert all(type(piece) is bytes and piece for piece in pieces)  # what a WSGI server sends
    assert all(len(piece) <= READ_CHUNKS * CHUNK for piece in pieces)
    assert b"".join(decrypt_file(KEY, ReadOnly(blob))) == data


@pytest.mark.parametrize("size", READ_SIZES[1:])
def test_decrypt_file_fails_on_a_cut_at_any_chunk_boundary(size):
    blob = seal(os.urandom(size), piece=CHUNK)
    for cut in range(HEADER_BYTES, len(blob), SEALED_CHUNK):
        with pytest.raises(DecryptionFailed):
            b"".join(decrypt_file(KEY, io.BytesIO(blob[:cut])))
    with pytest.raises(DecryptionFailed):
        b"".join(decrypt_file(KEY, io.BytesIO(blob[:-1])))


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
