"""The job log does not grow forever: successful runs older than SHELTER_JOB_LOG_DAYS go,
each job's last success and every failure stay."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from shelter.jobs.models import JobRun
from shelter.jobs.runner import prune_job_log, run_due

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


def _run(job: str, days_ago: int, outcome: str = "ok", period: str = "") -> JobRun:
    started = timezone.now() - days_ago * DAY
    return JobRun.objects.create(job=job, period=period or f"p{days_ago}", attempt=1,
                                 started_at=started, finished_at=started, outcome=outcome)


def test_old_successes_go_the_last_success_and_failures_stay(settings):
    settings.SHELTER_JOB_LOG_DAYS = 90
    old_ok = _run("a", 200)
    old_failed = _run("a", 150, outcome="failed")
    recent = _run("a", 10)
    only_old = _run("b", 300)  # b's last success, however old
    assert prune_job_log() == 1
    assert set(JobRun.objects.values_list("pk", flat=True)) == {
        old_failed.pk, recent.pk, only_old.pk}
    assert not JobRun.objects.filter(pk=old_ok.pk).exists()


def test_the_runner_prunes_after_its_run(settings, clock):
    settings.SHELTER_JOB_LOG_DAYS = 1
    stale = _run("expire_shares", 5, period="2000-01-01T00+0100")
    run_due(only="expire_shares")
    assert not JobRun.objects.filter(pk=stale.pk).exists()
    assert JobRun.objects.filter(job="expire_shares").count() == 1
