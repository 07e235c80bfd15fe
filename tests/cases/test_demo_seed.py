"""cases.demo.seed: a dozen invented cases in every stage; running it twice makes them once."""

from __future__ import annotations

import io

from cases import demo
from cases.models import Activity, Case, Document, IntakeRound, Note
from cases.selectors import visible_cases
from shelter.crypto.api import open_document


def test_seed_covers_every_stage_and_is_idempotent(db, carla):
    out = io.StringIO()
    demo.seed(out)
    assert Case.objects.count() == 12
    assert set(Case.objects.values_list("stage", flat=True)) == set(Case.Stage.values)
    assert Note.objects.filter(category="medical").exists()
    document = Document.objects.first()
    assert b"Demoprogramma" in b"".join(open_document(document, actor=carla))
    demo.seed(out)
    assert Case.objects.count() == 12
    assert "0 created, 12 already present" in out.getvalue()
    assert Activity.objects.exists() and IntakeRound.objects.count() == 1


def test_full_demo_gives_the_partner_persona_something_to_see(db):
    from django.core.management import call_command

    from shelter.accounts.models import User

    call_command("seed_demo", stdout=io.StringIO())
    pia = User.objects.get(email="pia@demo.shelter.test")
    paul = User.objects.get(email="paul@demo.shelter.test")
    assert visible_cases(pia).count() == 2
    assert visible_cases(paul).count() == 0
    call_command("seed_demo", stdout=io.StringIO())
    assert visible_cases(pia).count() == 2
