"""Each step up in trust gets a new session key: password, second factor, enrolment.

A session id known before a step (fixed by an attacker, or seen on a shared computer) must
not carry the privileges gained by that step.
"""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.oath import TOTP

from shelter.accounts.models import AuthenticatorDevice, User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_the_session_key_changes_at_the_second_factor_step(olaf):
    client = Client()
    client.post("/accounts/sign-in/", {"email": olaf.email, "password": PASSWORD})
    before = _key(client)
    code = AuthenticatorDevice.objects.get(user=olaf).current_code()
    response = client.post("/accounts/verify/", {"code": code, "next": "/"})
    assert response.status_code == 302
    after = _key(client)
    assert after != before
    # The half-signed-in key is gone from the store, not merely unused.
    assert not Session.objects.filter(session_key=before).exists()
    assert Session.objects.filter(session_key=after).exists()
    stale = Client()
    stale.cookies[settings.SESSION_COOKIE_NAME] = before
    assert stale.get("/").status_code == 302
    assert client.get("/").status_code == 200


def test_a_wrong_code_keeps_the_key(olaf):
    client = Client()
    client.post("/accounts/sign-in/", {"email": olaf.email, "password": PASSWORD})
    before = _key(client)
    client.post("/accounts/verify/", {"code": "000000"})
    assert _key(client) == before


def test_the_session_key_changes_at_enrolment(municipality):
    User.objects.create_user(email="new@example.org", password="a long password 1", full_name="N")
    client = Client()
    client.post("/accounts/sign-in/", {"email": "new@example.org", "password": "a long password 1"})
    page = client.get("/accounts/enrol/").content.decode()
    before = _key(client)
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time()
    assert client.post("/accounts/enrol/", {"code": f"{totp.token():06d}"}).status_code == 200
    assert _key(client) != before
    assert not Session.objects.filter(session_key=before).exists()
    assert client.get("/").status_code == 200
