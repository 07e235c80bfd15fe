"""Sign-in with password and second factor, lockout and throttling."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.utils import timezone

from shelter.accounts import services
from shelter.accounts.models import AuthenticatorDevice, SignInThrottle
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def totp_now(device: AuthenticatorDevice) -> str:
    return device.current_code()


def sign_in(client: Client, email: str, password: str = PASSWORD):
    return client.post("/accounts/sign-in/", {"email": email, "password": password})


def test_password_then_totp_reaches_dashboard(olaf):
    client = Client()
    response = sign_in(client, olaf.email)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/verify/")
    assert client.get("/").status_code == 302  # not yet: second factor missing
    device = AuthenticatorDevice.objects.get(user=olaf)
    response = client.post("/accounts/verify/", {"code": totp_now(device), "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_code_is_refused_and_session_stays_unverified(olaf):
    client = Client()
    sign_in(client, olaf.email)
    response = client.post("/accounts/verify/", {"code": "000000"})
    assert response.status_code == 200
    assert "niet juist" in response.content.decode() or "not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_wrong_codes_are_throttled_even_before_a_right_one(olaf):
    client = Client()
    sign_in(client, olaf.email)
    client.post("/accounts/verify/", {"code": "000000"})
    device = AuthenticatorDevice.objects.get(user=olaf)
    assert device.throttling_failure_count == 1
    # Within the back-off window even the right code is refused.
    response = client.post("/accounts/verify/", {"code": totp_now(device)})
    assert response.status_code == 200
    assert client.get("/").status_code == 302


def test_backup_code_works_once(olaf):
    codes = services.backup_codes_issue(user=olaf, count=2)
    client = Client()
    sign_in(client, olaf.email)
    assert client.post("/accounts/verify/", {"code": codes[0]}).status_code == 302
    assert client.get("/").status_code == 200
    again = Client()
    sign_in(again, olaf.email)
    assert again.post("/accounts/verify/", {"code": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302


def test_backup_codes_are_not_stored_in_the_clear(olaf):
    from shelter.accounts.models import BackupCode

    codes = services.backup_codes_issue(user=olaf, count=3)
    stored = list(BackupCode.objects.values_list("digest", flat=True))
    for code in codes:
        assert all(code.replace("-", "") not in digest for digest in stored)


@override_settings(SHELTER_LOCKOUT_ATTEMPTS=3)
def test_account_locks_after_repeated_wrong_passwords(olaf):
    client = Client()
    for _ in range(3):
        response = sign_in(client, olaf.email, "wrong password")
    assert "geblokkeerd" in response.content.decode() or "blocked" in response.content.decode()
    # Even the right password is refused while locked, from any address.
    other = Client(REMOTE_ADDR="10.9.9.9")
    response = sign_in(other, olaf.email)
    assert response.status_code == 200
    assert other.get("/").status_code == 302
    row = SignInThrottle.objects.get(scope="account")
    assert olaf.email not in row.key  # keyed hash, not the address


@override_settings(SHELTER_LOCKOUT_ATTEMPTS=3, SHELTER_LOCKOUT_MINUTES=15)
def test_lock_expires(olaf):
    client = Client()
    for _ in range(3):
        sign_in(client, olaf.email, "wrong password")
    SignInThrottle.objects.update(locked_until=timezone.now() - timezone.timedelta(seconds=1))
    response = sign_in(client, olaf.email)
    assert response.status_code == 302


@override_settings(SHELTER_LOCKOUT_ATTEMPTS=100, SHELTER_LOCKOUT_IP_ATTEMPTS=4)
def test_address_locks_after_failures_across_accounts(olaf, otto):
    client = Client(REMOTE_ADDR="10.1.2.3")
    for i in range(4):
        sign_in(client, f"nobody{i}@example.org", "wrong")
    response = sign_in(client, otto.email)
    assert response.status_code == 200  # refused: this address is locked
    assert sign_in(Client(REMOTE_ADDR="10.1.2.4"), otto.email).status_code == 302


def test_unknown_account_gets_the_same_message_as_a_wrong_password(olaf):
    a = sign_in(Client(), "nobody@example.org", "whatever").content.decode()
    b = sign_in(Client(), olaf.email, "whatever").content.decode()
    marker = "niet juist"
    assert (marker in a) == (marker in b)


def test_sign_out_ends_the_session(olaf, as_user):
    client = as_user(olaf)
    assert client.get("/").status_code == 200
    client.post("/accounts/sign-out/")
    assert client.get("/").status_code == 302


def test_open_redirect_is_refused(olaf):
    client = Client()
    client.post("/accounts/sign-in/?next=https://evil.example/",
                {"email": olaf.email, "password": PASSWORD})
    device = AuthenticatorDevice.objects.get(user=olaf)
    response = client.post("/accounts/verify/", {"code": totp_now(device),
                                                 "next": "https://evil.example/"})
    assert response["Location"] == "/"
