"""The production stack in one process tree: gunicorn with deploy/gunicorn.conf.py, production
settings, TLS with a self-signed certificate made here, static files from `collectstatic`
served by whitenoise, the probes, and an access log without query strings."""

from __future__ import annotations

import gzip
import http.client
import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shelter.crypto.keyfile import generate_key_file

from ..crypto.processes import process_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")]


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


@pytest.fixture
def stack(tmp_path):
    """gunicorn serving the app over HTTPS on a free loopback port: (base URL, TLS context,
    process, log file)."""
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
            "SHELTER_BIND": f"127.0.0.1:{port}", "SHELTER_WEB_WORKERS": "2",
            "SHELTER_WEB_CERTFILE": str(cert), "SHELTER_WEB_KEYFILE": str(key),
        })
        for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
            done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                                  capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        log = tmp_path / "gunicorn.log"
        with log.open("w") as out:
            process = subprocess.Popen([str(GUNICORN), "-c", "deploy/gunicorn.conf.py"],
                                       cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        context = ssl.create_default_context(cafile=str(cert))
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    status, _headers, _body = get(port, context, "/health/live")
                    if status == 200:
                        break
                except OSError:
                    pass
                assert process.poll() is None, log.read_text()[-3000:]
                assert time.monotonic() < deadline, log.read_text()[-3000:]
                time.sleep(0.3)
            yield port, context, process, log, tmp_path
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=60)


def get(port: int, context: ssl.SSLContext, path: str, **headers: str):
    connection = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=20)
    try:
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def test_the_production_stack_serves_probes_pages_and_static_files(stack):
    port, context, process, log, folder = stack

    status, _headers, body = get(port, context, "/health/ready")
    assert status == 200, body
    assert json.loads(body)["checks"] == {"database": "ok", "keys": "ok", "storage": "ok",
                                          "migrations": "ok"}

    # A page: HTTPS only, HSTS, the CSP, secure cookies.
    status, headers, _body = get(port, context, "/accounts/sign-in/")
    assert status == 200
    assert headers["strict-transport-security"].startswith("max-age=31536000")
    assert "default-src 'self'" in headers["content-security-policy"]
    assert "secure" in headers["set-cookie"].lower()

    # Static files under their hashed names, compressed, cached for long; the plain name too.
    manifest = json.loads((folder / "static" / "staticfiles.json").read_text())["paths"]
    hashed = manifest["shelter/css/app.css"]
    assert hashed != "shelter/css/app.css"
    status, headers, body = get(port, context, f"/static/{hashed}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["content-encoding"] == "gzip"
    assert "max-age=315360000" in headers["cache-control"]
    assert "immutable" in headers["cache-control"]
    source = (ROOT / "shelter" / "static" / "shelter" / "css" / "app.css").read_bytes()
    assert gzip.decompress(body) == source

    # The access log has the path, never the query string.
    get(port, context, "/cases/?q=Amara+Okafor")
    get(port, context, "/accounts/invitation/MTIz/one-time-token-4f9c/")  # a token in the path
    process.send_signal(signal.SIGTERM)  # graceful: the workers finish, the master exits 0
    assert process.wait(timeout=60) == 0
    text = log.read_text()
    assert '"GET /cases/ HTTP/1.1" 302' in text
    assert "Amara" not in text and "q=" not in text
    assert "one-time-token-4f9c" not in text and '"GET /accounts/invitation/…/…/ HTTP' in text
    # The app's own log: JSON lines, one per request, by route name, with the request id.
    app_lines = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    sign_in = [line for line in app_lines if line.get("route") == "accounts:login"]
    assert sign_in and sign_in[0]["status"] == 200 and len(sign_in[0]["request_id"]) == 32
    assert sign_in[0]["request_id"] in text.split("accounts/sign-in/", 1)[1].splitlines()[0]
