"""Rotate the master key: add a new one, re-wrap every data key under it, retire old ones."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from shelter.crypto import events, keycheck, keyfile
from shelter.crypto.datakeys import rewrap
from shelter.crypto.exceptions import CryptoError
from shelter.crypto.models import DataKey, KeyCheck, KeyCheckKind
from shelter.crypto.providers import LocalFileKeyProvider, get_provider, reset_provider

# Other processes may still be creating data keys under the old key for a moment (one that
# read the file just before it changed): sweep again until nothing is left, a few times.
PASSES = 20
PAUSE = 0.25


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
        old_id = options["retire"]
        try:
            active, added = self._choose_active(path, add_allowed=not old_id)
            done, skipped = self._rewrap_all(active)
            self.stdout.write(
                f"Active master key: {active}{' (new)' if added else ''}. "
                f"Re-wrapped {done} data key(s); {skipped} changed concurrently and skipped."
            )
            with transaction.atomic():  # the retirement and its audit entry: all or nothing
                if old_id:
                    self._retire_in_database(old_id)
                self._record(active, added, done, old_id)
            if old_id:
                self._remove_from_key_file(path, old_id)
        except CryptoError as exc:
            raise CommandError(str(exc)) from exc

    def _record(self, active: str, added: bool, done: int, old_id: str | None) -> None:
        events.record(None, "KEY_ROTATE", None, key_id=active, new_key=added, rewrapped=done,
                      retired=old_id)

    def _pending(self, active: str) -> Any:
        return DataKey.objects.filter(shredded_at__isnull=True).exclude(master_key_id=active)

    def _choose_active(self, path: str, *, add_allowed: bool) -> tuple[str, bool]:
        reset_provider()
        if not isinstance(get_provider(), LocalFileKeyProvider):
            raise CommandError("Master keys are not in a local key file: rotate them in the "
                               "key service, then re-wrap with that provider.")
        keycheck.ensure_verified()  # never rotate with another installation's key file
        active = get_provider().active_key_id()
        if self._pending(active).exists() or not add_allowed:
            return active, False  # finish the rotation in progress first
        active = keyfile.add_master_key(path)
        reset_provider()
        keycheck.ensure_verified()  # stores the new key's check
        return active, True

    def _rewrap_all(self, active: str) -> tuple[int, int]:
        done = skipped = 0
        for attempt in range(PASSES):
            # Each row is its own compare-and-swap update, so an interruption loses nothing.
            for row in self._pending(active).order_by("pk").iterator(chunk_size=200):
                if rewrap(row, active):
                    done += 1
                else:
                    skipped += 1
            if not self._pending(active).exists():
                return done, skipped
            if attempt < PASSES - 1:
                time.sleep(PAUSE)
        remaining = self._pending(active).count()
        raise CommandError(f"{remaining} data key(s) still under old master keys; rerun.")

    def _retire_in_database(self, old_id: str) -> None:
        """Mark `old_id` retired, re-checking under a row lock that nothing uses it.

        Data key creation takes a share lock on the same row (see datakeys), so a data key
        wrapped under `old_id` by another process is either counted here or refused there.
        """
        provider = get_provider()
        if old_id == provider.active_key_id():
            raise CommandError(f"Master key {old_id} is the active key; rotate first.")
        if old_id not in provider.key_ids():
            raise CommandError(f"Master key {old_id} is not in the key file.")
        check = (KeyCheck.objects.select_for_update()
                 .filter(kind=KeyCheckKind.MASTER, key_id=old_id).first())
        in_use = DataKey.objects.filter(master_key_id=old_id, shredded_at__isnull=True).count()
        if in_use:
            raise CommandError(f"Master key {old_id} still wraps {in_use} data key(s); nothing "
                               "was retired. Run rotate_master_key again, then retry.")
        if check is not None and check.retired_at is None:
            check.retired_at = timezone.now()
            check.save(update_fields=["retired_at"])

    def _remove_from_key_file(self, path: str, old_id: str) -> None:
        keyfile.remove_master_key(path, old_id)
        reset_provider()
        self.stdout.write(f"Retired master key {old_id}; backups wrapped under it are now "
                          "unreadable, including shredded cases in them.")
