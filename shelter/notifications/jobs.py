"""The daily digest: one content-free mail per user with notifications waiting for it."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from shelter.jobs.models import JobRun
from shelter.jobs.registry import job
from shelter.notifications import services
from shelter.notifications.models import Mode, Notification


@job("send_digests", every=timedelta(days=1), at="07:00", label=_("Send the daily digests"))
def send_digests(run: JobRun) -> dict[str, int]:
    """For each active user with unmailed "daily" notifications, queue one digest and mark
    them mailed. Idempotent twice over: once per day by the job's period, and a notification
    already mailed is never in a second digest."""
    users = get_user_model().objects.filter(
        is_active=True, pk__in=Notification.objects.filter(
            mode=Mode.DAILY, mailed_at__isnull=True).values("user"))
    digests = notifications = 0
    for user in users:
        covered = services.digest_queue(user=user)
        digests += bool(covered)
        notifications += covered
    return {"digests": digests, "notifications": notifications}
