"""Every housing page, generated from the URL configuration, opened by coordinators and officers:
each read is recorded and no page needs an inline style. Who may use which route, and that
refusals are recorded, is the housing permission matrix (test_permission_matrix.py)."""

from __future__ import annotations

import uuid

import pytest
from django.urls import URLPattern, get_resolver, reverse

from housing import services
from tests.factories import day, recorded

NAMESPACE = "housing"


def routes() -> list[URLPattern]:
    return [p for p in get_resolver().namespace_dict[NAMESPACE][1].url_patterns
            if isinstance(p, URLPattern)]


ROUTES = sorted(p.name for p in routes())


@pytest.fixture
def world(carla, case, unit):
    booking = services.booking_create(unit=unit, case=case, start=day(1), end=day(5),
                                      acting_user=carla)
    block = services.block_add(unit=unit, start=day(20), end=day(22), reason="maintenance",
                               acting_user=carla)
    return {"pk": unit.pk, "case_id": case.pk, "period_id": unit.availability.get().pk,
            "block_id": block.pk, "booking": booking}


def url_for(name: str, world: dict) -> str:
    pattern = next(p for p in routes() if p.name == name)
    kwargs = {key: world[key] for key in pattern.pattern.converters}
    if name.startswith("booking"):
        kwargs["pk"] = world["booking"].pk
    return reverse(f"{NAMESPACE}:{name}", kwargs=kwargs)


GET_ROUTES = [r for r in ROUTES if not r.endswith(("_add", "_remove", "_confirm", "_cancel"))]


@pytest.mark.parametrize("route", GET_ROUTES)
@pytest.mark.parametrize("persona", ["carla", "olaf", "otto"])
def test_coordinators_and_officers_open_every_page_and_it_is_recorded(request, as_user, world,
                                                                      route, persona,
                                                                      audit_since):
    user = request.getfixturevalue(persona)
    response = as_user(user).get(url_for(route, world))
    assert response.status_code == 200
    assert recorded(audit_since), "every housing page read is recorded"
    assert b"style=" not in response.content  # CSP: style-src 'self', no inline styles


def test_an_unknown_unit_or_case_answers_404(as_user, olaf, db):
    client = as_user(olaf)
    assert client.get(reverse("housing:unit", args=[uuid.uuid4()])).status_code == 404
    assert client.get(reverse("housing:case", args=[uuid.uuid4()])).status_code == 404
