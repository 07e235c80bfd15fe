"""Every route, generated from the URL configuration, requires a verified second factor."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from shelter.accounts.middleware import EXEMPT_URL_NAMES

SAMPLE_VALUES = {"int": "1", "str": "x", "slug": "x", "uuid": str(uuid.uuid4()), "path": "x"}


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", prefix + str(entry.pattern), entry


def _concrete(route: str, pattern: URLPattern) -> str:
    converters = getattr(pattern.pattern, "converters", {})
    path = route
    for name, converter in converters.items():
        kind = type(converter).__name__.replace("Converter", "").lower()
        placeholder = f"<{kind}:{name}>" if f"<{kind}:{name}>" in path else f"<{name}>"
        path = path.replace(placeholder, SAMPLE_VALUES.get(kind, "x"))
    return "/" + path.lstrip("^").rstrip("$")


ROUTES = sorted(
    (name, _concrete(route, pattern))
    for name, route, pattern in _walk(get_resolver().url_patterns)
    if name not in EXEMPT_URL_NAMES
)


def test_the_gate_covers_a_meaningful_number_of_routes():
    assert len(ROUTES) >= 8


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_password_only_session_is_sent_to_the_second_factor(name, path, method, carla):
    client = Client()
    client.force_login(carla)  # password step done, no second factor
    response = getattr(client, method)(path)
    assert response.status_code == 302, f"{name} answered {response.status_code}"
    assert response["Location"].startswith("/accounts/verify/")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_user_without_device_can_only_reach_enrolment(name, path, municipality):
    from shelter.accounts.models import User

    user = User.objects.create_user(email="new@example.org", password="x" * 16, full_name="N")
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/enrol/")


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "path"), ROUTES, ids=[name for name, _ in ROUTES])
def test_anonymous_visitor_is_sent_to_sign_in(name, path):
    response = Client().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")
