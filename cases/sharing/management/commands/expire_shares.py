"""Remove the guardian permissions of shares that ran out and report them (ids only).

Expired shares grant nothing whether or not this runs (the queries check the expiry); this
keeps the permission tables small and records each expiry (SHARE_EXPIRE). The scheduled job
`expire_shares` (manage.py run_due_jobs) runs the same service hourly.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cases.sharing.services import shares_expire


class Command(BaseCommand):
    help = "Remove guardian permissions of expired case shares; one SHARE_EXPIRE each."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = shares_expire()
        for share in expired:
            self.stdout.write(f"expired share {share.pk} of case {share.case_id}")
        self.stdout.write(f"{len(expired)} share(s) expired.")
