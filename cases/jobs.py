"""The cases app's scheduled jobs (run by `manage.py run_due_jobs`).

Retention: `warn_retention` tells the coordinators, 30 days ahead, of each case the retention
rule will crypto-shred (once per case: the notification's dedupe key); `apply_retention` then
shreds. A case under a legal hold is neither warned about nor shredded.

`raise_reminders` turns what `cases.reminders` counts into notifications, each with a stable
`dedupe` key: a rerun the same day adds nothing."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases import reminders, upkeep
from cases.logistics import selectors as logistics
from shelter.accounts.models import User
from shelter.accounts.roles import Role
from shelter.jobs.models import JobRun
from shelter.jobs.registry import job
from shelter.notifications.api import notify

RETENTION_WARNING_DAYS = 30


@job("warn_retention", every=timedelta(days=1), at="02:00",
     label=_("Warn before retention shreds a case"))
def warn_retention(run: JobRun) -> dict[str, int]:
    """Notify every active coordinator of each case retention will shred within 30 days (kind
    retention_due, one per case and coordinator: a rerun, the next day's run included, adds
    nothing). The notification carries the case id only."""
    due = upkeep.cases_shredded_within(within_days=RETENTION_WARNING_DAYS, now=run.started_at)
    coordinators = list(User.objects.filter(groups__name=Role.COORDINATOR, is_active=True)
                        .order_by("pk").distinct())
    notified = sum(notify("retention_due", coordinator, dedupe=f"retention:{case.pk}",
                          params={"case": str(case.pk)})
                   for case in due for coordinator in coordinators)
    return {"cases": len(due), "notified": notified}


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


@job("raise_reminders", every=timedelta(days=1), at="06:30", label=_("Raise reminders"))
def raise_reminders(run: JobRun) -> dict[str, int]:
    """As of today (the municipality's time zone): tasks due or overdue (one per owner per
    day), arrivals and departures within 7 days (one per case and planned date), shares ending
    within 7 days (one per share), and for the assigned officer each active case whose
    passport, visa, insurance or outbound journey no longer covers the stay (one per case and
    set of failed checks: the same failures remind once, a new one again)."""
    today = timezone.localdate(run.started_at)
    counts = {"tasks_due": 0, "arrival_soon": 0, "departure_soon": 0, "share_ending": 0,
              "travel_documents_ending": 0}
    for owner, n in reminders.tasks_due_per_owner(today).items():
        counts["tasks_due"] += notify("tasks_due", owner, count=n, dedupe=f"tasks:{today}")
    for stay in reminders.stay_dates_ahead(today):
        kind = f"{stay.event}_soon"
        counts[kind] += notify(kind, stay.officer, dedupe=f"{stay.event}:{stay.case_id}:{stay.on}",
                               params={"case": stay.case_id})
    for share, people in reminders.shares_ending(run.started_at):
        for person in people:
            counts["share_ending"] += notify("share_ending", person,
                                             dedupe=f"share:{share.pk}:7d",
                                             params={"case": str(share.case_id)})
    for case, failures in logistics.failing_active_cases(today):
        officer = case.assigned_officer
        if not reminders.may_see(officer, case.pk, "logistics"):
            continue
        codes = "+".join(sorted({f.code for f in failures}))
        digest = hashlib.sha256(codes.encode()).hexdigest()[:16]  # a fixed-length key
        counts["travel_documents_ending"] += notify(
            "travel_documents_ending", officer, count=len(failures),
            dedupe=f"documents:{case.pk}:{digest}", params={"case": str(case.pk)})
    return counts
