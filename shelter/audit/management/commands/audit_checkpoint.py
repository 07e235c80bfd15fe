"""Print an authenticated checkpoint of the access log's head (one JSON line).

Store the line outside this system (print it, mail it to the privacy officer, a WORM bucket);
`verify_audit_log --checkpoint` later proves nothing up to it was removed or rewritten.
The scheduled job `audit_checkpoint` (manage.py run_due_jobs) writes one a day to
SHELTER_CHECKPOINT_DIR (shelter.audit.checkpoints).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from shelter.audit.services import chain_checkpoint


class Command(BaseCommand):
    help = "Print the audit log head (seq, hash) with a MAC under the audit checkpoint key."

    def handle(self, *args, **options) -> None:
        self.stdout.write(chain_checkpoint().as_json())
