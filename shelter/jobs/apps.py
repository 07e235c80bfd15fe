from __future__ import annotations

from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    name = "shelter.jobs"
    label = "jobs"
    verbose_name = _("Scheduled jobs")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Each app declares its jobs in its own `jobs.py` (cases/jobs.py, ...), found here.
        autodiscover_modules("jobs")
