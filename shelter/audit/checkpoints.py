"""Checkpoints kept outside the database: one file a day in SHELTER_CHECKPOINT_DIR.

Each file holds one checkpoint line (the JSON `audit_checkpoint` prints), so
`verify_audit_log --checkpoint <file>` checks the chain against it. A file is written once,
atomically (a temporary file of a random name in the same directory, then linked into place,
which fails rather than replace an existing file; renamed with os.replace where the file
system has no hard links), mode 0600, and never overwritten.
"""

from __future__ import annotations

import errno
import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from shelter.accounts.roles import Role
from shelter.audit.chain import Checkpoint
from shelter.mail.outbox import queue_mail

DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EXDEV, errno.EMLINK}


def checkpoint_dir() -> Path:
    return Path(settings.SHELTER_CHECKPOINT_DIR)


def checkpoint_path(day: str) -> Path:
    """The file of `day` ("2026-12-02")."""
    if not DAY.match(day):
        raise ValueError("a checkpoint day is YYYY-MM-DD")
    return checkpoint_dir() / f"audit-checkpoint-{day}.json"


def checkpoint_write(checkpoint: Checkpoint, day: str) -> Path:
    """Write `checkpoint` as the file of `day`; FileExistsError if that day has one already."""
    path = checkpoint_path(day)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary: Path | None = None
    try:
        # A fresh random name (mode 0600): a crashed writer's leftover never blocks this one.
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        temporary = Path(name)
        with os.fdopen(fd, "w") as handle:
            handle.write(checkpoint.as_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        _put_in_place(temporary, path)
    finally:
        if temporary is not None:
            temporary.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    return path


def _put_in_place(temporary: Path, path: Path) -> None:
    """Link the finished file into place: atomic, and it refuses to replace an existing file.
    On a file system without hard links, rename it (the job's lock keeps writers apart)."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as exc:
        if exc.errno not in NO_HARD_LINKS:
            raise
        if path.exists():
            raise FileExistsError(errno.EEXIST, "checkpoint exists") from exc
        os.replace(temporary, path)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def checkpoint_deliver(path: Path, checkpoint: Checkpoint, day: str | None = None) -> int:
    """Send the day's checkpoint on, off this system: a mail (kind "audit_checkpoint", see
    shelter.audit.mails) queued to every active auditor, in the caller's transaction. The
    queued row holds the day and the sequence number only; the hash and MAC are read back from
    `path` when the mail goes out. Returns how many mails were queued."""
    day = day or path.name.removeprefix("audit-checkpoint-").removesuffix(".json")
    auditors = list(get_user_model().objects.filter(groups__name=Role.AUDITOR, is_active=True)
                    .order_by("pk").distinct())
    for auditor in auditors:
        queue_mail("audit_checkpoint", auditor, day=day, seq=checkpoint.seq)
    return len(auditors)
