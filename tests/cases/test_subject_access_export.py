"""The subject-access export: coordinators only, by POST, everything about one defender."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from cases import services, services_sharing
from shelter.audit import Action
from tests.cases.conftest import recorded


def test_a_coordinator_downloads_everything_about_the_defender(as_fresh_user, carla, olaf,
                                                               case, audit_since):
    services.note_create(case=case, category="medical", body="Allergic to penicillin",
                         acting_user=olaf)
    second = services.case_create(defender=case.defender, acting_user=carla)
    services_sharing.break_glass_open(case=case, acting_user=carla, reason="Art. 15 request")
    response = as_fresh_user(carla).post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        f'attachment; filename="subject-access-{case.pk}.json"')
    data = json.loads(response.content)
    assert data["defender"]["legal_name"] == "Ana María Pérez"
    assert {c["id"] for c in data["cases"]} == {str(case.pk), str(second.pk)}
    assert any(n["body"] == "Allergic to penicillin" for c in data["cases"] for n in c["notes"])
    exports = recorded(audit_since, Action.CASE_EXPORT)
    assert {e.target_id for e in exports} == {str(case.pk), str(second.pk)}


def test_the_export_is_post_only(as_user, carla, case):
    assert as_user(carla).get(reverse("cases:export", args=[case.pk])).status_code == 405


def test_an_officer_is_refused_with_403(as_user, olaf, case, audit_since):
    assert as_user(olaf).post(reverse("cases:export", args=[case.pk])).status_code == 403
    assert recorded(audit_since)[-1].outcome == "refused"
    page = as_user(olaf).get(reverse("cases:profile", args=[case.pk])).content
    assert b"subject-access" not in page


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_partners_and_auditors_get_404(request, as_user, case, persona):
    user = request.getfixturevalue(persona)
    assert as_user(user).post(reverse("cases:export", args=[case.pk])).status_code == 404


def test_without_break_glass_restricted_notes_are_withheld_from_the_export(as_fresh_user, carla,
                                                                         olaf, case):
    services.note_create(case=case, category="medical", body="Allergic to penicillin",
                         acting_user=olaf)
    response = as_fresh_user(carla).post(reverse("cases:export", args=[case.pk]))
    assert b"penicillin" not in response.content
    assert json.loads(response.content)["cases"][0]["notes_withheld"] == 1


def test_an_export_without_a_recent_code_asks_for_one_first(as_user, carla, case,
                                                             audit_since):
    response = as_user(carla).post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reverify"))
    assert not recorded(audit_since, Action.CASE_EXPORT)
