"""Key management commands: rotation (resumable, retiring), shredding, verification."""

from __future__ import annotations

import io
import shutil

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from cases.models import Case, Defender, Document, Note
from shelter.crypto import keycache, keyfile, providers
from shelter.crypto.api import open_document
from shelter.crypto.datakeys import rewrap
from shelter.crypto.documents import document_storage
from shelter.crypto.exceptions import KeyShredded
from shelter.crypto.models import DataKey
from tests.factories import (
    MARKER,
    make_marked_case,
    make_marked_defender,
    make_marked_document,
    make_marked_note,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_key_file(tmp_path, settings):
    """Rotation rewrites the key file: give each test its own copy."""
    path = tmp_path / "master.json"
    shutil.copy(settings.SHELTER_MASTER_KEY_FILE, path)
    path.chmod(0o600)
    settings.SHELTER_MASTER_KEY_FILE = str(path)
    providers.reset_provider()
    yield path
    providers.reset_provider()


@pytest.fixture
def populated():
    cases = [make_marked_case(make_marked_defender(code_name=f"D{i}")) for i in range(3)]
    docs = [make_marked_document(c, f"file {i} {MARKER}".encode() * 5000)
            for i, c in enumerate(cases)]
    notes = [make_marked_note(c) for c in cases]
    return cases, docs, notes


def run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=out)
    return out.getvalue()


def forget_everything() -> None:
    keycache.clear_all()
    providers.reset_provider()


def assert_all_readable(cases, docs, notes) -> None:
    forget_everything()
    for case, doc, note in zip(cases, docs, notes, strict=True):
        assert Case.objects.get(pk=case.pk).risk_notes == f"risk {MARKER}"
        assert Defender.objects.get(pk=case.defender_id).legal_name.startswith("Ana")
        assert Note.objects.get(pk=note.pk).body == f"note {MARKER}"
        content = open_document(Document.objects.get(pk=doc.pk), actor=None)
        assert MARKER.encode() in b"".join(content)


def test_rotation_rewraps_every_key_and_data_stays_readable(populated, private_key_file):
    old = keyfile.load_key_file(private_key_file).active_master_key
    output = run("rotate_master_key")
    new = keyfile.load_key_file(private_key_file).active_master_key
    assert new != old and f"Re-wrapped {DataKey.objects.count()} data key(s)" in output
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new}
    assert_all_readable(*populated)
    run("rotate_master_key", "--retire", old)
    assert old not in keyfile.load_key_file(private_key_file).master_keys
    assert_all_readable(*populated)


def test_interrupted_rotation_resumes_without_adding_another_key(populated, private_key_file):
    new = keyfile.add_master_key(private_key_file)  # as if the command died after this...
    providers.reset_provider()
    first = DataKey.objects.order_by("pk").first()
    assert rewrap(first, new)  # ...and after one row
    output = run("rotate_master_key")
    assert keyfile.load_key_file(private_key_file).active_master_key == new
    assert f"Re-wrapped {DataKey.objects.count() - 1} data key(s)" in output
    assert_all_readable(*populated)


def test_retiring_finishes_pending_rewraps_first(populated, private_key_file):
    old = keyfile.load_key_file(private_key_file).active_master_key
    new = keyfile.add_master_key(private_key_file)
    providers.reset_provider()
    run("rotate_master_key", "--retire", old)
    assert set(DataKey.objects.values_list("master_key_id", flat=True)) == {new}
    assert set(keyfile.load_key_file(private_key_file).master_keys) == {new}
    assert_all_readable(*populated)


def test_the_active_key_cannot_be_retired(populated, private_key_file):
    active = keyfile.load_key_file(private_key_file).active_master_key
    with pytest.raises(CommandError, match="active"):
        call_command("rotate_master_key", "--retire", active, stdout=io.StringIO())


def test_shredded_case_is_unreadable_even_with_the_master_key(populated):
    cases, docs, notes = populated
    victim = cases[0]
    wrapped_before = bytes(DataKey.objects.get(owner_id=victim.pk).wrapped_key)
    run("shred_case", str(victim.pk), "--noinput")
    forget_everything()
    row = DataKey.objects.get(owner_id=victim.pk)
    assert row.shredded_at and bytes(row.wrapped_key) == b""
    tombstone = Case.objects.get(pk=victim.pk)
    assert tombstone.is_shredded and tombstone.stage == Case.Stage.NOMINATED
    with pytest.raises(KeyShredded):
        _ = tombstone.risk_notes
    with pytest.raises(KeyShredded):
        _ = Note.objects.get(pk=notes[0].pk).body
    with pytest.raises(KeyShredded):
        open_document(Document.objects.get(pk=docs[0].pk), actor=None)
    with pytest.raises(KeyShredded), transaction.atomic():
        make_marked_note(tombstone)  # no new key can be created for a shredded case
    with connection.cursor() as cursor:
        cursor.execute("SELECT wrapped_key FROM crypto_datakey")
        assert all(wrapped_before not in bytes(r[0]) for r in cursor.fetchall())
    assert_all_readable(cases[1:], docs[1:], notes[1:])


def test_verify_encryption_passes_on_a_healthy_database(populated):
    output = run("verify_encryption")
    assert "failed" not in output and "documents ok: 3" in output


def test_verify_encryption_finds_planted_corruption_without_showing_plaintext(populated):
    cases, docs, notes = populated
    blob = bytearray(Note.objects.filter(pk=notes[1].pk).values_list("body", flat=True)[0].blob)
    blob[-1] ^= 1
    from shelter.crypto.fields import Sealed

    Note.objects.filter(pk=notes[1].pk).update(body=Sealed(bytes(blob)))
    path = document_storage().path(docs[2].storage_name)
    with open(path, "r+b") as handle:
        handle.truncate(100)
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 failure"):
        call_command("verify_encryption", stdout=out, stderr=out)
    report = out.getvalue()
    assert str(notes[1].pk) in report and str(docs[2].pk) in report
    assert MARKER not in report


def test_key_commands_write_audit_events(populated, private_key_file):
    from shelter.audit import Action
    from shelter.audit.models import AuditEvent

    cases, _docs, _notes = populated
    run("rotate_master_key")
    run("shred_case", str(cases[0].pk), "--noinput")
    run("verify_encryption")
    shred = AuditEvent.objects.get(action=Action.CASE_SHRED)
    assert shred.target_id == str(cases[0].pk)
    assert AuditEvent.objects.filter(action=Action.KEY_ROTATE).count() == 1
    verify = AuditEvent.objects.get(action=Action.VERIFY_ENCRYPTION)
    assert verify.facts["failures"] == 0


def test_shredding_leaves_no_wrapped_key_in_a_wal_mode_sqlite_file(tmp_path):
    """With the production SQLite settings (WAL), the shredded wrapped key is gone from every
    file of the database: the main file and the -wal file."""
    import os
    import sqlite3
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "shelter.settings"}
    env.pop("SHELTER_MASTER_KEY_FILE", None)

    def manage(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "manage.py", *args], cwd=root, env=env,
                              capture_output=True, text=True, timeout=180)

    assert manage("generate_master_key").returncode == 0
    assert manage("migrate", "--noinput").returncode == 0
    script = ("from cases.models import Case, Defender; d = Defender(code_name='Kite', "
              "legal_name='x'); d.save(); c = Case(defender=d, risk_notes='y'); c.save(); "
              "print(c.pk)")
    case_id = manage("shell", "--no-imports", "-c", script).stdout.strip().splitlines()[-1]
    db = sqlite3.connect(tmp_path / "db.sqlite3")
    wrapped = db.execute("SELECT wrapped_key FROM crypto_datakey WHERE owner_id = ?",
                         [case_id.replace("-", "")]).fetchone()[0]
    db.close()
    assert len(wrapped) >= 32
    assert any(bytes(wrapped) in p.read_bytes() for p in tmp_path.glob("db.sqlite3*"))
    result = manage("shred_case", case_id, "--noinput")
    assert result.returncode == 0, result.stderr
    for path in tmp_path.glob("db.sqlite3*"):
        assert bytes(wrapped) not in path.read_bytes(), path.name
