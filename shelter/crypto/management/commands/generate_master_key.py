"""Create the master key file if it does not exist (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from shelter.crypto.keyfile import generate_key_file


class Command(BaseCommand):
    help = "Create a new master key file (mode 0600). Leaves an existing file untouched."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--path", default=None,
                            help="Key file path (default: SHELTER_MASTER_KEY_FILE).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["path"] or settings.SHELTER_MASTER_KEY_FILE
        if generate_key_file(path):
            self.stdout.write(f"Created master key file {path}.")
        else:
            self.stdout.write(f"Master key file {path} already exists; left unchanged.")
