"""The guard of the "Scheduled jobs" page. Anyone but coordinators and auditors is refused
with 403 (the page is no secret), and the refusal is recorded."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from shelter.access import guard
from shelter.audit.web import mark_audited, record_refusal
from shelter.jobs.policies import can_view_jobs

TARGET = "jobs.jobrun"


@guard
def access_jobs(request: HttpRequest) -> None:
    """The job log (read-only)."""
    if not can_view_jobs(request.user):
        record_refusal(request, TARGET, None, section="jobs")
        raise PermissionDenied
    mark_audited(request)
