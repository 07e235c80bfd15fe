"""Every page against the floor, through the full middleware stack, on SQLite and PostgreSQL.

Two floors are measured in the same rounds as the pages:

- *plain Django*: Django's own project middleware (security, sessions, common, CSRF,
  authentication, messages, clickjacking) and a view rendering a small template that reads the
  signed-in user: what any Django page pays;
- *Shelter's floor*: all of Shelter's middleware and a view rendering a template that extends
  `base.html` (navigation, bell, language switch), for a verified coordinator.

Each page is then reported as a multiple of Shelter's floor (target: at most 3×): dashboard,
case list, partner list, case profile and every case section, housing schedule, the timeline of
50 units × 90 days, audit events. The partner's list is also reported against the
coordinator's (target: at most 1.2×), and each page's number of queries is printed.

Rounds are interleaved: every round requests every page once, in the same order, so noise on
this shared machine falls on all of them alike; figures are medians. Nothing here is asserted
on time; a page that does not answer 200 fails the run.

Dataset: the demo data (`seed_demo`: users of every role, cases with documents, notes, tasks,
programme, shares, housing), plus SHELTER_BENCH_PAGES_CASES plain cases (default 10,000), 500
partners with ~40 personal and ~80 organisation shares each (bench_sharing's), 50 housing units
with 10,000 stays (bench_housing's) and 20,000 access-log entries. SQLite runs on a temporary
file; PostgreSQL on the server of SHELTER_BENCH_PG_URL, or a throw-away one (bench/pgtemp.py).
SHELTER_BENCH_PAGES_ROUNDS sets the rounds (default 25); SHELTER_BENCH_PAGES_DB=sqlite or
postgresql runs one database only.
"""

from __future__ import annotations

import datetime
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("SHELTER_BENCH_PG_URL", "")
CASES = int(os.environ.get("SHELTER_BENCH_PAGES_CASES", "10000"))
ROUNDS = int(os.environ.get("SHELTER_BENCH_PAGES_ROUNDS", "25"))
ONLY = os.environ.get("SHELTER_BENCH_PAGES_DB", "")
DB_NAME = "shelter_bench_pages"
PAGE_TARGET, PARTNER_TARGET = 3.0, 1.2
AUDIT_ENTRIES = 20_000

PLAIN_MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
PLAIN_TEMPLATE = ("<!doctype html><html lang=\"en\"><head><title>Floor</title></head><body>"
                  "<main><h1>Floor</h1><p>{{ user.email }}</p></main></body></html>")
FLOOR_TEMPLATE = ("{% extends \"base.html\" %}{% block title %}Floor{% endblock %}"
                  "{% block content %}<h1>Floor</h1><p>{{ user.email }}</p>{% endblock %}")


# --- the floor pages: this module is the URLconf of the run (the project's routes plus two) ---
_compiled: dict[str, object] = {}


def plain_view(request):
    from django.http import HttpResponse
    from django.template import Context, Engine

    if "plain" not in _compiled:
        _compiled["plain"] = Engine.get_default().from_string(PLAIN_TEMPLATE)
    return HttpResponse(_compiled["plain"].render(Context({"user": request.user})))


def floor_view(request):
    from django.http import HttpResponse
    from django.template import engines

    if "floor" not in _compiled:
        _compiled["floor"] = engines["django"].from_string(FLOOR_TEMPLATE)
    return HttpResponse(_compiled["floor"].render({}, request))


def _urlpatterns():
    from django.urls import include, path

    return [path("__floor__/plain/", plain_view), path("__floor__/", floor_view),
            path("", include("shelter.urls"))]


def __getattr__(name: str):  # the URLconf's `urlpatterns`, built once Django is set up
    if name == "urlpatterns":
        return _urlpatterns()
    raise AttributeError(name)


# --- dataset ----------------------------------------------------------------------------------
def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "shelter.settings_test"
    for path in (str(ROOT), str(ROOT / "bench")):
        if path not in sys.path:
            sys.path.insert(0, path)
    import logging

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    logging.getLogger("shelter.crypto").setLevel(logging.WARNING)


def _populate() -> dict:
    import bench_housing
    import bench_sharing
    from django.core.management import call_command
    from django.db import connection

    from cases.models import Case, Defender
    from shelter.accounts import services as account_services
    from shelter.accounts.models import User
    from shelter.audit.actions import Action
    from shelter.audit.log import record_each

    call_command("seed_demo", stdout=io.StringIO())
    carla = User.objects.get(email="carla@demo.shelter.test")
    olaf = User.objects.get(email="olaf@demo.shelter.test")
    aud = User.objects.get(email="aud@demo.shelter.test")
    _coordinator, orgs, partners = bench_sharing._people()
    groups = bench_sharing._org_groups(orgs, partners)
    stages = [stage for stage, _label in Case.Stage.choices]
    defenders = Defender.objects.bulk_create(
        [Defender(code_name=f"Bench{i:05d}", country_of_activity="CO") for i in range(CASES)],
        batch_size=2000)
    now = datetime.datetime.now(datetime.UTC)
    cases = Case.objects.bulk_create(
        [Case(defender=d, stage=stages[i % len(stages)], assigned_officer=olaf,
              nominated_on=datetime.date(2026, 1, 1) + datetime.timedelta(days=i % 300))
         for i, d in enumerate(defenders)], batch_size=2000)
    for i, case in enumerate(cases):
        case.created_at = now - datetime.timedelta(minutes=i + 1)
    Case.objects.bulk_update(cases, ["created_at"], batch_size=2000)
    bench_sharing._shares(carla, orgs, partners, cases, groups)
    partner = User.objects.get(pk=partners[123].pk)
    account_services.totp_device_confirm(device=account_services.totp_device_pending(user=partner))
    bench_housing._populate()
    for start in range(0, AUDIT_ENTRIES, 500):
        record_each(olaf, Action.CASE_LIST, cases[start % CASES:start % CASES + 500],
                    section="basic")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    case = (Case.objects.filter(defender__code_name__in=_demo_code_names())
            .order_by("created_at").first())
    return {"carla": carla, "aud": aud, "partner": partner, "case": case}


def _demo_code_names() -> list[str]:
    from cases.models import Defender

    return list(Defender.objects.exclude(code_name__startswith="Bench")
                .values_list("code_name", flat=True))


def _pages(data: dict) -> list[tuple[str, str, object]]:
    """(label, path, user) in the order each round requests them."""
    case = data["case"].pk
    carla, aud, partner = data["carla"], data["aud"], data["partner"]
    base = datetime.date(2027, 1, 1) + datetime.timedelta(days=400)
    sections = ["residency", "history", "programme", "documents", "notes", "tasks",
                "sharing", "logistics"]
    return [
        ("plain Django page", "/__floor__/plain/", carla),
        ("Shelter floor", "/__floor__/", carla),
        ("dashboard", "/", carla),
        ("case list", "/cases/", carla),
        ("partner list", "/cases/shared/", partner),
        ("case profile", f"/cases/{case}/", carla),
        *[(f"case section: {name}", f"/cases/{case}/{name}/", carla) for name in sections],
        ("housing schedule", "/housing/", carla),
        ("timeline 50 units × 90 days", f"/housing/?month={base:%Y-%m}&months=3", carla),
        ("audit events", "/audit/", aud),
    ]


def _measure(pages, rounds: int) -> tuple[dict, dict]:
    from django.test import Client, override_settings

    from tests.factories import count_queries, verified_client

    clients: dict = {}
    times: dict[str, list[float]] = {label: [] for label, _p, _u in pages}
    queries: dict[str, int] = {}

    def client_for(label, user):
        if label == "plain Django page":
            if "plain" not in clients:
                # A test client builds its middleware chain at its first request and keeps it.
                clients["plain"] = Client()
                clients["plain"].force_login(user)
                with override_settings(MIDDLEWARE=PLAIN_MIDDLEWARE):
                    clients["plain"].get("/__floor__/plain/")
            return clients["plain"]
        if user.pk not in clients:  # one signed-in session per user, as a browser keeps
            clients[user.pk] = verified_client(user)
        return clients[user.pk]

    with override_settings(ROOT_URLCONF="bench_pages"):
        for label, path, user in pages:  # warm: first request, templates, caches
            client = client_for(label, user)
            response = client.get(path)
            assert response.status_code == 200, f"{label}: {response.status_code}"
            answers: list = []
            queries[label] = count_queries(lambda c=client, p=path, a=answers: a.append(c.get(p)))
            assert answers[0].status_code == 200, f"{label}: {answers[0].status_code}"
        for _ in range(rounds):
            for label, path, user in pages:
                client = client_for(label, user)
                started = time.perf_counter()
                client.get(path)
                times[label].append(time.perf_counter() - started)
    return {label: statistics.median(values) * 1e3 for label, values in times.items()}, queries


def _report(vendor: str, medians: dict, queries: dict) -> None:
    floor, plain = medians["Shelter floor"], medians["plain Django page"]
    print(f"{vendor}: plain Django page {plain:.1f} ms, {queries['plain Django page']} queries; "
          f"Shelter floor {floor:.1f} ms, {queries['Shelter floor']} queries = "
          f"{floor / plain:.2f}× plain Django")
    failing = 0
    for label, median in medians.items():
        if label in {"plain Django page", "Shelter floor"}:
            continue
        multiple = median / floor
        verdict = "ok" if multiple <= PAGE_TARGET else "OVER"
        failing += verdict == "OVER"
        print(f"  {label:<32} {median:7.1f} ms {multiple:5.2f}× floor (target ≤ {PAGE_TARGET:g}×)"
              f" {queries[label]:3d} queries  {verdict}")
    ratio = medians["partner list"] / medians["case list"]
    verdict = "ok" if ratio <= PARTNER_TARGET else "OVER"
    print(f"  partner list / coordinator list: {ratio:.2f} (target ≤ {PARTNER_TARGET:g}) {verdict}")
    print(f"  {failing} page(s) over the target")


def _child(url: str) -> None:
    _setup(url)
    from django.db import connection

    started = time.perf_counter()
    data = _populate()
    print(f"{connection.vendor}: dataset built in {time.perf_counter() - started:.0f} s "
          f"({CASES} plain cases and the demo, {ROUNDS} rounds)", flush=True)
    medians, queries = _measure(_pages(data), ROUNDS)
    _report(connection.vendor, medians, queries)


def _run_child(url: str) -> None:
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{ROOT / 'bench'}"}
    subprocess.run([sys.executable, __file__, "--child", url], check=True, env=env, cwd=ROOT)


def _fresh_pg_database(url: str) -> str:
    from pgtemp import fresh_database

    return fresh_database(url, DB_NAME)


def main() -> None:
    if ONLY != "postgresql":
        with tempfile.TemporaryDirectory(prefix="shelter-bench-pages-") as tmp:
            _run_child(f"sqlite:///{tmp}/pages.sqlite3")
    if ONLY == "sqlite":
        return
    if PG_URL:
        _run_child(_fresh_pg_database(PG_URL))
        return
    from pgtemp import NoPostgres, temporary_server

    try:
        with temporary_server() as url:
            _run_child(_fresh_pg_database(url))
    except NoPostgres as exc:
        print(f"PostgreSQL: SKIPPED ({exc})")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        _child(sys.argv[2])
    else:
        main()
