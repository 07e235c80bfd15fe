"""run_due_jobs runs each due job once per period, and its effect reaches the database."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from shelter.jobs.models import JobRun
from tests.jobs.conftest import NOON, UPKEEP

pytestmark = pytest.mark.django_db


def run_jobs(*args: str) -> str:
    out = io.StringIO()
    call_command("run_due_jobs", *args, stdout=out)
    return out.getvalue()


def test_every_upkeep_job_is_registered_and_runs_once(clock):
    run_jobs()
    runs = {(r.job, r.period, r.outcome) for r in JobRun.objects.all()}
    assert {job for job, _period, _outcome in runs} >= UPKEEP
    assert ("expire_shares", "2026-12-02T14+0100", "ok") in runs
    assert ("apply_retention", "2026-12-02", "ok") in runs


def test_a_second_run_in_the_same_period_does_nothing(clock):
    run_jobs()
    before = list(JobRun.objects.values_list("pk", flat=True))
    assert run_jobs("--dry-run").endswith("0 job(s) due.\n")
    run_jobs()
    assert list(JobRun.objects.values_list("pk", flat=True)) == before


def test_the_next_hour_runs_the_hourly_job_and_the_next_day_all(clock):
    run_jobs()
    clock.move_to(NOON + datetime.timedelta(hours=1))
    assert "due: expire_shares (period 2026-12-02T15+0100)" in run_jobs("--dry-run")
    run_jobs()
    assert JobRun.objects.filter(job="expire_shares").count() == 2
    assert JobRun.objects.filter(job="apply_retention").count() == 1
    clock.move_to(NOON + datetime.timedelta(days=1))
    run_jobs()
    assert JobRun.objects.filter(job="apply_retention").count() == 2
    assert set(JobRun.objects.values_list("outcome", flat=True)) == {"ok"}


def test_a_daily_job_waits_for_its_time_of_day(clock):
    clock.move_to(datetime.datetime(2026, 12, 2, 1, 0, tzinfo=NOON.tzinfo))
    run_jobs("--job", "apply_retention")  # at 02:30: at 01:00 it is still yesterday's period
    assert list(JobRun.objects.values_list("period", flat=True)) == ["2026-12-01"]
    clock.move_to(datetime.datetime(2026, 12, 2, 2, 30, tzinfo=NOON.tzinfo))
    run_jobs("--job", "apply_retention")
    assert list(JobRun.objects.order_by("pk").values_list("period", flat=True)) == [
        "2026-12-01", "2026-12-02"]


def test_only_the_named_job_runs(clock):
    run_jobs("--job", "expire_shares")
    assert list(JobRun.objects.values_list("job", flat=True)) == ["expire_shares"]


def test_an_unknown_job_is_refused():
    with pytest.raises(CommandError, match="No job named 'nope'"):
        run_jobs("--job", "nope")
