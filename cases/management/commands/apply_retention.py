"""Crypto-shred cases that ended (closed, rejected, withdrawn) longer ago than the retention
period. The scheduled job `apply_retention` runs this daily (manage.py run_due_jobs); by hand
it is the same service. Cases under a legal hold are kept. Prints case ids only, never names."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cases import upkeep


class Command(BaseCommand):
    help = ("Crypto-shred cases that ended more than SHELTER_RETENTION_DAYS (default 730) days "
            "ago. Irreversible; use --dry-run to see what would go.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None,
                            help="Retention period in days (default: SHELTER_RETENTION_DAYS).")
        parser.add_argument("--dry-run", action="store_true", help="List, change nothing.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] or upkeep.retention_days()
        if options["dry_run"]:
            due = upkeep.cases_past_retention(days=days)
            for case in due:
                self.stdout.write(f"would shred {case.pk}")
        else:
            run = upkeep.retention_apply(days=days)
            due = run.shredded
            for case in due:
                self.stdout.write(f"shredded {case.pk}")
            if run.held:
                self.stdout.write(f"{run.held} case(s) kept under a legal hold.")
        self.stdout.write(f"{len(due)} case(s) past {days} days of retention.")
