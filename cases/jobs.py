"""The cases app's scheduled jobs (run by `manage.py run_due_jobs`).

The retention warning and legal holds come with the notifications (issue 15, part 2): the
warning will be a job of its own here; a hold is honoured by `cases.selectors`."""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from cases import upkeep
from shelter.jobs.models import JobRun
from shelter.jobs.registry import job


@job("apply_retention", every=timedelta(days=1), at="02:30", label=_("Apply retention"))
def apply_retention(run: JobRun) -> dict[str, int]:
    """Crypto-shred the cases past SHELTER_RETENTION_DAYS that no legal hold keeps (recorded
    per case and per run); the held ones are counted."""
    result = upkeep.retention_apply(now=run.started_at)
    return {"shredded": len(result.shredded), "held": result.held}


@job("sweep_orphan_files", every=timedelta(days=1), at="03:30",
     label=_("Sweep orphaned files"))
def sweep_orphan_files(run: JobRun) -> dict[str, int]:
    """Delete stored ciphertext no document refers to (older than an hour)."""
    sweep = upkeep.orphan_files_sweep(now=run.started_at)
    return {"deleted": len(sweep.orphans), "in_use": sweep.in_use}
