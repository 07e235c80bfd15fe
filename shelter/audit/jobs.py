"""The access log's scheduled jobs (run by `manage.py run_due_jobs`)."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelter.accounts.models import User
from shelter.accounts.roles import Role
from shelter.audit.chain import ChainReport, CheckpointInvalid, parse_checkpoint
from shelter.audit.checkpoints import checkpoint_deliver, checkpoint_path, checkpoint_write
from shelter.audit.services import chain_head, chain_verify, checkpoint_record
from shelter.jobs.models import JobRun
from shelter.jobs.registry import JobFailed, job
from shelter.notifications.api import notify

logger = logging.getLogger("shelter.audit")


class ChainBroken(JobFailed):
    """The daily verification found the chain broken."""


class CheckpointFileInvalid(JobFailed):
    """The day's checkpoint file exists but is no checkpoint: kept as it is, and the job fails
    loudly (someone who can write the directory must not cancel a day's proof quietly)."""


@job("audit_checkpoint", every=timedelta(days=1), at="00:15", label=_("Audit log checkpoint"))
def audit_checkpoint(run: JobRun) -> dict[str, int]:
    """Write the day's signed head to SHELTER_CHECKPOINT_DIR (once a day, never overwritten),
    record it only once the file is written (a failing write adds no entry, run after run),
    then mail it to every active auditor.

    The runner starts this job again in a day only after a failed attempt; a file that exists
    then was written by that attempt, whose delivery did not finish: it is delivered again
    from the file (at least once), with no second checkpoint entry. A file that is no valid
    checkpoint is kept as it is and the job fails (logged at ERROR)."""
    path = checkpoint_path(run.period)
    if path.exists():
        try:
            checkpoint = parse_checkpoint(str(path))
        except (CheckpointInvalid, IndexError):
            logger.error("audit checkpoint: the file for %s exists but is no checkpoint",
                         run.period)
            raise CheckpointFileInvalid() from None
        mailed = checkpoint_deliver(path, checkpoint, run.period)
        return {"seq": checkpoint.seq, "redelivered": 1, "mailed": mailed}
    checkpoint = chain_head()
    path = checkpoint_write(checkpoint, run.period)
    checkpoint_record(checkpoint)
    mailed = checkpoint_deliver(path, checkpoint, run.period)
    return {"seq": checkpoint.seq, "mailed": mailed}


def chain_broken_alert(report: ChainReport) -> int:
    """Tell the auditors and coordinators at once that the chain is broken (security kind
    `audit_chain_failed`, immediate): once per day and broken entry, however often the failed
    job is retried that day. Returns how many people were alerted."""
    logger.error("audit chain BROKEN at entry seq=%s (%s); %s entries before it verified",
                 report.broken_seq, report.reason, report.entries)
    dedupe = f"chain:{timezone.localdate()}:{report.broken_seq or 0}"
    people = (User.objects.filter(is_active=True, groups__name__in=[Role.AUDITOR,
                                                                    Role.COORDINATOR])
              .distinct().order_by("pk"))
    return sum(notify("audit_chain_failed", person, dedupe=dedupe) for person in people)


@job("verify_audit_log", every=timedelta(days=1), at="01:00", label=_("Verify the audit log"))
def verify_audit_log(run: JobRun) -> dict[str, int]:
    """Verify the whole chain (recorded for the auditors' chain page); broken → failed."""
    report = chain_verify()
    counts = {"entries": report.entries, "last_seq": report.last_seq or 0}
    if not report.ok:
        alerted = chain_broken_alert(report)
        raise ChainBroken(counts={**counts, "broken_seq": report.broken_seq or 0,
                                  "alerted": alerted})
    return counts
