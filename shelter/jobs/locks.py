"""Per-job leases in the database, so two runners (two timers, a timer and an operator, two
hosts) never run the same job at once. Called outside any transaction: each step commits."""

from __future__ import annotations

import datetime
import os
import socket
import uuid

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from shelter.jobs.models import JobLock

DEFAULT_LEASE_MINUTES = 30


def lease() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "SHELTER_JOB_LEASE_MINUTES",
                                                  DEFAULT_LEASE_MINUTES)))


def new_token() -> str:
    """Who holds a lease: host, process and a random part (shown to nobody but operators)."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def _ensure_row(name: str) -> None:
    if JobLock.objects.filter(job=name).exists():
        return
    try:
        with transaction.atomic():
            JobLock.objects.create(job=name)
    except IntegrityError:
        pass  # another runner created it first: the same row, which is all we need


def acquire(name: str, token: str, now: datetime.datetime | None = None) -> bool:
    """Take the lease on job `name` for `token` if it is free or expired."""
    now = now or timezone.now()
    _ensure_row(name)
    taken = (JobLock.objects.filter(job=name)
             .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
             .update(claimed_by=token, claimed_until=now + lease()))
    return taken == 1


def release(name: str, token: str) -> None:
    """Give the lease back (only if it is still ours: a lease taken over stays with its taker)."""
    JobLock.objects.filter(job=name, claimed_by=token).update(claimed_by="", claimed_until=None)
