"""A database outage answers 503 with Retry-After and the calm page: never a 500 or a trace.

In-process, the connection is made to raise OperationalError; as real processes, the app is
pointed at a closed PostgreSQL port and at an SQLite file that cannot be opened.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from unittest import mock

import pytest
from django.db import IntegrityError, OperationalError, connection

ROOT = Path(__file__).resolve().parents[1]
LEAKS = ("Traceback", "OperationalError", "connection", "sqlite", "postgres", "ZQXJ")


def _assert_calm_503(status: int, retry_after: str | None, body: str) -> None:
    assert status == 503
    assert retry_after is not None and int(retry_after) > 0
    assert "Temporarily unavailable" in body and "<h1>" in body
    assert not [word for word in LEAKS if word.lower() in body.lower()]


def _refuse(*args, **kwargs):
    raise OperationalError("connection to server at 10.0.0.9 failed: ZQXJ")


def database_down():
    """While active, every use of the connection fails as if the server were unreachable."""
    return mock.patch.object(connection, "ensure_connection", _refuse)


@pytest.mark.parametrize("path", ["/", "/cases/", "/accounts/sign-in/"])
def test_a_signed_in_page_answers_503_when_the_database_is_down(olaf, as_user, path):
    client = as_user(olaf)
    client.raise_request_exception = False
    with database_down():
        response = client.get(path)
    _assert_calm_503(response.status_code, response.get("Retry-After"),
                     response.content.decode())
    assert response["Cache-Control"] == "no-store"


def test_a_sign_in_attempt_answers_503_when_the_database_is_down(olaf, client):
    client.raise_request_exception = False
    with database_down():
        response = client.post("/accounts/sign-in/", {"email": olaf.email,
                                                      "password": "x" * 12})
    _assert_calm_503(response.status_code, response.get("Retry-After"),
                     response.content.decode())


def test_a_programming_error_is_still_a_500(carla, settings):
    from django.urls import path

    from shelter import urls
    from tests.factories import verified_client

    def broken(request):
        raise IntegrityError("a bug, not an outage")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [*urls.urlpatterns,
                                                           path("broken/", broken)],
                                           "handler500": urls.handler500})
    client = verified_client(carla)
    client.raise_request_exception = False
    response = client.get("/broken/")
    assert response.status_code == 500 and "Retry-After" not in response


PROBE = """
import django, json
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
client.cookies["sessionid"] = "a" * 32
out = {}
for path in ("/", "/accounts/sign-in/"):
    r = client.get(path)
    out[path] = [r.status_code, r.get("Retry-After"), r.content.decode()]
print("RESULT" + json.dumps(out))
"""


@pytest.mark.parametrize("database_url", [
    "postgres://shelter@127.0.0.1:9/shelter_nowhere",  # nothing listens on port 9
    "sqlite:////nonexistent-shelter-dir/missing/db.sqlite3",
])
def test_a_real_process_with_an_unreachable_database_answers_503(tmp_path, database_url):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHELTER_", "DATABASE_"))}
    env.update({"DATABASE_URL": database_url, "SHELTER_VAR_DIR": str(tmp_path),
                "DJANGO_SETTINGS_MODULE": "shelter.settings_test"})
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    import json

    answers = json.loads(result.stdout.split("RESULT", 1)[1])
    for status, retry_after, body in answers.values():
        _assert_calm_503(status, retry_after, body)
