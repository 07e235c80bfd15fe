"""Plaintext SHA-256 of a document stream, computed beside the cipher.

SHA-256 (hashlib, ~2 GiB/s with SHA-NI) costs several times more than AES-GCM, so hashing in
line halves the document path. hashlib releases the GIL while it hashes a large buffer, so a
helper thread can hash while the caller's thread encrypts, decrypts and does file I/O.

Pieces are copied into ~1 MiB batch buffers and handed to ONE helper thread per stream, one
batch at a time: the thread re-takes the GIL once per batch, not once per 64 KiB chunk (which is
what made per-chunk hand-offs slower than hashing in line). There are three buffers, reused for
the whole stream (one being hashed, one queued, one being filled): the owner waits for the
thread when all three are taken, so memory stays constant (~3 MiB) and no batch is allocated
afresh (fresh memory costs a page fault per 4 KiB, more than the copy). Streams shorter than
one batch never start a thread.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import weakref
from typing import Any

BATCH = 1 << 20
BUFFERS = 3

Bytes = bytes | bytearray | memoryview


def _hash_batches(sha: Any, batches: queue.Queue[bytearray | None],
                  free: queue.Queue[bytearray], failure: list[BaseException]) -> None:
    """The helper thread: hash queued batches in order until the end marker (None), giving
    each buffer back once it is hashed."""
    while (batch := batches.get()) is not None:
        if not failure:
            try:
                sha.update(batch)  # releases the GIL for the whole batch
            except BaseException as exc:  # noqa: BLE001 (re-raised in the owner's thread)
                failure.append(exc)
        free.put(batch)


class BackgroundSHA256:
    """SHA-256 of pieces pushed with `update`; `hexdigest()` waits for the helper thread.

    Pieces are copied into the current batch buffer at once, so the caller may reuse them.
    """

    def __init__(self, batch: int = BATCH) -> None:
        self._sha = hashlib.sha256()
        self._batch = batch
        self._buffer: bytearray | None = None
        self._gathered = 0
        self._made = 0  # buffers allocated so far (at most BUFFERS)
        self._free: queue.Queue[bytearray] = queue.Queue()
        self._queue: queue.Queue[bytearray | None] | None = None
        self._thread: threading.Thread | None = None
        self._failure: list[BaseException] = []
        self._stop: weakref.finalize | None = None
        self._done = False

    def update(self, data: Bytes) -> None:
        if self._done:
            raise ValueError("Hash already finalised or closed.")
        view = memoryview(data).cast("B")
        while len(view):
            if self._buffer is None:
                self._buffer = self._take_buffer()
            start = self._gathered
            piece = view[: self._batch - start]
            self._gathered = end = start + len(piece)
            self._buffer[start:end] = piece
            view = view[len(piece):]
            if end == self._batch:
                self._hand_off()

    def _take_buffer(self) -> bytearray:
        if self._made < BUFFERS:
            self._made += 1
            return bytearray(self._batch)
        return self._free.get()  # the thread gives one back as soon as it has hashed it

    def _hand_off(self) -> None:
        batch, self._buffer, self._gathered = self._buffer, None, 0
        if self._queue is None:
            self._start()
        assert self._queue is not None and batch is not None
        self._queue.put(batch)

    def _start(self) -> None:
        batches: queue.Queue[bytearray | None] = queue.Queue()
        thread = threading.Thread(target=_hash_batches,
                                  args=(self._sha, batches, self._free, self._failure),
                                  name="shelter-sha256", daemon=True)
        thread.start()
        self._queue, self._thread = batches, thread
        # An owner dropped without hexdigest()/close() still ends its thread.
        self._stop = weakref.finalize(self, batches.put, None)

    def _join(self) -> None:
        self._done = True
        if self._thread is not None:
            assert self._stop is not None
            self._stop()  # the end marker, once
            self._thread.join()
            self._thread = None

    def hexdigest(self) -> str:
        """The digest of everything pushed; ends the helper thread. Call once."""
        if self._done:
            raise ValueError("Hash already finalised or closed.")
        self._join()
        if self._failure:
            raise self._failure[0]
        if self._buffer is not None:  # the last, partial batch: hashed here
            self._sha.update(memoryview(self._buffer)[: self._gathered])
        self._buffer = None
        return self._sha.hexdigest()

    def close(self) -> None:
        """Abandon the hash and end the helper thread (idempotent)."""
        self._buffer = None
        if not self._done:
            self._join()
