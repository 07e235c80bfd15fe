"""The database itself refuses double bookings (PostgreSQL: an exclusion constraint; SQLite: the
triggers of migration 0003), and many officers booking one unit at the same moment get exactly
one booking."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from housing import services
from housing.constraints import ACTIVE_STATUSES, NO_OVERLAP
from housing.models import Booking
from shelter.audit import Action
from tests.factories import day, make_case, make_unit, recorded

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="exclusion constraints need PostgreSQL")
sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'",
                                 reason="the triggers are SQLite's form of the constraint")
migration = importlib.import_module("housing.migrations.0003_booking_no_overlap_sqlite")


def _raw_booking(unit, case, start, end, until, status="tentative") -> Booking:
    """A row written straight to the table, bypassing the services' checks and lock."""
    booking = Booking(unit=unit, case=case, start=day(start), end=day(end),
                      blocked_until=day(until), status=status)
    booking.save()
    return booking


def test_the_database_refuses_an_overlapping_row_written_around_the_service(carla, case):
    unit = make_unit(carla, buffer=1)
    services.booking_create(unit=unit, case=case, start=day(0), end=day(10), acting_user=carla)
    with pytest.raises(IntegrityError, match="housing_booking_no_overlap"), \
            transaction.atomic():
        _raw_booking(unit, case, 10, 12, 13)  # inside the turnover day of the first
    _raw_booking(unit, case, 11, 12, 13)  # after the buffer: accepted
    _raw_booking(unit, case, 0, 10, 11, status="cancelled")  # cancelled rows never clash


def test_the_database_refuses_an_update_that_makes_an_overlap(carla, case):
    unit, other_unit = make_unit(carla, buffer=1), make_unit(carla, code_name="Beech")
    _raw_booking(unit, case, 0, 10, 11)
    later = _raw_booking(unit, case, 11, 20, 21)
    moved = _raw_booking(other_unit, case, 5, 8, 9)
    cancelled = _raw_booking(unit, case, 5, 8, 9, status="cancelled")
    for booking, change in ((later, {"start": day(9)}),  # into the first's last night
                            (later, {"start": day(10)}),  # into the first's turnover day
                            (moved, {"unit": unit}),  # onto a booked unit
                            (cancelled, {"status": "confirmed"})):  # revived over the first
        original = {name: getattr(booking, name) for name in change}
        for name, value in change.items():
            setattr(booking, name, value)
        with pytest.raises(IntegrityError, match=NO_OVERLAP), transaction.atomic():
            booking.save()
        for name, value in original.items():
            setattr(booking, name, value)
    stored = {(b.unit_id, b.start, b.blocked_until, b.status) for b in Booking.objects.all()}
    assert stored == {(unit.pk, day(0), day(11), "tentative"),
                      (unit.pk, day(11), day(21), "tentative"),
                      (other_unit.pk, day(5), day(9), "tentative"),
                      (unit.pk, day(5), day(9), "cancelled")}
    # A booking is never its own clash, a cancelled one may change over booked days, and one
    # cancelled frees its days.
    later.end, later.blocked_until = day(25), day(26)
    later.save()
    cancelled.note = "moved to Beech"
    cancelled.save()
    Booking.objects.filter(pk=later.pk).update(status="cancelled")
    _raw_booking(unit, case, 15, 20, 21)
    assert Booking.objects.filter(unit=unit, status__in=Booking.ACTIVE).count() == 2


def test_the_triggers_name_the_constraint_and_the_active_statuses():
    """The migration writes its SQL out; it must say what the model and the services say."""
    assert set(ACTIVE_STATUSES) == set(Booking.ACTIVE)
    for when, body in migration.TRIGGERS.values():
        assert f"RAISE(ABORT, '{NO_OVERLAP}:" in body
        for text in (when, body, migration.EXISTING_OVERLAP):
            assert "IN ('tentative', 'confirmed')" in text


@sqlite_only
def test_sqlite_has_the_triggers(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"
                       " AND tbl_name = 'housing_booking'")
        assert {name for (name,) in cursor.fetchall()} == set(migration.TRIGGERS)


class _Editor:
    """What the migration's functions use of a schema editor, on the test's connection
    (SQLite's own editor cannot open inside the test's transaction)."""

    connection = connection

    @staticmethod
    def execute(sql: str, params: object = None) -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)


@sqlite_only
def test_the_migration_refuses_a_database_that_already_holds_an_overlap(carla, case):
    from django.apps import apps

    unit = make_unit(carla)
    first = _raw_booking(unit, case, 0, 10, 10)
    editor = _Editor()
    migration.drop_triggers(apps, editor)
    second = _raw_booking(unit, case, 5, 12, 12)  # written when nothing refused it
    with pytest.raises(RuntimeError) as refused:
        migration.add_triggers(apps, editor)
    ids = sorted([str(first.pk), str(second.pk)])
    assert f"Bookings {ids[0]} and {ids[1]} of one unit overlap" in str(refused.value)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                       " AND tbl_name = 'housing_booking'")
        assert cursor.fetchone() == (0,)
    second.status = "cancelled"
    second.save(update_fields=["status"])
    migration.add_triggers(apps, editor)
    with pytest.raises(IntegrityError, match=NO_OVERLAP), transaction.atomic():
        _raw_booking(unit, case, 9, 12, 12)
    assert Booking.objects.filter(unit=unit, status__in=Booking.ACTIVE).count() == 1


def test_the_constraint_refusal_surfaces_as_a_booking_conflict(carla, case, monkeypatch):
    unit = make_unit(carla)
    services.booking_create(unit=unit, case=case, start=day(0), end=day(10), acting_user=carla)
    monkeypatch.setattr(services, "_check_free", lambda unit, start, end, exclude=None: end)
    with pytest.raises(services.BookingConflict):
        services.booking_create(unit=unit, case=case, start=day(5), end=day(8),
                                acting_user=carla)
    assert Booking.objects.filter(unit=unit).count() == 1


def test_the_check_constraints_hold_on_every_database(carla, case):
    unit = make_unit(carla)
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(unit, case, 5, 5, 5)  # no nights
    with pytest.raises(IntegrityError), transaction.atomic():
        _raw_booking(unit, case, 5, 8, 7)  # buffer before departure


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_many_officers_booking_one_unit_at_once_get_exactly_one_booking(carla, olaf):
    from tests.factories import head_seq

    unit = make_unit(carla, buffer=1)
    threads_n = 8
    cases = [make_case(carla, code_name=f"Rush{i}", legal_name=f"Person {i}",
                       passport_number=f"R{i}") for i in range(threads_n)]
    since = head_seq()
    barrier = threading.Barrier(threads_n)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            services.booking_create(unit=unit, case=cases[i], start=day(i % 3),
                                    end=day(10 + i % 3), acting_user=olaf)
            outcomes.append("booked")
        except services.BookingConflict:
            outcomes.append("conflict")
        except Exception as error:  # noqa: BLE001 - reported below
            outcomes.append(f"error: {type(error).__name__}: {error}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(threads_n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(outcomes) == ["booked"] + ["conflict"] * (threads_n - 1), outcomes
    assert Booking.objects.filter(unit=unit).count() == 1
    assert len(recorded(since, Action.BOOKING_CREATE)) == 1  # nothing half-written
    assert connection.vendor == "postgresql"
