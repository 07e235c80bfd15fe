"""The whole document path as the app runs it, and its unencrypted twin, for the benchmarks.

Upload: a multipart POST body streamed (never held in memory) into Django's WSGIRequest and
parsed by Django's MultiPartParser into the upload handler, which writes through the documents
storage; the request returns once the object is on disk (LocalObjectWriter syncs). Ours is the
app's EncryptingUploadHandler (seal, SHA-256, write); the twin writes the same bytes unencrypted
through the same storage with the same writer (same ~1 MiB write calls, same writeback, same
fdatasync), so the only difference is the encryption and the hash.

Download: the response the view returns, iterated as a WSGI server iterates it. Ours is a
StreamingHttpResponse over `verified_chunks` exactly as `open_document` opens it (chunk tags,
length; no SHA-256 re-hash); the twin is Django's FileResponse with the same read size.

Left out: the permission check, the audit record and the key wrapping, which cost the same
fixed few milliseconds whatever the size (measured in bench_cases and bench_audit).
"""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadhandler import FileUploadHandler
from django.core.handlers.wsgi import WSGIRequest
from django.http import FileResponse, StreamingHttpResponse

BOUNDARY = "shelter-bench-boundary"
FILE_FIELD = "file"


class MultipartBody(io.RawIOBase):
    """wsgi.input for a form with one file of `count` x `block` bytes, generated on demand."""

    def __init__(self, block: bytes, count: int) -> None:
        head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{FILE_FIELD}\"; "
                "filename=\"bench.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n")
        self._parts = iter([head.encode(), *([block] * count), f"\r\n--{BOUNDARY}--\r\n".encode()])
        self._view = memoryview(b"")
        self.length = len(head) + len(block) * count + len(BOUNDARY) + 8

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if not self._view:
            self._view = memoryview(next(self._parts, b""))
        if size < 0:
            size = len(self._view)
        piece, self._view = self._view[:size], self._view[size:]
        return bytes(piece)


def upload_request(block: bytes, count: int) -> WSGIRequest:
    body = MultipartBody(block, count)
    return WSGIRequest({
        "REQUEST_METHOD": "POST", "PATH_INFO": "/documents/upload", "SERVER_NAME": "bench",
        "SERVER_PORT": "443", "wsgi.url_scheme": "https", "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(body.length),
    })


class PlainUploadHandler(FileUploadHandler):
    """The unencrypted twin of EncryptingUploadHandler: same storage and writer, no cipher."""

    chunk_size = 64 * 1024

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        from shelter.crypto.documents import _open_for_write, document_storage, new_storage_name

        super().new_file(*args, **kwargs)
        self.name = new_storage_name()
        self.writer = _open_for_write(document_storage(), self.name)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self.writer.write(raw_data)

    def file_complete(self, file_size: int) -> tuple[str, int]:
        self.writer.close()
        return self.name, file_size


def upload_plain(block: bytes, count: int) -> tuple[str, int]:
    request = upload_request(block, count)
    request.upload_handlers = [PlainUploadHandler(request)]
    return request.FILES[FILE_FIELD]


def upload_encrypted(block: bytes, count: int) -> tuple[str, bytes, int]:
    from shelter.crypto.uploads import EncryptingUploadHandler

    request = upload_request(block, count)
    request.upload_handlers = [EncryptingUploadHandler(request)]
    upload = request.FILES[FILE_FIELD]
    # The app wraps this key under the case key (EncryptedUpload.commit); the bench keeps it.
    return upload.storage_name, upload._writer.file_key, upload.size


def download_plain(name: str) -> int:
    from shelter.crypto.documents import document_storage
    from shelter.crypto.stream import READ_CHUNKS, SEALED_CHUNK

    response = FileResponse(document_storage().open(name, "rb"))
    response.block_size = READ_CHUNKS * SEALED_CHUNK  # Django's default is 4 KiB: be fair
    return _drain(response)


def download_encrypted(name: str, file_key: bytes, size: int) -> int:
    from shelter.crypto.documents import document_storage, open_for_read, verified_chunks

    handle = open_for_read(document_storage(), name)
    return _drain(StreamingHttpResponse(verified_chunks(file_key, handle, size=size)))


def _drain(response: Any) -> int:
    got = 0
    try:
        for part in response:
            got += len(part)
    finally:
        response.close()
    return got
