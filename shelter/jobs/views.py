"""The "Scheduled jobs" page: what runs when, and how its last run went (read-only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from shelter.access import guarded_by
from shelter.jobs import selectors
from shelter.jobs.access import access_jobs


@require_GET
@guarded_by(access_jobs)
def status(request: HttpRequest) -> HttpResponse:
    access_jobs(request)
    return render(request, "jobs/status.html", {"statuses": selectors.job_statuses()})
