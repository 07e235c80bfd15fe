"""Each upkeep job, run through run_due_jobs: its effect reaches the database and the disk."""

from __future__ import annotations

import datetime
import io
import logging
import os
import stat
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cases.models import Case, CaseTransition, Document
from cases.services import case_transition
from cases.sharing.models import CaseShare, CaseUserObjectPermission
from shelter.audit import Action
from shelter.audit.chain import parse_checkpoint
from shelter.audit.models import ChainVerification
from shelter.crypto.documents import document_storage, new_storage_name
from shelter.jobs.models import JobRun
from tests.factories import head_seq, make_case, make_share, raw, recorded, triggers_dropped
from tests.jobs.conftest import NOON

pytestmark = pytest.mark.django_db


def run_jobs(*args: str) -> None:
    call_command("run_due_jobs", *args, stdout=io.StringIO())


def last_run(job: str) -> JobRun:
    return JobRun.objects.filter(job=job).latest("pk")


def test_expire_shares_removes_the_permissions_and_records_each_expiry(clock, carla, pia):
    share = make_share(make_case(carla), carla, user=pia)
    CaseShare.objects.filter(pk=share.pk).update(expires_at=NOON - datetime.timedelta(minutes=1))
    since = head_seq()
    run_jobs("--job", "expire_shares")
    assert not CaseUserObjectPermission.objects.filter(user=pia).exists()
    assert [e.target_id for e in recorded(since, Action.SHARE_EXPIRE)] == [str(share.pk)]
    assert last_run("expire_shares").counts == {"expired": 1}
    clock.move_to(NOON + datetime.timedelta(hours=1))
    run_jobs("--job", "expire_shares")
    assert len(recorded(since, Action.SHARE_EXPIRE)) == 1
    assert last_run("expire_shares").counts == {"expired": 0}


def test_apply_retention_shreds_cases_past_retention_once(clock, carla):
    old = make_case(carla, code_name="Old")
    Case.objects.filter(pk=old.pk).update(stage=Case.Stage.UNDER_REVIEW)
    old.refresh_from_db()
    case_transition(case=old, to=Case.Stage.REJECTED, acting_user=carla, reason="done")
    CaseTransition.objects.filter(case=old).update(created_at=NOON - datetime.timedelta(days=800))
    kept = make_case(carla, code_name="Kept")
    since = head_seq()
    run_jobs("--job", "apply_retention")
    old.refresh_from_db()
    kept.refresh_from_db()
    assert old.is_shredded and not kept.is_shredded
    shreds = recorded(since, Action.CASE_SHRED)
    shredded_cases = {e.case_id for e in shreds}
    assert str(old.pk) in shredded_cases and str(kept.pk) not in shredded_cases
    [applied] = recorded(since, Action.RETENTION_APPLY)
    assert applied.facts["cases"] == 1
    assert last_run("apply_retention").counts == {"shredded": 1, "held": 0}
    run_jobs("--job", "apply_retention")  # the same day: nothing more, not even a record
    assert len(recorded(since, Action.RETENTION_APPLY)) == 1
    assert len(recorded(since, Action.CASE_SHRED)) == len(shreds)


def test_the_checkpoint_is_one_file_a_day_mode_0600_never_overwritten(clock, checkpoint_dir,
                                                                      olaf):
    from shelter import audit

    audit.record(olaf, Action.CASE_LIST)
    since = head_seq()
    run_jobs("--job", "audit_checkpoint")
    path = checkpoint_dir / "audit-checkpoint-2026-12-02.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert parse_checkpoint(str(path)).seq == since  # the MAC holds, the head it names
    assert len(recorded(since, Action.CHECKPOINT)) == 1
    assert last_run("audit_checkpoint").counts == {"seq": since, "mailed": 0}
    assert [p.name for p in checkpoint_dir.iterdir()] == [path.name]  # no temporary left

    clock.move_to(NOON + datetime.timedelta(days=1))
    run_jobs("--job", "audit_checkpoint")
    assert sorted(p.name for p in checkpoint_dir.iterdir()) == [
        path.name, "audit-checkpoint-2026-12-03.json"]
    assert parse_checkpoint(str(path)).seq == since  # yesterday's file is untouched


def test_a_day_whose_file_is_no_checkpoint_fails_and_the_file_is_kept(clock, checkpoint_dir):
    checkpoint_dir.mkdir()
    path = checkpoint_dir / "audit-checkpoint-2026-12-02.json"
    path.write_text("earlier\n")
    since = head_seq()
    with pytest.raises(CommandError, match="audit_checkpoint"):
        run_jobs("--job", "audit_checkpoint")
    assert path.read_text() == "earlier\n"
    assert last_run("audit_checkpoint").outcome == "failed"
    assert not recorded(since, Action.CHECKPOINT)


def test_verify_audit_log_records_the_verification(clock, olaf):
    from shelter import audit

    audit.record(olaf, Action.CASE_LIST)
    run_jobs("--job", "verify_audit_log")
    assert ChainVerification.objects.latest().ok
    run = last_run("verify_audit_log")
    assert run.outcome == "ok" and run.counts["entries"] >= 1


def test_a_broken_chain_fails_the_job_and_logs_at_error(clock, olaf, caplog):
    from shelter import audit

    seqs = [audit.record(olaf, Action.CASE_LIST).seq for _ in range(3)]
    with triggers_dropped():
        raw("UPDATE audit_auditevent SET target_id = 'x' WHERE seq = %s", [seqs[1]])
    with caplog.at_level(logging.INFO, logger="shelter"):
        with pytest.raises(Exception, match="1 job\\(s\\) failed: verify_audit_log"):
            run_jobs("--job", "verify_audit_log")
    run = last_run("verify_audit_log")
    assert (run.outcome, run.error_type, run.counts["broken_seq"]) == (
        "failed", "ChainBroken", seqs[1])
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert any(f"BROKEN at entry seq={seqs[1]}" in r.getMessage() for r in errors)
    assert not ChainVerification.objects.latest().ok


def test_sweep_orphan_files_deletes_old_orphans_only(clock, tmp_path):
    storage = document_storage()
    assert storage.location == str(tmp_path / "documents")  # the test's own store
    old = storage.save(new_storage_name(), io.BytesIO(b"\x00" * 64))
    fresh = storage.save(new_storage_name(), io.BytesIO(b"\x00" * 64))
    past = time.time() - 2 * 3600
    os.utime(storage.path(old), (past, past))
    os.utime(storage.path(fresh), (NOON.timestamp(), NOON.timestamp()))
    since = head_seq()
    run_jobs("--job", "sweep_orphan_files")
    assert not storage.exists(old) and storage.exists(fresh)
    assert Document.objects.count() == 0
    assert last_run("sweep_orphan_files").counts == {"deleted": 1, "in_use": 0}
    [sweep] = recorded(since, Action.DOCUMENT_DELETE)
    assert sweep.facts["orphans"] == 1


def test_a_store_without_this_installations_marker_fails_the_sweep(clock):
    from shelter.crypto import storagemark

    storage = document_storage()
    storage.delete(storagemark.MARKER_NAME)
    orphan = storage.save(new_storage_name(), io.BytesIO(b"\x00" * 64))
    with pytest.raises(Exception, match="sweep_orphan_files"):
        run_jobs("--job", "sweep_orphan_files")
    assert storage.exists(orphan)
    assert (last_run("sweep_orphan_files").outcome,
            last_run("sweep_orphan_files").error_type) == ("failed", "StorageNotOurs")


def test_the_time_used_is_the_municipalitys(clock):
    # 23:30 UTC on 2 December is already 3 December in Amsterdam.
    clock.move_to(datetime.datetime(2026, 12, 2, 23, 30, tzinfo=datetime.UTC))
    run_jobs("--job", "expire_shares")
    assert last_run("expire_shares").period == "2026-12-03T00+0100"
    assert timezone.now().hour == 23  # the stored times stay UTC


def test_without_hard_links_the_checkpoint_is_renamed_into_place(clock, checkpoint_dir,
                                                                 monkeypatch):
    import errno

    from shelter.audit import checkpoints
    from shelter.audit.chain import make_checkpoint

    def no_links(source, target):
        raise OSError(errno.EPERM, "no hard links here")
    monkeypatch.setattr(checkpoints.os, "link", no_links)
    path = checkpoints.checkpoint_write(make_checkpoint(1, "0" * 64), "2026-12-02")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and parse_checkpoint(str(path)).seq == 1
    with pytest.raises(FileExistsError):
        checkpoints.checkpoint_write(make_checkpoint(2, "0" * 64), "2026-12-02")
    assert parse_checkpoint(str(path)).seq == 1
    assert [p.name for p in checkpoint_dir.iterdir()] == [path.name]
