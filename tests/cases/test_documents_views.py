"""Upload (encrypted on arrival), streamed download, new versions and deletion, via the views."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Document
from shelter.audit import Action
from shelter.crypto.documents import document_storage
from tests.factories import recorded

CONTENT = os.urandom(200_000) + b"end of the passport scan"


def upload(client, case, content=CONTENT, name="../../etc/passport scan.pdf",
           category="passport_visa"):
    return client.post(reverse("cases:document_upload", args=[case.pk]), {
        "file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        "category": category})


def download(client, case, document):
    return client.get(reverse("cases:document_download", args=[case.pk, document.pk]))


def test_an_uploaded_document_downloads_byte_identical(as_user, olaf, otto, case, audit_since):
    response = upload(as_user(olaf), case)
    assert response.status_code == 302
    document = Document.objects.get(case=case)
    assert document.original_filename == "passport scan.pdf"
    assert document.size == len(CONTENT)
    stored = document_storage().open(document.storage_name, "rb").read()
    assert b"end of the passport scan" not in stored
    response = download(as_user(otto), case, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == CONTENT
    assert response["Content-Disposition"].startswith("attachment")
    assert "passport scan.pdf" in response["Content-Disposition"]
    assert "/" not in response["Content-Disposition"].split("filename")[1]
    assert response["Content-Type"] == "application/pdf"
    [uploaded] = recorded(audit_since, Action.DOCUMENT_UPLOAD)
    [downloaded] = recorded(audit_since, Action.DOCUMENT_DOWNLOAD)
    assert (uploaded.actor_id, downloaded.actor_id) == (olaf.pk, otto.pk)
    assert downloaded.target_id == str(document.pk)


def test_a_risky_content_type_is_served_as_opaque_bytes(as_user, olaf, case):
    client = as_user(olaf)
    client.post(reverse("cases:document_upload", args=[case.pk]), {
        "file": SimpleUploadedFile("x.html", b"<script>alert(1)</script>",
                                   content_type="text/html"), "category": "other"})
    response = download(client, case, Document.objects.get(case=case))
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_invalid_upload_leaves_no_file_behind(as_user, olaf, case):
    before = _stored_files()
    response = upload(as_user(olaf), case, category="not-a-category")
    assert response.status_code == 400
    assert not Document.objects.exists()
    assert _stored_files() == before


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_a_refused_upload_leaves_no_file_behind(request, as_user, case, persona):
    before = _stored_files()
    response = upload(as_user(request.getfixturevalue(persona)), case)
    assert response.status_code == 404
    assert _stored_files() == before


def test_a_new_version_replaces_the_listed_one(as_user, olaf, case, audit_since):
    client = as_user(olaf)
    upload(client, case)
    first = Document.objects.get(case=case)
    response = client.post(reverse("cases:document_replace", args=[case.pk, first.pk]), {
        "file": SimpleUploadedFile("v2.pdf", b"second version", content_type="application/pdf")})
    assert response.status_code == 302
    second = Document.objects.get(replaces=first)
    assert second.version == 2 and second.category == first.category
    page = client.get(reverse("cases:documents", args=[case.pk])).content.decode()
    assert "v2.pdf" in page and "passport scan.pdf" not in page
    assert b"".join(download(client, case, second).streaming_content) == b"second version"
    assert recorded(audit_since, Action.DOCUMENT_REPLACE)


def test_deleting_needs_a_reason_and_removes_every_version(as_user, olaf, case, audit_since,
                                                          django_capture_on_commit_callbacks):
    client = as_user(olaf)
    upload(client, case)
    first = Document.objects.get(case=case)
    client.post(reverse("cases:document_replace", args=[case.pk, first.pk]), {
        "file": SimpleUploadedFile("v2.pdf", b"second", content_type="application/pdf")})
    second = Document.objects.get(replaces=first)
    url = reverse("cases:document_delete", args=[case.pk, second.pk])
    assert client.post(url, {"reason": "", "confirmed": "1"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"reason": "Uploaded to the wrong case",
                                 "confirmed": "1"}).status_code == 302
    for document in (first, second):
        document.refresh_from_db()
        assert document.deleted_at is not None
        assert not document_storage().exists(document.storage_name)
    assert second.delete_reason == "Uploaded to the wrong case"
    assert download(client, case, second).status_code == 404
    [event] = recorded(audit_since, Action.DOCUMENT_DELETE)
    assert "wrong" not in str(event.facts)


def test_a_document_of_another_case_is_not_found_through_this_one(as_user, olaf, carla, case):
    from tests.factories import make_case

    other = make_case(carla, code_name="Kestrel", legal_name="B", passport_number="X1")
    client = as_user(olaf)
    upload(client, other)
    document = Document.objects.get(case=other)
    assert download(client, case, document).status_code == 404


def _stored_files() -> set[str]:
    root = document_storage().location
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files}
