"""The booking form of a case's housing section: it starts from the case's planned dates, and a
clash reads as an error (409, "not booked" and why, the values kept, nothing created, the
rejection recorded)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases.models import Case
from housing import services
from housing.models import Booking
from shelter.audit import Action
from tests.factories import day, head_seq, make_case, recorded

pytestmark = pytest.mark.django_db

DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december")


def _words(value: datetime.date) -> str:
    return f"{value.day} {DUTCH_MONTHS[value.month - 1]} {value.year}"


@pytest.fixture
def other(carla, unit):
    """Kestrel holds the unit from day 0 to day 10."""
    kestrel = make_case(carla, code_name="Kestrel", legal_name="Bilal", passport_number="2")
    services.booking_create(unit=unit, case=kestrel, start=day(0), end=day(10),
                            acting_user=carla)
    return kestrel


def _book(client, case, unit, start, end, language="en", note="Bring the keys"):
    return client.post(reverse("housing:case", args=[case.pk]), {
        "unit": unit.pk, "start": day(start).isoformat(), "end": day(end).isoformat(),
        "status": "tentative", "reason": "residency", "note": note},
        HTTP_ACCEPT_LANGUAGE=language)


def test_the_form_starts_from_the_planned_dates(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(planned_arrival=day(3), planned_departure=day(93))
    response = as_user(olaf).get(reverse("housing:case", args=[case.pk]))
    form = response.context["form"]
    assert (form["start"].value(), form["end"].value()) == (day(3), day(93))
    html = response.content.decode()
    assert f'value="{day(3):%d/%m/%Y}"' in html and f'value="{day(93):%d/%m/%Y}"' in html


def test_without_planned_dates_the_form_starts_empty(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(planned_arrival=None, planned_departure=None)
    form = as_user(olaf).get(reverse("housing:case", args=[case.pk])).context["form"]
    assert (form["start"].value(), form["end"].value()) == (None, None)


def test_only_a_planned_arrival_fills_only_the_arrival(as_user, olaf, case):
    Case.objects.filter(pk=case.pk).update(planned_arrival=day(3), planned_departure=None)
    form = as_user(olaf).get(reverse("housing:case", args=[case.pk])).context["form"]
    assert (form["start"].value(), form["end"].value()) == (day(3), None)


def test_a_clash_is_an_error_and_books_nothing(as_user, olaf, case, unit, other):
    since = head_seq()
    response = _book(as_user(olaf), case, unit, 5, 12)
    assert response.status_code == 409
    [error] = response.context["form"].non_field_errors()
    assert error.startswith("Not booked. The unit is already booked from ")
    assert error.endswith(" Choose other dates or another unit.")
    html = response.content.decode()
    assert 'role="alert"' in html and "error-summary" in html
    assert html.index('role="alert"') < html.index(error.split(".")[0])
    assert "The unit is booked." not in html  # no success message
    assert f'value="{day(5).isoformat()}"' in html and "Bring the keys" in html  # kept
    assert "Kestrel" not in html
    assert not Booking.objects.filter(case=case).exists()
    [rejected] = recorded(since, Action.BOOKING_CREATE)
    assert rejected.outcome == "rejected" and rejected.facts["reason"] == "conflict"


def test_the_clash_reads_as_an_error_in_dutch_with_dates_in_words(as_user, olaf, case, unit,
                                                                   other):
    response = _book(as_user(olaf), case, unit, 5, 12, language="nl")
    assert response.status_code == 409
    html = response.content.decode()
    assert (f"Niet geboekt. De woonruimte is al geboekt van {_words(day(0))} tot "
            f"{_words(day(10))}. Kies andere data of een andere woonruimte.") in html


def test_changing_dates_into_a_clash_is_an_error_and_changes_nothing(as_user, carla, olaf,
                                                                      case, unit, other):
    mine = services.booking_create(unit=unit, case=case, start=day(20), end=day(30),
                                   acting_user=carla)
    since = head_seq()
    response = as_user(olaf).post(reverse("housing:booking", args=[mine.pk]), {
        "start": day(8).isoformat(), "end": day(30).isoformat()}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409
    [error] = response.context["form"].non_field_errors()
    assert error.startswith("The dates are not changed. The unit is already booked from ")
    assert 'role="alert"' in response.content.decode()
    mine.refresh_from_db()
    assert (mine.start, mine.end) == (day(20), day(30))
    [rejected] = recorded(since, Action.BOOKING_CHANGE)
    assert rejected.outcome == "rejected"


def test_an_invalid_booking_form_answers_400(as_user, olaf, case, unit):
    response = _book(as_user(olaf), case, unit, 10, 5)
    assert response.status_code == 400
    assert not Booking.objects.filter(case=case).exists()
