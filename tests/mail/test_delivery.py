"""The account mails arrive at a real SMTP server on loopback, in the recipient's language, with
a working link, and carry no defender data (the content-free rule)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from shelter.accounts import services
from shelter.mail.outbox import send_due
from tests.factories import MARKER, make_marked_case, make_marked_defender
from tests.mail.conftest import ask_reset
from tests.mail.contentfree import assert_content_free, defender_data_in

pytestmark = pytest.mark.django_db
RESET = re.compile(r"https?://[^/\s]+(/accounts/password/reset/\S+/)")
INVITATION = re.compile(r"https?://[^/\s]+(/accounts/invitation/\S+/)")


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def test_the_reset_mail_is_in_the_users_own_language_and_its_link_works(olaf, smtp_server):
    olaf.preferred_language = "nl"
    olaf.save(update_fields=["preferred_language"])
    assert ask_reset(olaf.email, language="en").status_code == 200
    assert send_due()["sent"] == 1
    [message] = smtp_server.inbox.messages()
    assert message["To"] == olaf.email
    assert str(message["Subject"]) == "Stel uw Shelter-wachtwoord opnieuw in"
    body = body_of(message)
    assert "60 minuten" in body and olaf.full_name not in body
    page = Client().get(RESET.search(body).group(1))
    assert page.status_code == 200 and "Choose a new password" in page.content.decode()


def test_without_a_preference_the_reset_mail_speaks_the_askers_language(olaf, smtp_server):
    ask_reset(olaf.email, language="nl")
    ask_reset(olaf.email, language="en")
    send_due()
    subjects = [str(m["Subject"]) for m in smtp_server.inbox.messages()]
    assert subjects == ["Stel uw Shelter-wachtwoord opnieuw in", "Reset your Shelter password"]


def test_the_invitation_made_outside_a_request_arrives_with_a_working_link(carla, ngo,
                                                                          smtp_server):
    user, _path = services.user_invite(email="new@example.org", full_name="Nieuwe Naam",
                                       role="Partner", organisation=ngo, acting_user=carla)
    services.invitation_send(user=user, acting_user=carla)
    assert send_due()["sent"] == 1
    [message] = smtp_server.inbox.messages()
    body = body_of(message)
    assert "Nieuwe" not in body and "Naam" not in body
    assert Client().get(INVITATION.search(body).group(1)).status_code == 200


def test_every_account_mail_is_content_free(carla, olaf, ngo, smtp_server):
    defender = make_marked_defender()
    make_marked_case(defender)
    user, _path = services.user_invite(email="x@example.org", full_name="Xavier Invitee",
                                       role="Partner", organisation=ngo, acting_user=carla)
    services.invitation_send(user=user, acting_user=carla)
    ask_reset(olaf.email, language="nl")
    ask_reset(carla.email, language="en")
    send_due()
    raw = [bytes(e.original_content) for e in smtp_server.envelopes]
    assert len(raw) == 3
    for message in raw:
        assert_content_free(message, extra=[MARKER, "Xavier", "Invitee"])


def test_the_content_free_check_finds_a_demo_name_in_any_encoding():
    """The scanner itself: a legal name in a base64 body is still found."""
    from email.mime.text import MIMEText

    leaky = MIMEText("Ana Demo Pérez komt morgen aan.", "plain", "utf-8")  # base64 body
    leaky["Subject"] = "Aankomst"
    assert "Ana Demo Pérez" in defender_data_in(leaky.as_bytes())
    assert "Demostraat 1, 9999 XA Havenstad" in defender_data_in(
        b"Subject: x\r\n\r\nDemostraat 1, 9999 XA Havenstad\r\n")
