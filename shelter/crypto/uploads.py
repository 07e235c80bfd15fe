"""An upload handler that encrypts files as they stream in; plaintext never touches disk.

Configure it as the only handler::

    FILE_UPLOAD_HANDLERS = ["shelter.crypto.uploads.EncryptingUploadHandler"]

Each incoming chunk is hashed and sealed under a fresh per-file key straight into the documents
storage (no TemporaryFileUploadHandler, no MemoryFileUploadHandler). The file key stays in
memory on the resulting `EncryptedUpload` until a service calls `commit(case_id, document_id)`,
which wraps it under the case key; an upload never committed is unreadable ciphertext and is
deleted by `discard()` (or by an orphan sweep).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

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

    def commit(self, case_id: uuid.UUID, document_id: uuid.UUID) -> StoredFile:
        """Wrap the file key under the case's key for document row `document_id`."""
        return self._writer.wrap_for(case_id, document_id, self.sha256)

    def discard(self) -> None:
        """Delete the stored ciphertext of an upload that will not become a document."""
        self._writer.storage.delete(self.storage_name)

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
