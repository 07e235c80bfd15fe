"""Every route that touches personal data names its processing activity in the register; a
route the register does not know fails here, and so does a name the URLconf no longer has."""

from __future__ import annotations

from django.urls import URLResolver, get_resolver

from shelter.audit.activities import CODES
from shelter.register.catalogue import NO_PERSONAL_DATA, ROUTES, activity_of_route


def route_names(patterns=None, namespace: str = ""):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from route_names(pattern.url_patterns, inner)
        else:
            yield f"{namespace}{pattern.name}"


def test_every_route_names_a_register_entry_or_says_it_touches_no_personal_data():
    unknown = []
    for name in route_names():
        try:
            code = activity_of_route(name)
        except KeyError:
            unknown.append(name)
        else:
            assert code is None or code in CODES, name
    assert not unknown, f"routes the register does not know: {unknown}"


def test_the_register_names_only_routes_that_exist():
    existing = set(route_names())
    listed = {name for names in ROUTES.values() for name in names} | NO_PERSONAL_DATA
    assert listed - existing == set()
    every = [name for names in ROUTES.values() for name in names]
    assert len(every) == len(set(every)), "a route is listed under two activities"
    assert set(every).isdisjoint(NO_PERSONAL_DATA)
