"""Two runners never overlap: a job whose lease is held is skipped; an expired lease (a crashed
runner) is taken over; and two real runner processes at once run each job exactly once."""

from __future__ import annotations

import datetime
import io
import logging
import subprocess
import sys

import pytest
from django.core.management import call_command

from shelter.crypto.keyfile import generate_key_file
from shelter.jobs import locks
from shelter.jobs.models import JobLock, JobRun
from tests.crypto.processes import ROOT, environment, manage, process_database, query
from tests.jobs.conftest import NOON, UPKEEP

pytestmark = pytest.mark.django_db


def run_jobs(*args: str) -> None:
    call_command("run_due_jobs", *args, stdout=io.StringIO())


def test_a_job_another_runner_holds_is_skipped_and_logged(clock, caplog):
    assert locks.acquire("expire_shares", "other-runner")
    with caplog.at_level(logging.INFO, logger="shelter.jobs"):
        run_jobs()
    assert not JobRun.objects.filter(job="expire_shares").exists()
    assert JobRun.objects.filter(job="apply_retention").exists()
    assert any("job=expire_shares" in r.getMessage() and "lock" in r.getMessage()
               and r.levelno == logging.INFO for r in caplog.records)
    assert JobLock.objects.get(job="expire_shares").claimed_by == "other-runner"
    locks.release("expire_shares", "other-runner")
    run_jobs()
    assert JobRun.objects.filter(job="expire_shares", outcome="ok").count() == 1


def test_a_crashed_runners_lease_runs_out_and_is_taken_over(clock, settings):
    settings.SHELTER_JOB_LEASE_MINUTES = 30
    assert locks.acquire("expire_shares", "crashed-runner")
    clock.move_to(NOON + datetime.timedelta(minutes=29))
    run_jobs("--job", "expire_shares")
    assert not JobRun.objects.filter(job="expire_shares").exists()
    clock.move_to(NOON + datetime.timedelta(minutes=30))
    run_jobs("--job", "expire_shares")
    assert JobRun.objects.filter(job="expire_shares", outcome="ok").count() == 1
    lock = JobLock.objects.get(job="expire_shares")
    assert (lock.claimed_by, lock.claimed_until) == ("", None)  # released after the run


def test_a_lease_is_released_only_by_its_holder():
    assert locks.acquire("j", "a")
    assert not locks.acquire("j", "b")
    locks.release("j", "b")
    assert not locks.acquire("j", "b")
    locks.release("j", "a")
    assert locks.acquire("j", "b")


@pytest.mark.django_db(transaction=True)
def test_two_runner_processes_at_once_run_each_job_exactly_once(tmp_path):
    """Real processes against one database (a SQLite file, or PostgreSQL when the suite runs
    on it): both start together, and every job has exactly one run, and one checkpoint file."""
    key_file = tmp_path / "keys" / "master.json"
    generate_key_file(str(key_file))
    with process_database(tmp_path) as database_url:
        env = environment(tmp_path, database_url, key_file)
        migrated = manage(env, "migrate", "--noinput")
        assert migrated.returncode == 0, migrated.stderr
        marked = manage(env, "sweep_orphan_files", "--mark-storage")
        assert marked.returncode == 0, marked.stderr
        command = [sys.executable, "manage.py", "run_due_jobs"]
        runners = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True) for _ in range(2)]
        outputs = [runner.communicate(timeout=240) for runner in runners]
        for runner, (_out, err) in zip(runners, outputs, strict=True):
            assert runner.returncode == 0, err
        # The mail job is due every minute: the two runners may straddle a minute, so only
        # the upkeep jobs' periods are certainly shared (the mail job's lock has its own test).
        runs = [run for run in query(database_url, "SELECT job, outcome FROM jobs_jobrun")
                if run[0] in UPKEEP]
        assert sorted(runs) == [(job, "ok") for job in sorted(UPKEEP)], runs
        logged = [line for _out, err in outputs for line in err.splitlines()
                  if "outcome=" in line and line.split("job=")[1].split()[0] in UPKEEP]
        assert len(logged) == len(UPKEEP), logged  # one log line per job, from either runner
        checkpoints = query(database_url,
                            "SELECT count(*) FROM audit_auditevent WHERE action = 703")
        assert checkpoints == [(1,)]  # one checkpoint entry in the log
        assert len(list((tmp_path / "checkpoints").iterdir())) == 1
