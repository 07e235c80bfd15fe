"""The daily digest: one content-free mail per user, once, through a real SMTP server."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from shelter.jobs.models import JobRun
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from shelter.notifications.api import notify
from shelter.notifications.models import Notification
from tests.mail.contentfree import assert_content_free

pytestmark = pytest.mark.django_db(transaction=True)


NAME = "Olaf Vandermeulen-Testnaam"


def named(user):
    user.full_name = NAME
    user.save(update_fields=["full_name"])
    return user


def run() -> None:
    call_command("run_due_jobs", "--job", "send_digests", stdout=io.StringIO())


def test_digest_twice_with_the_clock_moved_sends_once(olaf, otto, clock, smtp_server):
    named(olaf)
    notify("test_tasks_due", olaf, count=3, dedupe="tasks:1")
    notify("test_tasks_due", olaf, count=2, dedupe="tasks:2")
    notify("test_tasks_due", otto, count=1, dedupe="tasks:1")
    run()
    run()  # the same day: the job's period is done
    clock.shift(datetime.timedelta(hours=3))
    run()
    [done] = JobRun.objects.filter(job="send_digests")
    assert done.counts == {"digests": 2, "notifications": 3} and done.period == "2026-12-02"
    clock.shift(datetime.timedelta(days=1))
    run()  # the next day: nothing new, no mail
    assert JobRun.objects.get(job="send_digests", period="2026-12-03").counts["digests"] == 0
    send_due()
    raw = smtp_server.inbox.raw()
    assert len(raw) == 2
    mine = next(m for m in smtp_server.inbox.messages() if m["To"] == olaf.email)
    body = mine.get_payload(decode=True).decode()
    assert "5 tasks are due" in body and "http://localhost:8000/notifications/" in body
    assert not Notification.objects.filter(mailed_at__isnull=True).exists()
    for message in raw:
        assert_content_free(message, [NAME])


def test_immediate_and_security_mails_are_content_free_and_in_the_users_language(
        olaf, smtp_server):
    named(olaf)
    olaf.preferred_language = "nl"
    olaf.save(update_fields=["preferred_language"])
    notify("test_share_ending", olaf, dedupe="share:1:7d", params={"case": 12})
    notify("lockout", olaf, dedupe="lockout:1")
    send_due()
    raw = smtp_server.inbox.raw()
    assert len(raw) == 2
    for message in raw:
        assert_content_free(message, [NAME])
    subjects = {str(m["Subject"]) for m in smtp_server.inbox.messages()}
    assert subjects == {"1 deling loopt binnen 7 dagen af",  # the share reminder's own words
                        "Uw account is 1 keer vergrendeld na mislukte aanmeldingen"}, subjects


def test_no_digest_for_an_inactive_user(olaf, clock):
    notify("test_tasks_due", olaf, count=3, dedupe="tasks:1")
    olaf.is_active = False
    olaf.save(update_fields=["is_active"])
    run()
    assert JobRun.objects.get(job="send_digests").counts == {"digests": 0, "notifications": 0}
    assert not OutgoingMail.objects.exists()
