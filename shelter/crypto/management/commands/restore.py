"""Restore a backup into an empty database and document store, then check the result.

    manage.py restore SRC

Refuses, writing nothing, if any file differs from the manifest, if the database or the store is
not empty, or if the key file lacks a master key id the backup needs (restore the key file from
escrow first). Then: counts, access-log head and document hashes against the manifest,
`verify_encryption` and `verify_audit_log`. Exits 1 on any failure.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelter.crypto.backup import restore_backup


class Command(BaseCommand):
    help = ("Restore a backup made by `backup` into an empty database and document store, "
            "then verify it.")
    # The system checks would store key checks in the (empty) target database: none before
    # the restore; the self-check afterwards verifies the keys against the restored ones.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("src", type=Path)

    def handle(self, *args: Any, src: Path, **options: Any) -> None:
        report = restore_backup(src)
        for line in report.lines:
            self.stdout.write(f"ok   {line}")
        for line in report.failures:
            self.stderr.write(f"FAIL {line}")
        if report.failures:
            raise CommandError(f"Restore finished with {len(report.failures)} failure(s).")
        self.stdout.write("Restore complete and verified.")
