"""The plaintext SHA-256 hashed in a helper thread: right at every size, constant memory, and
the thread never outlives its stream."""

from __future__ import annotations

import hashlib
import os
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shelter.crypto import hashing
from shelter.crypto.hashing import BackgroundSHA256

BATCH = 4096  # small batches: many hand-offs and buffer reuses in a small test


def hash_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "shelter-sha256"]


@settings(max_examples=40, deadline=None)
@given(data=st.binary(max_size=12 * BATCH + 17), piece=st.integers(1, 3 * BATCH + 5))
def test_digest_is_sha256_for_any_size_and_pieces(data, piece):
    digest = BackgroundSHA256(batch=BATCH)
    for i in range(0, len(data), piece):
        digest.update(data[i : i + piece])
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()
    assert hash_threads() == []


def test_pieces_are_copied_so_the_caller_may_reuse_its_buffer():
    data = os.urandom(10 * BATCH + 3)
    buffer = bytearray(1000)
    digest = BackgroundSHA256(batch=BATCH)
    for i in range(0, len(data), len(buffer)):
        piece = data[i : i + len(buffer)]
        buffer[: len(piece)] = piece
        digest.update(memoryview(buffer)[: len(piece)])
        buffer[:] = bytes(len(buffer))  # overwritten at once, as a reused buffer is
    assert digest.hexdigest() == hashlib.sha256(data).hexdigest()


def test_at_most_three_batch_buffers_exist_whatever_the_size():
    digest = BackgroundSHA256(batch=BATCH)
    for _ in range(200):
        digest.update(os.urandom(BATCH))
    assert digest._made == hashing.BUFFERS
    digest.hexdigest()


def test_a_stream_shorter_than_a_batch_starts_no_thread():
    digest = BackgroundSHA256(batch=BATCH)
    digest.update(b"x" * (BATCH - 1))
    assert digest._thread is None
    assert digest.hexdigest() == hashlib.sha256(b"x" * (BATCH - 1)).hexdigest()


def test_close_ends_the_thread_of_an_abandoned_stream():
    digest = BackgroundSHA256(batch=BATCH)
    digest.update(os.urandom(5 * BATCH))
    assert hash_threads()
    digest.close()
    digest.close()  # idempotent
    assert hash_threads() == []
    with pytest.raises(ValueError):
        digest.update(b"more")


def test_a_failure_in_the_thread_is_raised_by_hexdigest(monkeypatch):
    class Broken:
        def update(self, data):
            raise MemoryError("hash failed")

    digest = BackgroundSHA256(batch=BATCH)
    digest._sha = Broken()
    for _ in range(6):  # more batches than buffers: the thread still gives them back
        digest.update(os.urandom(BATCH))
    with pytest.raises(MemoryError, match="hash failed"):
        digest.hexdigest()
    assert hash_threads() == []
