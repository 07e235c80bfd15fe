"""The housing app's scheduled job (run by `manage.py run_due_jobs`)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from housing.reminders import bookings_unconfirmed
from shelter.jobs.models import JobRun
from shelter.jobs.registry import job
from shelter.notifications.api import notify


@job("raise_booking_reminders", every=timedelta(days=1), at="06:30",
     label=_("Remind of unconfirmed bookings"))
def raise_booking_reminders(run: JobRun) -> dict[str, int]:
    """Each tentative booking not confirmed 14 days before arrival: once per booking (a rerun,
    or the next day, adds nothing)."""
    today = timezone.localdate(run.started_at)
    made = 0
    for booking, people in bookings_unconfirmed(today):
        for person in people:
            made += notify("booking_unconfirmed", person, dedupe=f"booking:{booking.pk}:14d",
                           params={"case": str(booking.case_id)})
    return {"booking_unconfirmed": made}
