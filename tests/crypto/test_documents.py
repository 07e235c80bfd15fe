"""Encrypted documents through the storage API: round trips, binding to the row, tampering."""

from __future__ import annotations

import hashlib
import os

import pytest

from cases.models import Document
from shelter.crypto.api import open_document
from shelter.crypto.documents import decrypt_document, document_storage
from shelter.crypto.exceptions import DecryptionFailed
from shelter.crypto.stream import CHUNK
from tests.factories import MARKER, make_marked_case, make_marked_document

pytestmark = pytest.mark.django_db


def read_all(doc: Document) -> bytes:
    return b"".join(open_document(Document.objects.get(pk=doc.pk), actor=None))


def storage_bytes(doc: Document) -> bytes:
    with document_storage().open(doc.storage_name, "rb") as handle:
        return handle.read()


def overwrite(doc: Document, data: bytes) -> None:
    with open(document_storage().path(doc.storage_name), "wb") as handle:
        handle.write(data)


@pytest.mark.parametrize("size", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 5 * CHUNK + 3])
def test_document_round_trips_and_records_size_and_hash(case, size):
    content = os.urandom(size)
    doc = make_marked_document(case, content)
    fresh = Document.objects.get(pk=doc.pk)
    assert read_all(doc) == content
    assert fresh.size == size and fresh.sha256 == hashlib.sha256(content).hexdigest()
    assert fresh.original_filename == f"{MARKER}.pdf"


def test_storage_name_is_random_and_file_is_private(case):
    doc = make_marked_document(case, b"x")
    assert MARKER not in doc.storage_name and doc.storage_name.endswith(".enc")
    assert os.stat(document_storage().path(doc.storage_name)).st_mode & 0o077 == 0


def test_stored_file_is_ciphertext(case):
    doc = make_marked_document(case, MARKER.encode() * 10_000)
    assert MARKER.encode() not in storage_bytes(doc)


def test_flipped_bit_in_file_fails(case):
    doc = make_marked_document(case, os.urandom(3 * CHUNK))
    data = bytearray(storage_bytes(doc))
    data[CHUNK + 100] ^= 1
    overwrite(doc, bytes(data))
    with pytest.raises(DecryptionFailed):
        read_all(doc)


def test_truncated_file_fails_before_the_first_byte_and_never_completes(case):
    doc = make_marked_document(case, os.urandom(3 * CHUNK))
    overwrite(doc, storage_bytes(doc)[: -(CHUNK + 16)])
    with pytest.raises(DecryptionFailed) as failed:  # the stored size gives it away at once
        open_document(Document.objects.get(pk=doc.pk), actor=None)
    assert failed.value.reason == "truncated"
    chunks = decrypt_document(Document.objects.get(pk=doc.pk))  # no size check up front
    with pytest.raises(DecryptionFailed):
        for _ in chunks:
            pass


def test_files_swapped_between_documents_fail(case):
    first = make_marked_document(case, b"first" * 100)
    second = make_marked_document(case, b"second" * 100)
    Document.objects.filter(pk=first.pk).update(storage_name="swap")
    Document.objects.filter(pk=second.pk).update(storage_name=first.storage_name)
    Document.objects.filter(pk=first.pk).update(storage_name=second.storage_name)
    with pytest.raises(DecryptionFailed):
        read_all(first)


def test_file_key_of_another_case_fails(defender):
    doc_a = make_marked_document(make_marked_case(defender), b"a" * 100)
    doc_b = make_marked_document(make_marked_case(defender), b"b" * 100)
    Document.objects.filter(pk=doc_b.pk).update(wrapped_file_key=doc_a.wrapped_file_key)
    with pytest.raises(DecryptionFailed):
        read_all(doc_b)


def test_integrity_reads_check_the_stored_sha256(case):
    doc = make_marked_document(case, b"payload" * 1000)
    fresh = Document.objects.get(pk=doc.pk)
    fresh.sha256 = hashlib.sha256(b"something else").hexdigest()
    fresh.save()
    with pytest.raises(DecryptionFailed):
        b"".join(decrypt_document(Document.objects.get(pk=doc.pk)))


@pytest.mark.parametrize("delta", [-1, 1])
def test_download_of_a_document_whose_size_differs_never_completes(case, delta):
    content = os.urandom(2 * CHUNK + 5)
    doc = make_marked_document(case, content)
    Document.objects.filter(pk=doc.pk).update(size=len(content) + delta)
    received = bytearray()
    with pytest.raises(DecryptionFailed):
        for chunk in open_document(Document.objects.get(pk=doc.pk), actor=None):
            received += chunk
    assert len(received) < len(content) and bytes(received) == content[: len(received)]


def test_download_never_yields_the_last_chunk_of_a_cut_stream(case):
    content = os.urandom(3 * CHUNK + 7)
    doc = make_marked_document(case, content)
    overwrite(doc, storage_bytes(doc)[:-1])
    received = bytearray()
    with pytest.raises(DecryptionFailed):
        for chunk in open_document(Document.objects.get(pk=doc.pk), actor=None):
            received += chunk
    assert len(received) <= 3 * CHUNK


def test_opening_a_document_writes_one_audit_event_before_streaming(case, olaf):
    from shelter.audit import Action
    from shelter.audit.models import AuditEvent

    doc = make_marked_document(case, b"content")
    chunks = open_document(Document.objects.get(pk=doc.pk), actor=olaf)
    event = AuditEvent.objects.get(action=Action.DOCUMENT_DOWNLOAD)
    assert event.target_id == str(doc.pk) and event.actor_id == olaf.pk
    assert (event.case_id, event.facts) == (str(case.pk), {})
    assert b"".join(chunks) == b"content"
