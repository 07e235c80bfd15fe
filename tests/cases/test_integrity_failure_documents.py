"""A document that fails its integrity check answers a calm 409 (410 if its file is missing).

Failures found before the first byte (file key, stored size, the first ~1 MiB of chunks) get
the error page and no download entry. A failure found later cannot change the status any more:
the stream aborts (the body never completes) and the failure is recorded all the same.
"""

from __future__ import annotations

import os

import pytest
from django.urls import reverse

from cases.models import Document
from shelter.audit import Action
from shelter.crypto.documents import document_storage
from shelter.crypto.exceptions import DecryptionFailed
from shelter.crypto.stream import HEADER_BYTES, SEALED_CHUNK
from tests.cases.test_documents_views import download, upload
from tests.factories import recorded

CONTENT = os.urandom(150_000) + b"end of the passport scan"


def stored(document) -> bytes:
    with document_storage().open(document.storage_name, "rb") as handle:
        return handle.read()


def overwrite(document, data: bytes) -> None:
    path = document_storage().path(document.storage_name)
    with open(path, "wb") as handle:
        handle.write(data)


@pytest.fixture
def document(as_user, olaf, case):
    assert upload(as_user(olaf), case, CONTENT).status_code == 302
    return Document.objects.get(case=case)


def assert_calm_page(response, status: int) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert "passport scan" not in page and str(response.wsgi_request.path) not in page
    assert "Traceback" not in page and "<html" in page
    assert not response.has_header("Content-Disposition")


def assert_recorded(since: int, document, reason: str, actor) -> None:
    [event] = recorded(since, Action.INTEGRITY_FAILURE)
    assert (event.target_type, event.target_id) == ("cases.document", str(document.pk))
    assert event.facts == {"kind": "document", "reason": reason}
    assert event.actor_id == actor.pk
    assert recorded(since, Action.DOCUMENT_DOWNLOAD) == []  # nothing left


def test_a_flipped_byte_answers_409(as_user, otto, case, document, audit_since):
    data = bytearray(stored(document))
    data[HEADER_BYTES + 1000] ^= 0x01
    overwrite(document, bytes(data))
    response = download(as_user(otto), case, document)
    assert_calm_page(response, 409)
    assert b"Integrity error" in response.content
    assert_recorded(audit_since, document, "tag", otto)


def test_another_documents_file_in_its_place_answers_409(as_user, olaf, otto, case, document,
                                                         audit_since):
    upload(as_user(olaf), case, os.urandom(len(CONTENT)), name="other.pdf")
    other = Document.objects.exclude(pk=document.pk).get(case=case)
    overwrite(document, stored(other))  # same size: only the authentication can tell
    since = recorded(audit_since)[-1].seq
    assert_calm_page(download(as_user(otto), case, document), 409)
    assert_recorded(since, document, "tag", otto)


def test_a_truncated_file_answers_409(as_user, otto, case, document, audit_since):
    overwrite(document, stored(document)[:-100])
    assert_calm_page(download(as_user(otto), case, document), 409)
    assert_recorded(audit_since, document, "truncated", otto)


def test_an_extended_file_answers_409(as_user, otto, case, document, audit_since):
    overwrite(document, stored(document) + b"\x00" * 32)
    assert_calm_page(download(as_user(otto), case, document), 409)
    assert_recorded(audit_since, document, "length", otto)


def test_a_missing_file_answers_410(as_user, otto, case, document, audit_since):
    document_storage().delete(document.storage_name)
    response = download(as_user(otto), case, document)
    assert_calm_page(response, 410)
    assert b"File missing" in response.content
    assert_recorded(audit_since, document, "missing", otto)


def test_a_failure_after_the_first_byte_aborts_the_stream_and_is_recorded(
        as_user, olaf, otto, case, audit_since):
    content = os.urandom(3 * 1024 * 1024)
    upload(as_user(olaf), case, content, name="big.pdf")
    document = Document.objects.get(case=case)
    data = bytearray(stored(document))
    data[HEADER_BYTES + 40 * SEALED_CHUNK + 5] ^= 0x01  # well past the first read
    overwrite(document, bytes(data))
    since = recorded(audit_since)[-1].seq
    response = download(as_user(otto), case, document)
    assert response.status_code == 200  # already sent when the failure shows
    received = []
    with pytest.raises(DecryptionFailed):
        for chunk in response.streaming_content:
            received.append(chunk)
    body = b"".join(received)
    assert 0 < len(body) < len(content) and content.startswith(body)
    [event] = recorded(since, Action.INTEGRITY_FAILURE)
    assert event.facts == {"kind": "document", "reason": "tag"}
    assert (event.target_id, event.actor_id) == (str(document.pk), otto.pk)
    assert event.request_id == response["X-Request-ID"]
    assert len(recorded(since, Action.DOCUMENT_DOWNLOAD)) == 1


def test_an_intact_document_still_downloads_whole(as_user, otto, case, document, audit_since):
    response = download(as_user(otto), case, document)
    assert b"".join(response.streaming_content) == CONTENT
    assert recorded(audit_since, Action.INTEGRITY_FAILURE) == []


def test_a_broken_file_name_is_withheld_in_the_list_and_the_content_still_downloads(
        as_user, otto, case, document, audit_since):
    from cases.models import Document as Row
    from tests.cases.test_integrity_failure_pages import MESSAGE, flip_byte

    flip_byte(Row, document.pk, "original_filename")
    client = as_user(otto)
    listing = client.get(reverse("cases:documents", args=[case.pk]))
    assert listing.status_code == 200 and MESSAGE in listing.content.decode()
    assert "passport scan" not in listing.content.decode()
    response = download(client, case, document)
    assert response.status_code == 200
    assert "passport scan" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == CONTENT  # the file itself authenticates
    events = recorded(audit_since, Action.INTEGRITY_FAILURE)  # once in each request
    assert [e.facts["column"] for e in events] == ["original_filename"] * 2
    assert len({e.request_id for e in events}) == 2
