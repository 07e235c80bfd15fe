"""The sharing app's scheduled job (run by `manage.py run_due_jobs`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from cases.sharing.services import shares_expire
from shelter.jobs.models import JobRun
from shelter.jobs.registry import job


@job("expire_shares", every=timedelta(hours=1), label=_("Expire shares"))
def expire_shares(run: JobRun) -> dict[str, int]:
    """Tidy the permission rows of shares that ran out (each one a SHARE_EXPIRE entry)."""
    return {"expired": len(shares_expire(now=run.started_at))}
