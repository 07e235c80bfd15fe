"""The upload handler seals files as they arrive: no plaintext temp file, no plaintext at rest."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import uuid
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIRequest
from django.test import RequestFactory

from cases.models import Document
from shelter.crypto.api import open_document
from shelter.crypto.documents import document_storage
from shelter.crypto.uploads import EncryptedUpload, EncryptingUploadHandler
from tests.factories import MARKER

CONTENT = (MARKER.encode() + b"-line\n") * 30_000  # ~480 KiB, many chunks


def _forbid(*args, **kwargs):
    raise AssertionError("a temporary file was created during the upload")


@pytest.fixture
def no_temp_files(monkeypatch):
    for name in ("NamedTemporaryFile", "TemporaryFile", "SpooledTemporaryFile", "mkstemp"):
        monkeypatch.setattr(tempfile, name, _forbid)


def upload_request(content: bytes):
    request = RequestFactory().post(
        "/upload/", {"file": SimpleUploadedFile(f"{MARKER}.txt", content, "text/plain")})
    request.upload_handlers = [EncryptingUploadHandler(request)]
    return request


def test_upload_is_encrypted_while_streaming_in(no_temp_files):
    upload = upload_request(CONTENT).FILES["file"]
    assert isinstance(upload, EncryptedUpload)
    assert upload.size == len(CONTENT)
    assert upload.sha256 == hashlib.sha256(CONTENT).hexdigest()
    with document_storage().open(upload.storage_name, "rb") as handle:
        assert MARKER.encode() not in handle.read()
    assert b"".join(upload.chunks()) == CONTENT


@pytest.mark.django_db
def test_committed_upload_becomes_a_readable_document(case, no_temp_files):
    upload = upload_request(CONTENT).FILES["file"]
    doc = Document(id=uuid.uuid4(), case=case)
    doc.apply_stored_file(upload.commit(case.id, doc.id), filename=upload.name,
                          content_type=upload.content_type)
    doc.save()
    assert b"".join(open_document(Document.objects.get(pk=doc.pk), actor=None)) == CONTENT


def test_discarded_upload_leaves_nothing(no_temp_files):
    upload = upload_request(b"data").FILES["file"]
    upload.discard()
    assert not document_storage().exists(upload.storage_name)


def test_oversized_upload_is_stopped_and_removed(settings, no_temp_files):
    settings.SHELTER_MAX_UPLOAD_MB = 0
    storage = document_storage()
    before = set(_all_names(storage))
    request = upload_request(CONTENT)
    assert "file" not in request.FILES
    assert set(_all_names(storage)) == before


def _all_names(storage) -> list[str]:
    try:
        dirs, files = storage.listdir("")
    except FileNotFoundError:
        return []
    return files + [f"{d}/{f}" for d in dirs for f in storage.listdir(d)[1]]


def test_files_are_refused_unless_the_upload_gate_lets_them_in(settings):
    # The only configured handler stores nothing; the gate hands marked views the encrypting
    # one (tests/cases/test_upload_gate.py). Neither ever writes a temp file.
    assert settings.FILE_UPLOAD_HANDLERS == ["shelter.crypto.uploads.RefusingUploadHandler"]


def test_an_upload_whose_sync_fails_leaves_no_object(monkeypatch):
    from shelter.crypto import localfiles

    def broken(fd: int) -> None:
        raise OSError(28, "No space left on device")

    root = document_storage().location
    before = {p for p in Path(root).rglob("*.enc")}
    monkeypatch.setattr(localfiles, "_sync_data", broken)
    with pytest.raises(OSError, match="No space"):
        upload_request(CONTENT).FILES  # noqa: B018
    assert {p for p in Path(root).rglob("*.enc")} == before


BIG = os.urandom(3 << 20)  # several hash batches: the helper thread runs


def _hash_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "shelter-sha256"]


def test_a_large_upload_round_trips_and_leaves_no_thread(no_temp_files):
    upload = upload_request(BIG).FILES["file"]
    assert _hash_threads() == []
    assert upload.sha256 == hashlib.sha256(BIG).hexdigest()
    with document_storage().open(upload.storage_name, "rb") as handle:
        assert BIG[:4096] not in handle.read()
    assert b"".join(upload.chunks()) == BIG
    upload.discard()


def test_an_upload_stopped_as_too_large_mid_way_leaves_no_file_and_no_thread(settings):
    settings.SHELTER_MAX_UPLOAD_MB = 2  # stopped after the hash thread has started
    storage = document_storage()
    before = set(_all_names(storage))
    request = upload_request(BIG)
    assert "file" not in request.FILES
    assert set(_all_names(storage)) == before
    assert _hash_threads() == []


def test_a_body_cut_short_mid_file_leaves_no_file_and_no_thread():
    """A client that disconnects mid-upload: the body ends before the file's boundary."""
    storage = document_storage()
    before = set(_all_names(storage))
    full = upload_request(BIG)
    body = full.read()
    cut = WSGIRequest({**full.META, "wsgi.input": io.BytesIO(body[: len(body) // 2]),
                       "CONTENT_LENGTH": str(len(body))})
    cut.upload_handlers = [EncryptingUploadHandler(cut)]
    try:
        files = cut.FILES
    except Exception:  # noqa: BLE001 (Django may refuse the cut body; either way...)
        files = {}
    assert "file" not in files
    assert set(_all_names(storage)) == before  # ...nothing of it is stored
    assert _hash_threads() == []


def test_a_failing_hash_thread_fails_the_upload_and_leaves_no_file_and_no_thread(monkeypatch):
    from shelter.crypto import hashing

    def broken(sha, batches, free, failure):
        failure.append(MemoryError("hash failed"))
        while (batch := batches.get()) is not None:
            free.put(batch)

    storage = document_storage()
    before = set(_all_names(storage))
    monkeypatch.setattr(hashing, "_hash_batches", broken)
    with pytest.raises(MemoryError, match="hash failed"):
        upload_request(BIG).FILES  # noqa: B018
    assert set(_all_names(storage)) == before
    assert _hash_threads() == []
