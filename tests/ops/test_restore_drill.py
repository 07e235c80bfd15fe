"""The restore drill: populate a site, back it up, restore it elsewhere, and check the result.

Runs on the suite's engine (SQLite, or PostgreSQL with DATABASE_URL), as real `manage.py`
processes with databases of their own: the demo, a few uploaded documents, the demo's shares, a
crypto-shredded case and a live session; then `backup`, then `restore` into a fresh database and
a fresh media folder with the same key file. The refusals (a tampered file, a non-empty target,
a key file without the needed key) must leave the target untouched.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import stat
from pathlib import Path

import pytest

from cases.demo import DEMO
from shelter.audit.actions import Action
from shelter.crypto import keyfile

from ..crypto.processes import environment, manage, process_database, query, shell

PLAIN_MARK = "drill-plaintext-" + secrets.token_hex(6)
CONTENTS = [
    f"{PLAIN_MARK} first document, a programme letter\n".encode(),
    (f"{PLAIN_MARK} second document\n".encode() + secrets.token_bytes(300_000)
     + PLAIN_MARK.encode()),
    f"{PLAIN_MARK} third document on the case that is shredded\n".encode(),
]
RISK_NOTE = f"{PLAIN_MARK} risk note of the shredded case"

POPULATE = """
import json
from django.contrib.sessions.backends.db import SessionStore
from cases import services
from cases.choices import DocumentCategory
from cases.models import Case, LegalHold
from shelter.accounts.models import User
from shelter.crypto.uploads import EncryptingUploadHandler
carla = User.objects.get(email='carla@demo.shelter.test')
held = set(LegalHold.objects.filter(lifted_at__isnull=True).values_list('case_id', flat=True))
cases = [c for c in Case.objects.order_by('pk') if c.pk not in held]
contents = [open(p, 'rb').read() for p in PATHS]
out = {'documents': {}}
for i, content in enumerate(contents):
    case = cases[0] if i < 2 else cases[1]
    handler = EncryptingUploadHandler()
    handler.new_file('file', f'drill-{i}.bin', 'application/octet-stream', None)
    handler.receive_data_chunk(content, 0)
    upload = handler.file_complete(len(content))
    doc = services.document_upload(case=case, upload=upload,
                                   category=DocumentCategory.PROGRAMME, acting_user=carla)
    out['documents'][str(doc.pk)] = hashlib.sha256(content).hexdigest()
victim = cases[1]
services.case_update(case=victim, acting_user=carla, risk_notes=RISK_NOTE)
out['victim'] = str(victim.pk)
out['victim_document'] = str(doc.pk)
session = SessionStore()
session['drill'] = 1
session.create()
print(json.dumps(out))
"""

READ_BACK = """
import hashlib, json
from cases.models import Case, Document
from shelter.crypto.api import KeyShredded, open_document
docs = {}
for doc in Document.objects.all():
    try:
        docs[str(doc.pk)] = hashlib.sha256(b''.join(open_document(doc, actor=None))).hexdigest()
    except KeyShredded:
        docs[str(doc.pk)] = 'shredded'
victim = Case.objects.get(pk=VICTIM)
try:
    victim.risk_notes
    risk = 'readable'
except KeyShredded:
    risk = 'shredded'
print(json.dumps({'documents': docs, 'risk_notes': risk, 'shredded': victim.is_shredded}))
"""


def run(env: dict[str, str], *args: str) -> str:
    result = manage(env, *args)
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-3000:])
    return result.stdout


def shell_json(env: dict[str, str], code: str) -> dict:
    result = shell(env, code)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def tables(database_url: str) -> list[tuple]:
    if database_url.startswith("sqlite:///"):
        return query(database_url, "SELECT name FROM sqlite_master WHERE type = 'table'")
    return query(database_url, "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")


def files_under(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    """A populated site, its backup, and the key file both sites use."""
    base = tmp_path_factory.mktemp("drill")
    source_dir = base / "source"
    source_dir.mkdir()
    (base / "keys").mkdir()
    key_file = base / "keys" / "master.json"
    keyfile.generate_key_file(key_file)
    with process_database(source_dir) as url:
        env = environment(source_dir, url, key_file)
        run(env, "migrate", "--noinput")
        run(env, "seed_demo")
        paths = []
        for i, content in enumerate(CONTENTS):
            paths.append(str(base / f"upload-{i}.bin"))
            Path(paths[-1]).write_bytes(content)
        code = POPULATE.replace("PATHS", repr(paths)).replace("RISK_NOTE", repr(RISK_NOTE))
        populated = shell_json(env, "import hashlib\n" + code)
        run(env, "shred_case", populated["victim"], "--noinput")
        assert query(url, "SELECT COUNT(*) FROM django_session")[0][0] >= 1
        backup_dir = base / "backup"
        backup_out = run(env, "backup", str(backup_dir))
        yield {"base": base, "env": env, "url": url, "key_file": key_file,
               "backup": backup_dir, "populated": populated, "backup_out": backup_out}


@contextlib.contextmanager
def target_site(drill, name: str, key_file: Path | None = None):
    target_dir = drill["base"] / f"target-{name}-{secrets.token_hex(3)}"
    target_dir.mkdir()
    with process_database(target_dir) as url:
        yield environment(target_dir, url, key_file or drill["key_file"]), url, target_dir


def manifest(drill) -> dict:
    return json.loads((drill["backup"] / "manifest.json").read_text())


def test_the_backup_holds_a_manifest_with_counts_hashes_key_ids_and_no_keys(drill):
    data = manifest(drill)
    keys = keyfile.load_key_file(drill["key_file"])
    assert data["format"] == "shelter-backup/1"
    assert data["master_key_ids"] == [keys.active_master_key]
    assert data["missing_documents"] == []
    assert data["documents"] >= len(CONTENTS) + 1
    assert data["row_counts"]["cases_document"] == data["documents"]
    assert data["row_counts"]["cases_caseshare"] >= 1
    assert "django_session" not in data["row_counts"]
    assert data["migrations"]["cases"] and data["migrations"]["audit"]
    head = query(drill["url"], "SELECT seq, hash FROM audit_auditevent WHERE seq = "
                               f"{int(data['audit_head']['seq'])}")
    assert head == [(data["audit_head"]["seq"], data["audit_head"]["hash"])]
    listed = {f["name"]: f for f in data["files"]}
    on_disk = files_under(drill["backup"])
    assert {p.relative_to(drill["backup"]).as_posix() for p in on_disk} == {*listed,
                                                                            "manifest.json"}
    assert "documents/.shelter-installation" in listed
    for path in on_disk:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        name = path.relative_to(drill["backup"]).as_posix()
        if name != "manifest.json":
            assert hashlib.sha256(path.read_bytes()).hexdigest() == listed[name]["sha256"]
    assert stat.S_IMODE(drill["backup"].stat().st_mode) == 0o700
    # the backup is in the source's log, counts only; the backup's own head precedes it
    rows = query(drill["url"], f"SELECT seq FROM audit_auditevent WHERE action = {Action.BACKUP}")
    assert len(rows) == 1 and rows[0][0] > data["audit_head"]["seq"]
    # no key material: neither the master keys nor the other keys of the key file
    secret_values = [*keys.master_keys.values(), keys.blind_index_key, keys.audit_checkpoint_key]
    blob = b"".join(p.read_bytes() for p in on_disk)
    for secret in secret_values:
        assert secret not in blob
        assert secret.hex().encode() not in blob


def test_no_plaintext_of_the_demo_or_the_uploads_in_any_backup_file(drill):
    needles = [PLAIN_MARK.encode()]
    for _code, name, passport, *_rest in DEMO:
        needles += [name.encode(), passport.encode()]
    for path in files_under(drill["backup"]):
        data = path.read_bytes()
        for needle in needles:
            assert needle not in data, (path.name, needle)
    # the sessions were removed from the copy (SQLite) / their data left out (PostgreSQL)
    if drill["url"].startswith("sqlite:///"):
        db = f"sqlite:///{drill['backup'] / 'database.sqlite3'}"
        assert query(db, "SELECT COUNT(*) FROM django_session") == [(0,)]


def test_restore_drill(drill):
    with target_site(drill, "drill") as (env, url, target_dir):
        out = run(env, "restore", str(drill["backup"]))
        assert "Restore complete and verified." in out
        # the restored site passes both checks
        assert "documents ok" in run(env, "verify_encryption")
        assert "Audit log OK" in run(env, "verify_audit_log")
        # every document reads back byte-identical; the shredded case stays unreadable
        back = shell_json(env, READ_BACK.replace("VICTIM", repr(drill["populated"]["victim"])))
        victim_doc = drill["populated"]["victim_document"]
        for doc_id, digest in drill["populated"]["documents"].items():
            if doc_id != victim_doc:
                assert back["documents"][doc_id] == digest
        assert back["documents"][victim_doc] == "shredded"
        assert back["risk_notes"] == "shredded" and back["shredded"] is True
        readable = [d for d in back["documents"].values() if d != "shredded"]
        assert len(readable) >= len(CONTENTS) - 1 + 1  # the uploads and the demo's documents
        # sessions are gone; the counts and the restore entry are in the restored log
        assert query(url, "SELECT COUNT(*) FROM django_session") == [(0,)]
        data = manifest(drill)
        assert query(url, "SELECT COUNT(*) FROM cases_document") == [
            (data["row_counts"]["cases_document"],)]
        restored = query(url, f"SELECT outcome FROM audit_auditevent WHERE action = "
                              f"{Action.RESTORE}")
        assert restored == [("allowed",)]
        media = {p.relative_to(target_dir / "media" / "documents").as_posix()
                 for p in files_under(target_dir / "media" / "documents")}
        assert media == {f["name"].removeprefix("documents/") for f in data["files"]
                         if f["name"].startswith("documents/")}


def assert_untouched(url: str, target_dir: Path) -> None:
    assert tables(url) == []
    assert files_under(target_dir / "media") == []


def test_a_tampered_backup_is_refused_before_anything_is_written(drill):
    copy = drill["base"] / f"tampered-{secrets.token_hex(3)}"
    shutil.copytree(drill["backup"], copy)
    data = manifest(drill)
    victim = next(f["name"] for f in data["files"] if f["name"].endswith(".enc"))
    raw = bytearray((copy / victim).read_bytes())
    raw[len(raw) // 2] ^= 0x01
    (copy / victim).write_bytes(bytes(raw))
    with target_site(drill, "tampered") as (env, url, target_dir):
        result = manage(env, "restore", str(copy))
        assert result.returncode != 0
        assert "changed" in result.stderr and "nothing was written" in result.stderr
        assert_untouched(url, target_dir)
        # a missing file too
        (copy / victim).write_bytes(bytes(raw[:-1]))
        (copy / victim).unlink()
        result = manage(env, "restore", str(copy))
        assert result.returncode != 0 and "missing" in result.stderr
        assert_untouched(url, target_dir)


def test_restore_into_a_non_empty_database_is_refused(drill):
    before = query(drill["url"], "SELECT seq, hash FROM audit_auditevent ORDER BY seq")
    result = manage(drill["env"], "restore", str(drill["backup"]))
    assert result.returncode != 0
    assert "target database is not empty" in result.stderr
    assert query(drill["url"], "SELECT seq, hash FROM audit_auditevent ORDER BY seq") == before


def test_restore_into_a_non_empty_document_store_is_refused(drill):
    with target_site(drill, "store") as (env, url, target_dir):
        stray = target_dir / "media" / "documents" / "ab" / "stray.enc"
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"x")
        result = manage(env, "restore", str(drill["backup"]))
        assert result.returncode != 0 and "document store is not empty" in result.stderr
        assert tables(url) == []
        assert files_under(target_dir / "media") == [stray]


def test_a_key_file_without_the_needed_key_is_refused_with_the_escrow_message(drill):
    other = drill["base"] / "keys" / f"other-{secrets.token_hex(3)}.json"
    keyfile.generate_key_file(other)
    with target_site(drill, "keys", key_file=other) as (env, url, target_dir):
        result = manage(env, "restore", str(drill["backup"]))
        assert result.returncode != 0
        assert "restore the key file from escrow first" in result.stderr
        assert manifest(drill)["master_key_ids"][0] in result.stderr
        assert_untouched(url, target_dir)


def test_backup_refuses_a_destination_in_the_store_or_beside_the_database_or_not_empty(drill):
    env, source_dir = drill["env"], Path(drill["env"]["SHELTER_VAR_DIR"])
    refused = [source_dir / "media" / "documents" / "bk", drill["key_file"].parent / "bk"]
    if drill["url"].startswith("sqlite:///"):
        refused.append(source_dir / "bk")  # beside the database file
    for dest in refused:
        result = manage(env, "backup", str(dest))
        assert result.returncode != 0 and "Refused" in result.stderr
        assert not dest.exists()
    full = drill["base"] / f"full-{secrets.token_hex(3)}"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    result = manage(env, "backup", str(full))
    assert result.returncode != 0 and "new or empty" in result.stderr
    assert os.listdir(full) == ["keep.txt"]


def test_a_file_changed_together_with_its_manifest_entry_is_refused_by_the_seal(drill):
    copy = drill["base"] / f"resealed-{secrets.token_hex(3)}"
    shutil.copytree(drill["backup"], copy)
    data = manifest(drill)
    entry = next(f for f in data["files"] if f["name"].endswith(".enc"))
    forged = b"not the ciphertext that was backed up"
    (copy / entry["name"]).write_bytes(forged)
    entry.update(size=len(forged), sha256=hashlib.sha256(forged).hexdigest())
    (copy / "manifest.json").write_text(json.dumps(data))
    with target_site(drill, "resealed") as (env, url, target_dir):
        result = manage(env, "restore", str(copy))
        assert result.returncode != 0 and "seal does not verify" in result.stderr
        assert_untouched(url, target_dir)


def test_a_manifest_naming_a_path_outside_the_backup_is_refused(drill):
    copy = drill["base"] / f"escape-{secrets.token_hex(3)}"
    shutil.copytree(drill["backup"], copy)
    data = manifest(drill)
    data["files"][-1]["name"] = "documents/../../escape.enc"
    (copy / "manifest.json").write_text(json.dumps(data))
    with target_site(drill, "escape") as (env, url, target_dir):
        result = manage(env, "restore", str(copy))
        assert result.returncode != 0 and "malformed" in result.stderr
        assert_untouched(url, target_dir)


def test_restore_without_a_key_file_is_refused_with_the_escrow_message(drill):
    absent = drill["base"] / "keys" / f"absent-{secrets.token_hex(3)}.json"
    with target_site(drill, "nokey", key_file=absent) as (env, url, target_dir):
        result = manage(env, "restore", str(drill["backup"]))
        assert result.returncode != 0
        assert "does not exist" in result.stderr
        assert "restore the key file from escrow first" in result.stderr
        assert_untouched(url, target_dir)
