"""The one way to notify someone: `notify(kind, user, count=..., dedupe=..., params=...)`.

Call it inside the business transaction of the event (so the notification exists iff the event
commits) or from a job. `dedupe` names "this fact" (e.g. f"share:{share.pk}:7d"): a second call
for the same (user, kind, dedupe) does nothing and returns False, which is what makes jobs
idempotent. `params` hold ids, counts and short codes only.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from shelter.mail.outbox import queue_mail
from shelter.notifications import kinds
from shelter.notifications.models import Mode, Notification, NotificationPreference

CODE = re.compile(r"[a-z0-9_:-]{0,40}")


def notify(kind: str, user: Any, *, count: int = 1, dedupe: str,
           params: dict[str, Any] | None = None) -> bool:
    """One notification of `kind` for `user`, stored and mailed as their preference says:
    "off" -> nothing stored (security kinds cannot be off); "immediate" -> stored and one
    content-free mail queued; "daily" -> stored, mailed by the daily digest (`send_digests`).
    Inactive users get nothing. Returns True if a notification was made."""
    spec = kinds.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    params = dict(params or {})
    _check(dedupe, count, params)
    if not user.is_active:
        return False
    mode = mode_for(user, spec)
    if mode == Mode.OFF:
        return False
    if Notification.objects.filter(user=user, kind=kind, dedupe=dedupe).exists():
        return False
    try:
        with transaction.atomic():  # a savepoint: a concurrent twin loses without harm
            notification = Notification.objects.create(
                user=user, kind=kind, dedupe=dedupe, count=count, params=params, mode=mode)
    except IntegrityError:
        return False
    if mode == Mode.IMMEDIATE:
        with transaction.atomic():
            queue_mail("notification", user, notification=notification.pk)
            Notification.objects.filter(pk=notification.pk).update(mailed_at=timezone.now())
    return True


def _check(dedupe: str, count: int, params: dict[str, Any]) -> None:
    if not isinstance(dedupe, str) or not dedupe or len(dedupe) > 120:
        raise ValueError("dedupe: a non-empty key of at most 120 characters")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        raise ValueError("count: a whole number")
    for name, value in params.items():
        if not (isinstance(value, bool | int)
                or (isinstance(value, str) and CODE.fullmatch(value))):
            raise ValueError(f"notification param {name!r}: ids, counts and short codes only")


def mode_for(user: Any, spec: kinds.Kind) -> str:
    """The user's mode for a kind: always "immediate" for security kinds, else their
    preference, else the kind's default."""
    if spec.security:
        return Mode.IMMEDIATE
    chosen = (NotificationPreference.objects.filter(user=user, kind=spec.key)
              .values_list("mode", flat=True).first())
    return chosen if chosen in kinds.MODES else spec.default
