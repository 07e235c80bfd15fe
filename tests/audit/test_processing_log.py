"""The processing log export in the shape of Logboek Dataverwerkingen: a defender's spans for a
period as JSON lines, each valid against the schema written from the standard's fields, with
staff as role and organisation; and the defender's report of what happened with their data,
which holds no staff names and no other defender's data."""

from __future__ import annotations

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

import shelter.audit
from shelter.audit import Action
from shelter.audit.processing_log import processing_report
from shelter.crypto.keyring import audit_subject_pseudonym
from tests.factories import fresh_client, make_case, make_share, recorded, verified_client

pytestmark = pytest.mark.django_db

SCHEMA = json.loads((Path(shelter.audit.__file__).parent / "schemas"
                     / "processing-log-span.schema.json").read_text())
TRACE, PARENT = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"


@pytest.fixture
def world(carla, olaf, otto, pia):
    heron = make_case(carla, officer=olaf, code_name="Heron", legal_name="Ana Demo Perez",
                      passport_number="P-1")
    ibis = make_case(carla, officer=otto, code_name="Ibis", legal_name="Hamza Demo Benali",
                     passport_number="P-2")
    make_share(heron, carla, user=pia, sections=["basic"])
    client = verified_client(olaf)
    client.get(reverse("cases:list"))
    client.get(reverse("cases:profile", args=[heron.pk]),
               HTTP_TRACEPARENT=f"00-{TRACE}-{PARENT}-01")
    client.get(reverse("cases:programme", args=[heron.pk]))
    verified_client(pia).get(reverse("cases:profile", args=[heron.pk]))
    verified_client(pia).get(reverse("cases:profile", args=[ibis.pk]))  # refused: not shared
    verified_client(otto).get(reverse("cases:profile", args=[ibis.pk]))
    return heron, ibis


def export(aud, case, **params):
    return verified_client(aud).get(reverse("audit:processing_log"),
                                    {"case": str(case.pk), **params})


def test_every_line_is_a_valid_span_of_the_defender(aud, world, municipality, ngo):
    heron, ibis = world
    response = export(aud, heron)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    lines = [json.loads(line) for line in response.content.decode().splitlines()]
    assert lines
    validator = jsonschema.Draft202012Validator(
        SCHEMA, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
    for line in lines:
        validator.validate(line)
    subject = audit_subject_pseudonym(heron.defender_id)
    assert {line["attributes"]["dpl.core.data_subject_id"] for line in lines} == {subject}
    activities = {line["attributes"]["dpl.core.processing_activity_id"] for line in lines}
    assert any(uri.endswith("/register/residency/versions/1/") for uri in activities)
    assert any(uri.endswith("/register/programme/versions/1/") for uri in activities)
    traced = [line for line in lines if line["trace_id"] == TRACE]
    assert traced and all(line["parent_span_id"] == PARENT for line in traced)
    assert {line["status_code"] for line in lines} <= {"ok", "error"}
    # Staff as role and organisation; no name, no e-mail address, nothing of the other defender.
    text = response.content.decode()
    for forbidden in ("Olaf", "olaf@", "Pia", "Otto", "Ana Demo", "Hamza", "Ibis", "P-2",
                      audit_subject_pseudonym(ibis.defender_id)):
        assert forbidden not in text
    roles = {line["attributes"].get("shelter.actor.role") for line in lines}
    assert {"Case officer", "Partner"} <= roles
    assert {line["attributes"].get("shelter.actor.organisation") for line in lines} >= {
        municipality.name, ngo.name}


def test_the_export_is_for_a_period_and_is_recorded(aud, world):
    heron, _ibis = world
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    assert export(aud, heron, since=tomorrow).content == b""
    today = timezone.localdate().isoformat()
    lines = export(aud, heron, since=today, until=today).content.decode().splitlines()
    assert lines
    [entry] = recorded(0, Action.PROCESSING_LOG_EXPORT)[-1:]
    assert entry.case_id == str(heron.pk) and entry.facts["lines"] == len(lines)


@pytest.mark.parametrize("params", [{"case": "not-a-uuid"},
                                    {"case": "3f0e7c1a-0000-4000-8000-000000000000"},
                                    {"since": "2026-12-02", "until": "2026-12-01"}])
def test_bad_input_gets_a_message_and_no_file(aud, world, params):
    heron, _ibis = world
    response = verified_client(aud).get(reverse("audit:processing_log"),
                                        {"case": str(heron.pk), **params})
    assert response.status_code == 400
    assert b"There is a problem" in response.content
    assert not recorded(0, Action.PROCESSING_LOG_EXPORT)


def test_only_auditors_export_it(olaf, carla, world):
    heron, _ibis = world
    for user in (olaf, carla):
        response = verified_client(user).get(reverse("audit:processing_log"),
                                             {"case": str(heron.pk)})
        assert response.status_code == 403


def test_the_data_subjects_report_names_no_staff_and_no_other_defender(world, olaf, pia):
    heron, ibis = world
    report = processing_report(heron.defender_id)
    by_activity = {row["activity"]: row for row in report}
    assert {"residency", "programme", "sharing", "intake"} <= set(by_activity)
    residency = by_activity["residency"]
    assert residency["times"] >= 2 and residency["first"] <= residency["last"]
    assert set(residency["roles"]) >= {"Case officer", "Partner"}
    assert residency["name"] == "Residency management"
    text = json.dumps(report, ensure_ascii=False)
    for forbidden in (olaf.full_name, olaf.email, pia.full_name, pia.email, "Ibis", "Hamza",
                      str(ibis.pk)):
        assert forbidden not in text
    other = processing_report(ibis.defender_id)
    assert not {row["activity"] for row in other} & {"programme", "sharing"}


def test_the_report_goes_with_the_subject_access_export(carla, world):
    heron, _ibis = world
    response = fresh_client(carla).post(reverse("cases:export", args=[heron.pk]))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["format"] == 2
    assert {row["activity"] for row in data["processing"]} >= {"residency", "intake"}
    assert "olaf" not in json.dumps(data["processing"]).lower()
