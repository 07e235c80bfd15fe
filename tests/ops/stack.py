"""The production stack as real processes, for the tests that run it: gunicorn with
deploy/gunicorn.conf.py and production settings, TLS with a self-signed certificate made for
the test, static files from `collectstatic`, a database and a key file of its own."""

from __future__ import annotations

import contextlib
import dataclasses
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from shelter.crypto.keyfile import generate_key_file

from ..crypto.processes import process_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def self_signed(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return cert, key


@dataclasses.dataclass
class Stack:
    port: int
    context: ssl.SSLContext
    process: subprocess.Popen
    log: Path
    folder: Path
    env: dict[str, str]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def manage(self, *args: str, **env: str) -> subprocess.CompletedProcess:
        """A management command against the stack's database, key file and storage."""
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT,
                              env={**self.env, **env}, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
        return done

    def stop(self) -> int:
        """SIGTERM, as systemd stops the service: the workers finish, the master exits."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=60)


def log_lines(text: str) -> list[dict]:
    """The stack's log as records: JSON lines as they are (gunicorn's and the app's own, in
    production), anything else as {"message": line}."""
    records = []
    for line in text.splitlines():
        try:
            record = json.loads(line) if line.startswith("{") else None
        except ValueError:
            record = None
        records.append(record if isinstance(record, dict) else {"message": line})
    return records


def access_lines(text: str) -> list[str]:
    """The access log's lines (gunicorn.access), as gunicorn formatted them."""
    return [r["message"] for r in log_lines(text) if r.get("logger") == "gunicorn.access"]


def get(port: int, context: ssl.SSLContext, path: str, **headers: str):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


@contextlib.contextmanager
def production_stack(tmp_path: Path, *, seed: bool = False, workers: int = 2) -> Iterator[Stack]:
    """gunicorn serving the app over HTTPS on a free loopback port. With `seed`, the demo data
    is added first (`seed_demo` runs in development mode, as it refuses production) and its
    output is kept in `folder / "seed.txt"`."""
    port = free_port()
    key_file = tmp_path / "master.json"
    generate_key_file(str(key_file))
    cert, key = self_signed(tmp_path)
    with process_database(tmp_path) as database_url:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SHELTER_", "DJANGO_", "DATABASE_"))}
        env.update({
            "SHELTER_ENV": "production", "DJANGO_SETTINGS_MODULE": "shelter.settings",
            "SHELTER_SECRET_KEY": "k-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP",
            "SHELTER_ALLOWED_HOSTS": "127.0.0.1", "SHELTER_MASTER_KEY_FILE": str(key_file),
            "SHELTER_SITE_URL": f"https://127.0.0.1:{port}",
            "SHELTER_VAR_DIR": str(tmp_path), "SHELTER_MEDIA_ROOT": str(tmp_path / "media"),
            "SHELTER_STATIC_ROOT": str(tmp_path / "static"),
            "SHELTER_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
            "DATABASE_URL": database_url,
            "SHELTER_BIND": f"127.0.0.1:{port}", "SHELTER_WEB_WORKERS": str(workers),
            "SHELTER_WEB_CERTFILE": str(cert), "SHELTER_WEB_KEYFILE": str(key),
        })
        stack = Stack(port, ssl.create_default_context(cafile=str(cert)), None,  # type: ignore[arg-type]
                      tmp_path / "gunicorn.log", tmp_path, env)
        stack.manage("migrate", "--noinput")
        stack.manage("collectstatic", "--noinput")
        if seed:
            done = stack.manage("seed_demo", SHELTER_ENV="development")
            (tmp_path / "seed.txt").write_text(done.stdout)
        with stack.log.open("w") as out:
            stack.process = subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py"],
                                             cwd=ROOT, env=env, stdout=out,
                                             stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if get(port, stack.context, "/health/live")[0] == 200:
                        break
                except OSError:
                    pass
                assert stack.process.poll() is None, stack.log.read_text()[-3000:]
                assert time.monotonic() < deadline, stack.log.read_text()[-3000:]
                time.sleep(0.3)
            yield stack
        finally:
            stack.stop()
