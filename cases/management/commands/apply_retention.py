"""Crypto-shred cases that ended (closed, rejected, withdrawn) longer ago than the retention
period. Schedule daily. Prints case ids only, never names."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from cases import selectors, services
from shelter import audit
from shelter.audit import Action
from shelter.crypto.api import purge_shredded_remnants

DEFAULT_RETENTION_DAYS = 2 * 365


class Command(BaseCommand):
    help = ("Crypto-shred cases that ended more than SHELTER_RETENTION_DAYS (default 730) days "
            "ago. Irreversible; use --dry-run to see what would go.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="Retention period in days (default: SHELTER_RETENTION_DAYS).")
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] or getattr(settings, "SHELTER_RETENTION_DAYS",
                                          DEFAULT_RETENTION_DAYS)
        cutoff = timezone.now() - datetime.timedelta(days=days)
        due = list(selectors.cases_due_for_retention(cutoff))
        for case in due:
            self.stdout.write(f"{'would shred' if options['dry_run'] else 'shredding'} {case.pk}")
            if not options["dry_run"]:
                services.case_shred(case=case, acting_user=None, reason="retention")
        if not options["dry_run"]:
            audit.record(None, Action.RETENTION_APPLY, None, cases=len(due), days=days)
            if due:
                purge_shredded_remnants()
        self.stdout.write(f"{len(due)} case(s) past {days} days of retention.")
