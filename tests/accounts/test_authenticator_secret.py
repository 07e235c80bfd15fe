"""Authenticator (TOTP) secrets are encrypted at rest, bound to their row, and codes work once."""

from __future__ import annotations

import datetime
import importlib
from base64 import b32encode

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection

from shelter.accounts.models import AuthenticatorDevice
from shelter.crypto.exceptions import DecryptionFailed
from tests.rawscan import tables_containing

pytestmark = pytest.mark.django_db

migration_0004 = importlib.import_module("shelter.accounts.migrations.0004_move_totp_secrets")
move_secrets, OLD_TABLE = migration_0004.move_secrets, migration_0004.OLD_TABLE
HEX_KEY = "3132333435363738393031323334353637383930"

# django-otp's TOTPDevice table as its migrations 0001-0003 left it (the plugin is no longer
# installed; databases created before AuthenticatorDevice still have it).
OLD_SCHEMA = f"""CREATE TABLE {OLD_TABLE} (
    id integer PRIMARY KEY, name varchar(64) NOT NULL, confirmed bool NOT NULL,
    key varchar(80) NOT NULL, step smallint NOT NULL, t0 bigint NOT NULL,
    digits smallint NOT NULL, tolerance smallint NOT NULL, drift smallint NOT NULL,
    last_t bigint NOT NULL, user_id integer NOT NULL,
    throttling_failure_timestamp timestamp NULL, throttling_failure_count integer NOT NULL,
    created_at timestamp NULL, last_used_at timestamp NULL)"""


@pytest.fixture
def old_table():
    """insert(user, **columns) -> adds a clear-text device row to the old table."""
    with connection.cursor() as cursor:
        cursor.execute(OLD_SCHEMA)

    def insert(user, **columns):
        row = {"id": 1, "name": "authenticator", "confirmed": True, "key": HEX_KEY, "step": 30,
               "t0": 0, "digits": 6, "tolerance": 1, "drift": 0, "last_t": -1,
               "user_id": user.pk, "throttling_failure_timestamp": None,
               "throttling_failure_count": 0, "created_at": None, "last_used_at": None,
               **columns}
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {OLD_TABLE} ({', '.join(row)}) "  # noqa: S608
                           f"VALUES ({', '.join(['%s'] * len(row))})", list(row.values()))

    yield insert
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {OLD_TABLE}")


def old_row_count() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {OLD_TABLE}")  # noqa: S608
        return cursor.fetchone()[0]


def _needles(device: AuthenticatorDevice) -> list[bytes]:
    secret = device.bin_key
    return [secret.hex().encode(), secret.hex().upper().encode(), b32encode(secret), secret]


def test_the_secret_is_in_no_table_in_any_form(olaf):
    device = AuthenticatorDevice.objects.get(user=olaf)
    assert len(device.bin_key) == 20
    assert tables_containing(_needles(device)) == []
    assert OLD_TABLE not in connection.introspection.table_names()  # no clear-text table


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


def test_the_migration_moves_clear_text_secrets_and_deletes_them(olaf, old_table):
    AuthenticatorDevice.objects.filter(user=olaf).delete()
    failed_at = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    old_table(olaf, drift=1, last_t=7, throttling_failure_count=2,
              throttling_failure_timestamp=failed_at.replace(tzinfo=None))
    key = bytes.fromhex(HEX_KEY)
    move_secrets(apps, None)
    assert old_row_count() == 0
    moved = AuthenticatorDevice.objects.get(user=olaf)
    assert moved.bin_key == key and moved.confirmed and (moved.drift, moved.last_t) == (1, 7)
    assert (moved.throttling_failure_count, moved.throttling_failure_timestamp) == (2, failed_at)
    assert tables_containing([HEX_KEY.encode(), b32encode(key)]) == []


def test_the_migration_refuses_devices_it_cannot_represent(olaf, old_table):
    old_table(olaf, digits=8)
    with pytest.raises(RuntimeError, match="non-default"):
        move_secrets(apps, None)
    assert old_row_count() == 1


def test_without_the_old_table_the_migration_has_nothing_to_do(olaf):
    before = list(AuthenticatorDevice.objects.values_list("pk", flat=True))
    move_secrets(apps, None)
    assert list(AuthenticatorDevice.objects.values_list("pk", flat=True)) == before


def test_only_ascii_digits_count(carla):
    device = AuthenticatorDevice.objects.get(user=carla)
    code = device.current_code()
    assert not device.verify_token(code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    device.throttle_reset()
    assert device.verify_token(code)  # the same code in ASCII digits was valid
