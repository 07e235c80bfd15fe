"""A failing job: outcome failed with the exception's type only, the others still run, and the
next run tries it again (attempt 2)."""

from __future__ import annotations

import datetime
import io
import logging

import pytest
from django.core.management import CommandError, call_command

from shelter.jobs.models import JobRun
from shelter.jobs.registry import JobFailed
from tests.jobs.conftest import JOBS, NOON

pytestmark = pytest.mark.django_db
SECRET = "Ana Pérez sleeps at Keizersgracht 1"


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures, self.calls = failures, 0

    def __call__(self, run: JobRun) -> dict[str, int]:
        self.calls += 1
        if self.calls <= self.failures:
            raise ValueError(SECRET)
        return {"done": 1}


def run_jobs(*args: str) -> None:
    call_command("run_due_jobs", *args, stdout=io.StringIO())


def test_a_failure_keeps_the_type_only_and_the_other_jobs_run(clock, extra_jobs, caplog):
    extra_jobs("aaa_flaky", Flaky(failures=1))
    with caplog.at_level(logging.INFO, logger="shelter"):
        with pytest.raises(CommandError, match="1 job\\(s\\) failed: aaa_flaky"):
            run_jobs()
    failed = JobRun.objects.get(job="aaa_flaky")
    assert (failed.outcome, failed.error_type, failed.counts, failed.attempt) == (
        "failed", "ValueError", {}, 1)
    assert JobRun.objects.filter(outcome="ok").count() == len(JOBS)  # every other job ran
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert SECRET not in logged  # neither the message ...
    assert "ValueError" in logged and "test_failures.py" in logged  # ... but type and frames
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.name == "shelter.jobs" and error.exc_info is None
    assert SECRET not in str(list(JobRun.objects.values()))


def test_the_next_run_retries_in_the_same_period_with_the_attempt_counted(clock, extra_jobs):
    flaky = extra_jobs("aaa_flaky", Flaky(failures=1))
    with pytest.raises(CommandError):
        run_jobs("--job", "aaa_flaky")
    clock.move_to(NOON + datetime.timedelta(minutes=5))
    run_jobs("--job", "aaa_flaky")
    runs = list(JobRun.objects.filter(job="aaa_flaky").order_by("attempt")
                .values_list("period", "attempt", "outcome"))
    assert runs == [("2026-12-02T14+0100", 1, "failed"), ("2026-12-02T14+0100", 2, "ok")]
    run_jobs("--job", "aaa_flaky")
    assert flaky.calls == 2


def test_a_job_may_fail_with_counts(clock, extra_jobs):
    def partial(run):
        raise JobFailed(counts={"checked": 3})
    extra_jobs("partial", partial)
    with pytest.raises(CommandError):
        run_jobs("--job", "partial")
    assert JobRun.objects.get(job="partial").counts == {"checked": 3}


@pytest.mark.parametrize("returned", [{"name": "Ana"}, {"has space": 1}, {"n": 1.5}])
def test_a_job_returning_anything_but_counts_fails(clock, extra_jobs, returned):
    extra_jobs("chatty", lambda run: returned)
    with pytest.raises(CommandError):
        run_jobs("--job", "chatty")
    run = JobRun.objects.get(job="chatty")
    assert (run.outcome, run.error_type, run.counts) == ("failed", "TypeError", {})


def test_a_second_success_in_one_period_is_refused_by_the_database(clock):
    from django.db import IntegrityError, transaction

    JobRun.objects.create(job="x", period="p", attempt=1, started_at=NOON, outcome="ok")
    with pytest.raises(IntegrityError), transaction.atomic():
        JobRun.objects.create(job="x", period="p", attempt=2, started_at=NOON, outcome="ok")
    JobRun.objects.create(job="x", period="p", attempt=2, started_at=NOON, outcome="failed")
