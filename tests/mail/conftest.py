"""Fixtures for the outbox tests: the clock held still (time-machine; never slept), a mail
server that is down, and helpers to ask for mails."""

from __future__ import annotations

import datetime
import smtplib
import zoneinfo

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from tests.smtp import free_port

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOON = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=AMSTERDAM)


@pytest.fixture(autouse=True)
def _no_padding(settings):
    settings.SHELTER_PASSWORD_RESET_MIN_SECONDS = 0


@pytest.fixture
def clock():
    """The clock at NOON, held still; `clock.shift(delta)` moves it."""
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


@pytest.fixture
def smtp_down(settings):
    """Mail goes over SMTP to a port where nothing listens (connection refused at once)."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = "127.0.0.1", False, False
    settings.EMAIL_PORT = free_port()
    settings.EMAIL_TIMEOUT = settings.SHELTER_MAIL_ATTEMPT_TIMEOUT = 2
    return settings.EMAIL_PORT


def ask_reset(address: str, language: str = "en"):
    return Client(HTTP_ACCEPT_LANGUAGE=language).post("/accounts/password/forgot/",
                                                      {"email": address})


class RefusingBackend(BaseEmailBackend):
    """A server that is up but refuses every message (a mail's own failure, retried)."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPDataError(554, b"refused")


class WhenBackend(BaseEmailBackend):
    """Notes for each message whether it was sent while a request was still being answered."""

    during_request: list[bool] = []

    def send_messages(self, email_messages):
        from shelter.mail import outbox
        WhenBackend.during_request.extend(outbox._pending.get() is not None
                                          for _message in email_messages)
        return len(email_messages)
