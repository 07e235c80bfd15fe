"""Writes on one's own notifications and preferences.

Notifications are the reader's own messages, not case content: marking them read or choosing
how they arrive is no access to anyone's data, so no audit record is written for it (the
access log records who saw or changed data about people, not who cleared their inbox).
Callers have checked that `user` is the signed-in user acting on their own rows.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from shelter.mail.outbox import queue_mail
from shelter.notifications import kinds
from shelter.notifications.models import Mode, Notification, NotificationPreference


class SecurityKindLocked(Exception):
    """A security kind's mode cannot be changed."""


def notification_mark_read(*, user: Any, pk: int) -> bool:
    """Mark one of `user`'s own notifications read; False if there is no such (own) row."""
    own = Notification.objects.filter(pk=pk, user=user)
    if not own.exists():
        return False
    own.filter(read_at__isnull=True).update(read_at=timezone.now())
    return True


def notifications_mark_all_read(*, user: Any) -> int:
    """Mark all of `user`'s unread notifications read; returns how many."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now())


def preferences_set(*, user: Any, modes: dict[str, str]) -> None:
    """Store `user`'s mode per kind. A security kind in `modes` refuses the whole change
    (SecurityKindLocked) and nothing is stored; unknown kinds and modes raise ValueError."""
    for key, mode in modes.items():
        spec = kinds.get(key)
        if spec is None or mode not in kinds.MODES:
            raise ValueError("unknown kind or mode")
        if spec.security:
            raise SecurityKindLocked(key)
    with transaction.atomic():
        for key, mode in modes.items():
            NotificationPreference.objects.update_or_create(
                user=user, kind=key, defaults={"mode": Mode(mode)})


def digest_queue(*, user: Any) -> int:
    """Queue one digest mail for `user`'s unmailed "daily" notifications and mark them mailed,
    in one transaction (so a digest is queued iff its notifications are marked). Returns how
    many notifications it covers (0: nothing queued)."""
    with transaction.atomic():
        pending = Notification.objects.select_for_update().filter(
            user=user, mode=Mode.DAILY, mailed_at__isnull=True)
        ids = sorted(pending.values_list("pk", flat=True))
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids).update(mailed_at=timezone.now())
        queue_mail("digest", user, first=ids[0], last=ids[-1])
    return len(ids)
