"""Mail settings come from the environment; the file backend (which would keep working links
on disk) and STARTTLS together with SSL are refused."""

from __future__ import annotations

import os
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

SETTINGS = Path(__file__).resolve().parents[2] / "shelter" / "settings.py"


@pytest.fixture
def load(tmp_path, monkeypatch):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SHELTER_", "DATABASE_"))}
    base.update({"SHELTER_ENV": "development", "SHELTER_VAR_DIR": str(tmp_path)})

    def loaded(**env: str) -> dict:
        monkeypatch.setattr(os, "environ", {**base, **env})
        return runpy.run_path(str(SETTINGS))
    return loaded


def test_smtp_settings_come_from_the_environment(load):
    values = load(SHELTER_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                  SHELTER_EMAIL_HOST="smtp.example.org", SHELTER_EMAIL_PORT="2525",
                  SHELTER_EMAIL_USER="shelter", SHELTER_EMAIL_PASSWORD="s3cret",
                  SHELTER_EMAIL_TLS="1", SHELTER_FROM_EMAIL="noreply@example.org")
    assert (values["EMAIL_HOST"], values["EMAIL_PORT"], values["EMAIL_HOST_USER"],
            values["EMAIL_HOST_PASSWORD"], values["EMAIL_USE_TLS"], values["EMAIL_USE_SSL"],
            values["DEFAULT_FROM_EMAIL"]) == ("smtp.example.org", 2525, "shelter", "s3cret",
                                              True, False, "noreply@example.org")


def test_development_prints_mail_on_the_console_and_the_port_follows_tls(load):
    values = load()
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["EMAIL_PORT"] == 25 and not values["EMAIL_USE_TLS"]
    assert load(SHELTER_EMAIL_TLS="1")["EMAIL_PORT"] == 587
    assert load(SHELTER_EMAIL_SSL="1")["EMAIL_PORT"] == 465


def test_the_file_backend_is_refused(load):
    with pytest.raises(ImproperlyConfigured, match="file backend"):
        load(SHELTER_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend")


def test_tls_and_ssl_together_are_refused(load):
    with pytest.raises(ImproperlyConfigured, match="SHELTER_EMAIL_TLS"):
        load(SHELTER_EMAIL_TLS="1", SHELTER_EMAIL_SSL="1")
