"""The outbox is sent by the `send_queued_mail` job of run_due_jobs, once a minute."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core import mail
from django.core.management import call_command

from shelter.jobs.models import JobRun
from tests.mail.conftest import ask_reset

pytestmark = pytest.mark.django_db


def run(*args: str) -> None:
    call_command("run_due_jobs", "--job", "send_queued_mail", *args, stdout=io.StringIO())


def test_the_job_sends_what_is_queued_and_logs_its_counts(olaf, clock):
    ask_reset(olaf.email)
    run()
    assert len(mail.outbox) == 1
    [done] = JobRun.objects.filter(job="send_queued_mail")
    assert done.outcome == "ok" and done.counts["sent"] == 1
    assert done.period == "2026-12-02T1200+0100"
    ask_reset(olaf.email)
    run()  # the same minute: already done
    assert len(mail.outbox) == 1
    clock.shift(datetime.timedelta(minutes=1))
    run()
    assert len(mail.outbox) == 2
