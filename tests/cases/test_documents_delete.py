"""Deleting a document confirms first: the delete URL answers GET (and a POST without
confirmed=1) with a page that names the document and what goes, and asks for the reason; only
the confirmation's POST with a reason deletes, and it is recorded."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from cases.models import Document
from shelter.audit import Action
from shelter.crypto.documents import document_storage
from tests.factories import recorded

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(as_user, olaf, case) -> Document:
    """Version 2 of a visa scan: deleting it deletes version 1 too."""
    client = as_user(olaf)
    client.post(reverse("cases:document_upload", args=[case.pk]), {
        "file": SimpleUploadedFile("visa.pdf", b"first", content_type="application/pdf"),
        "category": "passport_visa"})
    first = Document.objects.get(case=case)
    client.post(reverse("cases:document_replace", args=[case.pk, first.pk]), {
        "file": SimpleUploadedFile("visa-2.pdf", b"second", content_type="application/pdf")})
    return Document.objects.get(replaces=first)


def _url(document) -> str:
    return reverse("cases:document_delete", args=[document.case_id, document.pk])


def _live(case) -> int:
    return Document.objects.filter(case=case, deleted_at__isnull=True).count()


def test_the_documents_page_links_to_the_confirmation(as_user, olaf, case, document):
    html = as_user(olaf).get(reverse("cases:documents", args=[case.pk])).content.decode()
    assert f'href="{_url(document)}"' in html and f'action="{_url(document)}"' not in html


@pytest.mark.parametrize("method, data", [
    ("get", {}),
    ("post", {"reason": "Wrong case"}),  # an old form without confirmed=1
])
def test_asking_to_delete_says_what_goes_and_changes_nothing(as_user, olaf, case, document,
                                                             audit_since, method, data):
    response = getattr(as_user(olaf), method)(_url(document), data)
    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    lines = response.context["consequences"]
    assert lines[0] == ("The document \u201cvisa-2.pdf\u201d (Passport and visa, version 2) "
                        "of case Heron is deleted.")
    assert lines[1] == "Its earlier version is deleted too."
    assert "This cannot be undone." in lines[2]
    assert response.context["confirm_label"] == "Delete for good"
    assert response.context["cancel_url"] == reverse("cases:documents", args=[case.pk])
    html = response.content.decode()
    assert 'name="confirmed" value="1"' in html and 'name="reason"' in html
    assert "Ana Mar" not in html  # the code name, never the defender's name
    assert _live(case) == 2
    assert recorded(audit_since, Action.DOCUMENT_DELETE) == []


def test_confirming_without_a_reason_answers_400_and_deletes_nothing(as_user, olaf, case,
                                                                      document, audit_since):
    response = as_user(olaf).post(_url(document), {"confirmed": "1", "reason": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["reason"]
    assert _live(case) == 2 and recorded(audit_since, Action.DOCUMENT_DELETE) == []


def test_confirming_with_a_reason_deletes_every_version_and_records_it(
        as_user, olaf, case, document, audit_since, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = as_user(olaf).post(_url(document), {"confirmed": "1", "reason": "Mix-up"})
    assert response.status_code == 302
    assert _live(case) == 0
    assert not any(document_storage().exists(d.storage_name)
                   for d in Document.objects.filter(case=case))
    [event] = recorded(audit_since, Action.DOCUMENT_DELETE)
    assert event.actor_id == olaf.pk and event.target_id == str(document.pk)


def test_the_confirmation_is_in_dutch(as_user, olaf, case, document):
    with translation.override("nl"):
        page = as_user(olaf).get(_url(document), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Dit document verwijderen?" in page and "Definitief verwijderen" in page
    assert "De eerdere versie wordt ook verwijderd." in page


def test_a_partner_who_may_only_read_cannot_see_the_confirmation(as_user, pia, carla, case,
                                                                 document):
    from tests.factories import make_share

    make_share(case, carla, user=pia, sections=("basic", "documents.passport_visa"))
    client = as_user(pia)
    assert client.get(_url(document)).status_code == 403
    assert client.post(_url(document), {"confirmed": "1", "reason": "x"}).status_code == 403
    assert _live(case) == 2
