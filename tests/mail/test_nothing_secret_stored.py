"""The outbox stores intentions: after an invitation or a reset is queued (and after it is
sent) no table, and no byte of the SQLite database, holds its link, its token or, in the
outbox, the address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.db import connection

from shelter.accounts import services
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.mail.conftest import ask_reset
from tests.rawscan import tables_containing

pytestmark = pytest.mark.django_db(transaction=True)
TOKEN = re.compile(r"/accounts/(?:invitation|password/reset)/([^/\s]+)/([^/\s]+)/")


def database_bytes() -> bytes:
    """The whole SQLite database as it would be on disk (the test database is in memory)."""
    connection.ensure_connection()
    return connection.connection.serialize()


def queue_both(carla, olaf, ngo):
    user, _path = services.user_invite(email="invitee@example.org", full_name="I",
                                       role="Partner", organisation=ngo, acting_user=carla)
    services.invitation_send(user=user, acting_user=carla)
    ask_reset(olaf.email)
    return user


def assert_no_secret_anywhere(secrets: list[str]) -> None:
    needles = [s.encode() for s in secrets]
    assert tables_containing(needles) == []
    if connection.vendor == "sqlite":
        raw = database_bytes()
        assert not [n for n in needles if n in raw]


def test_a_queued_mail_holds_no_address_and_no_token(carla, olaf, ngo, smtp_down):
    invitee = queue_both(carla, olaf, ngo)
    rows = list(OutgoingMail.objects.values())
    assert {(r["kind"], r["state"]) for r in rows} == {("invitation", "queued"),
                                                       ("password_reset", "queued")}
    stored = " ".join(str(value) for row in rows for value in row.values())
    for address in (invitee.email, olaf.email, "example.org"):
        assert address not in stored
    assert "/accounts/" not in stored and "http" not in stored
    # The params are codes only: the reset's language, nothing else.
    assert sorted(str(r["params"]) for r in rows) == ["{'language': 'en'}", "{}"]
    # And the links the mails will carry are nowhere: made only when sent.
    links = [services.invitation_path(invitee), services.password_reset_path(olaf)]
    assert_no_secret_anywhere([TOKEN.search(link).group(2) for link in links])


def test_a_sent_mail_left_no_link_or_token_behind(carla, olaf, ngo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    queue_both(carla, olaf, ngo)
    send_due()
    assert len(mail.outbox) == 2
    secrets = []
    for message in mail.outbox:
        uid, token = TOKEN.search(message.body).groups()
        secrets += [token, f"{uid}/{token}"]
    assert set(OutgoingMail.objects.values_list("state", flat=True)) == {"sent"}
    assert_no_secret_anywhere(secrets)
