"""Reads of one's own notifications (the reader is passed in)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from shelter.notifications import kinds
from shelter.notifications.models import Notification, NotificationPreference
from shelter.notifications.text import Summary


def notifications_of(user: Any) -> QuerySet[Notification]:
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: Any) -> int:
    """One COUNT: the bell's number."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@dataclass(frozen=True)
class Row:
    notification: Notification
    summary: Summary
    link: str


def rows(page: Any) -> list[Row]:
    """A page of notifications as rows of summary and link (unknown kinds are left out)."""
    result = []
    for notification in page:
        spec = kinds.get(notification.kind)
        if spec is not None:
            result.append(Row(notification, Summary(spec, notification.count),
                              spec.path(notification.params)))
    return result


@dataclass(frozen=True)
class Preference:
    kind: kinds.Kind
    mode: str


def preferences_of(user: Any) -> list[Preference]:
    """Every kind with the user's mode (security kinds: always immediate)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "mode"))
    return [Preference(spec, "immediate" if spec.security
                       else chosen.get(spec.key, spec.default))
            for spec in kinds.all_kinds()]
