"""Streaming authenticated encryption of files (in the spirit of the STREAM construction).

Format (version 1)::

    header (17 bytes) = b"SHLTRDOC" | version (1) | log2(chunk size) (1) | nonce prefix (7)
    chunk*            = AES-256-GCM(file key, nonce, plaintext chunk, aad=header) (chunk + 16 tag)
    nonce             = nonce prefix (7) | chunk counter (4, big-endian) | last-chunk flag (1)

Plaintext is cut into 64 KiB chunks; every chunk but the last is full. The counter in the nonce
detects reordering and dropping, the last-chunk flag detects truncation and appending, the header
as AAD detects header edits. An empty file is one empty final chunk (just a tag). Each file has
its own random key, so the 7-byte random prefix only separates re-encryptions of one file.

Both directions are push-style (`update` / `finalize`) and hold at most one chunk, so memory is
constant. The hot path avoids copies: full chunks given as `bytes` are sealed straight from the
caller's object (a memoryview slice), never copied into a buffer.
"""

from __future__ import annotations

import secrets
import struct
from collections.abc import Callable, Iterator
from typing import IO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from shelter.crypto.exceptions import CryptoError, DecryptionFailed

MAGIC = b"SHLTRDOC"
VERSION = 1
CHUNK_EXP = 16
CHUNK = 1 << CHUNK_EXP
TAG = 16
SEALED_CHUNK = CHUNK + TAG
PREFIX_BYTES = 7
HEADER_BYTES = len(MAGIC) + 2 + PREFIX_BYTES
MAX_CHUNKS = 1 << 32
_pack_nonce_tail = struct.Struct(">IB").pack

Bytes = bytes | bytearray | memoryview


class _Chunker:
    """Holds back the most recent `size` bytes: the last one is only known at the end."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._held: Bytes | None = None

    def feed(self, data: Bytes, emit: object) -> None:
        """Call `emit(piece)` for every full piece that is certainly not the last one."""
        size, held = self._size, self._held
        if type(data) is bytes and len(data) == size and (held is None or len(held) == size):
            if held is not None:
                emit(held)  # type: ignore[operator]
            self._held = data  # fast path: whole pieces, no copy
            return
        view = memoryview(data)
        if not len(view):
            return
        if held is not None:
            room = size - len(held)
            if room:
                held = held if type(held) is bytearray else bytearray(held)
                held += view[:room]
                view = view[room:]
                if not len(view):
                    self._held = held
                    return
            emit(held)  # type: ignore[operator]
        offset, end = 0, len(view)
        while end - offset > size:
            emit(view[offset : offset + size])  # type: ignore[operator]
            offset += size
        rest = view[offset:]
        # Keep a view into immutable input; copy mutable input the caller may reuse.
        self._held = rest if type(data) is bytes else bytearray(rest)

    def take_last(self) -> Bytes:
        held, self._held = self._held, None
        return b"" if held is None else held


class StreamEncryptor:
    """Encrypts a plaintext stream pushed in arbitrary pieces. Write `header` first."""

    def __init__(self, key: bytes, *, nonce_prefix: bytes | None = None) -> None:
        self._aead = AESGCM(key)
        self._prefix = nonce_prefix or secrets.token_bytes(PREFIX_BYTES)
        self.header = MAGIC + bytes((VERSION, CHUNK_EXP)) + self._prefix
        self._counter = 0
        self._chunker = _Chunker(CHUNK)
        self._out: list[bytes] = []
        self._done = False

    def _seal(self, chunk: Bytes, last: int = 0) -> None:
        if self._counter >= MAX_CHUNKS:
            raise CryptoError("File too large for the stream format.")
        nonce = self._prefix + _pack_nonce_tail(self._counter, last)
        self._counter += 1
        self._out.append(self._aead.encrypt(nonce, chunk, self.header))

    def update(self, data: Bytes) -> list[bytes]:
        """Sealed chunks that became complete with `data` (possibly none)."""
        if self._done:
            raise CryptoError("Encryptor already finalised.")
        self._out = []
        self._chunker.feed(data, self._seal)
        return self._out

    def finalize(self) -> bytes:
        """The last sealed chunk (flagged as last; empty plaintext for an empty file)."""
        self._out = []
        self._seal(self._chunker.take_last(), 1)
        self._done = True
        return self._out[0]


BATCH_CHUNKS = 16  # sealed chunks per reused buffer: ~1 MiB, one write call


class BufferedEncryptor(StreamEncryptor):
    """A StreamEncryptor that seals into ONE reused buffer instead of a new object per chunk.

    `flush(view)` is called with each full batch of BATCH_CHUNKS sealed chunks (and with the
    rest at `finalize`). The view is only valid during the call: the next chunks overwrite
    it, so `flush` must write it out (or copy it) before returning. No per-chunk allocation
    means no page faults on fresh memory, which cost more than AES-GCM itself.
    """

    def __init__(self, key: bytes, flush: Callable[[memoryview], object], *,
                 nonce_prefix: bytes | None = None) -> None:
        super().__init__(key, nonce_prefix=nonce_prefix)
        self._flush = flush
        self._buffer = memoryview(bytearray(BATCH_CHUNKS * SEALED_CHUNK))
        self._filled = 0

    def _seal(self, chunk: Bytes, last: int = 0) -> None:
        if self._counter >= MAX_CHUNKS:
            raise CryptoError("File too large for the stream format.")
        nonce = self._prefix + _pack_nonce_tail(self._counter, last)
        self._counter += 1
        start = self._filled
        self._filled = end = start + len(chunk) + TAG
        self._aead.encrypt_into(nonce, chunk, self.header, self._buffer[start:end])
        if end + SEALED_CHUNK > len(self._buffer) or last:
            self._filled = 0
            self._flush(self._buffer[:end])

    def update(self, data: Bytes) -> list[bytes]:  # type: ignore[override]
        """Seal what `data` completes; full batches go to `flush`. Returns nothing."""
        if self._done:
            raise CryptoError("Encryptor already finalised.")
        self._chunker.feed(data, self._seal)
        return []

    def finalize(self) -> bytes:
        """Seal the last chunk and flush the rest of the buffer. Returns nothing."""
        self._seal(self._chunker.take_last(), 1)
        self._done = True
        return b""


def _parse_header(header: bytes) -> bytes:
    """Check a stream header and return its nonce prefix."""
    if (len(header) != HEADER_BYTES or header[: len(MAGIC)] != MAGIC
            or header[len(MAGIC)] != VERSION or header[len(MAGIC) + 1] != CHUNK_EXP):
        raise DecryptionFailed("Not an encrypted document, or an unsupported format version.",
                               reason="truncated" if len(header) < HEADER_BYTES else "format")
    return bytes(header[len(MAGIC) + 2 :])


class StreamDecryptor:
    """Decrypts a stream pushed in arbitrary pieces; every returned chunk is authenticated."""

    def __init__(self, key: bytes, header: bytes) -> None:
        self._aead = AESGCM(key)
        self._prefix = _parse_header(header)
        self.header = bytes(header)
        self._counter = 0
        self._chunker = _Chunker(SEALED_CHUNK)
        self._out: list[bytes] = []
        self._done = False

    def _open(self, sealed: Bytes, last: int = 0) -> None:
        nonce = self._prefix + _pack_nonce_tail(self._counter, last)
        try:
            self._out.append(self._aead.decrypt(nonce, sealed, self.header))
        except InvalidTag as exc:
            raise self._failed() from exc
        self._counter += 1

    def _failed(self) -> DecryptionFailed:
        return DecryptionFailed(f"Document chunk {self._counter} did not authenticate "
                                "(tampered, reordered, truncated or extended).")

    def open_into(self, sealed: memoryview, out: memoryview, *, last: bool) -> int:
        """Authenticate whole sealed chunks from `sealed` into `out`, with no allocation;
        `last` flags the final one. Returns the plaintext length. For `decrypt_file`, which
        must not mix this with `update`."""
        if self._done:
            raise DecryptionFailed("Data after the end of the document.", reason="length")
        if last and len(sealed) < TAG:
            raise DecryptionFailed("Document is truncated.", reason="truncated")
        size, written = len(sealed), 0
        for start in range(0, size, SEALED_CHUNK):
            piece = sealed[start : start + SEALED_CHUNK]
            if len(piece) < TAG:
                raise DecryptionFailed("Document is truncated.", reason="truncated")
            final = int(last and start + SEALED_CHUNK >= size)
            nonce = self._prefix + _pack_nonce_tail(self._counter, final)
            end = written + len(piece) - TAG
            try:
                self._aead.decrypt_into(nonce, piece, self.header, out[written:end])
            except InvalidTag as exc:
                raise self._failed() from exc
            self._counter, written = self._counter + 1, end
        self._done = bool(last)
        return written

    def update(self, data: Bytes) -> list[bytes]:
        """Plaintext chunks that could be authenticated with `data` (possibly none)."""
        if self._done:
            raise DecryptionFailed("Data after the end of the document.", reason="length")
        self._out = []
        self._chunker.feed(data, self._open)
        return self._out

    def finalize(self) -> bytes:
        """The last plaintext chunk; raises if the stream was cut short."""
        self._out = []
        last = self._chunker.take_last()
        if len(last) < TAG:
            raise DecryptionFailed("Document is truncated.", reason="truncated")
        self._open(last, 1)
        self._done = True
        return self._out[0]


def sealed_size(plain_size: int) -> int:
    """The stored size of a document of `plain_size` bytes (header, chunks and their tags)."""
    chunks = max(1, -(-plain_size // CHUNK))
    return HEADER_BYTES + plain_size + chunks * TAG


def _read_exact(handle: IO[bytes], size: int) -> bytes:
    """Read `size` bytes unless the end comes first (storages may return short reads)."""
    data = handle.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    got = len(data)
    while got < size and (more := handle.read(size - got)):
        parts.append(more)
        got += len(more)
    return b"".join(parts)


def _read_into(handle: IO[bytes], view: memoryview) -> int:
    """Fill `view` unless the end comes first; `readinto` where the handle has it (local
    files: straight into the buffer), else `read` and a copy (an S3 response body)."""
    readinto = getattr(handle, "readinto", None)
    got, size = 0, len(view)
    while got < size:
        if readinto is not None:
            n = readinto(view[got:])
        else:
            data = handle.read(size - got)
            n = len(data)
            view[got : got + n] = data
        if not n:
            break
        got += n
    return got


READ_CHUNKS = 16  # ~1 MiB reads: fewer calls into the storage, better read-ahead


def decrypt_file(key: bytes, handle: IO[bytes]) -> Iterator[bytes]:
    """Authenticated plaintext of an encrypted file object, ~1 MiB (READ_CHUNKS chunks) a piece.

    The ciphertext is read into one reused buffer and opened into a second (`open_into`), so
    the only allocation per piece is the `bytes` handed out, which the WSGI server needs. The
    last sealed chunk read is carried over to the next read: whether it is the final one is
    only known when the end of the file comes.
    """
    decryptor = StreamDecryptor(key, _read_exact(handle, HEADER_BYTES))
    sealed = memoryview(bytearray((READ_CHUNKS + 1) * SEALED_CHUNK))
    plain = memoryview(bytearray(READ_CHUNKS * CHUNK))
    held = 0  # sealed bytes at the front of the buffer, the possibly final chunk
    while got := _read_into(handle, sealed[held:]):
        end = held + got
        whole = (end - 1) // SEALED_CHUNK * SEALED_CHUNK  # chunks with bytes after them
        if whole:
            size = decryptor.open_into(sealed[:whole], plain, last=False)
            yield bytes(plain[:size])
            sealed[: end - whole] = sealed[whole:end]  # no overlap: whole >= one chunk
        held = end - whole
    if size := decryptor.open_into(sealed[:held], plain, last=True):
        yield bytes(plain[:size])
