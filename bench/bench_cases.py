"""The case list (/cases/, 50 rows a page) over 10,000 cases: query count and decryption cost.

1. Query count of the first page at 100 cases and again at 10,000 (must be equal).
2. How many encrypted values the list decrypts while rendering (expected: none; it shows only
   plain columns: code name, stage, officer, country, dates). Counted by wrapping
   `EncryptedField.open` (the descriptor's only way to decrypt) and `decrypt_field` in every
   module that imports it; the profile page of one case is counted too, as a positive control.
3. Median time of the list page through the full middleware stack, against the same page with
   decryption replaced by a constant (EncryptedField.open patched), interleaved round by round
   in the same run; the ratio is what to read, not the absolute figures.

Dataset (bulk_create): defenders and cases with their encrypted fields filled (one data key per
defender and per case, as in production), ten officers, stages, countries and dates spread.
The run uses a throw-away database `shelter_bench_cases` on the PostgreSQL server of
SHELTER_BENCH_PG_URL (default postgres://shelter@127.0.0.1:55481/shelter), or a temporary SQLite
file when that server cannot be reached or SHELTER_BENCH_CASES_DB=sqlite; in a subprocess.
SHELTER_BENCH_CASES changes the number of cases (default 10000), SHELTER_BENCH_CASES_ROUNDS
the rounds per variant (default 40).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("SHELTER_BENCH_PG_URL", "postgres://shelter@127.0.0.1:55481/shelter")
CASES = int(os.environ.get("SHELTER_BENCH_CASES", "10000"))
ROUNDS = int(os.environ.get("SHELTER_BENCH_CASES_ROUNDS", "40"))
SMALL = 100
OFFICERS = 10
DB_NAME = "shelter_bench_cases"
COUNTRIES = ["CO", "NI", "UG", "PH", "BY", "HN", "MX", "KE", "IR", "GT"]
DECRYPT_MODULES = ("shelter.crypto.fieldcrypto", "shelter.crypto.fields",
                   "shelter.crypto.documents", "shelter.crypto.api")


def _fresh_database() -> tuple[str, str | None]:
    """(DATABASE_URL, temporary directory to remove afterwards or None)."""
    if os.environ.get("SHELTER_BENCH_CASES_DB") != "sqlite":
        try:
            from pgtemp import fresh_database

            return fresh_database(PG_URL, DB_NAME, connect_timeout=3), None
        except Exception as exc:  # no server here: fall back to SQLite
            print(f"PostgreSQL not usable ({type(exc).__name__}); using a temporary SQLite file")
    tmp = tempfile.mkdtemp(prefix="shelter-bench-cases-")
    return f"sqlite:///{tmp}/bench.sqlite3", tmp


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "shelter.settings_test"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("shelter.crypto").setLevel(logging.WARNING)  # a line per new data key


def _people():
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from tests.factories import make_user

    municipality = Organisation.objects.create(name="Municipality", kind="municipality")
    officers = [make_user(f"officer{i}@bench.org", Role.CASE_OFFICER, municipality)
                for i in range(OFFICERS)]
    return officers[0], officers


def _add_cases(start: int, count: int, officers: list) -> None:
    """Cases start .. start+count-1; case i is i minutes older than case 0 (newest first)."""
    from cases.models import Case, Defender

    rng = random.Random(start)
    stages = [s for s, _label in Case.Stage.choices]
    now = datetime.datetime.now(datetime.UTC)
    defenders = Defender.objects.bulk_create([
        Defender(code_name=f"Bird{i:05d}", country_of_activity=COUNTRIES[i % len(COUNTRIES)],
                 legal_name=f"Legal Name {i}", passport_number=f"P{i:08d}",
                 nationality="Colombian", phone=f"+57 300 {i:07d}",
                 email=f"bird{i}@example.org", languages="es, en",
                 emergency_contact=f"Sister, +57 301 {i:07d}")
        for i in range(start, start + count)], batch_size=1000)
    cases = []
    for i, defender in zip(range(start, start + count), defenders, strict=True):
        nominated = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(700))
        arrival = nominated + datetime.timedelta(days=rng.randrange(30, 200))
        cases.append(Case(defender=defender, stage=rng.choice(stages),
                          assigned_officer=officers[i % len(officers)],
                          nominated_on=nominated, planned_arrival=arrival,
                          planned_departure=arrival + datetime.timedelta(days=90),
                          risk_notes=f"Threats reported in {nominated:%B %Y}.",
                          visa_status={"status": "preparing"}, insurance="Group policy 12"))
    cases = Case.objects.bulk_create(cases, batch_size=1000)
    # auto_now_add gives one timestamp per batch; spread them as real data would be
    for i, case in zip(range(start, start + count), cases, strict=True):
        case.created_at = now - datetime.timedelta(minutes=i)
    Case.objects.bulk_update(cases, ["created_at"], batch_size=1000)


class _DecryptCounter:
    """Counts decryptions: per encrypted field opened, and calls of decrypt_field anywhere."""

    def __init__(self) -> None:
        self.fields: Counter[str] = Counter()
        self.calls = 0

    @contextlib.contextmanager
    def counting(self):
        import importlib

        from shelter.crypto import fieldcrypto
        from shelter.crypto.fields import EncryptedField

        original_open, original_decrypt = EncryptedField.open, fieldcrypto.decrypt_field

        def open_(field, instance, sealed):
            self.fields[f"{type(instance).__name__}.{field.name}"] += 1
            return original_open(field, instance, sealed)

        def decrypt(*args, **kwargs):
            self.calls += 1
            return original_decrypt(*args, **kwargs)

        with contextlib.ExitStack() as stack:
            stack.enter_context(mock.patch.object(EncryptedField, "open", open_))
            for name in DECRYPT_MODULES:
                module = importlib.import_module(name)
                if hasattr(module, "decrypt_field"):
                    stack.enter_context(mock.patch.object(module, "decrypt_field", decrypt))
            yield self

    def __str__(self) -> str:
        opened = sum(self.fields.values())
        detail = ", ".join(f"{name} {n}" for name, n in sorted(self.fields.items()))
        return f"{opened} encrypted values opened{f' ({detail})' if detail else ''}, " \
               f"{self.calls} decrypt_field calls"


@contextlib.contextmanager
def _no_decryption():
    """Every encrypted value reads as None without touching a key or a cipher."""
    from shelter.crypto.fields import EncryptedField

    def open_(field, instance, sealed):
        sealed.plain, sealed.plain_bytes, sealed.ctx, sealed.opened = None, b"", (), True

    with mock.patch.object(EncryptedField, "open", open_):
        yield


def _list_page(client, expected_rows: int) -> None:
    response = client.get("/cases/")
    assert response.status_code == 200, response.status_code
    rows = response.content.count(b'scope="row"')
    assert rows == expected_rows, f"{rows} rows shown, expected {expected_rows}"


def _query_count(client, expected_rows: int) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        _list_page(client, expected_rows)
    return len(queries)


def _drop_database(url: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    base, _slash, _db = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME}")


def _child() -> None:
    url, tmp = _fresh_database()
    try:
        _setup(url)
        _run()
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            _drop_database(url)


def _run() -> None:
    from django.db import connection

    from cases.models import Case
    from tests.factories import verified_client

    officer, officers = _people()
    client = verified_client(officer)
    small = min(SMALL, CASES)
    _add_cases(0, small, officers)
    _list_page(client, min(small, 50))  # warm up (templates, translations, first connection)
    small_queries = _query_count(client, min(small, 50))

    started = time.perf_counter()
    _add_cases(small, CASES - small, officers)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Case.objects.count()
    print(f"dataset ({connection.vendor}): {total} cases with encrypted fields filled, "
          f"{OFFICERS} officers; built in {time.perf_counter() - started:.1f} s")
    large_queries = _query_count(client, 50)
    print(f"queries per list request: {small_queries} at {small} cases, {large_queries} at "
          f"{total} cases (incl. session, user, 2FA, audit) -> "
          f"{'equal' if small_queries == large_queries else 'NOT EQUAL'}")

    with _DecryptCounter().counting() as listed:
        _list_page(client, 50)
    print(f"decryption while rendering the list page: {listed}")
    newest = Case.objects.order_by("-created_at").first()
    with _DecryptCounter().counting() as profiled:
        assert client.get(f"/cases/{newest.pk}/").status_code == 200
    print(f"positive control, the profile page of one case: {profiled}")

    with_ms, without_ms = [], []
    for _ in range(3):  # warm up both variants
        _list_page(client, 50)
        with _no_decryption():
            _list_page(client, 50)
    for _ in range(ROUNDS):  # interleaved, so drift and noise hit both alike
        started = time.perf_counter()
        _list_page(client, 50)
        with_ms.append((time.perf_counter() - started) * 1000)
        with _no_decryption():
            started = time.perf_counter()
            _list_page(client, 50)
            without_ms.append((time.perf_counter() - started) * 1000)
    real, baseline = statistics.median(with_ms), statistics.median(without_ms)
    print(f"list page over {total} cases, median of {ROUNDS} requests: {real:.2f} ms; with "
          f"decryption replaced by a constant: {baseline:.2f} ms; ratio {real / baseline:.3f}")
    if small_queries != large_queries:
        raise AssertionError("the list's query count grows with the number of cases")
    if listed.calls or listed.fields:
        raise AssertionError("the list page decrypts encrypted fields")


def main() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, __file__, "--child"], check=True, env=env, cwd=ROOT)


if __name__ == "__main__":
    if sys.argv[1:] == ["--child"]:
        _child()
    else:
        main()
