"""The case sections cost the same queries for 2 and for 12 items, counted on the test
client's request itself (`count_queries`), for the officer who may change them and for a
coordinator."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from cases import services
from shelter.crypto import keycache
from tests.factories import count_queries, make_marked_document, verified_client

# Committed rows: keys created inside an open transaction are never cached (keycache.py).
pytestmark = pytest.mark.django_db(transaction=True)

SECTIONS = ["profile", "residency", "programme", "documents", "notes", "tasks", "logistics"]


def _grow(case, carla, olaf, n):
    for i in range(n):
        services.note_create(case=case, category="general", body=f"note {i}", acting_user=olaf)
        services.activity_create(case=case, acting_user=carla, kind="meeting", title=f"m{i}",
                                 day=datetime.date.today() + datetime.timedelta(days=i),
                                 starts="10:00")
        services.task_create(case=case, title=f"task {i}", acting_user=olaf, owner=olaf,
                             due_on=datetime.date.today())
        make_marked_document(case, b"%PDF- content", marker=f"doc{i}")


def _queries(client, url) -> int:
    keycache.clear_all()
    answers = []
    count = count_queries(lambda: answers.append(client.get(url)))
    assert answers[0].status_code == 200
    return count


@pytest.mark.parametrize("route", SECTIONS)
@pytest.mark.parametrize("who", ["olaf", "carla"])
def test_a_case_section_costs_the_same_for_2_and_12_items(carla, olaf, case, route, who):
    client = verified_client({"olaf": olaf, "carla": carla}[who])
    url = reverse(f"cases:{route}", args=[case.pk])
    _grow(case, carla, olaf, 2)
    few = _queries(client, url)
    assert few > 3  # the request was counted (session, user, the case, the audit entry …)
    _grow(case, carla, olaf, 10)
    assert _queries(client, url) == few


@pytest.mark.parametrize("route", ["programme", "documents", "tasks"])
def test_each_rows_links_are_the_routes_addresses(carla, olaf, case, route):
    _grow(case, carla, olaf, 2)
    html = verified_client(olaf).get(reverse(f"cases:{route}", args=[case.pk])).content.decode()
    if route == "programme":
        for activity in case.activities.all():
            for name in ("activity_edit", "activity_cancel"):
                assert f'href="{reverse(f"cases:{name}", args=[case.pk, activity.pk])}"' in html
    elif route == "documents":
        for document in case.documents.all():
            for name in ("document_download", "document_replace", "document_delete"):
                assert f'href="{reverse(f"cases:{name}", args=[case.pk, document.pk])}"' in html
    else:
        for task in case.tasks.all():
            assert f'action="{reverse("cases:task_toggle", args=[case.pk, task.pk])}"' in html
            assert f'href="{reverse("cases:task_edit", args=[case.pk, task.pk])}"' in html
