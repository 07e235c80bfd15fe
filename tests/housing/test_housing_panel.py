"""The dashboard's housing panel: the next two weeks' turnovers and tentative stays, read from
the bookings alone (no availability, no blocks), in the same statements for any number."""

from __future__ import annotations

from django.utils import formats

from housing import services
from tests.factories import day, make_case, make_unit, sent_queries

TODAY = -30  # day(-30) is today (tests.factories.HOUSING_BASE)


def _stays(carla, name: str, offset: int = 0):
    """On a new unit with a turnover day: a confirmed stay leaving within the fortnight and a
    tentative one after it, and a stay beyond the panel's two weeks."""
    unit = make_unit(carla, name, buffer=1)
    first = make_case(carla, code_name=f"{name}A", legal_name="A", passport_number=f"{name}1")
    second = make_case(carla, code_name=f"{name}B", legal_name="B", passport_number=f"{name}2")
    later = make_case(carla, code_name=f"{name}C", legal_name="C", passport_number=f"{name}3")
    services.booking_create(unit=unit, case=first, start=day(TODAY + 1), end=day(TODAY + 4),
                            status="confirmed", acting_user=carla)
    services.booking_create(unit=unit, case=second, start=day(TODAY + 5 + offset),
                            end=day(TODAY + 9 + offset), acting_user=carla)
    services.booking_create(unit=unit, case=later, start=day(TODAY + 40), end=day(TODAY + 45),
                            status="confirmed", acting_user=carla)


def test_the_panel_lists_turnovers_and_tentative_stays_from_the_bookings_only(
        as_user, carla, olaf):
    client = as_user(olaf)
    _stays(carla, "Linden")
    client.get("/")
    answers = []
    one = sent_queries(lambda: answers.append(client.get("/")))
    page = answers[0].content.decode()
    panel = page[page.index('id="housing-soon"'):]
    panel = panel[:panel.index("</section>")]
    departure = formats.date_format(day(TODAY + 4), "DATE_FORMAT")
    arrival = formats.date_format(day(TODAY + 5), "DATE_FORMAT")
    assert f"{departure} · turnover · " in panel and f"next arrival {arrival}" in panel
    assert f"{arrival} · " in panel and ">LindenB</a> · Linden" in panel and "tentative" in panel
    assert "LindenC" not in panel and "Nothing to prepare." not in panel
    assert not [sql for sql in one if "housing_availability" in sql or "housing_block" in sql]
    for name in ("Maple", "Oak"):
        _stays(carla, name, offset=1)
    client.get("/")
    answers.clear()
    many = sent_queries(lambda: answers.append(client.get("/")))
    assert len(many) == len(one)
    assert ">MapleB</a> · Maple" in answers[0].content.decode()


def test_partners_and_auditors_get_no_housing_panel(as_user, carla, pia, aud):
    _stays(carla, "Linden")
    for user in (pia, aud):
        page = as_user(user).get("/").content.decode()
        assert 'id="housing-soon"' not in page and "Linden" not in page
