"""A wrong key file must not start: the database keeps a check of every key it was written with.

A valid but wrong key file (another installation's, or a fresh one) used to start the app: each
request then appended audit entries hashed under the wrong chain key, and the append-only log was
broken for good. Now the app answers 503 naming the key, and writes nothing at all.
"""

from __future__ import annotations

import base64
import json
import shutil
import urllib.parse

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from shelter import audit
from shelter.audit.models import AuditEvent
from shelter.crypto import keycheck, keyfile, providers
from shelter.crypto.exceptions import KeyMismatch
from shelter.crypto.fieldcrypto import encrypt_field
from shelter.crypto.models import DataKey, KeyCheck

from .processes import environment, fetch, manage, process_database, shell, snapshot, wsgi_server

pytestmark = pytest.mark.django_db

CREATE_CASE = (
    "from cases.models import Case, Defender\n"
    "from shelter import audit\n"
    "d = Defender(code_name='Kite', legal_name='x'); d.save()\n"
    "c = Case(defender=d, risk_notes='y'); c.save()\n"
    "audit.record(None, audit.Action.CASE_LIST)\n"
    "print('created', c.pk)\n"
)


@pytest.fixture
def key_files(tmp_path, settings):
    """The suite's key file (copied) and a second, valid but wrong, one."""
    right, wrong = tmp_path / "right.json", tmp_path / "wrong.json"
    shutil.copy(settings.SHELTER_MASTER_KEY_FILE, right)
    right.chmod(0o600)
    keyfile.generate_key_file(wrong)
    settings.SHELTER_MASTER_KEY_FILE = str(right)
    providers.reset_provider()
    yield right, wrong
    settings.SHELTER_MASTER_KEY_FILE = str(right)
    providers.reset_provider()


def use(settings, path) -> None:
    settings.SHELTER_MASTER_KEY_FILE = str(path)
    providers.reset_provider()


def test_first_use_stores_a_check_for_every_key_and_no_key_material(key_files):
    right, _wrong = key_files
    keycheck.ensure_verified()
    data = keyfile.load_key_file(right)
    assert set(KeyCheck.objects.values_list("kind", "key_id")) >= {
        ("audit", "audit-key"), ("blind_index", "blind-index-key"),
        ("master", data.active_master_key)}
    secrets = [*data.master_keys.values(), data.blind_index_key, data.audit_checkpoint_key]
    with connection.cursor() as cursor:
        cursor.execute("SELECT check_value FROM crypto_keycheck")
        stored = b"".join(bytes(row[0]) for row in cursor.fetchall())
    for secret in secrets:
        assert secret not in stored and base64.b64encode(secret) not in stored


def test_a_wrong_key_file_writes_no_audit_entry_and_no_data_key(key_files, settings, case):
    right, wrong = key_files
    audit.record(None, audit.Action.CASE_LIST)  # the right key file: checks stored
    before = (AuditEvent.objects.count(), DataKey.objects.count(), KeyCheck.objects.count())
    use(settings, wrong)
    with pytest.raises(KeyMismatch) as refused, transaction.atomic():
        audit.record(None, audit.Action.CASE_LIST)
    with pytest.raises(KeyMismatch), transaction.atomic():
        encrypt_field("case", case.pk.__class__(int=7), b"value", b"ctx")
    assert (AuditEvent.objects.count(), DataKey.objects.count(),
            KeyCheck.objects.count()) == before
    active = keyfile.load_key_file(right).active_master_key
    assert refused.value.key_id == active  # the key the right file holds, by its id
    message = str(refused.value)
    assert "Restore the key file" in message
    for secret in keyfile.load_key_file(wrong).master_keys.values():
        assert base64.b64encode(secret).decode() not in message


def test_a_key_file_with_a_changed_audit_key_is_refused(key_files, settings, tmp_path):
    right, _wrong = key_files
    keycheck.ensure_verified()
    doc = json.loads(right.read_text())
    doc["audit_checkpoint_key"] = base64.b64encode(b"\x01" * 32).decode()
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(doc))
    edited.chmod(0o600)
    use(settings, edited)
    with pytest.raises(KeyMismatch, match="audit key audit-key does not match"), \
            transaction.atomic():
        audit.record(None, audit.Action.CASE_LIST)


def test_manage_check_fails_with_the_key_id(key_files, settings, case):
    right, wrong = key_files
    keycheck.ensure_verified()
    use(settings, wrong)
    from django.core.management.base import SystemCheckError

    with pytest.raises(SystemCheckError, match="crypto.E001"):
        call_command("check")


@pytest.mark.django_db(transaction=True)
def test_a_wrong_key_file_does_not_start_the_app_and_the_log_stays_verifiable(tmp_path):
    right, wrong = tmp_path / "keys" / "right.json", tmp_path / "keys" / "wrong.json"
    keyfile.generate_key_file(right)
    keyfile.generate_key_file(wrong)
    master_id = keyfile.load_key_file(right).active_master_key
    with process_database(tmp_path) as database_url:
        good = environment(tmp_path, database_url, right)
        bad = environment(tmp_path, database_url, wrong)
        assert manage(good, "migrate", "--noinput").returncode == 0
        created = shell(good, CREATE_CASE)
        assert created.returncode == 0, created.stderr
        before = snapshot(database_url)
        assert before["audit"] and before["datakeys"] and before["keychecks"]

        checked = manage(bad, "check")
        assert checked.returncode != 0 and "crypto.E001" in checked.stderr
        assert master_id in checked.stderr and "Restore the key file" in checked.stderr
        written = shell(bad, CREATE_CASE)
        assert written.returncode != 0 and "created" not in written.stdout
        assert "does not match this database" in written.stderr

        with wsgi_server(bad) as base:
            for path in ("/", "/accounts/sign-in/", "/cases/"):
                status, body = fetch(base + path)
                assert status == 503, (path, status)
                assert master_id in body and "SHELTER_MASTER_KEY_FILE" in body
                assert "Traceback" not in body
            form = urllib.parse.urlencode({"email": "a@example.org", "password": "x"})
            status, _body = fetch(base + "/accounts/sign-in/", form.encode())
            assert status == 503
        assert snapshot(database_url) == before  # no entry, no data key, no check, no session

        verified = manage(good, "verify_audit_log")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        with wsgi_server(good) as base:
            assert fetch(base + "/accounts/sign-in/")[0] == 200
