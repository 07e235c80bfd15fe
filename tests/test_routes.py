"""Deny by default across the whole URLconf: every route of every app names the guard its view
calls, a route whose view names none refuses everyone (404, recorded), and naming a guard
without calling it opens nothing."""

from __future__ import annotations

import uuid

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import override_settings
from django.urls import get_resolver, include, path

from cases import access as case_access
from shelter.access import deny_unguarded, guarded_by, guards_of, walk
from shelter.audit import Action
from shelter.urls import urlpatterns as project_patterns
from tests.factories import events_after, head_seq, verified_client

SECRET = b"what-an-unguarded-view-would-show"


def test_every_route_of_every_app_names_a_guard():
    routes = list(walk(get_resolver().url_patterns))
    unguarded = sorted(name for name, pattern in routes if not guards_of(pattern.callback))
    assert not unguarded, f"routes whose view names no guard (they refuse everyone): {unguarded}"
    spaces = {name.split(":")[0] for name, _pattern in routes if ":" in name}
    assert {"accounts", "cases", "housing", "audit"} <= spaces  # the walk reaches every app


def unguarded_view(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return HttpResponse(SECRET)


@guarded_by(case_access.access_case_list)
def names_but_skips_its_guard(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    return HttpResponse(SECRET)


@guarded_by(case_access.access_case_list)
def calls_another_guard(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    case_access.access_case_search(request)
    return HttpResponse(SECRET)


def urlconf(view) -> type:
    """The project's routes plus one probe route under the same deny-by-default."""
    probe = ([path("<uuid:pk>/", view, name="x")], "probe")
    return type("Routes", (), {"urlpatterns": deny_unguarded(
        [*project_patterns, path("probe/", include(probe))])})


def refusals_after(since: int) -> list:
    return [e for e in events_after(since) if e.action == Action.REFUSED]


@pytest.mark.django_db
@pytest.mark.parametrize("view, reason", [
    (unguarded_view, "no_guard"),
    (names_but_skips_its_guard, "guard_not_called"),
    (calls_another_guard, "guard_not_called"),
], ids=["names-no-guard", "does-not-call-its-guard", "calls-another-guard"])
def test_a_route_without_a_deciding_guard_answers_404_to_a_coordinator(carla, view, reason):
    client = verified_client(carla)
    since, pk = head_seq(), uuid.uuid4()
    with override_settings(ROOT_URLCONF=urlconf(view)):
        response = client.get(f"/probe/{pk}/")
    assert response.status_code == 404 and SECRET not in response.content
    [refusal] = refusals_after(since)
    assert (refusal.actor_id, refusal.outcome, refusal.target_type, refusal.target_id,
            refusal.facts) == (carla.pk, "refused", "shelter.route", str(pk),
                               {"reason": reason, "route": "probe:x"})


@pytest.mark.django_db
def test_the_probe_route_opens_once_its_guard_decides(carla):
    """The same probe with a view that calls the guard it names answers: the refusals above
    come from the missing decision, not from the probe's URLconf."""
    @guarded_by(case_access.access_case_list)
    def decides(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
        case_access.access_case_list(request)
        return HttpResponse(SECRET)

    with override_settings(ROOT_URLCONF=urlconf(decides)):
        response = verified_client(carla).get(f"/probe/{uuid.uuid4()}/")
    assert response.status_code == 200 and SECRET in response.content
