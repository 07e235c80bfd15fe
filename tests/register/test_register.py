"""The register of processing activities: eight activities from the first migration, new
versions that leave the old ones readable (the database refuses to change or remove one),
maintained by coordinators and auditors, exported as JSON, CSV and a printable page, and named
with its version by every access log entry."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.db import DatabaseError, transaction

from shelter.audit import Action
from shelter.audit.activities import CODES, activity_for
from shelter.register.models import ActivityVersion
from tests.factories import events_after, head_seq, raw, recorded, verified_client

pytestmark = pytest.mark.django_db


def form_data(version: ActivityVersion, **changes: str) -> dict:
    data = {name: getattr(version, name) for name in ActivityVersion.TEXT_FIELDS}
    return {**data, "based_on": version.version, "change_note": "Yearly review", **changes}


def newest(code: str) -> ActivityVersion:
    return ActivityVersion.objects.filter(code=code).order_by("-version").first()


def test_every_installation_starts_with_the_eight_activities():
    assert {v.code for v in ActivityVersion.objects.filter(version=1)} == set(CODES)
    logging = newest("access_logging")
    assert "BIO 8.15.04" in logging.retention
    for version in ActivityVersion.objects.filter(version=1):
        assert all(getattr(version, name) for name in ActivityVersion.TEXT_FIELDS), version


def test_every_action_belongs_to_an_activity():
    for action in Action:
        assert activity_for(action) in CODES, action
    assert activity_for(Action.CASE_UPDATE, "programme") == "programme"
    assert activity_for(Action.CASE_VIEW_SECTION, "budget") == "budget"
    assert activity_for(Action.SHARE_GRANT) == "sharing"
    assert activity_for(Action.SIGN_IN) == "access_logging"


def test_staff_read_the_register_and_partners_are_refused(olaf, aud, pia):
    page = verified_client(olaf).get("/register/")
    assert page.status_code == 200
    assert b"Residency management" in page.content and b"Change (a new version)" not in \
        verified_client(olaf).get("/register/residency/").content
    assert verified_client(aud).get("/register/residency/").status_code == 200
    since = head_seq()
    assert verified_client(pia).get("/register/").status_code == 403
    [refusal] = recorded(since, Action.REFUSED)
    assert refusal.actor_id == pia.pk and refusal.outcome == "refused"
    assert verified_client(olaf).get("/register/no-such-activity/").status_code == 404


def test_a_change_makes_a_new_version_and_the_old_one_stays(carla, olaf):
    first = newest("housing")
    since = head_seq()
    response = verified_client(carla).post("/register/housing/new/", form_data(
        first, retention="With the case; the unit's address for as long as it is used."))
    assert response.status_code == 302
    # (Versions outlive a test's rollback nowhere but in a flushed database: count from `first`.)
    second = newest("housing")
    n = first.version + 1
    assert (second.version, second.changed_by_id, second.change_note) == (n, carla.pk,
                                                                           "Yearly review")
    assert second.retention.startswith("With the case; the unit")
    old = ActivityVersion.objects.get(code="housing", version=first.version)
    assert old.retention == first.retention and old.changed_at == first.changed_at
    page = verified_client(olaf).get(f"/register/housing/versions/{first.version}/")
    assert page.status_code == 200
    assert f"Replaced: version {n} is in force.".encode() in page.content
    [change] = recorded(since, Action.REGISTER_CHANGE)
    assert change.facts == {"activity_code": "housing", "register_version": n}
    # From now on the log names the new version for housing.
    client = verified_client(olaf)
    client.get("/housing/")
    later = [e for e in events_after(change.seq) if e.activity == "housing"]
    assert later and {e.activity_version for e in later} == {n}


def test_an_unchanged_or_outdated_form_changes_nothing(carla):
    current = newest("budget")
    client = verified_client(carla)
    response = client.post("/register/budget/new/", form_data(current))
    assert response.status_code == 400 and b"Nothing changed" in response.content
    stale = form_data(current, purpose="A new purpose.", based_on=current.version - 1)
    response = client.post("/register/budget/new/", stale)
    assert response.status_code == 400 and b"Someone saved a new version" in response.content
    missing = form_data(current, purpose="")
    assert client.post("/register/budget/new/", missing).status_code == 400
    assert newest("budget").version == current.version


def test_officers_and_partners_cannot_change_it(olaf, pia):
    current = newest("sharing")
    for user in (olaf, pia):
        response = verified_client(user).post("/register/sharing/new/",
                                              form_data(current, purpose="Changed."))
        assert response.status_code == 403
    assert newest("sharing").version == current.version


@pytest.mark.parametrize("sql", [
    "UPDATE register_activityversion SET purpose = 'rewritten'",
    "DELETE FROM register_activityversion",
])
def test_the_database_refuses_to_rewrite_or_remove_a_version(sql):
    with pytest.raises(DatabaseError), transaction.atomic():
        raw(sql)
    assert ActivityVersion.objects.filter(purpose="rewritten").count() == 0
    assert ActivityVersion.objects.filter(version=1).count() == len(CODES)


def test_the_exports_hold_every_activity_with_its_uri(carla, olaf, settings):
    settings.SHELTER_REGISTER_BASE_URI = "https://leiden.example.nl/verwerkingsregister/"
    client = verified_client(carla)
    since = head_seq()
    document = json.loads(client.get("/register/export.json").content)["activities"]
    assert [row["code"] for row in document] == list(CODES)
    assert document[1]["uri"] == ("https://leiden.example.nl/verwerkingsregister/residency/"
                                  f"versions/{newest('residency').version}/")
    response = client.get("/register/export.csv")
    assert response["Content-Disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["code"] for row in rows] == list(CODES) and rows[0]["retention"]
    printed = client.get("/register/print/")
    assert printed.status_code == 200
    for row in document:
        assert row["name"].encode() in printed.content
    assert [e.facts["format"] for e in recorded(since, Action.REGISTER_EXPORT)] == [
        "json", "csv", "print"]
    assert verified_client(olaf).get("/register/export.json").status_code == 403


def test_a_formula_in_the_register_is_not_run_by_a_spreadsheet(carla):
    current = newest("statistics")
    verified_client(carla).post("/register/statistics/new/",
                                form_data(current, recipients="=HYPERLINK(\"http://x\")"))
    response = verified_client(carla).get("/register/export.csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [r["recipients"] for r in rows if r["code"] == "statistics"] == [
        "'=HYPERLINK(\"http://x\")"]


def test_the_demo_shows_a_history_once():
    from django.core.management import call_command

    call_command("seed_demo", stdout=io.StringIO())
    after_first = ActivityVersion.objects.filter(code="sharing").count()
    call_command("seed_demo", stdout=io.StringIO())
    assert after_first >= 2
    assert ActivityVersion.objects.filter(code="sharing").count() == after_first
    assert {v.code for v in ActivityVersion.objects.filter(version=1)} == set(CODES)
