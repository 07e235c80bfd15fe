"""On a SQLite file database (the embedded default), writer processes racing for the chain
queue on BEGIN IMMEDIATE and leave one linear, gap-free, verifiable chain."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROCESSES, EACH = 4, 25
WRITER = (
    "from django.db import transaction\n"
    "from shelter import audit\n"
    "from shelter.audit import Action\n"
    f"for i in range({EACH}):\n"
    "    if i % 2:\n"
    "        with transaction.atomic():\n"
    "            audit.record(None, Action.CASE_LIST, n=i)\n"
    "    else:\n"
    "        audit.record(None, Action.CASE_SEARCH, n=i)\n"
)


def test_writer_processes_on_a_sqlite_file_leave_a_gap_free_chain(tmp_path):
    database = tmp_path / "db.sqlite3"
    env = {**os.environ, "SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{database}", "DJANGO_SETTINGS_MODULE": "shelter.settings"}
    env.pop("SHELTER_MASTER_KEY_FILE", None)
    manage = [sys.executable, "manage.py"]
    assert subprocess.run([*manage, "generate_master_key"], cwd=ROOT, env=env,
                          capture_output=True).returncode == 0
    subprocess.run([*manage, "migrate", "--noinput"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    before = sqlite3.connect(database).execute("SELECT COUNT(*) FROM audit_auditevent").fetchone()
    writers = [subprocess.Popen([*manage, "shell", "--no-imports", "-c", WRITER], cwd=ROOT,
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
               for _ in range(PROCESSES)]
    for writer in writers:
        _out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err.decode()[-2000:]
    db = sqlite3.connect(database)
    seqs = [row[0] for row in db.execute("SELECT seq FROM audit_auditevent ORDER BY seq")]
    assert len(seqs) == before[0] + PROCESSES * EACH
    assert seqs == list(range(1, len(seqs) + 1))
    result = subprocess.run([*manage, "verify_audit_log"], cwd=ROOT, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
