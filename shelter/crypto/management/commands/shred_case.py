"""Crypto-shred a case: destroy its data key; the case row stays as a tombstone."""

from __future__ import annotations

import uuid
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from shelter.crypto import events
from shelter.crypto.api import purge_shredded_remnants, shred_case_key
from shelter.crypto.providers import get_provider


def _held(case_id: uuid.UUID) -> bool:
    """Is the case under an active legal hold? (cases.LegalHold, named by string: crypto
    imports no app.)"""
    if not apps.is_installed("cases"):
        return False
    hold_model = apps.get_model("cases", "LegalHold")
    return hold_model.objects.filter(case_id=case_id, lifted_at__isnull=True).exists()


class Command(BaseCommand):
    help = (
        "Destroy a case's data key: its encrypted fields, notes and documents become "
        "unreadable for good. Stage and dates remain. Irreversible."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("case_id", type=uuid.UUID)
        parser.add_argument("--noinput", "--no-input", action="store_true",
                            help="Do not ask for confirmation.")

    def handle(self, *args: Any, **options: Any) -> None:
        case_id: uuid.UUID = options["case_id"]
        case_model = apps.get_model("cases", "Case") if apps.is_installed("cases") else None
        if case_model is not None and not case_model.objects.filter(pk=case_id).exists():
            raise CommandError(f"No case {case_id}.")
        if _held(case_id):
            raise CommandError(f"Case {case_id} is under a legal hold: nothing shredded. A "
                               "coordinator must lift the hold (on the case's page) first.")
        if not options["noinput"]:
            answer = input(f"Shred case {case_id}? This cannot be undone. Type 'yes': ")
            if answer.strip().lower() != "yes":
                raise CommandError("Not confirmed; nothing shredded.")
        with transaction.atomic():  # key, tombstone stamp and audit entry: all or nothing
            if case_model is not None:  # locked, and the hold asked again: a hold wins a race
                case_model.objects.select_for_update().filter(pk=case_id).first()
                if _held(case_id):
                    raise CommandError(f"Case {case_id} is under a legal hold: nothing shredded.")
            datakey_id = shred_case_key(case_id)
            if case_model is not None:
                case_model.objects.filter(pk=case_id, shredded_at__isnull=True).update(
                    shredded_at=timezone.now())
            events.record(None, "CASE_SHRED", ("cases.case", case_id), data_key_id=datakey_id)
        purge_shredded_remnants()
        active = get_provider().active_key_id()
        self.stdout.write(
            f"Shredded case {case_id} (data key {datakey_id}). Database backups taken before "
            f"now still hold the key wrapped under master key {active} or older: run "
            "rotate_master_key, and once those backups have expired, retire the older "
            "master keys (rotate_master_key --retire ID)."
        )
