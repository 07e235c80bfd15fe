"""Backup codes as a text file: right after enrolment, in that session only, never cached,
never from a stored copy; and a print button for browsers with the script."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shelter.accounts.models import AuthenticatorDevice, User
from tests.factories import verified_client

pytestmark = pytest.mark.django_db


def enrolled(municipality) -> tuple[Client, list[str], str]:
    User.objects.create_user(email="new@example.org", password="a long password 1",
                             full_name="N", organisation=municipality)
    client = Client()
    client.post("/accounts/sign-in/", {"email": "new@example.org",
                                       "password": "a long password 1"})
    client.get("/accounts/enrol/")
    device = AuthenticatorDevice.objects.get(confirmed=False)
    page = client.post("/accounts/enrol/", {"code": device.current_code()}).content.decode()
    codes = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    return client, codes, page


def download(client: Client, codes: list[str]):
    return client.post("/accounts/backup-codes/download/", {"codes": " ".join(codes)})


def test_the_codes_page_offers_download_and_print(municipality):
    _client, codes, page = enrolled(municipality)
    assert len(codes) == 10
    assert 'action="/accounts/backup-codes/download/"' in page
    assert "data-print" in page and "Print" in page


def test_the_codes_download_as_a_text_file_that_is_not_cached(municipality):
    client, codes, _page = enrolled(municipality)
    response = download(client, codes)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="shelter-backup-codes.txt"'
    assert "no-store" in response["Cache-Control"]
    text = response.content.decode()
    assert all(code in text for code in codes)


def test_the_session_keeps_no_readable_code(municipality):
    client, codes, _page = enrolled(municipality)
    stored = str(dict(client.session.items()))
    assert not any(code in stored or code.replace("-", "") in stored for code in codes)


def test_other_codes_or_another_session_get_nothing(municipality, olaf):
    client, codes, _page = enrolled(municipality)
    forged = [c[:-1] + ("A" if c[-1] != "A" else "B") for c in codes]
    assert download(client, forged).status_code == 400
    assert download(verified_client(olaf), codes).status_code == 400
    assert Client().post("/accounts/backup-codes/download/",
                         {"codes": " ".join(codes)}).status_code == 302  # sign in first


def test_the_download_ends_after_some_minutes(municipality, monkeypatch):
    from shelter.accounts import views

    client, codes, _page = enrolled(municipality)
    issued = client.session[views.BACKUP_CODES_ISSUED]["at"]
    monkeypatch.setattr(views.time, "time", lambda: issued + 16 * 60)
    response = download(client, codes)
    assert response.status_code == 400
    assert "only right after they are made" in response.content.decode()
