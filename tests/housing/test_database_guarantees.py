"""The database itself refuses double bookings (PostgreSQL exclusion constraint), and many
officers booking one unit at the same moment get exactly one booking."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, connections, transaction

from housing import services
from housing.models import Booking
from shelter.audit import Action
from tests.factories import day, make_case, make_unit, recorded

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="exclusion constraints need PostgreSQL")


def _raw_booking(unit, case, start, end, until, status="tentative") -> Booking:
    """A row written straight to the table, bypassing the services' checks and lock."""
    booking = Booking(unit=unit, case=case, start=day(start), end=day(end),
                      blocked_until=day(until), status=status)
    booking.save()
    return booking


@postgres_only
@pytest.mark.postgres
def test_the_database_refuses_an_overlapping_row_written_around_the_service(carla, case):
    unit = make_unit(carla, buffer=1)
    services.booking_create(unit=unit, case=case, start=day(0), end=day(10), acting_user=carla)
    with pytest.raises(IntegrityError, match="housing_booking_no_overlap"), \
            transaction.atomic():
        _raw_booking(unit, case, 10, 12, 13)  # inside the turnover day of the first
    _raw_booking(unit, case, 11, 12, 13)  # after the buffer: accepted
    _raw_booking(unit, case, 0, 10, 11, status="cancelled")  # cancelled rows never clash


@postgres_only
@pytest.mark.postgres
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
