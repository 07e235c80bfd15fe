"""Occupancy per month over a year: nights booked of nights offered, as a chart whose bars are
the numbers of its table, for staff only, recorded like the other schedule pages."""

from __future__ import annotations

import calendar
import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from housing import selectors, services
from shelter.audit import Action
from tests.chartscan import assert_chart_matches_table
from tests.factories import HOUSING_BASE, count_queries, make_case, make_unit, recorded

Y = HOUSING_BASE.year + 1  # a whole year in the future: nothing of "today" gets in the way
D = datetime.date


def _offset(date: D) -> int:
    return (date - HOUSING_BASE).days


def _unit(carla, code: str, start: D, end: D):
    return make_unit(carla, code, offered=(_offset(start), _offset(end)))


@pytest.fixture
def year_of_bookings(carla):
    """Unit A offered all year, B only in January and February; A is blocked two nights in
    February; A is booked 10 nights in January, B 7 nights in February."""
    a = _unit(carla, "Alder", D(Y, 1, 1), D(Y + 1, 1, 1))
    b = _unit(carla, "Birch", D(Y, 1, 1), D(Y, 3, 1))
    services.block_add(unit=a, start=D(Y, 2, 10), end=D(Y, 2, 12), reason="maintenance",
                       acting_user=carla)
    services.booking_create(unit=a, case=make_case(carla), start=D(Y, 1, 1), end=D(Y, 1, 11),
                            acting_user=carla)
    services.booking_create(unit=b, case=make_case(carla, code_name="Kestrel", legal_name="B",
                                                   passport_number="2"),
                            start=D(Y, 2, 1), end=D(Y, 2, 8), acting_user=carla)


def test_percentages_have_one_decimal_rounded_half_up():
    assert selectors.occupancy_percent(1, 16) == Decimal("6.3")  # 6.25: half up, not to even
    assert selectors.occupancy_percent(1, 3) == Decimal("33.3")
    assert selectors.occupancy_percent(2, 3) == Decimal("66.7")
    assert selectors.occupancy_percent(5, 5) == Decimal("100.0")
    assert selectors.occupancy_percent(0, 0) is None


def test_each_month_counts_its_own_nights(olaf, year_of_bookings):
    months = selectors.occupancy_by_month(olaf, Y)
    february = calendar.monthrange(Y, 2)[1]
    assert [m["month"] for m in months] == [D(Y, m, 1) for m in range(1, 13)]
    assert (months[0]["offered"], months[0]["booked"], months[0]["percent"]) == (
        62, 10, Decimal("16.1"))
    offered = february - 2 + february
    assert (months[1]["offered"], months[1]["booked"]) == (offered, 7)
    assert months[1]["percent"] == (Decimal(700) / offered).quantize(Decimal("0.1"))
    assert (months[2]["offered"], months[2]["booked"], months[2]["percent"]) == (
        31, 0, Decimal("0.0"))


def test_the_chart_draws_the_numbers_of_its_table(as_user, olaf, year_of_bookings):
    page = as_user(olaf).get(reverse("housing:occupancy_year") + f"?year={Y}").content.decode()
    cells = assert_chart_matches_table(page)
    months = selectors.occupancy_by_month(olaf, Y)
    series = "Nights booked of nights offered"
    assert [cells[(f"{m['month']:%b}", series)][0] for m in months] == [
        str(m["percent"]) for m in months]
    assert cells[("Jan", series)] == ("16.1", "16.1%")
    for private in ("Alder", "Kerkstraat", "Heron", "Ana"):  # totals only: no unit, no case
        assert private not in page
    assert "style=" not in page


def test_a_month_with_nothing_offered_has_no_bar(as_user, olaf, carla):
    _unit(carla, "Alder", D(Y, 3, 1), D(Y, 4, 1))
    page = as_user(olaf).get(reverse("housing:occupancy_year") + f"?year={Y}").content.decode()
    cells = assert_chart_matches_table(page)
    series = "Nights booked of nights offered"
    assert cells[("Mar", series)] == ("0.0", "0.0%")
    assert cells[("Jan", series)] == ("", "no nights offered")


def test_dutch_readers_get_dutch_months_and_a_decimal_comma(as_user, olaf, year_of_bookings):
    client = as_user(olaf)
    client.cookies["django_language"] = "nl"
    page = client.get(reverse("housing:occupancy_year") + f"?year={Y}").content.decode()
    cells = assert_chart_matches_table(page)
    assert cells[("Jan", "Geboekte nachten van de aangeboden nachten")] == ("16.1", "16,1%")
    assert "Bezetting per maand" in page


def test_the_page_is_recorded_as_a_read_of_the_schedule(as_user, olaf, audit_since):
    assert as_user(olaf).get(reverse("housing:occupancy_year") + f"?year={Y}").status_code == 200
    [event] = recorded(audit_since, Action.SCHEDULE_VIEW)
    assert event.facts == {"page": "occupancy_year", "year": Y}


@pytest.mark.parametrize("year", ["abc", "-1", "99999", "", "²", "٢٠٢٦"])
def test_a_strange_year_shows_a_year_near_now(as_user, olaf, year):
    response = as_user(olaf).get(reverse("housing:occupancy_year"), {"year": year})
    assert response.status_code == 200
    assert abs(response.context["year"] - datetime.date.today().year) <= 10


def test_the_page_costs_the_same_queries_for_2_or_8_units(as_user, carla, olaf):
    client = as_user(olaf)
    url = reverse("housing:occupancy_year") + f"?year={Y}"
    for i in range(2):
        _unit(carla, f"Unit{i}", D(Y, 1, 1), D(Y, 6, 1))
    responses = []
    few = count_queries(lambda: responses.append(client.get(url)))
    for i in range(2, 8):
        unit = _unit(carla, f"Unit{i}", D(Y, 1, 1), D(Y, 6, 1))
        services.booking_create(unit=unit, case=make_case(carla, code_name=f"Bird{i}",
                                                          legal_name="N", passport_number=f"{i}"),
                                start=D(Y, 2, 1), end=D(Y, 2, 5), acting_user=carla)
    assert count_queries(lambda: responses.append(client.get(url))) == few
    assert all(r.status_code == 200 for r in responses)


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_partners_and_auditors_are_refused(request, as_user, persona, year_of_bookings):
    user = request.getfixturevalue(persona)
    response = as_user(user).get(reverse("housing:occupancy_year"))
    assert response.status_code == 404
    assert b"chart__svg" not in response.content
