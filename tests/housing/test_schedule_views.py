"""The timeline, occupancy and find pages: constant queries, code names only, accessible."""

from __future__ import annotations

import datetime

from django.urls import reverse

from housing import selectors, services
from housing.models import Unit
from tests.factories import count_queries, day, make_case, make_unit, sent_queries


def _populate(carla, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        unit = make_unit(carla, f"Unit{i:02}", buffer=i % 3)
        case = make_case(carla, code_name=f"Bird{i:02}", legal_name=f"Legal Name {i}",
                         passport_number=f"X{i}")
        services.booking_create(unit=unit, case=case, start=day(2), end=day(9),
                                acting_user=carla, status="confirmed")
        services.block_add(unit=unit, start=day(12), end=day(14), reason="maintenance",
                           acting_user=carla)


def _queries(client, url: str) -> int:
    responses = []
    count = count_queries(lambda: responses.append(client.get(url)))
    assert responses[0].status_code == 200 and count > 5
    return count


def test_the_timeline_costs_the_same_queries_for_3_or_15_units(as_user, carla, olaf):
    url = f"{reverse('housing:schedule')}?month={day(0):%Y-%m}&months=3"
    client = as_user(olaf)
    _populate(carla, 3)
    few = _queries(client, url)
    _populate(carla, 12, start=3)
    assert _queries(client, url) == few


def _sent(client, url: str) -> list[str]:
    responses = []
    sent = sent_queries(lambda: responses.append(client.get(url)))
    assert responses[0].status_code == 200
    return sent


def test_the_timeline_reads_the_schedule_once_for_a_small_or_a_large_grid(as_user, carla,
                                                                           olaf):
    url = reverse("housing:schedule")
    client = as_user(olaf)
    _populate(carla, 3)
    small = _sent(client, f"{url}?month={day(0):%Y-%m}&months=1")
    _populate(carla, 9, start=3)
    for i in range(12):
        services.booking_create(
            unit=Unit.objects.get(code_name=f"Unit{i:02}"), acting_user=carla,
            case=make_case(carla, code_name=f"Later{i:02}", legal_name=f"L{i}",
                           passport_number=f"Y{i}"), start=day(30 + i), end=day(40 + i))
    large = _sent(client, f"{url}?month={day(0):%Y-%m}&months=2")
    assert len(large) == len(small) > 5
    # The grid and its turnovers come from one read of each table, whatever their size.
    for table in ("housing_unit", "housing_availability", "housing_block", "housing_booking"):
        assert sum(f'FROM "{table}"' in sql for sql in large) == 1, table


def test_a_hostile_unit_name_is_escaped_on_the_timeline(as_user, carla, olaf):
    unit = make_unit(carla, "<script>alert(1)</script>")
    services.booking_create(unit=unit, case=make_case(carla), start=day(2), end=day(5),
                            acting_user=carla, status="confirmed")
    html = as_user(olaf).get(f"{reverse('housing:schedule')}?month={day(2):%Y-%m}").content
    html = html.decode()
    assert "<script>alert" not in html
    assert (f'<a href="{reverse("housing:unit", args=[unit.pk])}">'
            "&lt;script&gt;alert(1)&lt;/script&gt;</a>") in html
    assert f'<a href="{reverse("housing:case", args=[unit.bookings.get().case_id])}">Heron</a>' \
        in html


def test_the_timeline_shows_code_names_buffers_blocks_and_a_real_table(as_user, carla, olaf):
    _populate(carla, 2)
    page = as_user(olaf).get(f"{reverse('housing:schedule')}?month={day(2):%Y-%m}&months=2")
    html = page.content.decode()
    assert "Bird00" in html and "Unit01" in html
    assert "Legal Name" not in html and "Kerkstraat" not in html
    assert "<caption>" in html and 'scope="row"' in html and 'scope="col"' in html
    assert "tl-buffer" in html and "tl-blocked" in html and "tl-unavailable" in html
    assert "style=" not in html


def test_occupancy_counts_offered_and_booked_nights(carla, olaf):
    unit = make_unit(carla, offered=(0, 10))
    case = make_case(carla)
    services.block_add(unit=unit, start=day(8), end=day(10), reason="host_away",
                       acting_user=carla)
    services.booking_create(unit=unit, case=case, start=day(0), end=day(4), acting_user=carla)
    rows, total = selectors.occupancy(selectors.schedule_data(olaf, day(0), day(10)))
    assert (rows[0]["offered"], rows[0]["booked"], rows[0]["confirmed"]) == (8, 4, 0)
    assert total["rate"] == 50


def test_find_suggests_only_free_units_that_meet_the_needs(as_user, carla, olaf):
    taken = make_unit(carla, "Taken", accessibility=["step_free"])
    make_unit(carla, "Stairs")
    make_unit(carla, "Level", accessibility=["step_free", "lift"], capacity=2)
    services.booking_create(unit=taken, case=make_case(carla), start=day(0), end=day(10),
                            acting_user=carla)
    found = selectors.free_units(olaf, day(5), day(8), 1, ["step_free"])
    assert [u.code_name for u in found] == ["Level"]
    response = as_user(olaf).post(reverse("housing:find"), {
        "start": day(5).isoformat(), "end": day(8).isoformat(), "people": 2,
        "needs": ["step_free"]})
    assert b"Level" in response.content and b"Taken" not in response.content


def test_turnovers_list_departures_with_the_next_arrival(carla, olaf):
    unit = make_unit(carla, buffer=1)
    today = datetime.date.today()
    first = make_case(carla)
    second = make_case(carla, code_name="Kestrel", legal_name="B", passport_number="2")
    services.booking_create(unit=unit, case=first, start=day(0), end=day(5), acting_user=carla)
    services.booking_create(unit=unit, case=second, start=day(6), end=day(9),
                            acting_user=carla)
    data = selectors.schedule_data(olaf, today, day(20))
    [turnover, _last] = selectors.upcoming_turnovers(data)
    assert (turnover["departure"], turnover["free_from"], turnover["next_arrival"]) == (
        day(5), day(6), day(6))


def test_the_timeline_without_units_says_so_across_every_column(as_user, olaf):
    page = as_user(olaf).get(f"{reverse('housing:schedule')}?month=2027-02")
    html = page.content.decode()
    assert ('<tbody>\n  \n    <tr><td colspan="29">No units in use yet. '
            f'<a href="{reverse("housing:unit_create")}">Register a unit</a></td></tr>\n'
            "  \n  </tbody>") in html


def test_the_find_page_reads_no_unit_field_the_schedule_left_out(as_user, carla, olaf):
    client = as_user(olaf)
    url = reverse("housing:find")

    def found() -> int:
        responses = []
        count = count_queries(lambda: responses.append(client.post(url, {
            "start": day(5).isoformat(), "end": day(8).isoformat(), "people": 1})))
        assert responses[0].status_code == 200
        return count

    make_unit(carla, "Level", accessibility=["step_free"], amenities=["wifi"])
    few = found()
    for i in range(4):
        make_unit(carla, f"More{i}", accessibility=["lift"])
    assert found() == few
    assert b"More3" in client.post(url, {"start": day(5).isoformat(),
                                         "end": day(8).isoformat(), "people": 1}).content
