"""cases.demo.seed: a dozen invented cases in every stage; running it twice makes them once."""

from __future__ import annotations

import io

from cases import demo
from cases.models import Activity, Case, Document, IntakeRound, Note
from shelter.crypto.api import open_document


def test_seed_covers_every_stage_and_is_idempotent(db, carla):
    out = io.StringIO()
    demo.seed(out)
    assert Case.objects.count() == 12
    assert set(Case.objects.values_list("stage", flat=True)) == set(Case.Stage.values)
    assert Note.objects.filter(category="medical").exists()
    document = Document.objects.first()
    assert b"Demo programme" in b"".join(open_document(document, actor=carla))
    demo.seed(out)
    assert Case.objects.count() == 12
    assert "0 created, 12 already present" in out.getvalue()
    assert Activity.objects.exists() and IntakeRound.objects.count() == 1
