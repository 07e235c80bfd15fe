"""Files reach the documents storage only through the views that take documents, for a user
who passed both factors; anything else that arrives with a file stores nothing, and an upload
that does not become a document leaves nothing behind after the response."""

from __future__ import annotations

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Document
from shelter.crypto.documents import document_storage
from tests.factories import MARKER

pytestmark = pytest.mark.django_db

CONTENT = MARKER.encode() + os.urandom(150_000)


def stored_names() -> set[str]:
    """Every object in the documents storage (a folder in the tests)."""
    root = document_storage().location
    return {os.path.relpath(os.path.join(folder, name), root)
            for folder, _dirs, names in os.walk(root) for name in names
            if not name.startswith(".")}


def a_file(name: str = "scan.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, CONTENT, content_type="application/pdf")


@pytest.fixture
def before():
    return stored_names()


def test_a_strangers_file_to_the_sign_in_page_stores_nothing(before):
    response = Client().post(reverse("accounts:login"), {
        "email": "someone@example.org", "password": "x", "file": a_file()})
    assert response.status_code in (200, 403)
    assert stored_names() == before


def test_a_file_to_a_page_that_takes_none_stores_nothing(as_user, olaf, case, before):
    response = as_user(olaf).post(reverse("cases:notes", args=[case.pk]),
                                  {"body": "A note.", "file": a_file()})
    assert response.status_code in (200, 302)
    assert stored_names() == before


def test_a_password_only_session_uploads_nothing(olaf, case, before):
    client = Client()
    client.force_login(olaf)  # the password, not yet the second factor
    client.post(reverse("cases:document_upload", args=[case.pk]),
                {"file": a_file(), "category": "passport_visa"})
    assert stored_names() == before
    assert not Document.objects.exists()


def test_a_verified_officer_uploads_one_stored_document(as_user, olaf, case, before):
    response = as_user(olaf).post(reverse("cases:document_upload", args=[case.pk]),
                                  {"file": a_file(), "category": "passport_visa"})
    assert response.status_code == 302
    document = Document.objects.get()
    assert stored_names() - before == {document.storage_name}


def test_an_invalid_upload_form_leaves_nothing_behind(as_user, olaf, case, before):
    response = as_user(olaf).post(reverse("cases:document_upload", args=[case.pk]),
                                  {"file": [a_file("one.pdf"), a_file("two.pdf")],
                                   "category": "not-a-category"})
    assert response.status_code == 400 or response.status_code == 200
    assert not Document.objects.exists()
    assert stored_names() == before


def test_a_refused_upload_leaves_nothing_behind(as_user, pia, case, before):
    # A partner without a share: the guard answers 404 after the file arrived.
    response = as_user(pia).post(reverse("cases:document_upload", args=[case.pk]),
                                 {"file": a_file(), "category": "passport_visa"})
    assert response.status_code == 404
    assert stored_names() == before


def test_a_new_version_is_stored_and_the_old_one_kept(as_user, olaf, case, before):
    client = as_user(olaf)
    client.post(reverse("cases:document_upload", args=[case.pk]),
                {"file": a_file(), "category": "passport_visa"})
    first = Document.objects.get()
    response = client.post(reverse("cases:document_replace", args=[case.pk, first.pk]),
                           {"file": a_file("scan-2.pdf")})
    assert response.status_code == 302
    assert stored_names() - before == {d.storage_name for d in Document.objects.all()}
    assert Document.objects.count() == 2


def test_a_failing_service_discards_the_upload(as_user, olaf, case, before, monkeypatch):
    from cases import services
    from shelter import audit

    def broken(*args, **kwargs):
        raise RuntimeError("the access log is unavailable")

    monkeypatch.setattr(audit, "record", broken)
    monkeypatch.setattr(services.audit, "record", broken)
    client = as_user(olaf)
    client.raise_request_exception = False
    response = client.post(reverse("cases:document_upload", args=[case.pk]),
                           {"file": a_file(), "category": "passport_visa"})
    assert response.status_code == 500
    assert not Document.objects.exists()
    assert stored_names() == before
