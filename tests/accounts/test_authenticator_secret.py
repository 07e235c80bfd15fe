"""Authenticator (TOTP) secrets are encrypted at rest, bound to their row, and codes work once."""

from __future__ import annotations

import importlib
from base64 import b32encode

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

from shelter.accounts.models import AuthenticatorDevice
from shelter.crypto.exceptions import DecryptionFailed
from tests.rawscan import tables_containing

pytestmark = pytest.mark.django_db

move_secrets = importlib.import_module(
    "shelter.accounts.migrations.0004_move_totp_secrets").move_secrets


def _needles(device: AuthenticatorDevice) -> list[bytes]:
    secret = device.bin_key
    return [secret.hex().encode(), secret.hex().upper().encode(), b32encode(secret), secret]


def test_the_secret_is_in_no_table_in_any_form(olaf):
    device = AuthenticatorDevice.objects.get(user=olaf)
    assert len(device.bin_key) == 20
    assert tables_containing(_needles(device)) == []
    assert TOTPDevice.objects.count() == 0  # django-otp's clear-text table stays empty


def test_the_sealed_secret_is_bound_to_its_row(olaf, carla):
    first = AuthenticatorDevice.objects.get(user=olaf)
    second = AuthenticatorDevice.objects.get(user=carla)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT secret FROM {AuthenticatorDevice._meta.db_table} "  # noqa: S608
                       "WHERE id = %s", [first.pk])
        sealed = bytes(cursor.fetchone()[0])
        cursor.execute(f"UPDATE {AuthenticatorDevice._meta.db_table} SET secret = %s "  # noqa: S608
                       "WHERE id = %s", [sealed, second.pk])
    with pytest.raises(DecryptionFailed):
        AuthenticatorDevice.objects.get(pk=second.pk).bin_key  # noqa: B018
    victim = AuthenticatorDevice.objects.get(pk=second.pk)
    assert not victim.verify_token(first.current_code())  # accepts nothing, answers no 500
    assert not victim.verify_token("123456")


def test_a_code_is_accepted_once_and_wrong_ones_are_throttled(olaf):
    device = AuthenticatorDevice.objects.get(user=olaf)
    code = device.current_code()
    assert device.verify_token(code)
    assert not AuthenticatorDevice.objects.get(pk=device.pk).verify_token(code)  # replay
    fresh = AuthenticatorDevice.objects.get(pk=device.pk)
    assert fresh.throttling_failure_count == 1 and fresh.last_used_at is not None
    for bad in ["", "12345", "1234567", "abcdef", " 12 34 "]:
        fresh.throttle_reset()
        assert not fresh.verify_token(bad)


def test_the_enrolment_uri_carries_the_secret_for_the_app_only(olaf):
    device = AuthenticatorDevice.objects.get(user=olaf)
    url = device.config_url
    assert url.startswith("otpauth://totp/Shelter%3A")
    assert f"secret={device.base32_secret}" in url and "period=30" in url and "digits=6" in url


def test_verify_encryption_checks_the_secrets(olaf, capsys):
    call_command("verify_encryption", "--skip-documents")
    out = capsys.readouterr().out
    assert "values ok" in out and "failed" not in out


def test_the_migration_moves_clear_text_secrets_and_deletes_them(olaf):
    AuthenticatorDevice.objects.filter(user=olaf).delete()
    old = TOTPDevice.objects.create(user=olaf, name="authenticator", confirmed=True,
                                    drift=1, last_t=7)
    key = bytes.fromhex(old.key)
    move_secrets(apps, None)
    assert TOTPDevice.objects.count() == 0
    moved = AuthenticatorDevice.objects.get(user=olaf)
    assert moved.bin_key == key and moved.confirmed and (moved.drift, moved.last_t) == (1, 7)
    assert tables_containing([old.key.encode(), b32encode(key)]) == []


def test_the_migration_refuses_devices_it_cannot_represent(olaf):
    TOTPDevice.objects.create(user=olaf, name="authenticator", confirmed=True, digits=8)
    with pytest.raises(RuntimeError, match="non-default"):
        move_secrets(apps, None)


def test_only_ascii_digits_count(carla):
    device = AuthenticatorDevice.objects.get(user=carla)
    code = device.current_code()
    assert not device.verify_token(code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    device.throttle_reset()
    assert device.verify_token(code)  # the same code in ASCII digits was valid
