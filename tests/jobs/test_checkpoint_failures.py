"""The daily checkpoint: a failing write adds no log entry, run after run; a delivery that
failed is retried from the file without a second entry; a crashed writer's temporary file
never blocks the next one."""

from __future__ import annotations

import io
import os

import pytest
from django.core.management import CommandError, call_command

from shelter.audit import Action, checkpoints
from shelter.audit import jobs as audit_jobs
from shelter.audit.chain import make_checkpoint, parse_checkpoint
from shelter.jobs.models import JobRun
from tests.factories import head_seq, recorded

pytestmark = pytest.mark.django_db


def run_checkpoint() -> JobRun:
    try:
        call_command("run_due_jobs", "--job", "audit_checkpoint", stdout=io.StringIO())
    except CommandError:  # a failed job makes the command fail: the JobRun row tells which
        pass
    return JobRun.objects.filter(job="audit_checkpoint").latest("pk")


def test_a_failing_write_records_no_checkpoint_entry_run_after_run(clock, checkpoint_dir,
                                                                    monkeypatch):
    def full_disk(checkpoint, day):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(audit_jobs, "checkpoint_write", full_disk)
    since = head_seq()
    assert run_checkpoint().outcome == "failed"
    assert run_checkpoint().outcome == "failed"
    assert recorded(since, Action.CHECKPOINT) == []


def test_a_failed_delivery_is_retried_from_the_file_without_a_second_entry(clock,
                                                                            checkpoint_dir,
                                                                            monkeypatch):
    delivered = []

    def flaky(path, checkpoint, day=None):
        if not delivered:
            delivered.append(None)
            raise ConnectionError("mail server down")
        delivered.append(checkpoint.seq)
        return 1  # one auditor's mail queued

    monkeypatch.setattr(audit_jobs, "checkpoint_deliver", flaky)
    since = head_seq()
    assert run_checkpoint().outcome == "failed"
    [entry] = recorded(since, Action.CHECKPOINT)
    retried = run_checkpoint()
    assert retried.outcome == "ok" and retried.counts["redelivered"] == 1
    assert delivered == [None, entry.facts["seq"]]
    assert len(recorded(since, Action.CHECKPOINT)) == 1
    run_checkpoint()  # the day is done
    assert len(delivered) == 2


def test_a_crashed_writers_leftover_temporary_never_blocks_the_next(checkpoint_dir):
    checkpoint_dir.mkdir()
    # What the old fixed name would have been for this process, left by a crash.
    leftover = checkpoint_dir / f".audit-checkpoint-2026-12-02.json.{os.getpid()}.tmp"
    leftover.write_text("half")
    path = checkpoints.checkpoint_write(make_checkpoint(3, "0" * 64), "2026-12-02")
    assert parse_checkpoint(str(path)).seq == 3
    assert sorted(p.name for p in checkpoint_dir.iterdir()) == sorted([path.name, leftover.name])


def test_a_failing_write_leaves_no_temporary(checkpoint_dir, monkeypatch):
    def no_fsync(fd):
        raise OSError(5, "I/O error")

    monkeypatch.setattr(checkpoints.os, "fsync", no_fsync)
    with pytest.raises(OSError):
        checkpoints.checkpoint_write(make_checkpoint(3, "0" * 64), "2026-12-02")
    assert list(checkpoint_dir.iterdir()) == []
