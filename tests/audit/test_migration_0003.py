"""Migration 0003 adds case, subject and version to a populated, trigger-guarded log: no row is
rewritten, the triggers still refuse changes, and every old entry still verifies as version 1.

The old entries are written the way the code before 0003 wrote them: raw INSERTs of the old
columns, hashed with a frozen copy of the version 1 canonical form (sorted-key JSON).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

ROOT = Path(__file__).resolve().parents[2]

# Written before 0003: the old columns only, the old canonical form.
OLD_WRITER = '''
import hmac, json
from datetime import UTC, datetime
from django.db import connection, transaction
from shelter.crypto.keyring import get_audit_chain_key

NAMES = ("seq", "time", "actor_id", "actor_role", "organisation_id", "action", "target_type",
         "target_id", "section", "outcome", "request_id", "ip_address", "user_agent", "facts",
         "prev_hash")

def old_canonical(doc):
    doc = dict(doc, time=doc["time"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()

def write_old_entries(count):
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1")
        head = cursor.fetchone() or (0, "0" * 64)
    seq, prev = head
    for i in range(count):
        seq += 1
        doc = {"seq": seq, "time": datetime.now(UTC), "actor_id": 7, "actor_role": "case_officer",
               "organisation_id": 1, "action": 301, "target_type": "cases.document",
               "target_id": f"doc-{i}", "section": "", "outcome": "allowed",
               "request_id": "r" * 32, "ip_address": "192.0.2.1", "user_agent": "UA \\u00e9",
               "facts": {"z": 1, "case_id": "c-1", "a": [2, "x"]}, "prev_hash": prev}
        digest = hmac.digest(get_audit_chain_key(), old_canonical(doc), "sha256").hex()
        values = [doc[n] for n in NAMES]
        values[1] = connection.ops.adapt_datetimefield_value(doc["time"])
        values[13] = json.dumps(doc["facts"])
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO audit_auditevent ({', '.join(NAMES)}, hash) "
                f"VALUES ({', '.join(['%s'] * (len(NAMES) + 1))})", [*values, digest])
        prev = digest
'''

SQLITE_SCRIPT = OLD_WRITER + '''
from django.core.management import call_command
from django.db import DatabaseError
from shelter.audit.chain import verify_chain
from shelter.audit.models import AuditEvent

call_command("migrate", verbosity=0)
call_command("migrate", "audit", "0002", verbosity=0)
write_old_entries(5)
call_command("migrate", verbosity=0)
rows = set(AuditEvent.objects.values_list("version", "case_id", "subject_id"))
assert rows == {(1, "", "")}, rows
report = verify_chain(chunk_size=2)
assert report.ok and report.entries == 5, report
for sql in ("UPDATE audit_auditevent SET version = 2", "DELETE FROM audit_auditevent"):
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except DatabaseError as exc:
        assert "append-only" in str(exc), exc
    else:
        raise AssertionError(sql + " was not refused")
write_old_entries(2)  # a process still running the old code during the deploy
report = verify_chain()
assert report.ok and report.entries == 7, report
print("MIGRATION-OK")
'''


def test_sqlite_migration_keeps_old_entries_verifiable_and_the_triggers(tmp_path):
    env = {**os.environ, "SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "shelter.settings"}
    env.pop("SHELTER_MASTER_KEY_FILE", None)
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "generate_master_key"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    result = subprocess.run([*manage, "shell", "--no-imports", "-c", SQLITE_SCRIPT], cwd=ROOT,
                            env=env, capture_output=True, text=True, timeout=300)
    assert "MIGRATION-OK" in result.stdout, result.stdout + result.stderr[-3000:]


@pytest.mark.django_db
def test_postgresql_migration_keeps_old_entries_verifiable_and_the_triggers():
    """PostgreSQL has transactional DDL: migrate back and forth inside the test transaction."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (SQLite runs in a subprocess above)")
    namespace: dict = {}
    exec(compile(OLD_WRITER, "old_writer", "exec"), namespace)  # noqa: S102 - test fixture code
    from shelter.audit.chain import verify_chain
    from shelter.audit.models import AuditEvent

    before = AuditEvent.objects.count()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("audit")
    executor.migrate([("audit", "0002_append_only")])
    namespace["write_old_entries"](5)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    new = AuditEvent.objects.order_by("-seq")[:5]
    assert {(e.version, e.case_id, e.subject_id) for e in new} == {(1, "", "")}
    report = verify_chain(chunk_size=2)
    assert report.ok and report.entries == before + 5, report
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET version = 2")
