"""The load benchmark's client (bench/bench_load.py) talks to loopback only and stops at its
request budget and its time limit."""

from __future__ import annotations

import http.server
import importlib.util
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def bench_load():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "bench_load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def counting_server():
    """A loopback HTTP server that answers 200 and counts what it was asked."""
    seen: list[tuple[str, str | None, str | None]] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            seen.append((self.path, self.headers.get("X-Forwarded-Proto"),
                         self.headers.get("Cookie")))
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("host", ["10.0.0.5", "192.168.1.1", "example.org", "0.0.0.0", ""])  # noqa: S104
def test_the_client_refuses_any_host_but_loopback(bench_load, host):
    with pytest.raises(ValueError, match="only talks to loopback"):
        bench_load.Site(host, 8000)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1"])
def test_the_client_accepts_loopback(bench_load, host):
    assert bench_load.Site(host, 8000).host == host


def test_a_level_stops_at_its_request_budget(bench_load, counting_server, monkeypatch):
    port, seen = counting_server
    monkeypatch.setattr(bench_load, "MAX_REQUESTS", 25)
    monkeypatch.setattr(bench_load, "SECONDS", 60.0)
    sessions = [{"sessionid": "a"}, {"sessionid": "b"}]
    row = bench_load.run_level(bench_load.Site("127.0.0.1", port), sessions, ["/", "/cases/"], 4)
    assert row["requests"] == 25 and row["errors"] == 0
    assert len(seen) == 25
    # As the proxy sends them: HTTPS said by header, each client with an officer's session.
    assert {proto for _path, proto, _cookie in seen} == {"https"}
    assert {cookie for _path, _proto, cookie in seen} == {"sessionid=a", "sessionid=b"}
    assert {path for path, _proto, _cookie in seen} == {"/", "/cases/"}


def test_a_level_stops_at_its_time_limit(bench_load, counting_server, monkeypatch):
    port, seen = counting_server
    monkeypatch.setattr(bench_load, "MAX_REQUESTS", 10**9)
    monkeypatch.setattr(bench_load, "SECONDS", 0.5)
    row = bench_load.run_level(bench_load.Site("127.0.0.1", port), [{}], ["/"], 2)
    assert 0 < row["requests"] == len(seen) < 10**9


def test_errors_are_counted(bench_load, counting_server, monkeypatch):
    port, _seen = counting_server
    monkeypatch.setattr(bench_load, "MAX_REQUESTS", 6)
    # A download that does not bring its 1 MiB counts as an error, as does a refusal.
    row = bench_load.run_level(bench_load.Site("127.0.0.1", port), [{}],
                               ["/cases/x/documents/y/download/"], 1)
    assert row["errors"] == 6
