"""Delete encrypted files in document storage that no document row refers to.

An upload is sealed into storage as it streams in; if the request then fails (a refused form,
a CSRF failure, a crash) before the document row is saved, the ciphertext stays behind. Its file
key lived only in memory, so it is unreadable — but it is clutter and it leaks sizes. Files
younger than --min-age minutes are left alone: they may belong to an upload still in progress.

The store must carry this installation's marker (see shelter.crypto.storagemark): a store shared
with another installation holds that installation's documents, which are not in this database
and would all look orphaned. Then nothing is deleted and the command exits non-zero.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from cases.models import Document
from shelter import audit
from shelter.audit import Action
from shelter.crypto.api import StorageNotOurs, check_document_storage, mark_document_storage
from shelter.crypto.documents import document_storage


def _stored_names(storage: Any, path: str = "") -> Iterator[str]:
    directories, files = storage.listdir(path)
    for name in files:
        if name.endswith(".enc"):
            yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _stored_names(storage, f"{path}/{directory}" if path else directory)


class Command(BaseCommand):
    help = "Delete stored ciphertext that no document refers to (older than --min-age minutes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--min-age", type=int, default=60, help="minutes (default 60)")
        parser.add_argument("--dry-run", action="store_true", help="report, delete nothing")
        parser.add_argument("--mark-storage", action="store_true",
                            help="mark an unmarked document store as this installation's "
                                 "(once, after an upgrade), then stop; deletes nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        storage = document_storage()
        try:
            if options["mark_storage"]:
                ident = mark_document_storage(storage)
                self.stdout.write(f"The document store is marked for installation {ident}.")
                return
            check_document_storage(storage)
        except StorageNotOurs as exc:
            raise CommandError(str(exc)) from exc
        known = set(Document.objects.values_list("storage_name", flat=True))
        cutoff = timezone.now() - datetime.timedelta(minutes=options["min_age"])
        orphans = [name for name in _stored_names(storage) if name not in known
                   and storage.get_modified_time(name) < cutoff]
        if not options["dry_run"]:
            for name in orphans:
                storage.delete(name)
            audit.record(None, Action.DOCUMENT_DELETE, None, orphans=len(orphans))
        verb = "would delete" if options["dry_run"] else "deleted"
        self.stdout.write(f"{len(orphans)} orphaned file(s) {verb}; {len(known)} in use.")
