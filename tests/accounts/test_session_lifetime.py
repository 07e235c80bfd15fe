"""Sessions end when idle and after the absolute limit; deactivated users are out at once."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session

from shelter.accounts.middleware import SESSION_SEEN, SESSION_STARTED

pytestmark = pytest.mark.django_db


def _age_session(client, key: str, seconds: float) -> None:
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_idle_session_expires(olaf, as_user, settings):
    client = as_user(olaf)
    assert client.get("/").status_code == 200
    _age_session(client, SESSION_SEEN, settings.SHELTER_SESSION_IDLE_MINUTES * 60 + 5)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/sign-in/")


def test_active_session_expires_after_absolute_limit(olaf, as_user, settings):
    client = as_user(olaf)
    client.get("/")
    _age_session(client, SESSION_STARTED, settings.SHELTER_SESSION_MAX_HOURS * 3600 + 5)
    assert client.get("/").status_code == 302


def test_recent_activity_keeps_session(olaf, as_user):
    client = as_user(olaf)
    client.get("/")
    _age_session(client, SESSION_SEEN, 60)
    assert client.get("/").status_code == 200


def test_deactivated_user_is_kicked_out(carla, olaf, as_user):
    olaf_client = as_user(olaf)
    assert olaf_client.get("/").status_code == 200
    assert Session.objects.count() == 1
    carla_client = as_user(carla)
    response = carla_client.post(f"/accounts/people/{olaf.pk}/active/",
                                 {"active": "0", "confirmed": "1"})
    assert response.status_code == 302
    olaf.refresh_from_db()
    assert not olaf.is_active
    # Olaf's session row is gone (Carla's remains) and his next request is anonymous.
    assert Session.objects.count() == 1
    assert olaf_client.get("/").status_code == 302
