"""The "Scheduled jobs" page: each job, its schedule, last run, outcome, counts, next due."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shelter.jobs.models import JobRun
from tests.factories import verified_client
from tests.jobs.conftest import JOBS, NOON

pytestmark = pytest.mark.django_db


def test_coordinators_see_every_job_with_its_last_run_and_next_due(clock, carla):
    call_command("run_due_jobs", "--job", "expire_shares")
    response = verified_client(carla).get(reverse("jobs:status"))
    body = response.content.decode()
    assert response.status_code == 200
    for name in ("expire_shares", "apply_retention", "audit_checkpoint", "verify_audit_log",
                 "sweep_orphan_files"):
        assert f"<code>{name}</code>" in body
    assert "every hour" in body and "daily at 02:30" in body
    assert "2 December 2026 14:20" in body  # expire_shares' run, local time
    assert "2 December 2026 15:00" in body  # its next period
    assert "<code>expired</code> 0" in body
    # Only expire_shares has run: every other job is due (the mail job this minute).
    assert body.count("Due now") == len(JOBS) - 1


def test_a_failed_run_shows_its_exception_type_and_attempt(clock, aud):
    JobRun.objects.create(job="verify_audit_log", period="2026-12-02", attempt=2,
                          started_at=NOON, finished_at=NOON, outcome="failed",
                          error_type="ChainBroken", counts={"broken_seq": 7})
    body = verified_client(aud).get(reverse("jobs:status")).content.decode()
    assert "ChainBroken" in body and "attempt 2" in body and "<code>broken_seq</code> 7" in body


def test_the_page_costs_the_same_queries_with_many_runs(clock, carla):
    client = verified_client(carla)
    client.get(reverse("jobs:status"))
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("jobs:status"))
    JobRun.objects.bulk_create(
        JobRun(job=job, period=f"2026-11-{day:02}", started_at=NOON, finished_at=NOON,
               outcome="ok", counts={"n": day})
        for day in range(1, 31) for job in ("apply_retention", "verify_audit_log"))
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("jobs:status"))
    assert len(many) == len(few)


def test_the_navigation_links_it_for_coordinators_and_auditors_only(carla, aud, olaf):
    url = reverse("jobs:status")
    assert f'href="{url}"' in verified_client(carla).get("/").content.decode()
    assert f'href="{url}"' in verified_client(aud).get("/").content.decode()
    assert f'href="{url}"' not in verified_client(olaf).get("/").content.decode()
