"""The job log (one row per attempt) and the per-job lock rows."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One attempt at a job's period. At most one attempt per (job, period) succeeds (ok or
    skipped): the runner finds it and does nothing more in that period. Failed attempts stay,
    numbered, and the next runner tries again."""

    class Outcome(models.TextChoices):
        OK = "ok", _("Done")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Nothing to do")

    DONE = (Outcome.OK, Outcome.SKIPPED)

    job = models.CharField(max_length=64)
    period = models.CharField(max_length=20)
    attempt = models.PositiveIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    # Counts only ({"expired": 3}); never a name, an address or a message.
    counts = models.JSONField(default=dict, blank=True)
    # The exception's class name only: its message may carry data.
    error_type = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["job", "period"],
                                    condition=Q(outcome__in=["ok", "skipped"]),
                                    name="jobs_jobrun_one_success_per_period"),
            models.UniqueConstraint(fields=["job", "period", "attempt"],
                                    name="jobs_jobrun_unique_attempt"),
        ]
        indexes = [models.Index(fields=["job", "-started_at"], name="jobs_jobrun_latest")]

    def __str__(self) -> str:
        return f"{self.job} {self.period} #{self.attempt} {self.outcome}"

    @property
    def seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class JobLock(models.Model):
    """A lease on one job: taken with a conditional UPDATE (free or expired → ours), so it works
    the same on SQLite and PostgreSQL. A crashed runner's lease simply runs out."""

    job = models.CharField(max_length=64, primary_key=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.job
