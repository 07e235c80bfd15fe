"""Delete encrypted files in document storage that no document row refers to.

An upload is sealed into storage as it streams in; if the request then fails (a refused form,
a CSRF failure, a crash) before the document row is saved, the ciphertext stays behind. Its file
key lived only in memory, so it is unreadable — but it is clutter and it leaks sizes. Files
younger than --min-age minutes are left alone: they may belong to an upload still in progress.
The scheduled job `sweep_orphan_files` runs the same service daily (manage.py run_due_jobs).

The store must carry this installation's marker (see shelter.crypto.storagemark): a store shared
with another installation holds that installation's documents, which are not in this database
and would all look orphaned. Then nothing is deleted and the command exits non-zero.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cases import upkeep
from shelter.crypto.api import StorageNotOurs, mark_document_storage
from shelter.crypto.documents import document_storage


class Command(BaseCommand):
    help = "Delete stored ciphertext that no document refers to (older than --min-age minutes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--min-age", type=int, default=60, help="minutes (default 60)")
        parser.add_argument("--dry-run", action="store_true", help="report, delete nothing")
        parser.add_argument("--mark-storage", action="store_true",
                            help="mark an unmarked document store as this installation's "
                                 "(once, after an upgrade), then stop; deletes nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["mark_storage"]:
                ident = mark_document_storage(document_storage())
                self.stdout.write(f"The document store is marked for installation {ident}.")
                return
            find = upkeep.orphan_files_find if options["dry_run"] else upkeep.orphan_files_sweep
            sweep = find(min_age_minutes=options["min_age"])
        except StorageNotOurs as exc:
            raise CommandError(str(exc)) from exc
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(f"{len(sweep.orphans)} orphaned file(s) {verb}; {sweep.in_use} in use.")
