"""Fixtures for the encryption core: a defender, a case, notes and documents full of markers."""

from __future__ import annotations

import datetime
import io

import pytest

from cases.models import Case, Defender, Document, Note
from shelter.crypto import keycache
from shelter.crypto.api import store_document

MARKER = "ZQXJMARKER"


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


def make_defender(marker: str = MARKER, **extra) -> Defender:
    defender = Defender(
        code_name=extra.pop("code_name", "Heron"),
        legal_name=f"Ana {marker} Pérez", other_names=f"alias {marker}",
        date_of_birth=datetime.date(1985, 4, 12), nationality=f"nat {marker}",
        languages=f"es {marker}", gender=f"g {marker}", phone=f"+31 {marker}",
        email=f"{marker}@example.org", messenger=f"@{marker}",
        emergency_contact=f"mother {marker}", passport_number=f"P-{marker}",
        special_needs=f"needs {marker}", **extra,
    )
    defender.save()
    return defender


def make_case(defender: Defender, marker: str = MARKER) -> Case:
    case = Case(
        defender=defender, risk_notes=f"risk {marker}", visa_status={"status": marker},
        travel={"flight": marker}, insurance=f"ins {marker}", allowance=f"allow {marker}",
        accompanying_persons=[{"name": marker}], return_plan=f"return {marker}",
        follow_up=f"follow {marker}",
    )
    case.save()
    return case


def make_note(case: Case, marker: str = MARKER) -> Note:
    note = Note(case=case, body=f"note {marker}")
    note.save()
    return note


def make_document(case: Case, content: bytes, marker: str = MARKER) -> Document:
    doc = Document(case=case, delete_reason=f"reason {marker}")
    stored = store_document(case.id, io.BytesIO(content), document_id=doc.id)
    doc.apply_stored_file(stored, filename=f"{marker}.pdf", content_type=f"application/{marker}")
    doc.save()
    return doc


@pytest.fixture
def defender(db) -> Defender:
    return make_defender()


@pytest.fixture
def case(defender) -> Case:
    return make_case(defender)
