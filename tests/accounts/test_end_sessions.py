"""Deactivating a user or resetting their second factor ends every one of their sessions."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session

from tests.factories import fresh_client

pytestmark = pytest.mark.django_db


def _sessions_of(user) -> list[str]:
    return [s.session_key for s in Session.objects.all()
            if str(s.get_decoded().get(SESSION_KEY)) == str(user.pk)]


@pytest.mark.parametrize("path, data", [
    ("/accounts/people/{pk}/active/", {"active": "0", "confirmed": "1"}),
    ("/accounts/people/{pk}/reset-second-factor/", {"confirmed": "1"}),
])
def test_every_session_of_the_user_ends_and_no_other(carla, olaf, otto, as_user, path, data):
    laptop, phone, colleague = as_user(olaf), as_user(olaf), as_user(otto)
    for client in (laptop, phone, colleague):
        assert client.get("/").status_code == 200
    assert len(_sessions_of(olaf)) == 2
    response = fresh_client(carla).post(path.format(pk=olaf.pk), data)
    assert response.status_code == 302
    assert _sessions_of(olaf) == []
    assert len(_sessions_of(otto)) == 1 and len(_sessions_of(carla)) == 1
    for client in (laptop, phone):
        response = client.get("/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/sign-in/")
    assert colleague.get("/").status_code == 200


def test_a_coordinator_may_not_reset_their_own_second_factor_and_stays_signed_in(carla):
    """Another coordinator does it (shelter.accounts.phishing: reason own_account)."""
    client, other = fresh_client(carla), fresh_client(carla)
    response = client.post(f"/accounts/people/{carla.pk}/reset-second-factor/",
                           {"confirmed": "1"})
    assert response.status_code == 403
    assert len(_sessions_of(carla)) == 2
    assert other.get("/").status_code == 200
