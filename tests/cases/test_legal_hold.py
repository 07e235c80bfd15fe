"""A legal hold stops crypto-shredding: by the retention job, the service and `shred_case`.

Lifting it (coordinators only, after a confirmation and a recent second factor) lets the next
retention run shred the case. Both steps are in the access log, with ids, never the reason."""

from __future__ import annotations

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases import services, upkeep
from cases.models import Case, CaseTransition, LegalHold
from shelter.audit import Action
from shelter.audit.models import AuditEvent
from shelter.jobs.models import JobRun
from tests.factories import fresh_client, head_seq, make_case, recorded, verified_client
from tests.rawscan import tables_containing

pytestmark = pytest.mark.django_db
NOON = datetime.datetime(2026, 12, 2, 14, 20, tzinfo=zoneinfo.ZoneInfo("Europe/Amsterdam"))
REASON = "Court order Rb-Den-Haag ZK-4711 names Jan Klaassen"


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def end_case(case: Case, days_ago: int, actor) -> Case:
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.UNDER_REVIEW)
    case.refresh_from_db()
    services.case_transition(case=case, to=Case.Stage.REJECTED, acting_user=actor, reason="no")
    CaseTransition.objects.filter(case=case).update(
        created_at=timezone.now() - datetime.timedelta(days=days_ago))
    return case


@pytest.fixture
def old(clock, carla):
    return end_case(make_case(carla, code_name="Old"), 800, carla)


def run_retention() -> None:
    call_command("run_due_jobs", "--job", "apply_retention", stdout=io.StringIO())


def shredded(case: Case) -> bool:
    return Case.objects.get(pk=case.pk).is_shredded


def test_a_hold_stops_shredding_and_lifting_lets_the_next_run_shred(clock, old, carla):
    since = head_seq()
    hold = services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    run_retention()
    assert not shredded(old)
    assert JobRun.objects.get(job="apply_retention").counts == {"shredded": 0, "held": 1}
    [applied] = recorded(since, Action.RETENTION_APPLY)
    assert applied.facts["cases"] == 0 and applied.facts["held"] == 1

    services.legal_hold_lift(hold=hold, acting_user=carla)
    run_retention()  # the same day: the job has run, nothing happens
    assert not shredded(old)
    clock.move_to(NOON + datetime.timedelta(days=1))
    run_retention()
    assert shredded(old)
    assert JobRun.objects.filter(job="apply_retention").latest("pk").counts == {
        "shredded": 1, "held": 0}

    [placed] = recorded(since, Action.LEGAL_HOLD_PLACE)
    [lifted] = recorded(since, Action.LEGAL_HOLD_LIFT)
    for event in (placed, lifted):
        assert event.actor_id == carla.pk and event.case_id == str(old.pk)
        assert event.facts["hold_id"] == str(hold.pk)
    assert set(placed.facts) == {"hold_id"} and set(lifted.facts) == {"hold_id", "held_days"}


def test_the_reason_is_sealed_and_never_in_the_access_log(clock, old, carla):
    services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    assert LegalHold.objects.get(case=old).reason == REASON  # readable with the case key
    assert tables_containing([b"Klaassen", b"ZK-4711"]) == []  # ciphertext only, anywhere
    assert not any("Klaassen" in str(e.facts) for e in AuditEvent.objects.all())


def test_the_database_refuses_two_active_holds_on_one_case(old, carla):
    LegalHold.objects.create(case=old, reason="one", placed_by=carla)
    with pytest.raises(IntegrityError), transaction.atomic():
        LegalHold.objects.create(case=old, reason="two", placed_by=carla)
    # a lifted hold does not count: a new one may follow it
    LegalHold.objects.filter(case=old).update(lifted_at=timezone.now())
    LegalHold.objects.create(case=old, reason="three", placed_by=carla)
    assert LegalHold.objects.filter(case=old, lifted_at__isnull=True).count() == 1


def test_the_service_refuses_a_second_hold_and_a_second_lift(old, carla):
    hold = services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    with pytest.raises(services.HoldError):
        services.legal_hold_place(case=old, reason="again", acting_user=carla)
    services.legal_hold_lift(hold=hold, acting_user=carla)
    with pytest.raises(services.HoldError):
        services.legal_hold_lift(hold=hold, acting_user=carla)


def test_the_shredding_service_refuses_a_held_case(old, carla):
    services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    since = head_seq()
    with pytest.raises(services.CaseHeld):
        services.case_shred(case=old, acting_user=None, reason="request")
    assert not shredded(old) and not recorded(since, Action.CASE_SHRED)


def test_shred_case_refuses_a_held_case_with_a_clear_message(old, carla):
    services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    with pytest.raises(CommandError, match="legal hold"):
        call_command("shred_case", str(old.pk), "--noinput", stdout=io.StringIO())
    assert not shredded(old)
    assert LegalHold.objects.get(case=old).reason == REASON  # the key is still there


def test_the_warning_selector_sees_cases_due_within_30_days_not_held(clock, carla):
    soon = end_case(make_case(carla, code_name="Soon"), 730 - 10, carla)
    later = end_case(make_case(carla, code_name="Later"), 730 - 40, carla)
    held = end_case(make_case(carla, code_name="Held"), 730 - 5, carla)
    services.legal_hold_place(case=held, reason=REASON, acting_user=carla)
    assert [c.pk for c in upkeep.cases_shredded_within(within_days=30)] == [soon.pk]
    assert later.pk not in [c.pk for c in upkeep.cases_past_retention()]


# --- the pages ------------------------------------------------------------------------------
def test_a_coordinator_places_a_hold_on_the_page(old, carla):
    client = verified_client(carla)
    url = reverse("cases:legal_hold", args=[old.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"Place a legal hold" in page.content
    assert client.post(url, {"reason": "  "}).status_code == 400
    answer = client.post(url, {"reason": REASON})
    assert answer.status_code == 302
    hold = LegalHold.objects.get(case=old)
    assert hold.placed_by == carla and hold.is_active
    page = client.get(url)
    assert b"Klaassen" in page.content and b"Lift the hold" in page.content
    assert b"Klaassen" not in answer.url.encode()
    assert client.post(url, {"reason": "again"}).status_code == 400  # one active hold


def test_lifting_asks_for_a_confirmation_and_a_recent_second_factor(old, carla):
    services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    url = reverse("cases:legal_hold_lift", args=[old.pk])
    stale = verified_client(carla)
    assert b"Lift the legal hold?" in stale.get(url).content
    answer = stale.post(url, {"confirmed": "1"})
    assert answer.status_code == 302 and reverse("accounts:reverify") in answer.url
    assert LegalHold.objects.get(case=old).is_active
    client = fresh_client(carla)
    assert client.post(url).status_code == 200  # no confirmation: the page again
    assert LegalHold.objects.get(case=old).is_active
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    hold = LegalHold.objects.get(case=old)
    assert not hold.is_active and hold.lifted_by == carla


@pytest.mark.parametrize(("persona", "status"), [("olaf", 403), ("otto", 403), ("aud", 404),
                                                 ("pia", 404)])
def test_only_coordinators_see_place_or_lift_a_hold(old, carla, people, pia, persona, status):
    hold = services.legal_hold_place(case=old, reason=REASON, acting_user=carla)
    user = {**people, "pia": pia}[persona]
    client = fresh_client(user)
    since = head_seq()
    for url in (reverse("cases:legal_hold", args=[old.pk]),
                reverse("cases:legal_hold_lift", args=[old.pk])):
        assert client.get(url).status_code == status
        response = client.post(url, {"confirmed": "1", "reason": "x"})
        assert response.status_code == status
        assert b"Klaassen" not in response.content
    hold.refresh_from_db()
    assert hold.is_active and LegalHold.objects.filter(case=old).count() == 1
    refusals = recorded(since, Action.REFUSED)
    assert len(refusals) == 4 and not recorded(since, Action.LEGAL_HOLD_LIFT)


def test_the_hold_button_shows_for_coordinators_only(old, carla, olaf):
    profile = reverse("cases:profile", args=[old.pk])
    hold_url = reverse("cases:legal_hold", args=[old.pk]).encode()
    assert hold_url in verified_client(carla).get(profile).content
    assert hold_url not in verified_client(olaf).get(profile).content
