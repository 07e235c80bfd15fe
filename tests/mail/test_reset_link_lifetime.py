"""A reset link sent late by the outbox lives from the request, not from the send; a mail for
an account that signed in since the request is dropped."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.auth import user_logged_in
from django.core import mail
from django.test import RequestFactory
from django.utils import timezone

from shelter.accounts import services
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.mail.conftest import ask_reset

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"/accounts/password/reset/[^/\s]+/([^/\s]+)/")


def _token(message) -> str:
    return TOKEN.search(message.body).group(1)


def test_a_link_sent_late_still_expires_counted_from_the_request(olaf, clock):
    ask_reset(olaf.email)
    clock.shift(datetime.timedelta(minutes=50))
    assert send_due()["sent"] == 1
    token = _token(mail.outbox[0])
    clock.shift(datetime.timedelta(minutes=5))  # 55 minutes after asking: still alive
    assert services.password_reset_tokens.check_token(olaf, token)
    clock.shift(datetime.timedelta(minutes=6))  # 61 minutes after asking, 11 after sending
    assert not services.password_reset_tokens.check_token(olaf, token)


def test_a_reset_mail_for_an_account_signed_in_since_the_request_is_dropped(olaf, clock):
    ask_reset(olaf.email)
    clock.shift(datetime.timedelta(minutes=2))
    user_logged_in.send(sender=type(olaf), request=RequestFactory().get("/"), user=olaf)
    olaf.refresh_from_db()
    assert olaf.last_login > OutgoingMail.objects.get().created_at
    assert send_due()["dropped"] == 1 and mail.outbox == []
    assert OutgoingMail.objects.get().last_error_type == "changed"


def test_the_link_dies_when_the_password_changes_after_it_was_sent(olaf, clock):
    ask_reset(olaf.email)
    assert send_due()["sent"] == 1
    token = _token(mail.outbox[0])
    olaf.set_password("another long passphrase 2")
    olaf.save(update_fields=["password"])
    assert not services.password_reset_tokens.check_token(olaf, token)
    assert timezone.now()  # the clock fixture is in use
