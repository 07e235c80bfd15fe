"""Fixtures for the scheduled-job tests: a checkpoint directory of the test's own, the clock
held still (time-machine; never slept), and a registry the test may add jobs to."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from shelter.jobs import registry

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# A Wednesday afternoon in the municipality: every job's current period has begun.
NOON = datetime.datetime(2026, 12, 2, 14, 20, tzinfo=AMSTERDAM)
UPKEEP = {"apply_retention", "audit_checkpoint", "expire_shares", "sweep_orphan_files",
          "verify_audit_log", "warn_retention"}
# Every registered job: the upkeep, the outbox's (shelter/mail/jobs.py, every minute), the
# digest (shelter/notifications/jobs.py) and the daily reminders (cases/ and housing/jobs.py).
JOBS = UPKEEP | {"send_queued_mail", "send_digests", "raise_reminders",
                 "raise_booking_reminders"}


@pytest.fixture(autouse=True)
def checkpoint_dir(settings, tmp_path):
    settings.SHELTER_CHECKPOINT_DIR = str(tmp_path / "checkpoints")
    return tmp_path / "checkpoints"


@pytest.fixture(autouse=True)
def marked_store(db, settings, tmp_path):
    """A document store of the test's own (the sweep must not see the session's shared store),
    marked as this installation's, as after the first upload: the sweep may delete in it."""
    from shelter.crypto.api import mark_document_storage
    from shelter.crypto.documents import document_storage

    settings.STORAGES = {**settings.STORAGES, "documents": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(tmp_path / "documents"), "base_url": None}}}
    mark_document_storage(document_storage())


@pytest.fixture
def clock():
    """The clock at NOON, held still; `clock.move_to(when)` moves it."""
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def extra_jobs(monkeypatch):
    """add(name, function, every=..., at=...) registers a job for this test only."""
    monkeypatch.setattr(registry, "_JOBS", dict(registry._JOBS))

    def add(name, function, every=datetime.timedelta(hours=1), at="00:00"):
        registry.job(name, every=every, at=at)(function)
        return function
    return add
