"""The notification mails, rendered when they go out (see shelter.mail): the kind's summary (a
count) and a link, nothing about anyone. Mail travels through systems the programme does not
control, so nothing else ever goes in (SECURITY.md, "Content-free mail")."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from shelter.mail.outbox import Drop
from shelter.mail.registry import MailKind, register
from shelter.notifications import kinds
from shelter.notifications.models import Notification
from shelter.notifications.text import Summary


def site_url() -> str:
    """The base of the links in mails (no request at send time): SHELTER_SITE_URL."""
    return (settings.SHELTER_SITE_URL or "http://localhost:8000").rstrip("/")


def _notification_context(user: Any, params: dict[str, Any]) -> dict[str, Any]:
    notification = Notification.objects.filter(pk=params.get("notification"), user=user).first()
    spec = kinds.get(notification.kind) if notification is not None else None
    if spec is None:
        raise Drop("gone")
    return {"summary": Summary(spec, notification.count),
            "link": site_url() + spec.path(notification.params)}


def _digest_context(user: Any, params: dict[str, Any]) -> dict[str, Any]:
    rows = Notification.objects.filter(
        user=user, mode="daily", pk__gte=params.get("first", 0), pk__lte=params.get("last", 0),
    ).values_list("kind", "count")
    totals: dict[str, int] = defaultdict(int)
    for kind, count in rows:
        totals[kind] += count
    lines = [Summary(kinds.get(key), total) for key, total in sorted(totals.items())
             if kinds.get(key) is not None]
    if not lines:
        raise Drop("empty")
    return {"lines": lines, "link": site_url() + reverse("notifications:list")}


register(MailKind(
    name="notification", subject="", template="notifications/email/notification.txt",
    context=_notification_context, subject_of=lambda context: str(context["summary"]),
    # Sent by the job (every minute), never right after a request's answer: a lockout alert is
    # queued by a failed sign-in, and the answer's timing must not tell that the account exists.
    attempt_after_commit=False))

register(MailKind(
    name="digest", subject=_("Your daily Shelter summary"),
    template="notifications/email/digest.txt", context=_digest_context))
