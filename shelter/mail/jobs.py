"""The outbox's scheduled job: send what is due, every minute (see shelter.mail.outbox)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from shelter.mail import outbox

EVERY = timedelta(minutes=1)


# Wired through the scheduler's registry (shelter.jobs): the single place to connect.
# @job("send_queued_mail", every=EVERY)
def send_queued_mail(run: Any = None) -> dict[str, int]:
    """Send due mails (at most SHELTER_MAIL_PER_RUN), retry failures with backoff, drop stale
    ones, delete finished rows older than 30 days. Counts only."""
    return outbox.send_due()
