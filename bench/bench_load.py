"""Load on the production stack: gunicorn (deploy/gunicorn.conf.py, production settings behind
a proxy) on PostgreSQL, with signed-in case officers at 1, 10 and 30 concurrent clients over the
dashboard, the case list, a case page and a 1 MiB document download.

Each gunicorn configuration is measured in the same run against the baseline "3 sync workers,
no connection reuse"; the report gives requests per second, p50/p95/p99 and errors per level,
and each candidate's throughput as a ratio of the baseline's at the same level.

The sessions are real: the officers sign in over HTTP with their password and a backup code
from `seed_demo`, as a browser does. Requests carry `X-Forwarded-Proto: https`, as the proxy
in front (deploy/nginx.conf.example) sends them; gunicorn trusts it from loopback only.

The client is bounded: each level stops after SHELTER_BENCH_LOAD_SECONDS (default 8) or
SHELTER_BENCH_LOAD_REQUESTS (default 3000) requests, whichever comes first, and it refuses any
host but loopback. PostgreSQL is SHELTER_BENCH_PG_URL's server or a temporary one
(bench/pgtemp.py); without PostgreSQL the benchmark reports that it is skipped.
"""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import ipaddress
import os
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
SECONDS = float(os.environ.get("SHELTER_BENCH_LOAD_SECONDS", "8"))
MAX_REQUESTS = int(os.environ.get("SHELTER_BENCH_LOAD_REQUESTS", "3000"))
LEVELS = (1, 10, 30)
DOCUMENT_SIZE = 1024 * 1024
OFFICERS = ("olaf@demo.shelter.test", "otto@demo.shelter.test")
CPUS = os.cpu_count() or 1
SLOW_UPLOADS = 2 * CPUS + 1  # as many as the default sync workers

# (label, gunicorn and database settings); the first is the baseline of the issue.
CONFIGS = [
    ("3 sync workers, CONN_MAX_AGE 0 (baseline)",
     {"SHELTER_WEB_WORKERS": "3", "SHELTER_WEB_THREADS": "1", "SHELTER_DB_CONN_MAX_AGE": "0",
      "SHELTER_DB_CONN_HEALTH_CHECKS": "0"}),
    ("3 sync workers, CONN_MAX_AGE 60 + health checks",
     {"SHELTER_WEB_WORKERS": "3", "SHELTER_WEB_THREADS": "1", "SHELTER_DB_CONN_MAX_AGE": "60",
      "SHELTER_DB_CONN_HEALTH_CHECKS": "1"}),
    (f"{2 * CPUS + 1} sync workers (2 x CPUs + 1), CONN_MAX_AGE 60 + health checks",
     {"SHELTER_WEB_WORKERS": str(2 * CPUS + 1), "SHELTER_WEB_THREADS": "1",
      "SHELTER_DB_CONN_MAX_AGE": "60", "SHELTER_DB_CONN_HEALTH_CHECKS": "1"}),
    (f"{CPUS + 1} gthread workers x 4 threads, CONN_MAX_AGE 60 + health checks",
     {"SHELTER_WEB_WORKERS": str(CPUS + 1), "SHELTER_WEB_THREADS": "4",
      "SHELTER_DB_CONN_MAX_AGE": "60", "SHELTER_DB_CONN_HEALTH_CHECKS": "1"}),
    (f"{2 * CPUS + 1} gthread workers x 2 threads, CONN_MAX_AGE 60 + health checks",
     {"SHELTER_WEB_WORKERS": str(2 * CPUS + 1), "SHELTER_WEB_THREADS": "2",
      "SHELTER_DB_CONN_MAX_AGE": "60", "SHELTER_DB_CONN_HEALTH_CHECKS": "1"}),
]


# --- the client: loopback only, bounded --------------------------------------------------------
def loopback_only(host: str) -> str:
    """The load client talks to this machine only: any other host is refused."""
    try:
        if ipaddress.ip_address(host).is_loopback:
            return host
    except ValueError:
        pass
    raise ValueError(f"the load client only talks to loopback, not {host!r}")


class Site:
    """HTTP to gunicorn as the proxy speaks it: plain HTTP on loopback, X-Forwarded-Proto."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = loopback_only(host), port

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=60)

    def headers(self, cookies: dict[str, str], **extra: str) -> dict[str, str]:
        return {"Host": f"{self.host}:{self.port}", "X-Forwarded-Proto": "https",
                "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), **extra}

    def request(self, method: str, path: str, cookies: dict[str, str], body: bytes | None = None,
                **extra: str) -> tuple[int, dict[str, str], bytes]:
        connection = self.connect()
        try:
            connection.request(method, path, body=body, headers=self.headers(cookies, **extra))
            response = connection.getresponse()
            for header in response.msg.get_all("Set-Cookie") or []:
                parsed = http.cookies.SimpleCookie(header)
                for name, morsel in parsed.items():
                    if morsel["max-age"] == "0":
                        cookies.pop(name, None)
                    else:
                        cookies[name] = morsel.value
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def post_form(self, path: str, cookies: dict[str, str], fields: dict[str, str]):
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, cookies, body, Referer=self.origin() + path,
                            **{"Content-Type": "application/x-www-form-urlencoded"})


def _csrf(html: bytes) -> str:
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert found, f"no CSRF token on the page: {html[:300]!r}"
    return found.group(1).decode()


def sign_in(site: Site, email: str, password: str, code: str) -> dict[str, str]:
    """A session that passed both factors, made as a browser makes it."""
    cookies: dict[str, str] = {}
    status, headers, page = site.request("GET", "/accounts/sign-in/", cookies)
    assert status == 200, (status, headers)
    status, headers, _body = site.post_form("/accounts/sign-in/", cookies, {
        "csrfmiddlewaretoken": _csrf(page), "email": email, "password": password})
    assert status == 302 and "/accounts/verify/" in headers.get("Location", ""), status
    status, headers, page = site.request("GET", "/accounts/verify/", cookies)
    assert status == 200, (status, headers, cookies)
    status, headers, _body = site.post_form("/accounts/verify/", cookies, {
        "csrfmiddlewaretoken": _csrf(page), "code": code})
    assert status == 302, f"the backup code was refused ({status})"
    return cookies


def upload_form(token: str, category: str) -> tuple[str, bytes]:
    """A document upload's content type and body: a 1 MiB PDF-like file."""
    boundary = secrets.token_hex(16)
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"'
             f"\r\n\r\n{token}\r\n".encode(),
             f'--{boundary}\r\nContent-Disposition: form-data; name="category"\r\n\r\n'
             f"{category}\r\n".encode(),
             f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
             f'filename="load-test.pdf"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
             + b"%PDF-1.4\n" + os.urandom(DOCUMENT_SIZE - 9) + b"\r\n",
             f"--{boundary}--\r\n".encode()]
    return f"multipart/form-data; boundary={boundary}", b"".join(parts)


def upload(site: Site, cookies: dict[str, str], case_path: str, category: str) -> str:
    """Upload a 1 MiB document to the case; its download path."""
    _status, _headers, page = site.request("GET", case_path + "documents/", cookies)
    content_type, body = upload_form(_csrf(page), category)
    status, _headers, _body = site.request(
        "POST", case_path + "documents/upload/", cookies, body,
        Referer=site.origin() + case_path + "documents/upload/",
        **{"Content-Type": content_type})
    assert status == 302, f"the upload was refused ({status})"
    _status, _headers, page = site.request("GET", case_path + "documents/", cookies)
    found = re.search(rb'href="(' + re.escape(case_path.encode())
                      + rb'documents/[0-9a-f-]{36}/download/)"', page)
    assert found, "the uploaded document is not listed"
    return found.group(1).decode()


def slow_uploads(site: Site, session: dict[str, str], case_path: str, category: str,
                 deadline: float, done: list[int]) -> None:
    """Upload documents as a slow line does (1 MiB in about 4 s), one after another until the
    deadline: the proxy passes request bodies through unbuffered, so the app reads each one
    as it arrives."""
    cookies = dict(session)
    _status, _headers, page = site.request("GET", case_path + "documents/", cookies)
    token = _csrf(page)
    while time.monotonic() < deadline:
        content_type, body = upload_form(token, category)
        connection = site.connect()
        try:
            path = case_path + "documents/upload/"
            connection.putrequest("POST", path, skip_host=True)
            for name, value in site.headers(cookies, Referer=site.origin() + path,
                                            **{"Content-Type": content_type,
                                               "Content-Length": str(len(body))}).items():
                connection.putheader(name, value)
            connection.endheaders()
            for start in range(0, len(body), 64 * 1024):
                connection.send(body[start:start + 64 * 1024])
                time.sleep(0.25)
            if connection.getresponse().status == 302:
                done[0] += 1
        except OSError:
            pass
        finally:
            connection.close()


def run_level(site: Site, sessions: list[dict[str, str]], paths: list[str],
              clients: int, slow: int = 0, case_path: str = "",
              category: str = "") -> dict[str, float]:
    """`clients` threads, each with its officer's session, over `paths` in turn, until the
    time or the request budget runs out; with `slow`, as many slow uploads meanwhile."""
    deadline = time.monotonic() + SECONDS
    budget = threading.Semaphore(MAX_REQUESTS)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(number: int) -> None:
        cookies = dict(sessions[number % len(sessions)])
        step = number
        while time.monotonic() < deadline and budget.acquire(blocking=False):
            path = paths[step % len(paths)]
            step += 1
            started = time.perf_counter()
            try:
                status, _headers, body = site.request("GET", path, cookies)
                ok = status == 200 and (not path.endswith("/download/")
                                        or len(body) == DOCUMENT_SIZE)
            except OSError:
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors[0] += 0 if ok else 1

    started = time.perf_counter()
    uploaded = [0]
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    threads += [threading.Thread(target=slow_uploads, args=(
        site, sessions[n % len(sessions)], case_path, category, deadline, uploaded))
        for n in range(slow)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 \
        else latencies * 99
    return {"requests": len(latencies), "rps": len(latencies) / wall,
            "p50": cuts[49] * 1000, "p95": cuts[94] * 1000, "p99": cuts[98] * 1000,
            "errors": errors[0], "uploaded": uploaded[0]}


# --- the stack ---------------------------------------------------------------------------------
def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)
    if done.returncode:
        raise RuntimeError(f"manage.py {args[0]} failed: {done.stderr[-2000:]}")
    return done.stdout


@contextlib.contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen]:
    with log.open("a") as out:
        process = subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py"], cwd=ROOT,
                                   env=env, stdout=out, stderr=subprocess.STDOUT)
    host, port = env["SHELTER_BIND"].rsplit(":", 1)
    site = Site(host, int(port))
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if site.request("GET", "/health/live", {})[0] == 200:
                    break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start: " + log.read_text()[-2000:])
            time.sleep(0.3)
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def _credentials(seed_output: str) -> list[tuple[str, str, str]]:
    """(e-mail, password, backup code) for every backup code of the officers."""
    rows, lines = [], seed_output.splitlines()
    for i, line in enumerate(lines):
        email = next((e for e in OFFICERS if e in line and "password: " in line), None)
        if email:
            password = line.split("password: ", 1)[1].strip()
            rows += [(email, password, code)
                     for code in lines[i + 1].split("backup codes:", 1)[1].split()]
    return rows


def measure(database_url: str, folder: Path) -> None:
    from shelter.crypto.keyfile import generate_key_file

    port = _free_port()
    key_file = folder / "master.json"
    generate_key_file(str(key_file))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SHELTER_", "DJANGO_", "DATABASE_"))}
    env.update({
        "SHELTER_ENV": "production", "DJANGO_SETTINGS_MODULE": "shelter.settings",
        "SHELTER_SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "SHELTER_ALLOWED_HOSTS": "127.0.0.1", "SHELTER_MASTER_KEY_FILE": str(key_file),
        "SHELTER_SITE_URL": f"https://127.0.0.1:{port}", "SHELTER_BEHIND_PROXY": "1",
        "SHELTER_VAR_DIR": str(folder), "SHELTER_MEDIA_ROOT": str(folder / "media"),
        "SHELTER_STATIC_ROOT": str(folder / "static"),
        "SHELTER_CHECKPOINT_DIR": str(folder / "checkpoints"), "DATABASE_URL": database_url,
        "SHELTER_BIND": f"127.0.0.1:{port}", "SHELTER_WEB_ACCESS_LOG": "",
        "SHELTER_WEB_LOG_LEVEL": "warning",
    })
    _manage(env, "migrate", "--noinput")
    _manage(env, "collectstatic", "--noinput")
    seeded = _manage({**env, "SHELTER_ENV": "development"}, "seed_demo")
    credentials = _credentials(seeded)
    log = folder / "gunicorn.log"
    site = Site("127.0.0.1", port)

    from cases.models import Document

    with gunicorn({**env, **CONFIGS[0][1]}, log):
        sessions = [sign_in(site, *row) for row in credentials]
        _status, _headers, page = site.request("GET", "/cases/", dict(sessions[0]))
        case_path = re.search(rb'href="(/cases/[0-9a-f-]{36}/)"', page).group(1).decode()
        download = upload(site, dict(sessions[0]), case_path, Document.Category.PASSPORT_VISA)
    paths = ["/", "/cases/", case_path, download]
    print(f"{len(sessions)} signed-in officer sessions; paths: dashboard, case list, a case "
          f"page, a 1 MiB download; {SECONDS:g} s or {MAX_REQUESTS} requests per level; "
          f"{CPUS} CPUs")

    results: dict[str, dict[int, dict[str, float]]] = {}
    slow: dict[str, dict[str, float]] = {}
    for label, settings in CONFIGS:
        with gunicorn({**env, **settings}, log):
            run_level(site, sessions, paths, 2)  # warm-up: imports, connections, caches
            results[label] = {n: run_level(site, sessions, paths, n) for n in LEVELS}
            slow[label] = run_level(site, sessions, paths[:3], 10, SLOW_UPLOADS, case_path,
                                    Document.Category.PASSPORT_VISA)
    baseline = results[CONFIGS[0][0]]
    for label, levels in results.items():
        print(f"\n{label}")
        for n, row in levels.items():
            ratio = row["rps"] / baseline[n]["rps"] if baseline[n]["rps"] else float("nan")
            print(f"  {n:>2} clients: {row['rps']:6.1f} req/s ({ratio:4.2f}x baseline)  "
                  f"p50 {row['p50']:6.0f} ms  p95 {row['p95']:6.0f} ms  "
                  f"p99 {row['p99']:6.0f} ms  errors {row['errors']:.0f}/{row['requests']:.0f}")
    print(f"\nWhile {SLOW_UPLOADS} slow uploads (1 MiB in about 4 s each) run, 10 clients over "
          "the dashboard, the case list and a case page:")
    for label, row in slow.items():
        ratio = row["rps"] / slow[CONFIGS[0][0]]["rps"] if slow[CONFIGS[0][0]]["rps"] else 0
        print(f"  {label}\n    {row['rps']:6.1f} req/s ({ratio:4.2f}x baseline)  "
              f"p95 {row['p95']:6.0f} ms  p99 {row['p99']:6.0f} ms  "
              f"errors {row['errors']:.0f}/{row['requests']:.0f}  "
              f"uploads completed {row['uploaded']:.0f}")
    best = max(results, key=lambda label: results[label][10]["rps"])
    print(f"\nhighest throughput at 10 clients: {best}")


def main() -> None:
    if not GUNICORN.exists():
        print("skipped: gunicorn is not installed")
        return
    url = os.environ.get("SHELTER_BENCH_PG_URL", "")
    with tempfile.TemporaryDirectory(prefix="shelter-bench-load-") as folder:
        if url:
            measure(_fresh_database(url), Path(folder))
            return
        from pgtemp import NoPostgres, temporary_server

        try:
            with temporary_server() as server:
                measure(_fresh_database(server), Path(folder))
        except NoPostgres as exc:
            print(f"skipped: {exc}")


def _fresh_database(server_url: str) -> str:
    """A new database on the server for this run (its name is random)."""
    import psycopg

    name = f"shelter_load_{secrets.token_hex(4)}"
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(server_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
