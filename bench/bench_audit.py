"""Audit log benchmarks: request overhead of an audited view, and chain verification speed.

1. A case page (the officer's profile view) through the full middleware stack, with the audit
   writer on and off; and the coordinators' people page with and without a guard that records
   a read (target: audited ≤ 1.15 × plain).
2. `verify_chain` over N entries (SHELTER_BENCH_AUDIT_N, default 1 000 000) in entries/s, against
   raw HMAC-SHA256 over the same entries' canonical bytes measured in the same run (target:
   ratio >= 0.33), and peak memory (ru_maxrss) at N/10 and N (flat: it streams).
Each part runs in a subprocess with its own throw-away SQLite file database (as in production:
BEGIN IMMEDIATE, a commit per request).
"""

from __future__ import annotations

import hmac
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
N = int(os.environ.get("SHELTER_BENCH_AUDIT_N", "1000000"))
REQUESTS = int(os.environ.get("SHELTER_BENCH_AUDIT_REQUESTS", "400"))


def _setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    # One key file per database: the processes that write the chain and the one that
    # verifies it must share the audit key (the test settings would make a new one each).
    key_file = f"{database}.keys.json"
    if not os.path.exists(key_file):
        sys.path.insert(0, str(ROOT))
        from shelter.crypto.keyfile import generate_key_file

        generate_key_file(key_file)
    os.environ["SHELTER_MASTER_KEY_FILE"] = key_file
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shelter.settings_test")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _best(fn, rounds: int = 5) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def _request_overhead() -> None:
    from django.test import override_settings
    from django.urls import path

    from shelter import audit
    from shelter.access import guard, guarded_by
    from shelter.accounts import views_people
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from shelter.audit import Action
    from shelter.audit.web import mark_audited
    from shelter.urls import urlpatterns
    from tests.factories import make_user, verified_client

    @guard
    def access_recorded(request):
        audit.record(request.user, Action.CASE_LIST, None)
        mark_audited(request)

    @guarded_by(access_recorded)
    def recorded_people(request):
        access_recorded(request)
        return views_people.people(request)

    org = Organisation.objects.create(name="Gemeente", kind="municipality")
    for i in range(30):
        make_user(f"user{i}@example.org", Role.CASE_OFFICER, org)
    client = verified_client(make_user("carla@example.org", Role.COORDINATOR, org))
    patterns = type("U", (), {"urlpatterns": [
        *urlpatterns,
        path("plain/", views_people.people),
        path("audited/", recorded_people),
    ]})
    middleware = [*__import__("django.conf").conf.settings.MIDDLEWARE]
    if "shelter.audit.web.AuditMiddleware" not in middleware:
        middleware.append("shelter.audit.web.AuditMiddleware")
    with override_settings(ROOT_URLCONF=patterns, MIDDLEWARE=middleware):
        for url in ("/plain/", "/audited/"):
            assert client.get(url).status_code == 200
        plain = _best(lambda: [client.get("/plain/") for _ in range(REQUESTS)])
        audited_t = _best(lambda: [client.get("/audited/") for _ in range(REQUESTS)])
    print(f"people page (31 users): plain {plain / REQUESTS * 1e3:.2f} ms, audited "
          f"{audited_t / REQUESTS * 1e3:.2f} ms per request -> ratio {audited_t / plain:.3f} "
          "(target <= 1.15)")


def _case_page_overhead() -> None:
    """A case officer opening a case page, with the audit writer on and switched off."""
    from unittest import mock

    from cases import services
    from shelter.accounts.models import Organisation
    from shelter.accounts.roles import Role
    from shelter.audit import log
    from tests.factories import make_user, verified_client

    org = Organisation.objects.get_or_create(name="Gemeente", kind="municipality")[0]
    officer = make_user("olaf@example.org", Role.CASE_OFFICER, org)
    case = services.case_open(acting_user=officer, defender_values={
        "code_name": "Heron", "legal_name": "Ana Pérez", "passport_number": "P123",
        "phone": "+31 6 0000", "nationality": "Colombian"}, assigned_officer=officer)
    client, url = verified_client(officer), f"/cases/{case.pk}/"
    assert client.get(url).status_code == 200

    def plain() -> None:
        with mock.patch.object(log, "write_entry", lambda fields, using="default": None):
            for _ in range(REQUESTS):
                client.get(url)

    def audited_run() -> None:
        for _ in range(REQUESTS):
            client.get(url)

    times = {"plain": float("inf"), "audited": float("inf")}
    for _ in range(5):  # interleaved, best of five, so background load hits both alike
        times["plain"] = min(times["plain"], _best(plain, 1))
        times["audited"] = min(times["audited"], _best(audited_run, 1))
    print(f"case page: plain {times['plain'] / REQUESTS * 1e3:.2f} ms, audited "
          f"{times['audited'] / REQUESTS * 1e3:.2f} ms per request -> ratio "
          f"{times['audited'] / times['plain']:.3f} (target <= 1.15)")


def _generate(count: int) -> None:
    """Append `count` chained entries in bulk (the same hashing as record())."""
    from django.db import transaction
    from django.utils import timezone

    from shelter.audit.chain import CURRENT_VERSION, GENESIS_HASH, entry_hash, jsonb_order
    from shelter.audit.models import AuditEvent

    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, prev = head if head else (0, GENESIS_HASH)
    batch: list[AuditEvent] = []
    for _ in range(count):
        seq += 1
        case_id = f"8c5f3a9e-0000-4000-8000-{seq % 5000:012d}"
        fields = {"version": CURRENT_VERSION, "seq": seq, "time": timezone.now(),
                  "actor_id": seq % 40 + 1, "actor_role": "Case officer", "organisation_id": 1,
                  "action": 201, "target_type": "cases.case", "target_id": case_id,
                  "section": "identity", "outcome": "allowed", "request_id": "f" * 32,
                  "ip_address": "192.0.2.10", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)",
                  "case_id": case_id, "subject_id": f"{seq % 5000:064x}",
                  "facts": jsonb_order({"share": seq % 7, "sections": ["identity"]}),
                  "activity": "residency", "activity_version": 1,
                  "span_id": f"{seq:016x}", "parent_span_id": f"{seq + 1:016x}",
                  "prev_hash": prev}
        fields["hash"] = prev = entry_hash(fields)
        batch.append(AuditEvent(**fields))
        if len(batch) == 5000:
            with transaction.atomic():
                AuditEvent.objects.bulk_create(batch)
            batch = []
    with transaction.atomic():
        AuditEvent.objects.bulk_create(batch)


def _raw_hmac_seconds() -> tuple[int, float, int]:
    """(entries, seconds, bytes) of bare HMAC-SHA256 over every entry's canonical bytes, the
    bytes prepared beforehand page by page, so that only the hashing is timed."""
    from shelter.audit.chain import canonical, chain_key, fast_bytes, iter_pages, iter_rows

    key, digest = chain_key(), hmac.digest
    entries, seconds, size = 0, 0.0, 0
    for rows in iter_pages():
        messages = [fast_bytes(text) or canonical(next(iter_rows(after=seq - 1, until=seq)))
                    for _key, seq, _hash, text in rows]
        started = time.perf_counter()
        for message in messages:
            digest(key, message, "sha256")
        seconds += time.perf_counter() - started
        entries, size = entries + len(messages), size + sum(map(len, messages))
    return entries, seconds, size


def _verify() -> None:
    """`verify_audit_log` as the command runs it (in parts, one process per CPU, at most 4)
    and in one process, each against bare HMAC-SHA256 over the same entries' canonical bytes
    measured in the same run."""
    from shelter.audit.chain import PARALLEL_MIN_ENTRIES, verify_chain

    workers = min(os.cpu_count() or 1, 4)
    rates = {}
    for label, count in (("command", workers), ("one process", 1)):
        started = time.perf_counter()
        report = verify_chain(workers=count)
        elapsed = time.perf_counter() - started
        assert report.ok, report
        rates[label] = (report.entries / elapsed, elapsed)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # before the baseline
    entries, raw, size = _raw_hmac_seconds()
    assert entries == report.entries
    raw_rate = entries / raw
    print(f"raw HMAC-SHA256 of {entries} entries' canonical bytes (mean {size / entries:.0f} B): "
          f"{raw_rate:,.0f}/s; peak RSS of the verifying process {rss_mb:.0f} MB")
    in_parts = workers > 1 and entries >= PARALLEL_MIN_ENTRIES  # shorter chains: one process
    for label, (rate, elapsed) in rates.items():
        parts = f"{workers} processes" if label == "command" and in_parts else "1 process"
        print(f"verify_audit_log ({label}, {parts}): {rate:,.0f} entries/s ({elapsed:.1f} s) "
              f"-> ratio to raw HMAC {rate / raw_rate:.2f}"
              + (" (target >= 0.33)" if label == "command" and in_parts else ""))


def _worker(mode: str, database: str, count: int) -> None:
    _setup(database)
    if mode == "requests":
        _request_overhead()
        _case_page_overhead()
    elif mode == "generate":
        _generate(count)
    else:
        _verify()


def _run(mode: str, database: str, count: int = 0) -> None:
    subprocess.run([sys.executable, __file__, mode, database, str(count)], check=True,
                   cwd=ROOT)


def main() -> None:
    print(f"== audit benchmarks (SHELTER_BENCH_AUDIT_N={N}) ==")
    with tempfile.TemporaryDirectory(prefix="shelter-bench-audit-") as tmp:
        _run("requests", f"{tmp}/requests.sqlite3")
        database = f"{tmp}/chain.sqlite3"
        _run("generate", database, max(N // 10, 1))
        _run("verify", database)
        _run("generate", database, N - max(N // 10, 1))
        _run("verify", database)


if __name__ == "__main__":
    if len(sys.argv) > 1:
        _worker(sys.argv[1], sys.argv[2], int(sys.argv[3]))
    else:
        main()
