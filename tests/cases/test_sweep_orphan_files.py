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


def test_a_leftover_readiness_probe_object_is_swept():
    from shelter.health import PROBE_PREFIX

    document = make_marked_document(make_marked_case(make_marked_defender()), b"kept content")
    storage = document_storage()
    probe = storage.save(f"{PROBE_PREFIX}/{'ab' * 16}.probe", io.BytesIO(b"probe"))
    past = time.time() - 2 * 3600
    os.utime(storage.path(probe), (past, past))
    other = storage.save(f"{PROBE_PREFIX}/notes.txt", io.BytesIO(b"not a probe"))
    os.utime(storage.path(other), (past, past))
    call_command("sweep_orphan_files", stdout=io.StringIO())
    assert not storage.exists(probe)
    assert storage.exists(other) and storage.exists(document.storage_name)
