"""sweep_orphan_files deletes old ciphertext no document refers to, and nothing else."""

from __future__ import annotations

import io
import os
import time

import pytest
from django.core.management import call_command

from cases.models import Document
from shelter.crypto.documents import document_storage, new_storage_name
from tests.factories import make_marked_case, make_marked_defender, make_marked_document

pytestmark = pytest.mark.django_db


def _orphan(age_seconds: float) -> str:
    storage = document_storage()
    name = storage.save(new_storage_name(), io.BytesIO(b"\x00" * 100))
    past = time.time() - age_seconds
    os.utime(storage.path(name), (past, past))
    return name


def test_old_orphans_go_and_documents_and_fresh_uploads_stay():
    document = make_marked_document(make_marked_case(make_marked_defender()), b"kept content")
    old, fresh = _orphan(2 * 3600), _orphan(60)
    out = io.StringIO()
    call_command("sweep_orphan_files", "--dry-run", stdout=out)
    assert "1 orphaned file(s) would delete" in out.getvalue()
    assert document_storage().exists(old)
    call_command("sweep_orphan_files", stdout=out)
    storage = document_storage()
    assert not storage.exists(old)
    assert storage.exists(fresh) and storage.exists(document.storage_name)
    assert Document.objects.count() == 1
