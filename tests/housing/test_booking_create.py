"""booking_create / move / extend / confirm / cancel: boundaries, availability, blocks, record."""

from __future__ import annotations

import pytest

from housing import services
from housing.models import Booking
from shelter.audit import Action
from tests.factories import day, make_case, make_unit, recorded


def book(unit, case, start, end, user, **kwargs) -> Booking:
    return services.booking_create(unit=unit, case=case, start=day(start), end=day(end),
                                   acting_user=user, **kwargs)


@pytest.fixture
def other_case(carla):
    return make_case(carla, code_name="Kestrel", legal_name="Bilal Haddad",
                     passport_number="SY-1")


def test_departure_day_can_be_the_next_arrival_without_a_buffer(unit, case, other_case, olaf):
    book(unit, case, 0, 10, olaf)
    second = book(unit, other_case, 10, 20, olaf)
    assert second.blocked_until == day(20)


def test_with_a_one_day_buffer_the_departure_day_is_refused_for_the_next_arrival(
        buffered_unit, case, other_case, olaf):
    first = book(buffered_unit, case, 0, 10, olaf)
    assert first.blocked_until == day(11)
    with pytest.raises(services.BookingConflict) as error:
        book(buffered_unit, other_case, 10, 20, olaf)
    assert error.value.kind == "booking"
    assert (error.value.start, error.value.end) == (day(0), day(11))
    assert book(buffered_unit, other_case, 11, 20, olaf).start == day(11)


def test_an_earlier_stay_may_not_end_inside_the_buffer_before_it_either(
        buffered_unit, case, other_case, olaf):
    book(buffered_unit, case, 10, 20, olaf)
    with pytest.raises(services.BookingConflict):
        book(buffered_unit, other_case, 0, 10, olaf)  # its own buffer covers day 10
    assert book(buffered_unit, other_case, 0, 9, olaf).blocked_until == day(10)


def test_the_conflict_names_the_dates_not_the_other_case(unit, case, other_case, olaf):
    book(unit, case, 0, 10, olaf)
    with pytest.raises(services.BookingConflict) as error:
        book(unit, other_case, 5, 15, olaf)
    assert "Heron" not in error.value.message and "Ana" not in error.value.message
    assert str(day(0).year) in error.value.message


def test_nights_outside_the_offer_are_refused(carla, case, olaf):
    unit = make_unit(carla, offered=(0, 30))
    with pytest.raises(services.BookingConflict) as error:
        book(unit, case, 25, 35, olaf)
    assert error.value.kind == "unavailable" and error.value.start == day(30)
    assert book(unit, case, 20, 30, olaf)  # the departure day itself need not be offered


def test_touching_offer_periods_cover_a_stay_across_them(carla, case, olaf):
    unit = make_unit(carla, offered=(0, 10))
    services.availability_add(unit=unit, start=day(10), end=day(20), acting_user=carla)
    assert book(unit, case, 5, 15, olaf)


def test_nights_inside_a_block_are_refused(unit, case, carla, olaf):
    services.block_add(unit=unit, start=day(10), end=day(12), reason="maintenance",
                       acting_user=carla)
    with pytest.raises(services.BookingConflict) as error:
        book(unit, case, 5, 11, olaf)
    assert error.value.kind == "blocked"
    assert book(unit, case, 5, 10, olaf)  # leaves on the first blocked day


def test_a_block_over_a_booked_night_is_refused(unit, case, carla, olaf):
    book(unit, case, 5, 10, olaf)
    with pytest.raises(services.BookingConflict):
        services.block_add(unit=unit, start=day(9), end=day(12), reason="host_away",
                           acting_user=carla)


def test_withdrawing_an_offer_under_a_booking_is_refused_and_kept(unit, case, carla, olaf):
    book(unit, case, 5, 10, olaf)
    period = unit.availability.get()
    with pytest.raises(services.BookingConflict):
        services.availability_remove(period=period, acting_user=carla)
    assert unit.availability.count() == 1


def test_cancelled_bookings_free_their_dates(unit, case, other_case, olaf):
    first = book(unit, case, 0, 10, olaf)
    services.booking_cancel(booking=first, acting_user=olaf)
    assert book(unit, other_case, 0, 10, olaf).status == "tentative"
    with pytest.raises(services.HousingError):
        services.booking_move(booking=first, start=day(50), end=day(60), acting_user=olaf)


def test_moving_into_another_booking_is_refused_and_changes_nothing(unit, case, other_case,
                                                                    olaf):
    book(unit, case, 0, 10, olaf)
    second = book(unit, other_case, 20, 30, olaf)
    with pytest.raises(services.BookingConflict):
        services.booking_move(booking=second, start=day(8), end=day(18), acting_user=olaf)
    with pytest.raises(services.BookingConflict):
        services.booking_extend(booking=Booking.objects.get(case=case), end=day(21),
                                acting_user=olaf)
    second.refresh_from_db()
    assert (second.start, second.end) == (day(20), day(30))
    assert services.booking_extend(booking=second, end=day(40), acting_user=olaf).nights == 20


def test_a_longer_buffer_that_would_clash_is_refused(unit, case, other_case, carla, olaf):
    book(unit, case, 0, 10, olaf)
    book(unit, other_case, 11, 20, olaf)
    with pytest.raises(services.BookingConflict):
        services.unit_update(unit=unit, acting_user=carla, turnover_buffer_days=2)
    services.unit_update(unit=unit, acting_user=carla, turnover_buffer_days=1)
    assert Booking.objects.get(case=case).blocked_until == day(11)


def test_each_write_is_one_audit_entry_without_personal_data(unit, case, olaf, audit_since):
    booking = book(unit, case, 0, 10, olaf, note="Arrives with her daughter Maria")
    services.booking_confirm(booking=booking, acting_user=olaf)
    services.booking_cancel(booking=booking, acting_user=olaf)
    events = recorded(audit_since)
    assert [e.action for e in events] == [Action.BOOKING_CREATE, Action.BOOKING_CHANGE,
                                          Action.BOOKING_CANCEL]
    assert events[0].case_id == str(case.pk)
    assert "Maria" not in str([e.facts for e in events])


def test_a_unit_with_upcoming_bookings_cannot_be_taken_out_of_use(unit, case, carla, olaf):
    booking = book(unit, case, 0, 10, olaf)
    with pytest.raises(services.HousingError):
        services.unit_update(unit=unit, acting_user=carla, is_active=False)
    services.booking_cancel(booking=booking, acting_user=olaf)
    assert services.unit_update(unit=unit, acting_user=carla, is_active=False).is_active is False
