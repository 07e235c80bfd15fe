"""A case's housing section: booking from it, clashes shown with suggestions, the lifecycle
guard, and partners seeing exactly what a share of "housing" / "housing_address" gives."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from cases import services as case_services
from cases.models import Case
from cases.sharing.services import share_revoke
from housing import policies, selectors, services
from tests.factories import HandedPolicies, day, make_case, make_share, make_unit


def _post_booking(client, case, unit, start, end):
    return client.post(reverse("housing:case", args=[case.pk]), {
        "unit": unit.pk, "start": day(start).isoformat(), "end": day(end).isoformat(),
        "status": "tentative", "reason": "residency", "note": ""})


def test_an_officer_books_a_unit_from_the_case_page(as_user, olaf, case, unit):
    response = _post_booking(as_user(olaf), case, unit, 0, 10)
    assert response.status_code == 302
    assert [b.nights for b in selectors.case_bookings(olaf, case)] == [10]


def test_a_clash_is_shown_with_dates_and_free_units_never_the_other_case(as_user, carla, olaf,
                                                                         case, unit):
    other = make_case(carla, code_name="Kestrel", legal_name="Bilal", passport_number="2")
    services.booking_create(unit=unit, case=other, start=day(0), end=day(10), acting_user=carla)
    make_unit(carla, "Maple")
    response = _post_booking(as_user(olaf), case, unit, 5, 12)
    html = response.content.decode()
    assert response.status_code == 409
    assert "Maple" in html and "Kestrel" not in html
    assert str(day(0).year) in html


def test_changing_dates_into_a_clash_shows_it_and_keeps_the_booking(as_user, carla, olaf, case,
                                                                    unit):
    other = make_case(carla, code_name="Kestrel", legal_name="Bilal", passport_number="2")
    services.booking_create(unit=unit, case=other, start=day(20), end=day(30),
                            acting_user=carla)
    mine = services.booking_create(unit=unit, case=case, start=day(0), end=day(10),
                                   acting_user=carla)
    response = as_user(olaf).post(reverse("housing:booking", args=[mine.pk]), {
        "start": day(0).isoformat(), "end": day(25).isoformat()})
    assert response.status_code == 409 and b"Kestrel" not in response.content
    mine.refresh_from_db()
    assert mine.end == day(10)


def test_in_residence_needs_a_confirmed_booking_once_housing_is_used(carla, case, unit):
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.PREPARING_ARRIVAL,
                                           actual_arrival=datetime.date.today())
    case.refresh_from_db()
    with pytest.raises(case_services.TransitionError, match="housing"), \
            translation.override("en"):
        case_services.case_transition(case=case, to=Case.Stage.IN_RESIDENCE, acting_user=carla)
    booking = services.booking_create(unit=unit, case=case, start=datetime.date.today(),
                                      end=day(10), acting_user=carla)
    assert not selectors.case_has_confirmed_booking(case)  # tentative is not enough
    services.booking_confirm(booking=booking, acting_user=carla)
    assert selectors.case_has_confirmed_booking(case)
    case_services.case_transition(case=case, to=Case.Stage.IN_RESIDENCE, acting_user=carla)


def test_partners_see_housing_only_through_a_share(as_user, pia, paul, aud, carla, case,
                                                   unit):
    services.booking_create(unit=unit, case=case, start=day(0), end=day(5), acting_user=carla)
    url = reverse("housing:case", args=[case.pk])
    shares = [make_share(case, carla, user=pia, sections=("basic",))]
    assert as_user(pia).get(url).status_code == 404  # a share without "housing"
    shares.append(make_share(case, carla, user=pia, sections=("basic", "housing")))
    page = as_user(pia).get(url + "?address=1").content.decode()
    assert "Linden" in page and "Kerkstraat" not in page and "Change dates" not in page
    handed = HandedPolicies(policies)  # the case as the guard hands it over, with pia's grant
    assert handed.can_view_case_housing(pia, case)
    assert not handed.can_view_case_housing(pia, case, with_address=True)
    shares.append(make_share(case, carla, user=pia,
                             sections=("basic", "housing", "housing_address")))
    assert "Kerkstraat" in as_user(pia).get(url + "?address=1").content.decode()
    assert as_user(paul).get(url).status_code == 404
    assert as_user(aud).get(url).status_code == 404
    assert not policies.can_manage_housing(pia)
    assert as_user(pia).get(reverse("housing:schedule")).status_code == 404
    for share in shares:
        share_revoke(share=share, acting_user=carla, reason="done")
    told = as_user(pia).get(url)  # revoked: nothing, at once; she is told that a share ended
    assert told.status_code == 302 and told["Location"] == reverse("cases:shared_with_me")
