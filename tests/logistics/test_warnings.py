"""Warnings: when a date moves and a document no longer covers the stay, the case page, the
logistics page and the staff dashboard say so (code names and checks, no personal data); the
dashboard panel costs the same number of queries for one case as for many."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import services
from cases.models import Case
from shelter.crypto import keycache
from tests.factories import count_queries, make_case, make_logistics


def move_departure(case, carla, days: int) -> None:
    services.case_update(case=case, acting_user=carla, planned_departure=case.planned_departure
                         + datetime.timedelta(days=days))


def test_moving_the_departure_past_the_cover_shows_warnings(case, carla, olaf, as_user):
    make_logistics(case, carla)
    client = as_user(olaf)
    profile = reverse("cases:profile", args=[case.pk])
    assert "no longer cover the stay" not in client.get(profile).content.decode()
    assert "Every passport, visa and insurance" in client.get("/").content.decode()
    move_departure(case, carla, 10)
    page = client.get(profile).content.decode()
    assert "no longer cover the stay" in page
    assert 'data-check="visa:defender"' in page and 'data-check="insurance:defender"' in page
    logistics = client.get(reverse("cases:logistics", args=[case.pk])).content.decode()
    assert 'data-check="visa:defender"' in logistics
    dashboard = client.get("/").content.decode()
    assert reverse("cases:logistics", args=[case.pk]) in dashboard
    assert "the visa does not cover the whole stay" in dashboard
    assert "Ana María Pérez" not in dashboard and "ABC123" not in dashboard


def test_a_case_outside_the_watched_stages_warns_of_nothing(case, carla, olaf, as_user):
    make_logistics(case, carla)
    move_departure(case, carla, 10)
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.DEPARTED)
    page = as_user(olaf).get(reverse("cases:profile", args=[case.pk])).content.decode()
    assert "no longer cover the stay" not in page
    assert "Every passport, visa and insurance" in as_user(olaf).get("/").content.decode()


def test_partners_and_auditors_see_no_logistics_panel(case, carla, pia, aud, as_user):
    make_logistics(case, carla)
    move_departure(case, carla, 10)
    for user in (pia, aud):
        page = as_user(user).get("/").content.decode()
        assert "Travel documents" not in page and "visa does not cover" not in page


# Committed rows: keys created inside an open transaction are never cached (keycache.py).
@pytest.mark.django_db(transaction=True)
def test_the_dashboard_panel_costs_a_constant_number_of_queries(case, carla, olaf, as_user):
    make_logistics(case, carla)
    move_departure(case, carla, 10)
    client = as_user(olaf)
    client.get("/")
    keycache.clear_all()
    one = count_queries(lambda: client.get("/"))
    for i in range(6):
        other = make_case(carla, code_name=f"Other{i}", legal_name=f"Person {i}",
                          passport_number=f"X{i}", officer=olaf,
                          planned_arrival=case.planned_arrival,
                          planned_departure=case.planned_departure)
        Case.objects.filter(pk=other.pk).update(stage=Case.Stage.PREPARING_ARRIVAL)
        make_logistics(other, carla, booked=False)
    page = client.get("/").content.decode()
    assert page.count("outbound journey is not booked") == 6
    keycache.clear_all()
    assert count_queries(lambda: client.get("/")) == one
