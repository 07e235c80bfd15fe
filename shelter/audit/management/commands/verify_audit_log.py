"""Verify the whole access-log chain; exit 1 and name the first broken entry on failure.

    manage.py verify_audit_log [--checkpoint FILE_OR_JSON] [--workers N]
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelter.audit.chain import CheckpointInvalid, parse_checkpoint
from shelter.audit.services import chain_verify


class Command(BaseCommand):
    help = "Verify the audit log hash chain (and, optionally, against a checkpoint)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--checkpoint", default="",
                            help="A checkpoint from audit_checkpoint: the JSON or a file path.")
        parser.add_argument("--chunk-size", type=int, default=5000)
        parser.add_argument(
            "--workers", type=int, default=min(os.cpu_count() or 1, 4),
            help="Processes that check a long chain (100,000 entries or more) in parts "
                 "(default: the number of CPUs, at most 4; 1 checks it in this process).")

    def handle(self, *args, checkpoint: str, chunk_size: int, workers: int, **options) -> None:
        if workers < 1 or chunk_size < 1:
            raise CommandError("--workers and --chunk-size must be at least 1.")
        try:
            parsed = parse_checkpoint(checkpoint) if checkpoint else None
        except (CheckpointInvalid, OSError) as exc:
            raise CommandError(f"Checkpoint rejected: {exc}") from exc
        report = chain_verify(checkpoint=parsed, chunk_size=chunk_size, workers=workers)
        if not report.ok:
            raise CommandError(
                f"Audit log BROKEN at entry seq={report.broken_seq} ({report.reason}); "
                f"{report.entries} entries before it verified.")
        suffix = f", matches checkpoint seq={parsed.seq}" if parsed else ""
        self.stdout.write(f"Audit log OK: {report.entries} entries, head seq={report.last_seq}"
                          f"{suffix}.")
