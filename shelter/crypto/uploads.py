"""An upload handler that encrypts files as they stream in; plaintext never touches disk.

Configure it as the only handler::

    FILE_UPLOAD_HANDLERS = ["shelter.crypto.uploads.EncryptingUploadHandler"]

Each incoming chunk is hashed and sealed under a fresh per-file key straight into the documents
storage (no TemporaryFileUploadHandler, no MemoryFileUploadHandler). The file key stays in
memory on the resulting `EncryptedUpload` until a service calls `commit(case_id, document_id)`,
which wraps it under the case key; an upload never committed is unreadable ciphertext and is
deleted by `discard()` (or by an orphan sweep).

Only a view marked `@accepts_uploads`, asked by a signed-in user who passed both factors, gets
this handler (`UploadGateMiddleware`, shelter/crypto/middleware.py). Every other request has
`RefusingUploadHandler`, which drops files unread: a stranger's multipart POST to the sign-in
page, or to any page, writes nothing to the documents storage.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile, StopUpload

from shelter.crypto.documents import EncryptingWriter, StoredFile, open_for_read
from shelter.crypto.exceptions import CryptoError
from shelter.crypto.stream import decrypt_file


class EncryptedUpload(UploadedFile):
    """A request.FILES entry: metadata in memory, content sealed in storage."""

    def __init__(self, writer: EncryptingWriter, sha256: str, *, name: str,
                 content_type: str, charset: str | None) -> None:
        super().__init__(file=None, name=name, content_type=content_type,
                         size=writer.size, charset=charset)
        self._writer = writer
        self.sha256 = sha256
        self.storage_name = writer.storage_name
        # Committed to a document or discarded: the upload gate leaves it alone after the
        # response. Any other upload is discarded then.
        self.settled = False
        self._discarded = False

    def commit(self, case_id: uuid.UUID, document_id: uuid.UUID) -> StoredFile:
        """Wrap the file key under the case's key for document row `document_id`."""
        stored = self._writer.wrap_for(case_id, document_id, self.sha256)
        self.settled = True
        return stored

    def discard(self) -> None:
        """Delete the stored ciphertext of an upload that will not become a document (also
        after a commit whose transaction failed); a second call does nothing."""
        if not self._discarded:
            self._writer.storage.delete(self.storage_name)
            self._discarded = True
        self.settled = True

    def chunks(self, chunk_size: int | None = None) -> Iterator[bytes]:
        """Decrypted content (e.g. for a content check before committing)."""
        handle = open_for_read(self._writer.storage, self.storage_name)
        try:
            yield from decrypt_file(self._writer.file_key, handle)
        finally:
            handle.close()

    def read(self, *args: Any, **kwargs: Any) -> bytes:
        raise CryptoError("Encrypted uploads are not readable as files; use chunks().")

    def open(self, mode: str | None = None) -> EncryptedUpload:
        return self

    def close(self) -> None:
        pass


def accepts_uploads(view: Any) -> Any:
    """Mark a view as one that receives documents: only such a view, for a signed-in user who
    passed both factors, has uploaded files sealed into storage (`UploadGateMiddleware`)."""
    view.accepts_uploads = True
    return view


def view_accepts_uploads(view: Any) -> bool:
    return getattr(view, "accepts_uploads", False) is True


class _Closed:
    """What the parser closes after a refused file: there is nothing to close."""

    def close(self) -> None:
        pass


class RefusingUploadHandler(FileUploadHandler):
    """Every request's handler until the upload gate lets one through: each file is skipped
    as it begins (the parser reads past its bytes), so nothing is stored and `request.FILES`
    stays empty. The form's other fields are parsed as usual."""

    file = _Closed()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        raise SkipFile

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        return None

    def file_complete(self, file_size: int) -> None:
        return None


class _Abortable:
    """What MultiPartParser closes on StopUpload/SkipFile: deletes the partial object."""

    def __init__(self, writer: EncryptingWriter) -> None:
        self._writer = writer

    def close(self) -> None:
        self._writer.abort()


class EncryptingUploadHandler(FileUploadHandler):
    """Seals every uploaded file into the documents storage while it is being received."""

    chunk_size = 64 * 1024  # matches the stream chunk size: no re-buffering

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.writer: EncryptingWriter | None = None
        self.max_bytes = getattr(settings, "SHELTER_MAX_UPLOAD_MB", 100) * 1024 * 1024

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self.writer = EncryptingWriter()
        self.file = _Abortable(self.writer)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        assert self.writer is not None
        if start + len(raw_data) > self.max_bytes:
            self.writer.abort()
            raise StopUpload(connection_reset=True)
        self.writer.write(raw_data)
        return None  # consumed: later handlers must never see plaintext

    def file_complete(self, file_size: int) -> EncryptedUpload:
        assert self.writer is not None
        writer, self.writer = self.writer, None
        try:
            sha256 = writer.finish()  # the last chunk, then the sync to disk
        except BaseException:
            writer.abort()
            raise
        return EncryptedUpload(writer, sha256, name=self.file_name,
                               content_type=self.content_type, charset=self.charset)

    def upload_interrupted(self) -> None:
        if self.writer is not None:
            self.writer.abort()
            self.writer = None

    def upload_complete(self) -> None:
        self.upload_interrupted()  # a file left half-written (parser error) is removed
