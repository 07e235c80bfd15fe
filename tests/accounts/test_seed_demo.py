"""seed_demo: one user per role, idempotent, and the printed backup codes really sign in;
running it again keeps passwords, second factors and sessions; demo_codes prints fresh codes."""

from __future__ import annotations

import logging
import re
from io import StringIO

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from shelter.accounts.models import AuthenticatorDevice, BackupCode, Organisation, User
from shelter.accounts.roles import Role

pytestmark = pytest.mark.django_db
CREDENTIALS = r"{}@demo\.shelter\.test\s+password: (\S+)\s+backup codes: ((?:\S+  )+\S+)"


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _credentials(output: str, who: str) -> tuple[str, list[str]]:
    password, codes = re.search(CREDENTIALS.format(who), output).groups()
    return password, codes.split("  ")


def _signed_in(who: str, password: str, code: str) -> Client:
    client = Client()
    client.post("/accounts/sign-in/", {"email": f"{who}@demo.shelter.test", "password": password})
    assert client.post("/accounts/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    return client


def test_seed_demo_prints_working_credentials_for_new_accounts():
    output = _seed()
    assert User.objects.filter(email__endswith="@demo.shelter.test").count() == 6
    assert Organisation.objects.filter(kind="municipality").count() == 1
    assert {u.role for u in User.objects.all()} == {r.value for r in Role}
    password, codes = _credentials(output, "olaf")
    assert len(codes) == 5
    _signed_in("olaf", password, codes[0])


def test_seeding_again_keeps_passwords_second_factors_and_sessions():
    password, codes = _credentials(_seed(), "olaf")
    client = _signed_in("olaf", password, codes[0])
    olaf = User.objects.get(email="olaf@demo.shelter.test")
    before = (olaf.password, list(AuthenticatorDevice.objects.filter(user=olaf)
                                  .values_list("pk", "uid", "confirmed")),
              sorted(BackupCode.objects.filter(device__user=olaf).values_list("digest", flat=True)),
              set(Session.objects.values_list("session_key", flat=True)))
    output = _seed()
    olaf.refresh_from_db()
    after = (olaf.password, list(AuthenticatorDevice.objects.filter(user=olaf)
                                 .values_list("pk", "uid", "confirmed")),
             sorted(BackupCode.objects.filter(device__user=olaf).values_list("digest", flat=True)),
             set(Session.objects.values_list("session_key", flat=True)))
    assert after == before
    assert "password:" not in output and "olaf@demo.shelter.test" in output
    assert User.objects.filter(email__endswith="@demo.shelter.test").count() == 6
    assert client.get("/").status_code == 200  # still signed in
    _signed_in("olaf", password, codes[1])  # the old password and codes still work


def test_demo_codes_prints_fresh_codes_and_leaves_passwords_and_sessions(capsys):
    password, old_codes = _credentials(_seed(), "pia")
    client = _signed_in("pia", password, old_codes[0])
    out = StringIO()
    call_command("demo_codes", stdout=out)
    line = re.search(r"pia@demo\.shelter\.test\s+((?:\S+  )+\S+)", out.getvalue()).group(1)
    new_codes = line.split("  ")
    assert len(new_codes) == 5 and not set(new_codes) & set(old_codes)
    assert client.get("/").status_code == 200  # the session survives
    _signed_in("pia", password, new_codes[0])
    refused = Client()
    refused.post("/accounts/sign-in/", {"email": "pia@demo.shelter.test", "password": password})
    assert refused.post("/accounts/verify/", {"code": old_codes[1]}).status_code == 200


def test_seed_output_has_no_key_creation_lines(caplog):
    with caplog.at_level(logging.INFO):
        _seed()
    assert not [r for r in caplog.records if "data key" in r.getMessage()]
    assert logging.getLogger("shelter.crypto").level != logging.WARNING  # restored afterwards


def test_demo_content_is_dutch():
    from cases.models import IntakeRound

    _seed()
    assert IntakeRound.objects.filter(name="Demoronde").exists()
    assert not IntakeRound.objects.filter(name="Demo round").exists()


@pytest.mark.parametrize("command", ["seed_demo", "demo_codes"])
def test_demo_commands_refuse_production(settings, command):
    settings.SHELTER_ENV = "production"
    with pytest.raises(CommandError):
        call_command(command, stdout=StringIO())
