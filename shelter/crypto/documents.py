"""Encrypted documents: streaming storage and retrieval through Django's storage API.

Every file gets a random 256-bit file key; the file is sealed with `stream` as it arrives and
written under a random storage name (never derived from the user's filename). The file key is
wrapped by the case's data key with AAD binding it to the document row and storage name, and
that wrapped key is stored in the document row. Filename, content type and the plaintext SHA-256
are encrypted fields of the row. Storage is `STORAGES["documents"]` (else the default storage),
so S3 via django-storages is a configuration change.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.files.storage import Storage, default_storage, storages
from django.core.files.storage.handler import InvalidStorageError
from django.db import models
from django.utils.translation import gettext_lazy as _

from shelter.context import RequestInfo, current_request, get_request_info
from shelter.crypto import events, storagemark
from shelter.crypto.exceptions import (
    DecryptionFailed,
    DocumentMissing,
    KeyFileError,
    KeyMissing,
    KeyShredded,
    StorageNotOurs,
)
from shelter.crypto.fieldcrypto import decrypt_field, encrypt_field
from shelter.crypto.fields import EncryptedCharField, EncryptedModel, key_owner
from shelter.crypto.hashing import BackgroundSHA256
from shelter.crypto.integrity import report_failure
from shelter.crypto.localfiles import LocalObjectWriter
from shelter.crypto.stream import BufferedEncryptor, decrypt_file, sealed_size

logger = logging.getLogger("shelter.crypto")

FILE_KEY_BYTES = 32
_READ_PIECE = 1 << 16


def document_storage() -> Storage:
    """The storage for encrypted documents: STORAGES["documents"], else the default one."""
    try:
        return storages["documents"]
    except InvalidStorageError:
        return default_storage


def new_storage_name() -> str:
    """A random object name; two hex characters of fan-out keep directories small."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token}.enc"


def _file_key_context(document_id: uuid.UUID, storage_name: str) -> bytes:
    return f"shelter/filekey/v1|{document_id}|{storage_name}".encode()


def _open_for_write(storage: Storage, name: str) -> LocalObjectWriter | IO[bytes]:
    """A writer for a new object: a durable local file, else the storage's own writer."""
    try:
        path = storage.path(name)
    except NotImplementedError:  # remote storage (S3...): its own streaming writer
        return storage.open(name, "wb")
    return LocalObjectWriter(path)


def open_for_read(storage: Storage, name: str) -> IO[bytes]:
    """A read handle that streams: nothing is buffered beyond what the caller asks for.

    django-storages' S3File downloads the whole object into a spooled temporary file before
    the first byte (into memory with the default max_memory_size of 0), so S3 objects are read
    from the response body of a GET instead: memory stays constant whatever the size.
    """
    handle = storage.open(name, "rb")
    s3_file = _s3_file_class()
    if s3_file is None or not isinstance(handle, s3_file):
        return handle
    extra = {key: value for key, value in storage.get_object_parameters(name).items()  # type: ignore[attr-defined]
             if key.startswith("SSECustomer")}
    body = handle.obj.get(**extra)["Body"]
    handle.close()
    return body


def _s3_file_class() -> type | None:
    try:
        from storages.backends.s3 import S3File
    except ImportError:  # django-storages is optional
        return None
    return S3File


@dataclass(frozen=True)
class StoredFile:
    """What a document row must keep about a stored encrypted file."""

    storage_name: str
    wrapped_file_key: bytes = field(repr=False)
    size: int
    sha256: str = field(repr=False)


class EncryptingWriter:
    """Seals plaintext pieces into a new storage object as they arrive; hashes and counts them."""

    def __init__(self, storage: Storage | None = None) -> None:
        self.storage = storage or document_storage()
        self.storage_name = new_storage_name()
        self.file_key = secrets.token_bytes(FILE_KEY_BYTES)
        self.size = 0
        self._sha = BackgroundSHA256()  # hashes ~1 MiB batches beside the cipher and the I/O
        self._out: LocalObjectWriter | IO[bytes] | None = _open_for_write(
            self.storage, self.storage_name)
        # Seals ~1 MiB at a time into one reused buffer, written out before it is reused.
        self._encryptor = BufferedEncryptor(self.file_key, self._out.write)
        self._out.write(self._encryptor.header)

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self._sha.update(data)
        self.size += len(data)
        self._encryptor.update(data)

    def finish(self) -> str:
        """Write the last chunk and close (a local file is then on disk); return the SHA-256."""
        assert self._out is not None
        self._encryptor.finalize()
        # Before the close: a failed hash thread leaves an open object, which abort() deletes.
        sha256 = self._sha.hexdigest()
        self._out.close()
        self._out = None
        return sha256

    def abort(self) -> None:
        """Close and delete a partial object (idempotent)."""
        self._sha.close()
        out, self._out = self._out, None
        if out is not None:
            if isinstance(out, LocalObjectWriter):
                out.discard()
            else:
                out.close()
            self.storage.delete(self.storage_name)

    def wrap_for(self, case_id: uuid.UUID, document_id: uuid.UUID, sha256: str) -> StoredFile:
        """Wrap the file key under the case key, for the row `document_id`.

        Only into this installation's store (marking an unmarked one): a document kept in
        another installation's store would be an orphan there, and its sweep would delete it.
        """
        try:
            storagemark.claim_for_store(self.storage)
        except StorageNotOurs:
            self.storage.delete(self.storage_name)
            raise
        wrapped = encrypt_field("case", case_id, self.file_key,
                                _file_key_context(document_id, self.storage_name))
        return StoredFile(self.storage_name, wrapped, self.size, sha256)


def store_document(
    case_id: uuid.UUID, stream: Iterable[bytes] | IO[bytes], *, document_id: uuid.UUID
) -> StoredFile:
    """Encrypt `stream` (an iterable of byte pieces or a binary file object) into storage."""
    if hasattr(stream, "read"):
        read = stream.read
        pieces: Iterable[bytes] = iter(lambda: read(_READ_PIECE), b"")
    else:
        pieces = stream
    writer = EncryptingWriter()
    try:
        for piece in pieces:
            writer.write(piece)
        sha256 = writer.finish()
        return writer.wrap_for(case_id, document_id, sha256)
    except BaseException:
        writer.abort()
        raise


def _unwrap_file_key(document: EncryptedFileModel) -> bytes:
    purpose, owner_id = key_owner(document)
    context = _file_key_context(document.pk, document.storage_name)
    return decrypt_field(purpose, owner_id, bytes(document.wrapped_file_key), context)


def verified_chunks(file_key: bytes, handle: IO[bytes], *, size: int,
                    sha256: str | None = None, label: object = "") -> Iterator[bytes]:
    """Authenticated plaintext chunks of an open encrypted file of known size.

    Every chunk is authenticated before it is yielded, and its position is bound by the nonce
    (counter and last-chunk flag), so a changed, reordered, dropped or appended chunk, or a cut
    stream, raises DecryptionFailed. The last chunk is held back until the stream has ended
    properly and its length equals `size`: a document that is not whole never completes.

    With `sha256`, the plaintext is also hashed (in a helper thread, beside the decryption)
    and compared before the last chunk. That re-hash protects against nothing the chunk tags
    do not already catch: whoever could forge chunks holds the case key and could re-encrypt
    the stored digest too. It costs more than the decryption (SHA-256 runs at ~1.9 GiB/s
    here), so downloads skip it; `verify_encryption` and `decrypt_document` use it to check
    our own cipher code end to end. `handle` is closed at the end.
    """
    digest = BackgroundSHA256() if sha256 is not None else None
    got, held = 0, b""
    try:
        for chunk in decrypt_file(file_key, handle):
            if held:
                yield held
            got += len(chunk)
            if got > size:
                break
            if digest is not None:
                digest.update(chunk)
            held = chunk
        whole = got == size and (digest is None or hmac.compare_digest(
            digest.hexdigest(), sha256 or ""))
    finally:
        if digest is not None:
            digest.close()
        handle.close()
    if not whole:
        logger.error("crypto: document %s failed its size/SHA-256 check", label)
        raise DecryptionFailed(f"Document {label} is incomplete or altered.",
                               reason="length" if got != size else "tag")
    if held:
        yield held


def _open_chunks(document: EncryptedFileModel, *, check_sha256: bool) -> Iterator[bytes]:
    """Unwrap the file key and open the file now, so a missing or shredded key fails here,
    not half-way through a response; the chunks follow lazily."""
    file_key = _unwrap_file_key(document)
    sha256 = (document.sha256 or "") if check_sha256 else None  # decrypted now, too
    handle = open_for_read(document_storage(), document.storage_name)
    return verified_chunks(file_key, handle, size=document.size, sha256=sha256,
                           label=document.pk)


def decrypt_document(document: EncryptedFileModel) -> Iterator[bytes]:
    """Authenticated plaintext chunks, WITHOUT an audit record: for integrity checks only.

    Checks everything a download checks, and the stored plaintext SHA-256 as well. Raises
    DecryptionFailed at the end if the document is not whole or its digest differs.
    """
    return _open_chunks(document, check_sha256=True)


def _checked_size(storage: Storage, document: EncryptedFileModel) -> None:
    """A missing file, or one of the wrong size, fails here: before any response starts."""
    name = document.storage_name
    try:
        stored = storage.size(name)
    except Exception as exc:  # FileNotFoundError locally; a client error from S3
        if not storage.exists(name):
            raise DocumentMissing(f"Document {document.pk} has no stored file.") from exc
        raise
    expected = sealed_size(document.size)
    if stored != expected:
        raise DecryptionFailed(f"Document {document.pk} has the wrong stored size.",
                               reason="truncated" if stored < expected else "length")


def _open_verified(document: EncryptedFileModel) -> tuple[bytes | None, Iterator[bytes]]:
    """Every check that can run before the first byte: file key, file, size, first chunks."""
    try:
        file_key = _unwrap_file_key(document)
    except KeyMissing as exc:
        if isinstance(exc, KeyShredded | KeyFileError):
            raise
        raise DecryptionFailed(f"Document {document.pk} has no file key.", reason="key") from exc
    storage = document_storage()
    _checked_size(storage, document)
    try:
        handle = open_for_read(storage, document.storage_name)
    except FileNotFoundError as exc:  # deleted since the size check
        raise DocumentMissing(f"Document {document.pk} has no stored file.") from exc
    chunks = verified_chunks(file_key, handle, size=document.size, label=document.pk)
    # The first piece authenticates up to ~2 MiB (a small document whole, with its size
    # check): a swapped or altered file fails here and gets the error page, not a cut stream.
    return next(chunks, None), chunks


def _reporting(first: bytes | None, chunks: Iterator[bytes], document: EncryptedFileModel,
               actor: Any, info: RequestInfo | None) -> Iterator[bytes]:
    """Chunks as they stream; a failure after the first byte cannot change the status any
    more, so it is recorded and re-raised, which aborts the response (it never completes).
    `info` is the request's context, gone by the time the body streams."""
    try:
        if first is not None:
            yield first
        yield from chunks
    except DecryptionFailed as exc:
        token = current_request.set(info)
        try:
            report_failure(document, kind="document", reason=exc.reason, actor=actor)
        finally:
            current_request.reset(token)
        raise


def open_document(document: EncryptedFileModel, *, actor: Any) -> Iterator[bytes]:
    """The read choke point for document content: record the download, then stream it.

    The caller checked permission. Before anything is recorded or sent, the file key is
    unwrapped, the stored size checked and the first chunks authenticated; a failure there
    is recorded as an integrity failure and raised (DecryptionFailed: 409 page,
    DocumentMissing: 410). The download entry is written before any content leaves; if it
    cannot be written, nothing is sent (fail closed). The chunks are authenticated and the
    length checked (see `verified_chunks`); the SHA-256 is not recomputed.
    """
    try:
        first, chunks = _open_verified(document)
    except (DecryptionFailed, DocumentMissing) as exc:
        report_failure(document, kind="document", reason=exc.reason, actor=actor)
        raise
    try:
        events.record(actor, "DOCUMENT_DOWNLOAD", document,
                      case_id=getattr(document, "case_id", None))
    except BaseException:
        chunks.close()  # type: ignore[attr-defined]
        raise
    return _reporting(first, chunks, document, actor, get_request_info())


def delete_document_file(document: EncryptedFileModel) -> None:
    """Remove the stored ciphertext (its key row is shredded with the case)."""
    document_storage().delete(document.storage_name)


class EncryptedFileModel(EncryptedModel):
    """Abstract base of document rows: a stored encrypted file and its encrypted metadata."""

    encryption_key_owner = "case_id"

    storage_name = models.CharField(_("storage name"), max_length=100, unique=True,
                                    editable=False)
    wrapped_file_key = models.BinaryField(_("wrapped file key"), editable=False)
    size = models.BigIntegerField(_("size in bytes"), editable=False)
    original_filename = EncryptedCharField(_("original file name"), max_length=255)
    content_type = EncryptedCharField(_("content type"), max_length=255)
    sha256 = EncryptedCharField(_("SHA-256"), max_length=64, editable=False)

    class Meta:
        abstract = True

    def apply_stored_file(self, stored: StoredFile, *, filename: str, content_type: str) -> None:
        """Fill this (unsaved) row from `store_document`'s result; the caller saves it."""
        self.storage_name, self.wrapped_file_key = stored.storage_name, stored.wrapped_file_key
        self.size, self.sha256 = stored.size, stored.sha256
        self.original_filename, self.content_type = filename, content_type
