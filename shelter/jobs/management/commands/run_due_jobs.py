"""Run every scheduled job that is due now, once (the one entry point of scheduled work).

    manage.py run_due_jobs [--job NAME] [--dry-run]

Run it as often as you like (a systemd timer every 5 minutes, cron, the loop in `make run`):
a job whose current period already succeeded is not run again, and a job another runner holds
is left to it. Exits 1 if a job failed (it is tried again on the next run).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from shelter.jobs import registry, runner
from shelter.jobs.models import JobRun


class Command(BaseCommand):
    help = "Run the scheduled jobs that are due now (each once per period)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--job", default=None, help="Run only this job (if it is due).")
        parser.add_argument("--dry-run", action="store_true",
                            help="List the jobs that are due, run nothing.")

    def handle(self, *args: Any, job: str | None, dry_run: bool, **options: Any) -> None:
        if job is not None and registry.get(job) is None:
            names = ", ".join(j.name for j in registry.all_jobs())
            raise CommandError(f"No job named {job!r}. Jobs: {names}.")
        if dry_run:
            due = runner.due_jobs(only=job)
            for item in due:
                self.stdout.write(f"due: {item.job.name} (period {item.period})")
            self.stdout.write(f"{len(due)} job(s) due.")
            return
        runs = runner.run_due(only=job)
        failed = [run.job for run in runs if run.outcome == JobRun.Outcome.FAILED]
        if failed:
            raise CommandError(f"{len(failed)} job(s) failed: {', '.join(failed)}.")
