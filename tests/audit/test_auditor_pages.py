"""The auditors' pages: auditors only, read-only, filtered, exported safely, and recorded."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from shelter import audit
from shelter.audit import Action, Outcome
from shelter.audit.selectors import events_for_target
from tests.factories import events_after, head_seq

pytestmark = pytest.mark.django_db

PAGES = [("audit:events", {}), ("audit:anomalies", {}), ("audit:chain", {}),
         ("audit:export", {}), ("audit:actor", {"actor_id": 1}),
         ("audit:target", {"target_type": "cases.case", "target_id": "c-1"})]


@pytest.mark.parametrize("name, kwargs", PAGES, ids=[p[0] for p in PAGES])
def test_auditor_sees_every_page(as_user, aud, name, kwargs):
    response = as_user(aud).get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["carla", "olaf", "otto", "pia", "paul"])
@pytest.mark.parametrize("name, kwargs", PAGES, ids=[p[0] for p in PAGES])
def test_everyone_else_is_refused_and_recorded(as_user, request, persona, name, kwargs):
    user = request.getfixturevalue(persona)
    client, since = as_user(user), head_seq()
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 403
    [entry] = events_after(since)
    assert (entry.actor_id, entry.action, entry.outcome) == (user.pk, Action.AUDIT_VIEW,
                                                             "refused")


def test_auditors_cannot_change_anything(as_user, aud):
    client = as_user(aud)
    for name, kwargs in PAGES:
        assert client.post(reverse(name, kwargs=kwargs)).status_code == 405


def test_verify_now_is_recorded(as_user, aud):
    client, since = as_user(aud), head_seq()
    assert client.post(reverse("audit:verify")).status_code == 302
    assert [e.action for e in events_after(since)] == [Action.VERIFY]
    assert client.get(reverse("audit:chain")).context["last"].ok


def test_filters(as_user, aud, olaf, otto, pia):
    audit.record(olaf, Action.CASE_VIEW_SECTION, ("cases.case", "case-a"), section="identity")
    audit.record(otto, Action.CASE_VIEW_SECTION, ("cases.case", "case-b"))
    audit.record(pia, Action.REFUSED, ("cases.case", "case-a"), Outcome.REFUSED)
    client = as_user(aud)

    def rows(**query):
        page = client.get(reverse("audit:events"), query).context["page"]
        return {(e.actor_id, e.target_id) for e in page if e.target_id.startswith("case-")}

    assert rows(target_id="case-a") == {(olaf.pk, "case-a"), (pia.pk, "case-a")}
    assert rows(actor=otto.pk) == {(otto.pk, "case-b")}
    assert rows(organisation=pia.organisation_id) == {(pia.pk, "case-a")}
    assert rows(outcome="refused") == {(pia.pk, "case-a")}
    assert rows(action=int(Action.CASE_VIEW_SECTION)) == {(olaf.pk, "case-a"),
                                                          (otto.pk, "case-b")}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert rows(date_from=tomorrow) == set()
    assert len(rows(date_to=tomorrow)) == 3


def test_refusals_and_break_glass_are_highlighted(as_user, aud, carla, pia):
    audit.record(carla, Action.BREAK_GLASS, ("cases.case", "case-z"), grant=7)
    audit.record(pia, Action.REFUSED, ("cases.case", "case-z"), Outcome.REFUSED)
    body = as_user(aud).get(reverse("audit:target", args=["cases.case", "case-z"])).content
    assert b"tag--danger" in body and b"tag--warn" in body


def test_pages_are_recorded(as_user, aud):
    client, since = as_user(aud), head_seq()
    client.get(reverse("audit:events"), {"target_id": "case-q"})
    [entry] = events_after(since)
    assert (entry.action, entry.facts) == (Action.AUDIT_VIEW, {
        "page": "events", "page_number": 1, "filter_target_id": "case-q"})


def test_csv_export_is_recorded_and_formula_safe(as_user, aud, olaf):
    from shelter.context import RequestInfo, current_request

    token = current_request.set(RequestInfo("r" * 32, "192.0.2.1", "=HYPERLINK(\"x\")"))
    try:
        audit.record(olaf, Action.CASE_LIST)
    finally:
        current_request.reset(token)
    client, since = as_user(aud), head_seq()
    response = client.get(reverse("audit:export"), {"actor": olaf.pk})
    content = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(content)))
    assert rows[0][0] == "seq" and len(rows) == 2
    user_agent = rows[1][rows[0].index("user_agent")]
    assert user_agent == "'=HYPERLINK(\"x\")"
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    [entry] = events_after(since)
    assert (entry.action, entry.facts) == (Action.AUDIT_EXPORT, {"filter_actor": olaf.pk})
    assert response["Content-Disposition"] == 'attachment; filename="access-log.csv"'


def test_anomalies(as_user, aud, olaf, otto, settings):
    settings.SHELTER_AUDIT_BURST_CASES = 3
    settings.SHELTER_AUDIT_REFUSAL_COUNT = 2
    for i in range(3):
        audit.record(olaf, Action.CASE_VIEW_SECTION, ("cases.case", f"burst-{i}"))
    for _ in range(2):
        audit.record(otto, Action.REFUSED, ("cases.case", "x"), Outcome.REFUSED)
    signals = as_user(aud).get(reverse("audit:anomalies")).context["signals"]
    assert [s.actor_id for s in signals["bursts"]] == [olaf.pk]
    assert otto.pk in [s.actor_id for s in signals["refusals"]]


def test_night_access_signal(olaf, monkeypatch):
    from shelter.audit import anomalies

    night = timezone.localtime().replace(hour=23, minute=30)
    monkeypatch.setattr("django.utils.timezone.now", lambda: night)
    audit.record(olaf, Action.CASE_VIEW_SECTION, ("cases.case", "late"))
    assert olaf.pk in [s.actor_id for s in anomalies.night_access()]


def test_case_history_for_coordinators_not_partners(carla, pia, otto, aud):
    case_id = str(uuid.uuid4())
    audit.record(otto, Action.CASE_VIEW_SECTION, ("cases.case", case_id))
    assert [e.actor_id for e in events_for_target(carla, "cases.case", case_id)] == [otto.pk]
    assert events_for_target(aud, "cases.case", case_id).count() == 1
    with pytest.raises(PermissionDenied):
        events_for_target(pia, "cases.case", case_id)


def test_dashboard_panel_for_auditors_only(as_user, aud, olaf):
    assert b"/audit/anomalies/" in as_user(aud).get("/").content
    from shelter.audit.panels import auditor_panel

    class Request:
        user = olaf

    assert auditor_panel(Request()) is None
    Request.user = aud
    assert auditor_panel(Request())["template"] == "audit/panel.html"
