"""The jobs and their schedules. Each app declares its jobs in its `jobs.py`::

    from shelter.jobs.registry import job

    @job("expire_shares", every=timedelta(hours=1))
    def expire_shares(run: JobRun) -> dict[str, int]: ...

    @job("apply_retention", every=timedelta(days=1), at="02:30")

A job returns counts (ids and counts only: the job log is shown to operators). It may raise
`Skip` (nothing to do this period; the period counts as done) or `JobFailed(counts=...)` to
fail with counts. Periods are in the municipality's time zone (settings.TIME_ZONE):
"2026-12-02T14+0100" for an hourly job, "2026-12-02T1415+0100" for one every few minutes (the
UTC offset keeps the hour that repeats when summer time ends two periods; ISO 8601's basic
form keeps a key within 20 characters), "2026-12-02" for a daily one, whose period starts at
`at` (default 00:00).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

if TYPE_CHECKING:
    from shelter.jobs.models import JobRun

DAY = datetime.timedelta(days=1)
JobFunction = Callable[["JobRun"], Mapping[str, int]]


class Skip(Exception):  # a decision, not an error
    """Raised by a job: nothing to do in this period; the period counts as done."""


class JobFailed(Exception):
    """Raised by a job that ran but must be recorded as failed, with the counts it has."""

    def __init__(self, *, counts: Mapping[str, int] | None = None) -> None:
        super().__init__()
        self.counts = dict(counts or {})


@dataclass(frozen=True)
class Job:
    name: str
    function: JobFunction
    every: datetime.timedelta
    at: datetime.time
    label: Any = ""

    def period(self, now: datetime.datetime | None = None) -> str:
        """The key of the period `now` falls in (local time; sub-daily keys with the offset)."""
        start = self.period_start(now)
        if self.every == DAY:
            return start.date().isoformat()
        hourly = not self.every % datetime.timedelta(hours=1)
        offset = timezone.localtime(now or timezone.now()).strftime("%z")
        return start.strftime("%Y-%m-%dT%H" if hourly else "%Y-%m-%dT%H%M") + offset

    def period_start(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """The local wall-clock start of the period `now` falls in (naive)."""
        local = timezone.localtime(now or timezone.now()).replace(tzinfo=None)
        offset = datetime.timedelta(hours=self.at.hour, minutes=self.at.minute)
        day_start = datetime.datetime.combine((local - offset).date(), datetime.time()) + offset
        return day_start + ((local - day_start) // self.every) * self.every

    def next_start(self, now: datetime.datetime | None = None) -> datetime.datetime:
        """When the next period begins (aware, local time zone)."""
        return timezone.make_aware(self.period_start(now) + self.every)


_JOBS: dict[str, Job] = {}


def job(name: str, *, every: datetime.timedelta, at: str = "00:00",
        label: Any = "") -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the job `name`, due once every `every` (a divisor of
    one day, or one day) from `at` ("HH:MM", local time)."""
    if every <= datetime.timedelta(0) or DAY % every or every % datetime.timedelta(minutes=1):
        raise ValueError(f"job {name}: `every` must divide one day into whole minutes")
    hour, minute = (int(part) for part in at.split(":"))
    moment = datetime.time(hour, minute)

    def register(function: JobFunction) -> JobFunction:
        existing = _JOBS.get(name)
        if existing and (existing.function.__module__, existing.function.__qualname__) != (
                function.__module__, function.__qualname__):
            raise ValueError(f"job {name} is declared twice")
        _JOBS[name] = Job(name=name, function=function, every=every, at=moment, label=label)
        return function
    return register


def all_jobs() -> list[Job]:
    return [_JOBS[name] for name in sorted(_JOBS)]


def get(name: str) -> Job | None:
    return _JOBS.get(name)
