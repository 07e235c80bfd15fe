"""One read of the schedule for several windows, sliced per window without a query."""

from __future__ import annotations

import datetime
import uuid

from housing import selectors, services
from housing.models import Booking
from tests.factories import count_queries, day, make_case, make_unit


def _populate(carla) -> None:
    near = make_unit(carla, "Near", buffer=2)
    far = make_unit(carla, "Far", offered=(-60, 30))
    for i, (unit, start, end) in enumerate([(near, 0, 5), (near, 8, 12), (near, 50, 55),
                                            (far, 2, 9)]):
        case = make_case(carla, code_name=f"Bird{i}", legal_name=f"L{i}",
                         passport_number=f"P{i}")
        services.booking_create(unit=unit, case=case, start=day(start), end=day(end),
                                acting_user=carla)
    services.block_add(unit=near, start=day(20), end=day(23), reason="maintenance",
                       acting_user=carla)
    services.block_add(unit=far, start=day(60), end=day(62), reason="host_away",
                       acting_user=carla)


def test_each_slice_is_what_its_own_read_returns(carla, olaf):
    _populate(carla)
    windows = [(day(1), day(9)), (day(40), day(70)), (day(-30), day(0))]
    data = selectors.schedule_windows(olaf, windows)
    for start, end in windows:
        assert selectors.schedule_slice(data, start, end) == selectors.schedule_data(
            olaf, start, end)
    assert (data.start, data.end) == (day(-30), day(70))


def test_several_windows_cost_the_queries_of_one(carla, olaf):
    _populate(carla)
    selectors.schedule_data(olaf, day(0), day(1))  # the reader's roles, read once
    one = count_queries(lambda: selectors.schedule_data(olaf, day(0), day(30)))
    several = count_queries(lambda: selectors.schedule_windows(
        olaf, [(day(0), day(30)), (day(10), day(40)), (day(100), day(130))]))
    assert one == several == 4


def test_the_slice_of_a_turnover_window_ignores_a_later_arrival(carla, olaf):
    _populate(carla)
    data = selectors.schedule_windows(olaf, [(day(0), day(90)), (day(0), day(30))])
    assert [row["code_name"] for row in data.bookings[data.units[1].pk]] == [
        "Bird0", "Bird1", "Bird2"]
    soon = selectors.schedule_slice(data, day(0), day(30))
    assert [(t["booking"]["code_name"], t["next"] and t["next"]["code_name"])
            for t in selectors.upcoming_turnovers(soon)] == [
        ("Bird0", "Bird1"), ("Bird3", None), ("Bird1", None)]


def test_a_reader_without_housing_rights_gets_nothing_from_any_window(carla, pia):
    _populate(carla)
    data = selectors.schedule_windows(pia, [(day(0), day(30)), (day(40), day(70))])
    assert data.units == [] and data.bookings == {} and data.availability == {}


def test_bookings_carry_their_id_only_when_asked_for_it(carla, olaf):
    _populate(carla)
    plain = selectors.schedule_data(olaf, day(0), day(30))
    [first, *_rest] = plain.bookings[plain.units[1].pk]
    assert set(first) == {"unit_id", "case_id", "start", "end", "blocked_until", "status",
                          "code_name"}
    assert (first["unit_id"], first["code_name"], first["start"]) == (
        plain.units[1].pk, "Bird0", day(0))
    with_ids = selectors.schedule_data(olaf, day(0), day(30), booking_ids=True)
    rows = [row for rows in with_ids.bookings.values() for row in rows]
    assert {row["id"] for row in rows} == set(
        Booking.objects.filter(start__lt=day(30)).values_list("id", flat=True))
    assert [{k: v for k, v in row.items() if k != "id"} for row in rows] == [
        row for rows in plain.bookings.values() for row in rows]


def test_a_window_holds_the_stays_and_buffers_overlapping_it_and_no_stay_touching_its_ends(
        carla, olaf):
    first, second = make_unit(carla, "First", buffer=1), make_unit(carla, "Second", buffer=1)
    for i, (unit, start, end) in enumerate([(first, 4, 9), (first, 19, 25), (second, 8, 10),
                                            (second, 20, 25)]):
        services.booking_create(unit=unit, start=day(start), end=day(end), acting_user=carla,
                                case=make_case(carla, code_name=f"Edge{i}", legal_name=f"E{i}",
                                               passport_number=f"E{i}"))
    data = selectors.schedule_windows(olaf, [(day(10), day(20)), (day(30), day(31))])
    # Edge0 is free again on day 10, Edge3 arrives on day 20: neither touches [10, 20).
    assert {row["code_name"] for rows in data.bookings.values() for row in rows} == {
        "Edge1", "Edge2"}


def test_a_booking_holds_the_case_as_a_uuid_and_its_days_as_dates(carla, olaf):
    """The case and the dates are read as text and converted once each: the rows keep the
    types every reader of the schedule (timeline, turnovers, export, dashboard) relies on."""
    _populate(carla)
    data = selectors.schedule_data(olaf, day(0), day(60))
    rows = [row for rows in data.bookings.values() for row in rows]
    stored = {b.case_id: (b.start, b.end, b.blocked_until) for b in Booking.objects.all()}
    assert rows and all(type(row["case_id"]) is uuid.UUID for row in rows)
    assert all(type(row[name]) is datetime.date
               for row in rows for name in ("start", "end", "blocked_until"))
    assert {row["case_id"]: (row["start"], row["end"], row["blocked_until"])
            for row in rows} == stored
