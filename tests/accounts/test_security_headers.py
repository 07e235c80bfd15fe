"""Browser security headers on every kind of page, and the deploy check under production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _assert_headers(response) -> None:
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("path", ["/accounts/sign-in/", "/", "/does-not-exist/"])
def test_headers_on_anonymous_pages(path):
    _assert_headers(Client().get(path, follow=True))


@pytest.mark.parametrize("path", ["/", "/accounts/people/", "/nope/"])
def test_headers_on_signed_in_pages(path, carla, as_user):
    _assert_headers(as_user(carla).get(path))


def test_404_page_reveals_nothing(carla, as_user):
    response = as_user(carla).get("/accounts/people/999999/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "999999" not in body and "Traceback" not in body and "DoesNotExist" not in body


def test_no_inline_script_or_style_in_pages(carla, as_user):
    body = as_user(carla).get("/").content.decode()
    assert "<script>" not in body and "style=" not in body and "<style" not in body
    assert "http://" not in body.replace("http://testserver", "")  # no third-party origin


def test_cookies_are_httponly_and_samesite(olaf):
    client = Client()
    client.get("/accounts/sign-in/")
    client.post("/accounts/sign-in/", {"email": olaf.email, "password": PASSWORD})
    cookie = client.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"


def _production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    key_file = tmp_path / "master.json"
    if not key_file.exists():
        from shelter.crypto.keyfile import generate_key_file

        generate_key_file(str(key_file))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHELTER_", "DJANGO_"))}
    env.update({
        "SHELTER_ENV": "production",
        "SHELTER_SECRET_KEY": "k-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN",
        "SHELTER_ALLOWED_HOSTS": "shelter.example.org", "SHELTER_MASTER_KEY_FILE": str(key_file),
        "SHELTER_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SHELTER_CHECKPOINT_DIR": str(tmp_path / "checkpoints"),
        "SHELTER_SITE_URL": "https://shelter.example.org",
        "DJANGO_SETTINGS_MODULE": "shelter.settings",
    })
    env.update(overrides)
    return {k: v for k, v in env.items() if v is not None}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_under_production(tmp_path):
    result = _manage(_production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stderr and "issues" not in result.stdout.replace("no issues", "")


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = _production_env(tmp_path)
    del env["SHELTER_SECRET_KEY"]
    result = _manage(env, "check")
    assert result.returncode != 0 and "SHELTER_SECRET_KEY is not set" in result.stderr


def test_production_refuses_to_start_without_master_key(tmp_path):
    env = _production_env(tmp_path)
    del env["SHELTER_MASTER_KEY_FILE"]
    result = _manage(env, "check")
    assert result.returncode != 0 and "SHELTER_MASTER_KEY_FILE" in result.stderr


def test_production_uses_argon2(tmp_path):
    code = "from django.conf import settings; print(settings.PASSWORD_HASHERS[0])"
    result = _manage(_production_env(tmp_path), "shell", "--no-imports", "-c", code)
    assert result.stdout.strip().splitlines()[-1] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    ), result.stderr


def test_stylesheet_and_script_are_found_by_the_static_finders():
    from django.contrib.staticfiles import finders

    assert finders.find("shelter/css/app.css") and finders.find("shelter/js/app.js")


def test_server_error_page_reveals_nothing(carla, settings):
    from django.urls import path

    from shelter import urls

    def explode(request):
        raise RuntimeError("secret detail ZQXJ")

    settings.ROOT_URLCONF = type("U", (), {"urlpatterns": [*urls.urlpatterns,
                                                           path("explode/", explode)],
                                           "handler500": urls.handler500})
    from tests.factories import verified_client

    client = verified_client(carla)
    client.raise_request_exception = False
    response = client.get("/explode/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "ZQXJ" not in body and "Traceback" not in body and "RuntimeError" not in body
    assert "<h1>" in body
