"""`verify_audit_log --workers N` checks a long chain in parts, in N processes, and joins them.

Run as real processes on a SQLite file database (the parts open their own connections). The
parts may only accept: a chain broken anywhere, or parts that do not join, is decided by the
one-process walk, so the report names the same first broken entry either way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENTRIES = 600

WRITE = f"""
from django.db import transaction
from shelter import audit
from shelter.audit import Action
with transaction.atomic():
    for i in range({ENTRIES}):
        audit.record(None, Action.CASE_LIST if i % 3 else Action.CASE_SEARCH, n=i)
"""

# Verify with and without parts; say whether the parts decided (True) or the walk did (False).
VERIFY = """
import json
from shelter.audit import chain
chain.PARALLEL_MIN_ENTRIES = 50
decided = []
real = chain._parallel_report
def spy(*args, **kwargs):
    report = real(*args, **kwargs)
    decided.append(report is not None)
    return report
chain._parallel_report = spy
reports = {workers: chain.verify_chain(workers=workers, chunk_size=64) for workers in (1, 2, 3)}
print(json.dumps({"decided": decided, "reports": {
    w: [r.ok, r.entries, r.last_seq, r.last_hash, r.broken_seq, r.reason]
    for w, r in reports.items()}}))
"""

TAMPER = """
from django.db import connection
with connection.cursor() as cursor:
    cursor.execute("DROP TRIGGER audit_event_no_update")
    cursor.execute("UPDATE audit_auditevent SET section = 'identity' WHERE seq = %s", [{seq}])
"""


@pytest.fixture
def installation(tmp_path):
    env = {**os.environ, "SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path),
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "shelter.settings"}
    env.pop("SHELTER_MASTER_KEY_FILE", None)
    manage = [sys.executable, "manage.py"]
    for command in (["generate_master_key"], ["migrate", "--noinput"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)

    def shell(code: str) -> str:
        result = subprocess.run([*manage, "shell", "--no-imports", "-c", code], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr[-3000:]
        return result.stdout

    def command(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*manage, *args], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)

    shell(WRITE)
    return shell, command


def _verify(shell) -> dict:
    return json.loads(shell(VERIFY).strip().splitlines()[-1])


def test_parts_verify_a_long_chain_and_agree_with_one_process(installation):
    shell, command = installation
    result = _verify(shell)
    assert result["decided"] == [True, True]  # both multi-process runs were decided by parts
    one, two, three = (result["reports"][w] for w in ("1", "2", "3"))
    assert one[0] is True and one[1] >= ENTRIES
    assert two == one and three == one  # same entries, same head, same hash
    verified = command("verify_audit_log", "--workers", "2")
    assert verified.returncode == 0 and f"{one[1]} entries" in verified.stdout


@pytest.mark.parametrize("where", ["first_part", "second_part", "last_entry"])
def test_a_broken_entry_in_any_part_is_named_as_by_one_process(installation, where):
    shell, command = installation
    head = _verify(shell)["reports"]["1"][2]
    seq = {"first_part": 10, "second_part": head // 2 + 7, "last_entry": head}[where]
    shell(TAMPER.format(seq=seq))
    result = _verify(shell)
    assert result["decided"] == [False, False]  # the parts refused: the walk decided
    for workers in ("1", "2", "3"):
        ok, _entries, _last, _hash, broken, reason = result["reports"][workers]
        assert (ok, broken, reason) == (False, seq, "hash_mismatch")
    failed = command("verify_audit_log", "--workers", "2")
    assert failed.returncode != 0 and f"seq={seq}" in failed.stderr


def test_bad_workers_value_is_refused(installation):
    _shell, command = installation
    result = command("verify_audit_log", "--workers", "0")
    assert result.returncode != 0 and "--workers" in result.stderr
