"""App configuration: fail at start-up in production when the master keys cannot be loaded,
and a system check (`manage.py check`, run before most commands) that they are this database's."""

from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.utils.translation import gettext_lazy as _

from shelter.crypto.exceptions import KeyFileError, KeyMismatch, KeyMissing
from shelter.crypto.providers import get_provider


def check_keys_match_database(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """crypto.E001 when the key file does not belong to the database (see keycheck)."""
    from shelter.crypto.keycheck import ensure_verified  # loads models: not before the check runs

    try:
        ensure_verified()
    except KeyMismatch as exc:
        return [checks.Error(str(exc), id="crypto.E001")]
    except (KeyFileError, DatabaseError, ImproperlyConfigured):
        return []  # no key file yet (generate_master_key) or no database yet: nothing to compare
    return []


class CryptoConfig(AppConfig):
    name = "shelter.crypto"
    label = "crypto"
    verbose_name = _("Encryption")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(check_keys_match_database)

        if getattr(settings, "SHELTER_ENV", "production") != "production":
            return  # development and tests load keys lazily, on first use
        try:
            get_provider()
        except KeyMissing as exc:
            raise ImproperlyConfigured(
                f"Shelter cannot load its master keys: {exc} Provision a key file with "
                "'python -m shelter.crypto.keyfile PATH' and set SHELTER_MASTER_KEY_FILE."
            ) from exc
