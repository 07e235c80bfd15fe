"""App configuration: fail at start-up in production when the master keys cannot be loaded."""

from __future__ import annotations

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


class CryptoConfig(AppConfig):
    name = "shelter.crypto"
    label = "crypto"
    verbose_name = _("Encryption")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from shelter.crypto.exceptions import KeyMissing
        from shelter.crypto.keyring import get_provider

        if getattr(settings, "SHELTER_ENV", "production") != "production":
            return  # development and tests load keys lazily, on first use
        try:
            get_provider()
        except KeyMissing as exc:
            raise ImproperlyConfigured(
                f"Shelter cannot load its master keys: {exc} Provision a key file with "
                "'python -m shelter.crypto.keyfile PATH' and set SHELTER_MASTER_KEY_FILE."
            ) from exc
