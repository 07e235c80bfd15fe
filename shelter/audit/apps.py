from __future__ import annotations

from django.apps import AppConfig
from django.core import checks
from django.db import connections
from django.utils.translation import gettext_lazy as _


@checks.register()
def check_sqlite_transaction_mode(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """On SQLite, the chain is only linear if every transaction takes the write lock at BEGIN."""
    errors = []
    for alias in connections:
        settings_dict = connections[alias].settings_dict
        if settings_dict["ENGINE"] != "django.db.backends.sqlite3":
            continue
        if settings_dict.get("OPTIONS", {}).get("transaction_mode") != "IMMEDIATE":
            errors.append(checks.Error(
                f"Database '{alias}' must set OPTIONS transaction_mode='IMMEDIATE'.",
                hint="The audit chain relies on BEGIN IMMEDIATE to serialise writers.",
                id="audit.E001"))
    return errors


class AuditConfig(AppConfig):
    name = "shelter.audit"
    label = "audit"
    verbose_name = _("Audit log")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported here, once the app registry is ready: these modules load models.
        from shelter import dashboard
        from shelter.audit import panels, receivers

        receivers.connect()
        dashboard.register(panels.auditor_panel, order=10)
