"""apply_retention / services.case_shred: ended cases past retention become tombstones."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Case, CaseTransition, Defender
from shelter.audit import Action
from shelter.crypto.api import KeyShredded
from tests.factories import make_case, recorded


def end_case(case: Case, stage: str, days_ago: int, actor) -> Case:
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.UNDER_REVIEW)
    case.refresh_from_db()
    services.case_transition(case=case, to=stage, acting_user=actor, reason="done")
    CaseTransition.objects.filter(case=case).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return case


def run(*args) -> str:
    out = io.StringIO()
    call_command("apply_retention", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def old(carla):
    return end_case(make_case(carla, code_name="Old", passport_number="O1", risk_notes="x"),
                    Case.Stage.REJECTED, 800, carla)


@pytest.fixture
def recent(carla):
    return end_case(make_case(carla, code_name="Recent", legal_name="R", passport_number="R1"),
                    Case.Stage.WITHDRAWN, 100, carla)


def test_dry_run_lists_ids_and_changes_nothing(old, recent):
    output = run("--dry-run")
    assert f"would shred {old.pk}" in output and str(recent.pk) not in output
    assert "Ana" not in output
    assert not Case.objects.filter(shredded_at__isnull=False).exists()


def test_only_cases_ended_before_the_period_are_shredded(old, recent, audit_since,
                                                         django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run()
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.is_shredded and not recent.is_shredded
    fresh = Case.objects.get(pk=old.pk)
    with pytest.raises(KeyShredded):
        _ = fresh.risk_notes
    with pytest.raises(KeyShredded):
        _ = Defender.objects.get(pk=old.defender_id).legal_name
    assert Defender.objects.get(pk=recent.defender_id).legal_name == "R"
    assert recorded(audit_since, Action.CASE_SHRED)
    [summary] = recorded(audit_since, Action.RETENTION_APPLY)
    assert summary.facts["cases"] == 1


def test_cases_in_progress_are_never_shredded(carla):
    case = make_case(carla)
    Case.objects.filter(pk=case.pk).update(
        stage=Case.Stage.IN_RESIDENCE, updated_at=timezone.now() - datetime.timedelta(days=4000))
    run("--days", "1")
    case.refresh_from_db()
    assert not case.is_shredded


def test_a_defender_with_a_live_case_keeps_their_identity(carla, old):
    services.case_create(defender=old.defender, acting_user=carla)
    run()
    assert Defender.objects.get(pk=old.defender_id).legal_name == "Ana María Pérez"


def test_a_shredded_case_shows_its_tombstone_only(as_user, olaf, old):
    run()
    client = as_user(olaf)
    page = client.get(reverse("cases:profile", args=[old.pk]))
    assert page.status_code == 200 and b"crypto-shredded" in page.content
    assert client.get(reverse("cases:residency", args=[old.pk])).status_code == 404
    assert client.get(reverse("cases:history", args=[old.pk])).status_code == 200
