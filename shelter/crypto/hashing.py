"""Plaintext SHA-256 of a document stream, computed beside the cipher.

SHA-256 (hashlib, ~2 GiB/s with SHA-NI) costs several times more than AES-GCM, so hashing in
line halves the document path. hashlib releases the GIL while it hashes a large buffer, so a
helper thread can hash while the caller's thread encrypts, decrypts and does file I/O.

Pieces are gathered into ~1 MiB batches and handed to ONE helper thread per stream, one batch
at a time: the thread re-takes the GIL once per batch, not once per 64 KiB chunk (which is what
made per-chunk hand-offs slower than hashing in line). At most two batches are outstanding (one
being hashed, one queued) plus the one being gathered, so memory stays constant (~3 MiB).
Streams shorter than one batch never start a thread.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import weakref
from typing import Any

BATCH = 1 << 20

Bytes = bytes | bytearray | memoryview


def _hash_batches(sha: Any, batches: queue.Queue[bytes | None],
                  failure: list[BaseException]) -> None:
    """The helper thread: hash queued batches in order until the end marker (None)."""
    while (batch := batches.get()) is not None:
        if not failure:
            try:
                sha.update(batch)  # releases the GIL for the whole batch
            except BaseException as exc:  # noqa: BLE001 (re-raised in the owner's thread)
                failure.append(exc)


class BackgroundSHA256:
    """SHA-256 of pieces pushed with `update`; `hexdigest()` waits for the helper thread.

    Pieces given as `bytes` are kept by reference until their batch is joined; mutable pieces
    (bytearray, memoryview) are copied at once, since the caller may reuse them.
    """

    def __init__(self, batch: int = BATCH) -> None:
        self._sha = hashlib.sha256()
        self._batch = batch
        self._pieces: list[bytes] = []
        self._gathered = 0
        self._queue: queue.Queue[bytes | None] | None = None
        self._thread: threading.Thread | None = None
        self._failure: list[BaseException] = []
        self._stop: weakref.finalize | None = None
        self._done = False

    def update(self, data: Bytes) -> None:
        if self._done:
            raise ValueError("Hash already finalised or closed.")
        if not len(data):
            return
        self._pieces.append(data if type(data) is bytes else bytes(data))
        self._gathered += len(data)
        if self._gathered >= self._batch:
            self._hand_off()

    def _hand_off(self) -> None:
        pieces, self._pieces, self._gathered = self._pieces, [], 0
        batch = pieces[0] if len(pieces) == 1 else b"".join(pieces)
        if self._queue is None:
            self._start()
        assert self._queue is not None
        self._queue.put(batch)  # blocks while one batch is queued: at most two outstanding

    def _start(self) -> None:
        batches: queue.Queue[bytes | None] = queue.Queue(maxsize=1)
        thread = threading.Thread(target=_hash_batches, args=(self._sha, batches, self._failure),
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
        for piece in self._pieces:  # the last, partial batch: hashed here
            self._sha.update(piece)
        self._pieces = []
        return self._sha.hexdigest()

    def close(self) -> None:
        """Abandon the hash and end the helper thread (idempotent)."""
        self._pieces = []
        if not self._done:
            self._join()
