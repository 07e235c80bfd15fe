"""Cancelling a booking confirms first: the cancel URL answers GET (and a POST without
confirmed=1) with a page that says which booking ends and that the unit becomes free; only the
confirmation's POST cancels, and it is recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from housing import services
from housing.models import Booking
from shelter.audit import Action
from tests.factories import day, head_seq, recorded

pytestmark = pytest.mark.django_db

DUTCH_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus",
                "september", "oktober", "november", "december")
ENGLISH_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
                  "September", "October", "November", "December")


@pytest.fixture
def booking(unit, case, carla) -> Booking:
    return services.booking_create(unit=unit, case=case, start=day(0), end=day(90),
                                   acting_user=carla)


def _url(booking) -> str:
    return reverse("housing:booking_cancel", args=[booking.pk])


def _status(booking) -> str:
    return Booking.objects.get(pk=booking.pk).status


def test_the_case_page_links_to_the_confirmation_instead_of_posting(as_user, olaf, booking):
    html = as_user(olaf).get(reverse("housing:case", args=[booking.case_id])).content.decode()
    assert f'href="{_url(booking)}"' in html
    assert f'action="{_url(booking)}"' not in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_asking_to_cancel_says_what_happens_and_changes_nothing(as_user, olaf, booking,
                                                                 method):
    since = head_seq()
    response = getattr(as_user(olaf), method)(_url(booking), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    first, free = response.context["consequences"][:2]
    assert first.startswith("The booking of unit Linden for case Heron from ")
    assert first.endswith(" is cancelled.")
    assert ENGLISH_MONTHS[day(0).month - 1][:3] in first and str(day(90).year) in first
    assert day(0).isoformat() not in first  # dates in words
    assert free == "The unit becomes free for these dates: another case can book it."
    assert response.context["action_url"] == _url(booking)
    assert response.context["cancel_url"] == reverse("housing:case", args=[booking.case_id])
    assert b"Ana Mar" not in response.content  # the defender's name never, the code name only
    assert _status(booking) == Booking.Status.TENTATIVE
    assert [e for e in recorded(since) if e.action in (Action.BOOKING_CANCEL,
                                                        Action.BOOKING_CHANGE)] == []


def test_the_confirmation_is_in_dutch_with_dates_in_words(as_user, olaf, booking):
    page = as_user(olaf).get(_url(booking), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    start = f"{day(0).day} {DUTCH_MONTHS[day(0).month - 1]} {day(0).year}"
    end = f"{day(90).day} {DUTCH_MONTHS[day(90).month - 1]} {day(90).year}"
    assert (f"De boeking van woonruimte Linden voor dossier Heron van {start} tot {end} "
            "wordt geannuleerd.") in page
    assert "Boeking annuleren" in page


def test_confirming_cancels_and_records_it(as_user, olaf, booking):
    since = head_seq()
    response = as_user(olaf).post(_url(booking), {"confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"] == reverse("housing:case", args=[booking.case_id])
    assert _status(booking) == Booking.Status.CANCELLED
    [event] = recorded(since, Action.BOOKING_CANCEL)
    assert event.actor_id == olaf.pk and event.target_id == str(booking.pk)


def test_a_cancelled_booking_has_nothing_to_confirm(as_user, olaf, carla, booking):
    services.booking_cancel(booking=booking, acting_user=carla)
    assert as_user(olaf).get(_url(booking)).status_code == 404


@pytest.mark.parametrize("persona", ["pia", "aud"])
def test_who_may_not_change_housing_gets_404_for_the_confirmation(as_user, request, booking,
                                                                   persona):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(_url(booking)).status_code == 404
    assert client.post(_url(booking), {"confirmed": "1"}).status_code == 404
    assert _status(booking) == Booking.Status.TENTATIVE
