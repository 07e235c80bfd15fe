"""A booking clash or a failed validation is a business-rule rejection, not an authorization
refusal: it is stored as `rejected`, and the "repeated refusals" signal does not count it —
not even the clashes stored as `refused` before the outcome existed."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from cases.models import Case
from housing import services
from shelter import audit
from shelter.audit import Action, Outcome, anomalies
from shelter.audit.models import AuditEvent
from tests.factories import day, events_after, head_seq, make_case, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(carla, olaf):
    return make_case(carla, officer=olaf)


@pytest.fixture
def unit(carla):
    return make_unit(carla)


@pytest.fixture
def clash(carla, unit):
    """The unit is taken from day 0 to day 10 by another case."""
    other = make_case(carla, code_name="Kestrel", legal_name="Bilal", passport_number="2")
    return services.booking_create(unit=unit, case=other, start=day(0), end=day(10),
                                   acting_user=carla)


def _book(client, case, unit, start: int, end: int):
    return client.post(reverse("housing:case", args=[case.pk]), {
        "unit": unit.pk, "start": day(start).isoformat(), "end": day(end).isoformat(),
        "status": "tentative", "reason": "residency", "note": ""})


def test_a_booking_clash_is_recorded_as_rejected_not_refused(as_user, olaf, case, unit, clash):
    since = head_seq()
    assert _book(as_user(olaf), case, unit, 5, 12).status_code == 409
    [entry] = [e for e in events_after(since) if e.action == Action.BOOKING_CREATE]
    assert (entry.actor_id, entry.outcome, entry.facts["reason"]) == (
        olaf.pk, Outcome.REJECTED, "conflict")
    assert not [e for e in events_after(since) if e.outcome == Outcome.REFUSED]


def test_moving_a_booking_into_a_clash_is_rejected(as_user, olaf, carla, case, unit, clash):
    mine = services.booking_create(unit=unit, case=case, start=day(20), end=day(30),
                                   acting_user=carla)
    since = head_seq()
    response = as_user(olaf).post(reverse("housing:booking", args=[mine.pk]), {
        "start": day(5).isoformat(), "end": day(25).isoformat()})
    assert response.status_code == 409
    [entry] = [e for e in events_after(since) if e.action == Action.BOOKING_CHANGE]
    assert entry.outcome == Outcome.REJECTED and entry.target_id == str(mine.pk)


def test_a_stage_change_a_guard_refuses_is_recorded_as_rejected(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.PREPARING_ARRIVAL)
    since = head_seq()
    response = as_user(olaf).post(reverse("cases:transition", args=[case.pk]),
                                  {"to": "in_residence"})
    assert response.status_code == 200
    [entry] = [e for e in events_after(since) if e.action == Action.CASE_TRANSITION]
    assert (entry.outcome, entry.target_id, entry.facts) == (Outcome.REJECTED, str(case.pk), {
        "reason": "guard", "from_stage": "preparing_arrival", "to_stage": "in_residence"})
    case.refresh_from_db()
    assert case.stage == Case.Stage.PREPARING_ARRIVAL


def test_an_officer_who_meets_booking_clashes_is_not_a_suspect(as_user, olaf, case, unit,
                                                                clash, settings):
    settings.SHELTER_AUDIT_REFUSAL_COUNT = 3
    client = as_user(olaf)
    for _ in range(4):
        assert _book(client, case, unit, 5, 12).status_code == 409
    assert olaf.pk not in [s.actor_id for s in anomalies.repeated_refusals()]
    for _ in range(3):  # three real refusals: an unknown case answers 404
        assert client.get(reverse("cases:profile", args=[uuid.uuid4()])).status_code == 404
    [signal] = [s for s in anomalies.repeated_refusals() if s.actor_id == olaf.pk]
    assert signal.count == 3


def test_clashes_stored_as_refused_before_are_read_as_rejections(as_user, aud, olaf, settings):
    settings.SHELTER_AUDIT_REFUSAL_COUNT = 2
    target = ("cases.case", str(uuid.uuid4()))
    for _ in range(3):  # the entry format written before `rejected` existed
        audit.record(olaf, Action.BOOKING_CREATE, target, Outcome.REFUSED, reason="conflict",
                     conflict="booking")
    audit.record(olaf, Action.BOOKING_CREATE, target, Outcome.REFUSED, reason="read_only")
    assert olaf.pk not in [s.actor_id for s in anomalies.repeated_refusals()]
    client = as_user(aud)

    def outcomes(outcome: str) -> list[str]:
        page = client.get(reverse("audit:events"), {"actor": olaf.pk, "outcome": outcome})
        return [e.facts.get("reason") for e in page.context["page"]]

    assert outcomes("refused") == ["read_only"]
    assert outcomes("rejected") == ["conflict"] * 3
    legacy = AuditEvent.objects.filter(actor_id=olaf.pk, facts__reason="conflict").first()
    assert legacy.is_rejection and not legacy.is_refusal


def test_the_log_pages_tag_a_rejection_apart_from_a_refusal(as_user, aud, olaf):
    target = ("cases.case", str(uuid.uuid4()))
    audit.record(olaf, Action.BOOKING_CREATE, target, Outcome.REJECTED, reason="conflict")
    html = as_user(aud).get(reverse("audit:target", args=target)).content.decode()
    assert "tag--muted" in html and "tag--warn" not in html
