"""Compile the project's .po catalogues without needing GNU gettext installed."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from shelter.i18n import compile_catalogues


class Command(BaseCommand):
    help = "Compile the project's translation catalogues (.po → .mo) in pure Python."

    def handle(self, *args, **options) -> None:
        written = compile_catalogues(settings.BASE_DIR / "shelter" / "locale")
        self.stdout.write(f"Compiled {len(written)} catalogue(s).")
