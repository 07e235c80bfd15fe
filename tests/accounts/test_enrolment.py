"""A user without a device must enrol TOTP and receives backup codes once."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP

from shelter.accounts.models import AuthenticatorDevice, BackupCode, User

pytestmark = pytest.mark.django_db


def code_for(secret_b32: str) -> str:
    totp = TOTP(base64.b32decode(secret_b32))
    totp.time = time.time()
    return f"{totp.token():06d}"


def test_enrolment_with_qr_and_backup_codes(municipality):
    User.objects.create_user(email="new@example.org", password="a long password 1", full_name="N")
    client = Client()
    response = client.post("/accounts/sign-in/", {"email": "new@example.org",
                                                  "password": "a long password 1"})
    assert response["Location"].startswith("/accounts/enrol/")
    page = client.get("/accounts/enrol/").content.decode()
    assert 'src="data:image/svg+xml;base64,' in page  # QR rendered on the server
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    wrong = client.post("/accounts/enrol/", {"code": "123456"})
    devices = AuthenticatorDevice.objects
    assert wrong.status_code == 200 and not devices.filter(confirmed=True).exists()
    devices.update(throttling_failure_count=0, throttling_failure_timestamp=None)
    done = client.post("/accounts/enrol/", {"code": code_for(secret)})
    assert done.status_code == 200
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", done.content.decode())
    assert len(codes) == 10 and BackupCode.objects.count() == 10
    assert client.get("/").status_code == 200
    # Codes are shown once: the enrolment page now just moves on.
    assert client.get("/accounts/enrol/").status_code == 302


def test_non_numeric_enrolment_code_gets_a_clear_message(municipality):
    User.objects.create_user(email="new@example.org", password="a long password 1", full_name="N")
    client = Client()
    client.post("/accounts/sign-in/", {"email": "new@example.org", "password": "a long password 1"})
    response = client.post("/accounts/enrol/", {"code": "abcdef"})
    assert response.status_code == 200
    assert 'class="field__error"' in response.content.decode()
