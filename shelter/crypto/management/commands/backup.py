"""Back up the database and the document store's ciphertext, with a manifest.

    manage.py backup DEST

DEST is a new or empty directory (created 0700, files 0600) outside the document store and the
database's and key file's directories. The master keys are not in the backup: escrow the key
file apart (SECURITY.md, "Backup and restore"). Exits 1 if a document vanished meanwhile.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelter.crypto.backup import make_backup


class Command(BaseCommand):
    help = ("Write a consistent backup (database, document ciphertext, manifest with counts "
            "and hashes) into DEST, a new or empty directory. Master keys are not included.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("dest", type=Path)

    def handle(self, *args: Any, dest: Path, **options: Any) -> None:
        result = make_backup(dest)
        manifest = result.manifest
        self.stdout.write(
            f"Backup written to {result.dest}: {manifest['engine']} database, "
            f"{manifest['documents']} document(s), {len(manifest['files'])} file(s), "
            f"audit head seq={(manifest['audit_head'] or {}).get('seq')}, master key id(s) "
            f"{', '.join(manifest['master_key_ids']) or '-'} (keys not included).")
        if result.missing:
            raise CommandError(f"{len(result.missing)} document(s) vanished between the "
                               "database snapshot and the copy; they are listed in the manifest "
                               "as missing. Run the backup again.")
