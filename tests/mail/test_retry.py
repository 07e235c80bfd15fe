"""A mail server that is down never fails a request; the job retries with backoff (1, 2, 4 …
minutes, at most 6 hours) under a moved clock, delivers once the server is up, and gives up
after SHELTER_MAIL_MAX_ATTEMPTS with an ERROR that names no address."""

from __future__ import annotations

import datetime
import logging

import pytest

from shelter.accounts import services
from shelter.audit import Action
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.factories import head_seq, recorded
from tests.mail.conftest import NOON, ask_reset
from tests.smtp import SMTPServer

pytestmark = pytest.mark.django_db
MINUTE = datetime.timedelta(minutes=1)


def the_mail() -> OutgoingMail:
    return OutgoingMail.objects.get()


@pytest.mark.django_db(transaction=True)
def test_smtp_down_the_request_answers_and_the_job_retries_then_delivers(
        olaf, clock, smtp_down, settings):
    response = ask_reset(olaf.email)
    assert response.status_code == 200  # no 500, and no attempt at all: the job sends resets
    queued = the_mail()
    assert (queued.state, queued.attempts, queued.last_error_type) == ("queued", 0, "")
    # The server is down: the run stops, and the mail's attempt is not counted.
    assert send_due()["server_down"] == 1
    assert (the_mail().attempts, the_mail().next_attempt_at) == (0, NOON)
    server = SMTPServer()
    server.port = smtp_down
    server.start()
    try:
        clock.shift(MINUTE)
        assert send_due()["sent"] == 1
        sent = the_mail()
        assert (sent.state, sent.attempts, sent.sent_at) == ("sent", 1, NOON + MINUTE)
        assert len(server.envelopes) == 1
        clock.shift(MINUTE)
        assert send_due()["sent"] == 0 and len(server.envelopes) == 1  # sent once
    finally:
        server.stop()


def test_the_backoff_doubles_up_to_six_hours_and_then_gives_up(carla, ngo, clock, settings,
                                                               caplog):
    settings.SHELTER_MAIL_MAX_ATTEMPTS = 12
    settings.EMAIL_BACKEND = "tests.mail.conftest.RefusingBackend"  # this mail, not the server
    user, _path = services.user_invite(email="down@example.org", full_name="D", role="Partner",
                                       organisation=ngo, acting_user=carla)
    since = head_seq()
    services.invitation_send(user=user, acting_user=carla)  # in a test transaction: queued
    delays = []
    with caplog.at_level(logging.WARNING, logger="shelter.mail"):
        for _attempt in range(12):
            before = the_mail()
            clock.move_to(before.next_attempt_at)
            send_due()
            after = the_mail()
            if after.state == "queued":
                delays.append(after.next_attempt_at - before.next_attempt_at)
    assert delays[:4] == [MINUTE, 2 * MINUTE, 4 * MINUTE, 8 * MINUTE]
    assert delays[-2:] == [datetime.timedelta(hours=6)] * 2 and len(delays) == 11
    failed = the_mail()
    assert (failed.state, failed.attempts, failed.last_error_type) == (
        "failed", 12, "SMTPDataError")
    [error] = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert error.getMessage() == (
        f"mail: invitation #{failed.pk} for user {user.pk} given up after 12 attempts "
        "(SMTPDataError)")
    assert all("example.org" not in r.getMessage() for r in caplog.records)
    [gave_up] = recorded(since, Action.MAIL_DELIVERY)
    assert (gave_up.target_id, gave_up.outcome, gave_up.facts) == (
        str(user.pk), "rejected", {"mail": failed.pk, "kind": "invitation", "attempts": 12,
                                   "reason": "gave_up"})
    clock.shift(datetime.timedelta(days=1))
    assert send_due()["retry"] == 0  # given up is final


def test_finished_mails_are_deleted_after_thirty_days(olaf, clock, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ask_reset(olaf.email)
    assert send_due()["sent"] == 1
    clock.shift(datetime.timedelta(days=29))
    assert send_due()["deleted"] == 0 and OutgoingMail.objects.count() == 1
    clock.shift(datetime.timedelta(days=2))
    assert send_due()["deleted"] == 1 and not OutgoingMail.objects.exists()
