"""The production stack in one process tree: gunicorn with deploy/gunicorn.conf.py, production
settings, TLS with a self-signed certificate made here, static files from `collectstatic`
served by whitenoise, the probes, and an access log without query strings."""

from __future__ import annotations

import gzip
import json
import signal

import pytest

from .stack import GUNICORN, ROOT, access_lines, get, log_lines, production_stack

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")]


@pytest.fixture
def stack(tmp_path):
    """gunicorn serving the app over HTTPS on a free loopback port: (port, TLS context,
    process, log file, folder)."""
    with production_stack(tmp_path) as running:
        yield running.port, running.context, running.process, running.log, running.folder


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
    records = log_lines(text)
    # Every line is JSON in production, gunicorn's own included.
    assert records and all("level" in record for record in records), text[:2000]
    access = "\n".join(access_lines(text))
    assert '"GET /cases/ HTTP/1.1" 302' in access
    assert "Amara" not in text and "q=" not in text
    assert "one-time-token-4f9c" not in text and '"GET /accounts/invitation/…/…/ HTTP' in access
    # The app's own log: one line per request, by route name, with the request id.
    sign_in = [r for r in records if r.get("route") == "accounts:login"]
    assert sign_in and sign_in[0]["status"] == 200 and len(sign_in[0]["request_id"]) == 32
    assert sign_in[0]["request_id"] in access.split("accounts/sign-in/", 1)[1].splitlines()[0]
