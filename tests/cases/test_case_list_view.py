"""The case list: filters, pagination and a constant number of queries."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Case
from tests.factories import make_case


def make_cases(carla, olaf, n, start=0):
    for i in range(start, start + n):
        make_case(carla, code_name=f"Bird{i:03}", legal_name=f"Name {i}",
                  passport_number=f"P{i}", officer=olaf,
                  planned_arrival=datetime.date(2026, 3, 1))


def count_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("cases:list")).status_code == 200
    return len(queries)


def test_the_list_costs_the_same_number_of_queries_for_5_and_30_cases(as_user, carla, olaf):
    client = as_user(olaf)
    make_cases(carla, olaf, 5)
    five = count_queries(client)
    make_cases(carla, olaf, 25, start=5)
    assert count_queries(client) == five
    assert five <= 15


def test_the_list_shows_fifty_cases_per_page(as_user, carla, olaf):
    make_cases(carla, olaf, 52)
    client = as_user(olaf)
    first = client.get(reverse("cases:list")).content.decode()
    assert first.count('scope="row"') == 50
    assert "page=2" in first
    second = client.get(reverse("cases:list") + "?page=2").content.decode()
    assert second.count('scope="row"') == 2


@pytest.mark.parametrize(("query", "expected"), [
    ("stage=under_review", {"Reviewed"}),
    ("country=NI", {"Nicaraguan"}),
    ("year=2027", {"Nicaraguan"}),
])
def test_filters_narrow_the_list(as_user, carla, olaf, otto, query, expected):
    reviewed = make_case(carla, code_name="Reviewed", legal_name="A", passport_number="1",
                         planned_arrival=datetime.date(2026, 5, 1), officer=otto)
    Case.objects.filter(pk=reviewed.pk).update(stage=Case.Stage.UNDER_REVIEW)
    nic = make_case(carla, code_name="Nicaraguan", legal_name="B", passport_number="2",
                    planned_arrival=datetime.date(2027, 5, 1))
    nic.defender.country_of_activity = "NI"
    nic.defender.save()
    page = as_user(olaf).get(reverse("cases:list") + "?" + query).content.decode()
    shown = {name for name in ("Reviewed", "Nicaraguan") if f">{name}<" in page}
    assert shown == expected


def test_filter_by_officer(as_user, carla, olaf, otto):
    make_case(carla, code_name="Mine", legal_name="A", passport_number="1", officer=olaf)
    make_case(carla, code_name="Theirs", legal_name="B", passport_number="2", officer=otto)
    page = as_user(olaf).get(reverse("cases:list") + f"?officer={otto.pk}").content.decode()
    assert ">Theirs<" in page and ">Mine<" not in page


def test_the_list_shows_no_identity(as_user, carla, olaf):
    make_case(carla, code_name="Heron", legal_name="Ana María Pérez", passport_number="NL1")
    page = as_user(olaf).get(reverse("cases:list")).content.decode()
    assert "Heron" in page and "Pérez" not in page and "NL1" not in page
