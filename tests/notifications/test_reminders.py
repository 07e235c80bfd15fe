"""The daily reminders (cases.jobs.raise_reminders, housing.jobs.raise_booking_reminders):
each kind for the right people and nobody else, once per fact, new facts the next day, and
their mails content-free. The clock is time-machine's, never slept."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from cases.choices import Stage
from cases.models import Case, Task
from cases.sharing.services import share_revoke
from housing.models import Booking
from shelter.jobs.runner import run_due
from shelter.mail.outbox import send_due
from shelter.notifications.models import Notification, NotificationPreference
from tests.factories import make_case, make_share, make_unit
from tests.mail.contentfree import assert_content_free

pytestmark = pytest.mark.django_db
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MORNING = datetime.datetime(2026, 12, 2, 7, 0, tzinfo=AMSTERDAM)
TODAY = MORNING.date()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller


def run(job: str):
    [attempt] = run_due(only=job)
    assert attempt.outcome == "ok", attempt.error_type
    return attempt.counts


def got(kind: str) -> list[tuple[str, str, int]]:
    return sorted((n.user.email, n.dedupe, n.count)
                  for n in Notification.objects.filter(kind=kind).select_related("user"))


def task(case, owner, due_on, **extra) -> Task:
    made = Task(case=case, stage=case.stage, own_title="Bel de advocaat van Ana", owner=owner,
                due_on=due_on, **extra)
    made.save()
    return made


def test_tasks_due_and_overdue_reach_their_owner_once_a_day(clock, carla, olaf, otto):
    case = make_case(carla, officer=olaf)
    task(case, olaf, days(-3))          # overdue
    task(case, olaf, days(7))           # due within the week
    task(case, olaf, days(8))           # not yet
    task(case, olaf, days(1), done_at=MORNING)  # done
    task(case, otto, days(2))
    assert run("raise_reminders")["tasks_due"] == 2
    assert got("tasks_due") == [("olaf@example.org", "tasks:2026-12-02", 2),
                                ("otto@example.org", "tasks:2026-12-02", 1)]
    assert run_due(only="raise_reminders") == []  # same day: the job is done
    clock.shift(datetime.timedelta(days=1))
    run("raise_reminders")
    assert ("olaf@example.org", "tasks:2026-12-03", 3) in got("tasks_due")


def test_a_partner_owning_a_task_hears_nothing_tasks_are_for_staff_only(clock, carla, olaf,
                                                                         pia, paul):
    shared, other = make_case(carla, code_name="Heron"), make_case(carla, code_name="Ibis")
    make_share(shared, carla, user=pia, sections=("basic", "residency"))
    task(shared, pia, days(1))
    task(other, paul, days(1))
    task(other, olaf, days(1))
    run("raise_reminders")
    assert got("tasks_due") == [("olaf@example.org", "tasks:2026-12-02", 1)]


def test_arrivals_and_departures_within_a_week_reach_the_assigned_officer(clock, carla, olaf,
                                                                          otto):
    coming = make_case(carla, code_name="Heron", officer=olaf, planned_arrival=days(5),
                       planned_departure=days(90))
    leaving = make_case(carla, code_name="Ibis", officer=olaf, planned_arrival=days(-80),
                        actual_arrival=days(-80), planned_departure=days(2))
    leaving.stage = Stage.IN_RESIDENCE
    leaving.save(update_fields=["stage"])
    make_case(carla, code_name="Kite", officer=otto, planned_arrival=days(9))  # too far
    make_case(carla, code_name="Lark", planned_arrival=days(1))  # nobody assigned
    counts = run("raise_reminders")
    assert (counts["arrival_soon"], counts["departure_soon"]) == (1, 1)
    assert got("arrival_soon") == [("olaf@example.org", f"arrival:{coming.pk}:{days(5)}", 1)]
    assert got("departure_soon") == [
        ("olaf@example.org", f"departure:{leaving.pk}:{days(2)}", 1)]
    clock.shift(datetime.timedelta(days=1))
    assert run("raise_reminders")["arrival_soon"] == 0  # the same case and date: once
    assert Notification.objects.filter(kind="arrival_soon").count() == 1


def test_a_share_ending_within_a_week_reaches_the_sharer_and_the_partner(clock, carla, olaf,
                                                                         pia, paul, ngo):
    case = make_case(carla, officer=olaf)
    ending = make_share(case, olaf, user=pia, days=5)
    make_share(case, olaf, user=paul, days=30)
    revoked = make_share(make_case(carla, code_name="Ibis"), olaf, user=paul, days=2)
    share_revoke(share=revoked, acting_user=olaf, reason="Niet meer nodig")
    org_share = make_share(case, carla, organisation=ngo, days=3)
    assert run("raise_reminders")["share_ending"] == 4
    assert got("share_ending") == sorted([
        ("carla@example.org", f"share:{org_share.pk}:7d", 1),
        ("olaf@example.org", f"share:{ending.pk}:7d", 1),
        ("pia@example.org", f"share:{ending.pk}:7d", 1),
        ("pia@example.org", f"share:{org_share.pk}:7d", 1),  # a member of the organisation
    ])  # paul: his share runs 30 days, the one ending soon was revoked: nothing
    clock.shift(datetime.timedelta(days=1))
    assert run("raise_reminders")["share_ending"] == 0


def test_a_share_of_a_shredded_case_reminds_nobody(clock, carla, olaf, pia):
    case = make_case(carla, officer=olaf)
    make_share(case, olaf, user=pia, days=5)
    Case.objects.filter(pk=case.pk).update(shredded_at=timezone.now())
    assert run("raise_reminders")["share_ending"] == 0
    assert not Notification.objects.filter(kind="share_ending").exists()


def booking(unit, case, start, status=Booking.Status.TENTATIVE) -> Booking:
    made = Booking(unit=unit, case=case, start=start, end=start + datetime.timedelta(days=30),
                   blocked_until=start + datetime.timedelta(days=30), status=status)
    made.save()
    return made


def test_tentative_bookings_14_days_ahead_reach_the_officer_or_else_the_coordinators(
        clock, carla, olaf, otto, aud):
    assigned = make_case(carla, code_name="Heron", officer=olaf)
    unassigned = make_case(carla, code_name="Ibis")
    late = booking(make_unit(carla, "Linden"), assigned, days(10))
    orphan = booking(make_unit(carla, "Maple"), unassigned, days(14))
    later = booking(make_unit(carla, "Oak"), assigned, days(15))  # not yet
    booking(make_unit(carla, "Pine"), unassigned, days(3), Booking.Status.CONFIRMED)
    assert run("raise_booking_reminders")["booking_unconfirmed"] == 2
    assert got("booking_unconfirmed") == [
        ("carla@example.org", f"booking:{orphan.pk}:14d", 1),
        ("olaf@example.org", f"booking:{late.pk}:14d", 1)]
    clock.shift(datetime.timedelta(days=1))  # the first two once; the third now comes in
    assert run("raise_booking_reminders")["booking_unconfirmed"] == 1
    assert ("olaf@example.org", f"booking:{later.pk}:14d", 1) in got("booking_unconfirmed")


def test_every_reminder_mail_arrives_content_free(clock, carla, olaf, pia, smtp_server):
    for person in (olaf, pia, carla):
        for kind in ("tasks_due", "arrival_soon", "share_ending", "booking_unconfirmed"):
            NotificationPreference.objects.create(user=person, kind=kind, mode="immediate")
    case = make_case(carla, officer=olaf, planned_arrival=days(3))
    task(case, olaf, days(1))
    make_share(case, olaf, user=pia, days=2)
    booking(make_unit(carla, "Linden"), case, days(3))
    run("raise_reminders")
    run("raise_booking_reminders")
    assert send_due()["sent"] == 5  # olaf: tasks, arrival, share, booking; pia: share
    raw = smtp_server.inbox.raw()
    assert len(raw) == 5
    for message in raw:
        assert_content_free(message, extra=["Bel de advocaat", "Heron", "Linden"])
    assert any(b"1 share ends within 7 days" in message for message in raw)
