"""Reads of the job log for the status page: a constant number of queries for all jobs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shelter.jobs import registry
from shelter.jobs.models import JobRun
from shelter.jobs.registry import Job


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last: JobRun | None
    due_now: bool
    next_due: datetime.datetime

    @property
    def label(self) -> str:
        return str(self.job.label or self.job.name)

    @property
    def schedule(self) -> str:
        every, at = self.job.every, self.job.at.strftime("%H:%M")
        if every == registry.DAY:
            return _("daily at %(time)s") % {"time": at}
        minutes = int(every.total_seconds() // 60)
        if minutes % 60 == 0:
            hours = minutes // 60
            return ngettext("every hour", "every %(n)s hours", hours) % {"n": hours}
        return ngettext("every minute", "every %(n)s minutes", minutes) % {"n": minutes}

    @property
    def counts(self) -> list[tuple[str, int]]:
        return sorted((self.last.counts or {}).items()) if self.last else []


def job_statuses(now: datetime.datetime | None = None) -> list[JobStatus]:
    """Every registered job with its latest attempt and when it is next due."""
    now = now or timezone.now()
    jobs = registry.all_jobs()
    if not jobs:
        return []
    latest_ids = (JobRun.objects.filter(job__in=[j.name for j in jobs]).values("job")
                  .annotate(latest=Max("id")).values_list("latest", flat=True))
    latest = {run.job: run for run in JobRun.objects.filter(pk__in=latest_ids)}
    current = reduce(or_, (Q(job=j.name, period=j.period(now)) for j in jobs))
    done = set(JobRun.objects.filter(current, outcome__in=JobRun.DONE)
               .values_list("job", flat=True))
    return [JobStatus(job=j, last=latest.get(j.name), due_now=j.name not in done,
                      next_due=now if j.name not in done else j.next_start(now))
            for j in jobs]
