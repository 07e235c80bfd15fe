"""The upkeep of cases: crypto-shredding past retention and sweeping orphaned ciphertext.

System work with no user behind it (the scheduled jobs in `cases/jobs.py` and the commands
`apply_retention` and `sweep_orphan_files` call these); each run is recorded in the access log,
even when it found nothing, so the log shows that the upkeep ran.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone

from cases import selectors, services
from cases.models import Case, Document
from shelter import audit
from shelter.audit import Action
from shelter.crypto.api import check_document_storage, purge_shredded_remnants
from shelter.crypto.documents import document_storage
from shelter.health import PROBE_PREFIX

DEFAULT_RETENTION_DAYS = 2 * 365


def retention_days() -> int:
    return int(getattr(settings, "SHELTER_RETENTION_DAYS", DEFAULT_RETENTION_DAYS))


def cases_past_retention(*, days: int | None = None,
                         now: datetime.datetime | None = None) -> list[Case]:
    """The unshredded cases that ended more than `days` (SHELTER_RETENTION_DAYS) ago and that
    no legal hold keeps."""
    return list(selectors.cases_due_for_retention(retention_cutoff(days=days, now=now)))


def retention_cutoff(*, days: int | None = None,
                     now: datetime.datetime | None = None) -> datetime.datetime:
    """Cases that ended before this moment are past retention."""
    return (now or timezone.now()) - datetime.timedelta(days=days or retention_days())


@dataclass(frozen=True)
class RetentionRun:
    shredded: list[Case]
    held: int  # past retention but under an active legal hold: kept


def retention_apply(*, days: int | None = None,
                    now: datetime.datetime | None = None) -> RetentionRun:
    """Crypto-shred every case past retention that no legal hold keeps, record the run
    (RETENTION_APPLY, with how many were shredded and how many held), and purge the freed
    remnants. Irreversible; the scheduler or an operator decided to run it."""
    days = days or retention_days()
    due = cases_past_retention(days=days, now=now)
    held = selectors.cases_held_past_retention(retention_cutoff(days=days, now=now))
    shredded = []
    for case in due:
        try:
            services.case_shred(case=case, acting_user=None, reason="retention")
        except services.CaseHeld:  # a hold placed since the selection: it wins
            held += 1
        else:
            shredded.append(case)
    audit.record(None, Action.RETENTION_APPLY, None, cases=len(shredded), days=days, held=held)
    if shredded:
        purge_shredded_remnants()
    return RetentionRun(shredded=shredded, held=held)


def cases_shredded_within(*, within_days: int = 30, days: int | None = None,
                          now: datetime.datetime | None = None) -> list[Case]:
    """The cases retention will shred within the next `within_days` days, those already due
    included (not held): the same rule as `retention_apply`, with the clock moved forward."""
    later = (now or timezone.now()) + datetime.timedelta(days=within_days)
    return cases_past_retention(days=days, now=later)


@dataclass(frozen=True)
class OrphanSweep:
    orphans: list[str]
    in_use: int


def _stored_names(storage: Any, path: str = "") -> Iterator[str]:
    """Every document object in the store, and the readiness probe's objects (a probe whose
    delete failed is swept like any orphan)."""
    directories, files = storage.listdir(path)
    for name in files:
        if name.endswith(".enc") or (path == PROBE_PREFIX and name.endswith(".probe")):
            yield f"{path}/{name}" if path else name
    for directory in directories:
        yield from _stored_names(storage, f"{path}/{directory}" if path else directory)


def orphan_files_find(*, min_age_minutes: int = 60,
                      now: datetime.datetime | None = None) -> OrphanSweep:
    """Stored ciphertext no document row refers to, older than `min_age_minutes` (younger
    files may belong to an upload still in progress). Raises StorageNotOurs for a store
    without this installation's marker: its files are another installation's documents."""
    storage = document_storage()
    check_document_storage(storage)
    known = set(Document.objects.values_list("storage_name", flat=True))
    cutoff = (now or timezone.now()) - datetime.timedelta(minutes=min_age_minutes)
    orphans = [name for name in _stored_names(storage) if name not in known
               and storage.get_modified_time(name) < cutoff]
    return OrphanSweep(orphans=orphans, in_use=len(known))


def orphan_files_sweep(*, min_age_minutes: int = 60,
                       now: datetime.datetime | None = None) -> OrphanSweep:
    """Delete the orphans `orphan_files_find` names and record the sweep (DOCUMENT_DELETE with
    the count). Their file keys lived only in memory: they are unreadable clutter."""
    sweep = orphan_files_find(min_age_minutes=min_age_minutes, now=now)
    storage = document_storage()
    for name in sweep.orphans:
        storage.delete(name)
    audit.record(None, Action.DOCUMENT_DELETE, None, orphans=len(sweep.orphans))
    return sweep
