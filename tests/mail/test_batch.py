"""A run of the job: one connection, stops at a server that is down (attempts not counted),
keeps a time budget, and one mail's error does not stop the others."""

from __future__ import annotations

import logging

import pytest
from django.db import DatabaseError

from shelter.mail import middleware, outbox
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import queue_mail, send_due

pytestmark = pytest.mark.django_db


def _queue_three(users):
    return [queue_mail("password_reset", user, language="en").pk for user in users]


def test_a_server_that_is_down_stops_the_run_without_counting_attempts(olaf, otto, carla,
                                                                       smtp_down, clock):
    _queue_three([olaf, otto, carla])
    counts = send_due()
    assert (counts["server_down"], counts["retry"], counts["sent"]) == (1, 0, 0)
    assert sorted(OutgoingMail.objects.values_list("state", "attempts")) == [("queued", 0)] * 3


def test_one_connection_serves_the_whole_run(olaf, otto, carla, settings, monkeypatch):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    made = []
    real = outbox.get_connection
    monkeypatch.setattr(outbox, "get_connection", lambda **kw: made.append(1) or real(**kw))
    _queue_three([olaf, otto, carla])
    assert send_due()["sent"] == 3 and len(made) == 1


def test_the_run_stops_starting_mails_when_its_time_is_up(olaf, settings):
    settings.SHELTER_MAIL_BATCH_SECONDS = -1
    _queue_three([olaf])
    assert send_due()["sent"] == 0 and OutgoingMail.objects.get().state == "queued"


def test_one_mails_database_error_does_not_stop_the_batch(olaf, otto, monkeypatch, caplog):
    first, _second = _queue_three([olaf, otto])
    real = outbox.attempt

    def flaky(pk, **kwargs):
        if pk == first:
            raise DatabaseError("secret detail")
        return real(pk, **kwargs)

    monkeypatch.setattr(outbox, "attempt", flaky)
    with caplog.at_level(logging.ERROR, logger="shelter.mail"):
        counts = send_due()
    assert (counts["errors"], counts["sent"]) == (1, 1)
    assert f"#{first} attempt failed (DatabaseError)" in caplog.text
    assert "secret detail" not in caplog.text


def test_an_error_after_the_response_is_logged_not_swallowed(monkeypatch, caplog):
    def broken(pk, **kwargs):
        raise DatabaseError("secret detail")

    monkeypatch.setattr(outbox, "attempt", broken)
    with caplog.at_level(logging.ERROR, logger="shelter.mail"):
        middleware._attempt_all([7, 8])
    assert "#7 attempt after the response failed (DatabaseError)" in caplog.text
    assert "#8 attempt after the response failed" in caplog.text
    assert "secret detail" not in caplog.text
