"""Writes of the audit app besides `record`: chain verifications and checkpoints."""

from __future__ import annotations

import time
from typing import Any

from django.db import transaction
from django.utils import timezone

from shelter.audit.actions import Action, Outcome
from shelter.audit.chain import (
    GENESIS_HASH,
    ChainReport,
    Checkpoint,
    make_checkpoint,
    verify_chain,
)
from shelter.audit.log import record
from shelter.audit.models import AuditEvent, ChainVerification


def chain_verify(*, acting_user: Any = None, checkpoint: Checkpoint | None = None,
                 chunk_size: int = 5000, workers: int = 1) -> ChainReport:
    """Verify the whole chain, keep the result for the auditors' pages, and log the run.

    The caller checks permission (auditors, or the command line). `workers` > 1 only from a
    single-threaded process (the command line): a long chain is then checked in parts by that
    many processes.
    """
    started = time.monotonic()
    report = verify_chain(checkpoint, chunk_size=chunk_size, workers=workers)
    elapsed_ms = int((time.monotonic() - started) * 1000)
    with transaction.atomic():
        ChainVerification.objects.create(
            time=timezone.now(), ok=report.ok, entries=report.entries,
            last_seq=report.last_seq or None, broken_seq=report.broken_seq,
            reason=report.reason, checkpoint_seq=checkpoint.seq if checkpoint else None,
            actor_id=getattr(acting_user, "pk", None), duration_ms=elapsed_ms)
        record(acting_user, Action.VERIFY, None,
               Outcome.ALLOWED if report.ok else Outcome.REFUSED, ok=report.ok,
               entries=report.entries, broken_seq=report.broken_seq, reason=report.reason,
               checkpoint_seq=checkpoint.seq if checkpoint else None)
    return report


def chain_checkpoint(*, acting_user: Any = None) -> Checkpoint:
    """The current head, authenticated; keep the printed line outside this system."""
    checkpoint = chain_head()
    checkpoint_record(checkpoint, acting_user=acting_user)
    return checkpoint


def chain_head() -> Checkpoint:
    """The current head, authenticated, not yet recorded (see `checkpoint_record`)."""
    head = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
    seq, head_hash = head if head else (0, GENESIS_HASH)
    return make_checkpoint(seq, head_hash)


def checkpoint_record(checkpoint: Checkpoint, *, acting_user: Any = None) -> None:
    """Record that `checkpoint` was taken (printed, or written to its file)."""
    record(acting_user, Action.CHECKPOINT, None, seq=checkpoint.seq)
