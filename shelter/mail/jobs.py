"""The outbox's scheduled job: send what is due, every minute (see shelter.mail.outbox)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from shelter.jobs.models import JobRun
from shelter.jobs.registry import job
from shelter.mail import outbox


@job("send_queued_mail", every=timedelta(minutes=1), label=_("Send queued e-mail"))
def send_queued_mail(run: JobRun) -> dict[str, int]:
    """Send due mails (at most SHELTER_MAIL_PER_RUN), retry failures with backoff, drop stale
    ones, delete finished rows older than 30 days. Counts only."""
    return outbox.send_due()
