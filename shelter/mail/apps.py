from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class MailConfig(AppConfig):
    name = "shelter.mail"
    label = "mail"
    verbose_name = _("Mail")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app declares the kinds of mail it sends in its own `mails.py` (accounts: the
        # invitation and the password reset). Imported by name, so mail imports no app.
        autodiscover_modules("mails")
