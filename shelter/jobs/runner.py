"""Run what is due, once: for each job whose current period has no successful attempt, take its
lease, look again (another runner may just have finished it), run it, and log the attempt.

One job failing does not stop the others. A failure is recorded with the exception's class
name only; the traceback (frames, no message, no locals) goes to the `shelter.jobs` logger.
"""

from __future__ import annotations

import datetime
import logging
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError
from django.utils import timezone

from shelter.jobs import locks, registry
from shelter.jobs.models import JobRun
from shelter.jobs.registry import Job, JobFailed, Skip

logger = logging.getLogger("shelter.jobs")


@dataclass(frozen=True)
class Due:
    job: Job
    period: str


def is_done(job: Job, period: str) -> bool:
    return JobRun.objects.filter(job=job.name, period=period, outcome__in=JobRun.DONE).exists()


def due_jobs(now: datetime.datetime | None = None, only: str | None = None) -> list[Due]:
    """The jobs (all, or only `only`) whose current period has not succeeded yet."""
    now = now or timezone.now()
    jobs = [j for j in registry.all_jobs() if only is None or j.name == only]
    return [Due(j, j.period(now)) for j in jobs if not is_done(j, j.period(now))]


def run_due(now: datetime.datetime | None = None, only: str | None = None) -> list[JobRun]:
    """Run every due job once; returns the attempts made (locked or finished jobs are left)."""
    runs = []
    for due in due_jobs(now, only):
        token = locks.new_token()
        if not locks.acquire(due.job.name, token):
            logger.info("job=%s period=%s skipped: another runner holds its lock",
                        due.job.name, due.period)
            continue
        try:
            if is_done(due.job, due.period):
                continue  # another runner finished it between our look and our lock
            runs.append(run_one(due.job, due.period))
        finally:
            locks.release(due.job.name, token)
    prune_job_log(now)
    return runs


def prune_job_log(now: datetime.datetime | None = None) -> int:
    """Forget successful attempts older than SHELTER_JOB_LOG_DAYS, but never a job's last
    success (the status page shows it); failed attempts stay. Returns how many went."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.SHELTER_JOB_LOG_DAYS)
    done = JobRun.objects.filter(outcome__in=JobRun.DONE)
    keep = [done.filter(job=name).order_by("-started_at", "-pk").values_list("pk", flat=True)[0]
            for name in done.values_list("job", flat=True).distinct()]
    deleted, _kinds = done.filter(started_at__lt=cutoff).exclude(pk__in=keep).delete()
    return deleted


def _clean_counts(counts: Mapping[str, int] | None) -> dict[str, int]:
    """Counts only reach the job log: anything but short names and whole numbers is refused."""
    cleaned = {}
    for key, value in (counts or {}).items():
        if not isinstance(value, int) or isinstance(value, bool) or not str(key).isidentifier():
            raise TypeError("a job returns counts only: {name: whole number}")
        cleaned[str(key)[:40]] = value
    return cleaned


def run_one(job: Job, period: str) -> JobRun:
    """One attempt at `job` for `period` (the caller holds the job's lease)."""
    attempt = JobRun.objects.filter(job=job.name, period=period).count() + 1
    run = JobRun(job=job.name, period=period, attempt=attempt, started_at=timezone.now())
    started = time.monotonic()
    try:
        run.counts = _clean_counts(job.function(run))
        run.outcome = JobRun.Outcome.OK
    except Skip:
        run.outcome = JobRun.Outcome.SKIPPED
    except Exception as exc:  # noqa: BLE001 (one failing job must not stop the others)
        run.outcome, run.error_type = JobRun.Outcome.FAILED, type(exc).__name__[:100]
        run.counts = _clean_counts(exc.counts) if isinstance(exc, JobFailed) else {}
        # Frames only: the message (and any locals) may carry personal data.
        logger.error("job=%s period=%s failed: %s\n%s", job.name, period, run.error_type,
                     "".join(traceback.format_tb(exc.__traceback__)).rstrip())
    run.finished_at = timezone.now()
    seconds = time.monotonic() - started
    try:
        run.save()
    except IntegrityError:
        # Only if a lease ran out mid-run and another runner finished the period first.
        logger.warning("job=%s period=%s: another runner recorded this period first",
                       job.name, period)
        return run
    logger.info("job=%s period=%s outcome=%s counts=%s seconds=%.2f attempt=%d", job.name,
                period, run.outcome, run.counts, seconds, attempt)
    return run
