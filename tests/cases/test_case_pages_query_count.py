"""Case pages cost a constant number of queries, however many notes, tasks or changes."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from shelter.crypto import keycache

# Committed rows: keys created inside an open transaction are never cached (keycache.py).
pytestmark = pytest.mark.django_db(transaction=True)


def queries(client, url) -> int:
    keycache.clear_all()
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def grow(case, carla, olaf, n):
    for i in range(n):
        services.note_create(case=case, category="general", body=f"note {i}", acting_user=olaf)
        services.activity_create(case=case, acting_user=carla, kind="meeting", title=f"m{i}",
                                 day=datetime.date.today(), starts="10:00")


@pytest.mark.parametrize("route", ["notes", "programme", "tasks", "history", "profile"])
def test_a_case_page_costs_the_same_for_2_and_12_items(as_user, carla, olaf, case, route):
    client = as_user(olaf)
    url = reverse(f"cases:{route}", args=[case.pk])
    grow(case, carla, olaf, 2)
    few = queries(client, url)
    grow(case, carla, olaf, 10)
    assert queries(client, url) == few
