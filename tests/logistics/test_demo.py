"""cases.logistics.demo.seed (through seed_demo): documents and journeys for the demo cases,
one with a warning, an accompanying person, and idempotent."""

from __future__ import annotations

import io

from django.core.management import call_command

from cases.logistics import selectors
from cases.logistics.models import Companion, TravelDocuments, TravelLeg
from cases.models import Case
from shelter.accounts.models import User


def test_the_demo_fills_logistics_once_with_one_warning(db):
    call_command("seed_demo", stdout=io.StringIO())
    assert TravelDocuments.objects.filter(companion__isnull=True).count() == 7
    assert TravelLeg.objects.filter(status="flown").exists()
    assert Companion.objects.count() == 1
    carla = User.objects.get(email="carla@demo.shelter.test")
    warned = {case.defender.code_name: [f.code for f in failures]
              for case, failures in selectors.dashboard_warnings(carla)}
    assert warned == {"Shrike": ["insurance:defender"]}
    egret = Case.objects.get(defender__code_name="Egret")
    assert TravelDocuments.objects.get(case=egret).visa_type == "none"
    rows = TravelDocuments.objects.count(), TravelLeg.objects.count()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert (TravelDocuments.objects.count(), TravelLeg.objects.count()) == rows
    assert "Demo logistics: 0 cases filled." in out.getvalue()
