"""Production refuses unsafe settings with a message that says what to do.

Each combination loads shelter/settings.py afresh with its own environment (the running test
settings are untouched); one real `manage.py check` shows that a refusal stops the process.
"""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = ROOT / "shelter" / "settings.py"


@pytest.fixture
def production(tmp_path, monkeypatch):
    """load(**env) -> the settings module's globals under SHELTER_ENV=production."""
    from shelter.crypto.keyfile import generate_key_file

    key_file = tmp_path / "master.json"
    generate_key_file(str(key_file))
    # The test run's own settings stay out (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE,
    # which a deploy check rightly refuses).
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SHELTER_", "DATABASE_")) and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    base.update({
        "SHELTER_ENV": "production",
        "SHELTER_SECRET_KEY": "k-" + "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN",
        "SHELTER_ALLOWED_HOSTS": "shelter.example.org", "SHELTER_MASTER_KEY_FILE": str(key_file),
        "SHELTER_VAR_DIR": str(tmp_path), "SHELTER_CHECKPOINT_DIR": str(tmp_path / "cp"),
        "SHELTER_SITE_URL": "https://shelter.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    })

    def load(**overrides: str | None) -> dict:
        env = {**base, **overrides}
        monkeypatch.setattr(os, "environ", {k: v for k, v in env.items() if v is not None})
        return runpy.run_path(str(SETTINGS))

    load.env = lambda **o: {k: v for k, v in {**base, **o}.items() if v is not None}
    return load


@pytest.mark.parametrize("hosts", ["*", "shelter.example.org,*", " * "])
def test_a_wildcard_host_is_refused(production, hosts):
    with pytest.raises(ImproperlyConfigured, match=r"SHELTER_ALLOWED_HOSTS='\*' is refused"):
        production(SHELTER_ALLOWED_HOSTS=hosts)


def test_named_hosts_and_subdomain_patterns_are_accepted(production):
    loaded = production(SHELTER_ALLOWED_HOSTS="shelter.example.org,.shelter.example.org")
    assert loaded["ALLOWED_HOSTS"] == ["shelter.example.org", ".shelter.example.org"]


@pytest.mark.parametrize("proxy", [None, "", "0", "no"])
def test_https_off_without_a_tls_proxy_is_refused(production, proxy):
    with pytest.raises(ImproperlyConfigured, match="SHELTER_BEHIND_PROXY is not set"):
        production(SHELTER_HTTPS="0", SHELTER_BEHIND_PROXY=proxy)


def test_https_off_behind_a_tls_proxy_keeps_cookies_secure_and_hsts(production):
    loaded = production(SHELTER_HTTPS="0", SHELTER_BEHIND_PROXY="1")
    assert loaded["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["LANGUAGE_COOKIE_SECURE"] and loaded["SECURE_HSTS_SECONDS"] == 31536000
    assert not loaded["SECURE_SSL_REDIRECT"]  # the proxy redirects


@pytest.mark.parametrize("proxy", [None, "1"])
def test_https_on_is_the_default_with_or_without_a_proxy(production, proxy):
    loaded = production(SHELTER_BEHIND_PROXY=proxy)
    assert loaded["HTTPS"] and loaded["SECURE_SSL_REDIRECT"] and loaded["SESSION_COOKIE_SECURE"]
    assert ("SECURE_PROXY_SSL_HEADER" in loaded) == (proxy == "1")


@pytest.mark.parametrize("env", ["development", "test"])
def test_plain_http_stays_possible_outside_production(production, env):
    loaded = production(SHELTER_ENV=env, SHELTER_HTTPS="0", SHELTER_ALLOWED_HOSTS="*")
    assert not loaded["SESSION_COOKIE_SECURE"] and not loaded["SECURE_SSL_REDIRECT"]
    assert loaded["ALLOWED_HOSTS"] == ["*"]


@pytest.mark.parametrize("overrides, message", [
    ({"SHELTER_ALLOWED_HOSTS": "*"}, "SHELTER_ALLOWED_HOSTS='*' is refused in production"),
    ({"SHELTER_HTTPS": "off"}, "SHELTER_HTTPS is off in production"),
])
def test_the_process_refuses_to_start(production, overrides, message):
    env = production.env(**overrides, DJANGO_SETTINGS_MODULE="shelter.settings")
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode != 0 and message in result.stderr


def test_check_deploy_is_clean_behind_a_tls_proxy_with_https_off(production):
    env = production.env(SHELTER_HTTPS="0", SHELTER_BEHIND_PROXY="1",
                         DJANGO_SETTINGS_MODULE="shelter.settings")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level",
                             "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


SSO = {"SHELTER_OIDC_CLIENT_ID": "shelter", "SHELTER_OIDC_CLIENT_SECRET": "s3cret-from-the-idp"}


def test_single_sign_on_over_plain_http_is_refused_in_production(production):
    with pytest.raises(ImproperlyConfigured, match="SHELTER_OIDC_ISSUER must be an https"):
        production(SHELTER_OIDC_ISSUER="http://idp.example.org/realms/city", **SSO)


def test_single_sign_on_over_https_is_accepted(production):
    loaded = production(SHELTER_OIDC_ISSUER="https://idp.example.org/realms/city", **SSO)
    assert loaded["SHELTER_OIDC_ISSUER"] == "https://idp.example.org/realms/city"


def test_without_an_issuer_single_sign_on_is_off(production):
    assert production()["SHELTER_OIDC_ISSUER"] == ""


@pytest.mark.parametrize("overrides, message", [
    ({"SHELTER_OIDC_CLIENT_SECRET": None}, "SHELTER_OIDC_CLIENT_ID and SHELTER_OIDC_CLIENT_SECRET"),
    ({"SHELTER_OIDC_SCOPES": "email profile"}, "must include openid"),
    ({"SHELTER_OIDC_GROUPS_CLAIM": "groups"}, "SHELTER_OIDC_REQUIRED_GROUP"),
])
def test_incomplete_single_sign_on_settings_are_refused(production, overrides, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        production(SHELTER_OIDC_ISSUER="https://idp.example.org/realms/city",
                   **{**SSO, **overrides})


@pytest.mark.parametrize("url", [None, "", "http://shelter.example.org"])
def test_production_needs_the_sites_https_address(production, url):
    with pytest.raises(ImproperlyConfigured, match="SHELTER_SITE_URL must be set"):
        production(SHELTER_SITE_URL=url)


def test_the_sites_address_names_the_passkeys_relying_party(production):
    loaded = production(SHELTER_SITE_URL="https://shelter.example.org")
    assert loaded["OTP_WEBAUTHN_RP_ID"] == "shelter.example.org"
    assert loaded["OTP_WEBAUTHN_ALLOWED_ORIGINS"] == ["https://shelter.example.org"]
