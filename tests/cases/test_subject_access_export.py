"""The subject-access export: coordinators only, by POST, everything about one defender."""

from __future__ import annotations

import datetime
import json
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import services, subject_access
from cases.models import Case, Document
from cases.sharing.services import break_glass_open
from housing import services as housing_services
from shelter.audit import Action
from tests.factories import head_seq, make_share, recorded

TODAY = datetime.date.today()


def _fill_every_section(case, carla, olaf, pia, as_user) -> dict:
    """A case with an intake round, stage history, tasks, programme, notes, a document, a
    booking, a share and a break-glass opening; returns ids to look for in the export."""
    intake = services.round_create(acting_user=carla, name="2027 spring", places=4,
                                   opens_on=TODAY, closes_on=TODAY + datetime.timedelta(30))
    services.case_update(case=case, acting_user=carla, intake_round=intake,
                         visa_status={"status": "submitted", "on": TODAY.isoformat()},
                         insurance="Policy AX-99", risk_level=Case.RiskLevel.HIGH)
    services.defender_update(defender=case.defender, acting_user=carla,
                             organisation="Colectivo Río Claro", email="ana@example.org")
    services.case_transition(case=case, to=Case.Stage.UNDER_REVIEW, acting_user=carla)
    services.activity_create(case=case, acting_user=olaf, day=TODAY, starts="10:00",
                             ends="11:00", title="Meeting with the mayor", place="Town hall",
                             kind="meeting")
    services.note_create(case=case, category="general", body="Arrives by train",
                         acting_user=olaf)
    as_user(olaf).post(reverse("cases:document_upload", args=[case.pk]), {
        "file": SimpleUploadedFile("passport.pdf", b"%PDF passport", "application/pdf"),
        "category": "passport_visa"})
    unit = housing_services.unit_create(acting_user=carla, code_name="Linden",
                                        address="Kerkstraat 12-III, 1017 GC Amsterdam")
    housing_services.availability_add(unit=unit, start=TODAY, acting_user=carla,
                                      end=TODAY + datetime.timedelta(200))
    housing_services.booking_create(unit=unit, case=case, acting_user=carla,
                                    start=TODAY + datetime.timedelta(60),
                                    end=TODAY + datetime.timedelta(150), note="Ground floor")
    make_share(case, carla, user=pia, sections=["basic", "identity"])
    break_glass_open(case=case, acting_user=carla, reason="Art. 15 request")
    return {"round": intake, "document": Document.objects.get(case=case)}


def test_an_export_of_a_case_with_every_section_filled_holds_plain_values(
        as_fresh_user, as_user, carla, olaf, pia, case, audit_since):
    filled = _fill_every_section(case, carla, olaf, pia, as_user)
    since = head_seq()
    response = as_fresh_user(carla).post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 200
    data = json.loads(response.content)
    defender = data["defender"]
    assert defender["organisation"] == "Colectivo Río Claro"
    assert defender["date_of_birth"] == "1985-04-12"
    [exported] = data["cases"]
    assert exported["stage"] == "under_review" and exported["risk_level"] == "high"
    assert exported["intake_round"] == {
        "id": str(filled["round"].pk), "name": "2027 spring", "opens_on": TODAY.isoformat(),
        "closes_on": (TODAY + datetime.timedelta(30)).isoformat(), "decision_on": None}
    assert exported["visa_status"]["status"] == "submitted"
    assert exported["insurance"] == "Policy AX-99"
    assert [(t["from_stage"], t["to_stage"]) for t in exported["stage_history"]] == [
        ("nominated", "under_review")]
    assert exported["tasks"] and all(t["stage"] == "under_review" for t in exported["tasks"])
    assert exported["programme"][0]["title"] == "Meeting with the mayor"
    assert exported["programme"][0]["day"] == TODAY.isoformat()
    assert [n["body"] for n in exported["notes"]] == ["Arrives by train"]
    [document] = exported["documents"]
    assert document["id"] == str(filled["document"].pk)
    assert (document["original_filename"], document["category"]) == ("passport.pdf",
                                                                     "passport_visa")
    [booking] = exported["bookings"]
    assert booking["unit"] == "Linden" and booking["note"] == "Ground floor"
    assert booking["start"] == (TODAY + datetime.timedelta(60)).isoformat()
    assert "Kerkstraat" not in response.content.decode()  # the unit's address stays out
    [share] = exported["shares"]
    assert share["shared_with_organisation"] == "Coordinating NGO"
    assert share["sections"] == ["basic", "identity"] and share["mode"] == "read"
    assert exported["break_glass_openings"][0]["reason"] == "Art. 15 request"
    assert [e.target_id for e in recorded(since, Action.CASE_EXPORT)] == [str(case.pk)]


def test_a_failing_build_records_no_export(as_fresh_user, as_user, carla, olaf, pia, case,
                                           audit_since):
    _fill_every_section(case, carla, olaf, pia, as_user)
    client = as_fresh_user(carla)
    client.raise_request_exception = False
    with mock.patch.object(subject_access, "_bookings", side_effect=RuntimeError("boom")):
        response = client.post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 500
    assert b"Ana" not in response.content and b"boom" not in response.content
    assert not recorded(audit_since, Action.CASE_EXPORT)


def test_anything_but_plain_data_is_refused_before_it_reaches_the_encoder(case):
    with pytest.raises(TypeError, match="IntakeRound"):
        subject_access.plain(services.round_create(
            acting_user=None, name="r", opens_on=TODAY, closes_on=TODAY))
    assert subject_access.plain({"d": TODAY, "n": [case.pk]}) == {
        "d": TODAY.isoformat(), "n": [str(case.pk)]}


def test_a_coordinator_downloads_everything_about_the_defender(as_fresh_user, carla, olaf,
                                                               case, audit_since):
    services.note_create(case=case, category="medical", body="Allergic to penicillin",
                         acting_user=olaf)
    second = services.case_create(defender=case.defender, acting_user=carla)
    break_glass_open(case=case, acting_user=carla, reason="Art. 15 request")
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
