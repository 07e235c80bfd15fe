"""Rotate the master key: add a new one, re-wrap every data key under it, retire old ones."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelter.crypto import keyfile
from shelter.crypto.datakeys import rewrap
from shelter.crypto.exceptions import CryptoError
from shelter.crypto.keyring import get_provider, reset_provider
from shelter.crypto.models import DataKey
from shelter.crypto.providers import LocalFileKeyProvider


class Command(BaseCommand):
    help = (
        "Add a new master key, make it active and re-wrap all data keys under it (no data is "
        "re-encrypted). Resumable: if data keys are still under an older key, the rotation in "
        "progress is continued instead of adding another key. --retire removes an old key "
        "from the key file once no live data key uses it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--retire", metavar="OLD_ID", default=None,
                            help="Retire this master key (no new key is added).")

    def handle(self, *args: Any, **options: Any) -> None:
        path = settings.SHELTER_MASTER_KEY_FILE
        try:
            active, added = self._choose_active(path, add_allowed=not options["retire"])
            done, skipped = self._rewrap_all(active)
            self.stdout.write(
                f"Active master key: {active}{' (new)' if added else ''}. "
                f"Re-wrapped {done} data key(s); {skipped} changed concurrently and skipped."
            )
            if options["retire"]:
                self._retire(path, options["retire"])
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc
        from shelter import audit

        audit.record(None, audit.Action.KEY_ROTATE, None, key_id=active, new_key=added,
                     rewrapped=done, retired=options["retire"])

    def _pending(self, active: str) -> Any:
        return DataKey.objects.filter(shredded_at__isnull=True).exclude(master_key_id=active)

    def _choose_active(self, path: str, *, add_allowed: bool) -> tuple[str, bool]:
        reset_provider()
        if not isinstance(get_provider(), LocalFileKeyProvider):
            raise CommandError("Master keys are not in a local key file: rotate them in the "
                               "key service, then re-wrap with that provider.")
        active = get_provider().active_key_id()
        if self._pending(active).exists() or not add_allowed:
            return active, False  # finish the rotation in progress first
        active = keyfile.add_master_key(path)
        reset_provider()
        return active, True

    def _rewrap_all(self, active: str) -> tuple[int, int]:
        done = skipped = 0
        # Each row is its own compare-and-swap update, so an interruption loses nothing.
        for row in self._pending(active).order_by("pk").iterator(chunk_size=200):
            if rewrap(row, active):
                done += 1
            else:
                skipped += 1
        remaining = self._pending(active).count()
        if remaining:
            raise CommandError(f"{remaining} data key(s) still under old master keys; rerun.")
        return done, skipped

    def _retire(self, path: str, old_id: str) -> None:
        if old_id == get_provider().active_key_id():
            raise CommandError(f"Master key {old_id} is the active key; rotate first.")
        in_use = DataKey.objects.filter(master_key_id=old_id, shredded_at__isnull=True).count()
        if in_use:
            raise CommandError(f"Master key {old_id} still wraps {in_use} data key(s).")
        keyfile.remove_master_key(path, old_id)
        reset_provider()
        self.stdout.write(f"Retired master key {old_id}; backups wrapped under it are now "
                          "unreadable, including shredded cases in them.")
