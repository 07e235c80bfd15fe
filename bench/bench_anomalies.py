"""The auditors' signals page at scale: SHELTER_BENCH_ANOMALY_N entries (default 1 000 000), all
inside the signals' 7-day window, on SQLite and on PostgreSQL.

Reported as ratios against baselines measured in the same run, on the same database:
- the page (GET /audit/anomalies/ through the whole middleware stack) against a plain
  `SELECT COUNT(*)` of the window's reads, the least any linear computation must do;
- the page at N against the page at N/10: a linear computation costs about 10 ×, the former
  quadratic sliding window about 100 × (it timed out at 120 s with ~680 000 reads).
Dataset: 40 users reading 5 000 cases around the clock (so every user has bursts and night
reads), downloads, list views and refusals mixed in. Entries are inserted directly with a
placeholder hash: the chain is not what this measures.
Each database runs in a subprocess: SQLite in a throw-away file; PostgreSQL on the server of
SHELTER_BENCH_PG_URL (database `shelter_bench_anomalies`, dropped first) or, without it, a
temporary server (bench/pgtemp.py), or it is reported as skipped.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("SHELTER_BENCH_ANOMALY_N", "1000000"))
PG_URL = os.environ.get("SHELTER_BENCH_PG_URL", "")
DB_NAME = "shelter_bench_anomalies"
USERS, CASES = 40, 5000
COLUMNS = ("seq", "time", "actor_id", "actor_role", "organisation_id", "action", "target_type",
           "target_id", "section", "outcome", "request_id", "ip_address", "user_agent", "facts",
           "prev_hash", "hash")


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelter.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _entry(rng: random.Random, seq: int, moment) -> tuple:
    kind = rng.random()
    actor = rng.randrange(USERS) + 1000
    case = f"8c5f3a9e-0000-4000-8000-{rng.randrange(CASES):012d}"
    action, target_type, target_id, section, outcome = 201, "cases.case", case, "basic", "allowed"
    if kind < 0.10:
        action, target_type, target_id, section = 302, "cases.document", f"d-{seq}", ""
    elif kind < 0.15:
        action, section = 514, "housing"
    elif kind < 0.25:
        action, target_type, target_id, section = 202, "", "", ""
    elif kind < 0.30:
        action, section, outcome = 299, "identity", "refused"
    return (seq, moment, actor, "Case officer", 1, action, target_type, target_id, section,
            outcome, "f" * 32, "192.0.2.10", "Mozilla/5.0", "{}", "0" * 64, "0" * 64)


def _head() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(seq), 0) FROM audit_auditevent")
        return int(cursor.fetchone()[0])


def _generate(offset: int, count: int, total: int) -> None:
    """Append `count` entries, the `offset`-th onwards of `total` spread evenly over the last
    6.9 days."""
    from django.db import connection, transaction
    from django.utils import timezone

    first_seq = _head() + 1
    rng = random.Random(offset)
    start = timezone.now() - timedelta(days=6.9)
    step = timedelta(days=6.9) / total
    # Column names are this module's constants; every value is a bound parameter.
    sql = (f"INSERT INTO audit_auditevent ({', '.join(COLUMNS)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(COLUMNS))})")
    for chunk in range(first_seq, first_seq + count, 20000):
        rows = [_entry(rng, seq, start + step * (offset + seq - first_seq))
                for seq in range(chunk, min(chunk + 20000, first_seq + count))]
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def _best(fn, rounds: int) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _measure(client, label: str) -> tuple[float, float]:
    from shelter.audit import anomalies

    def count() -> None:
        anomalies._case_reads().count()

    def page() -> None:
        assert client.get("/audit/anomalies/").status_code == 200

    reads = anomalies._case_reads().count()
    counted, shown = _best(count, 3), _best(page, 2)
    print(f"  {label}: {reads:,} reads in the window; COUNT(*) {counted * 1e3:.0f} ms, "
          f"signals page {shown * 1e3:.0f} ms -> ratio page/count {shown / counted:.1f}",
          flush=True)
    return counted, shown


def _child(database_url: str, vendor: str) -> None:
    _setup(database_url)
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import make_user, verified_client

    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    client = verified_client(make_user("aud@example.org", Role.AUDITOR, organisation))
    small = max(N // 10, 1)
    started = time.perf_counter()
    _generate(0, small, N)
    print(f"{vendor}: generated {small:,} entries in {time.perf_counter() - started:.0f} s",
          flush=True)
    _count_small, page_small = _measure(client, f"{vendor} at N/10")
    started = time.perf_counter()
    _generate(small, N - small, N)
    print(f"{vendor}: generated {N - small:,} more in {time.perf_counter() - started:.0f} s",
          flush=True)
    _count, page = _measure(client, f"{vendor} at N")
    print(f"  {vendor}: page at N / page at N/10 = {page / page_small:.1f} "
          "(linear ~10, quadratic ~100)", flush=True)


def _fresh_pg_database(url: str) -> str:
    from pgtemp import fresh_database

    return fresh_database(url, DB_NAME)


def _run(database_url: str, vendor: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, __file__, "--child", database_url, vendor], check=True,
                   env=env, cwd=ROOT)


def main() -> None:
    print(f"== anomaly signals page (SHELTER_BENCH_ANOMALY_N={N}) ==", flush=True)
    with tempfile.TemporaryDirectory(prefix="shelter-bench-anomalies-") as tmp:
        _run(f"sqlite:///{tmp}/log.sqlite3", "SQLite")
    if PG_URL:
        _run(_fresh_pg_database(PG_URL), "PostgreSQL")
        return
    from pgtemp import NoPostgres, temporary_server

    try:
        with temporary_server() as url:
            _run(_fresh_pg_database(url), "PostgreSQL")
    except NoPostgres as exc:
        print(f"PostgreSQL SKIPPED: {exc}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2], sys.argv[3])
    else:
        sys.path.insert(0, str(ROOT / "bench"))
        main()
