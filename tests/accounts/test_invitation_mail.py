"""Invitations are e-mailed (through a real SMTP server too), the link stays on the page as a
fallback, a mail server that is down gives a clear page and a `rejected` audit entry, and the
invitee goes from choosing a password straight on to enrolment."""

from __future__ import annotations

import email
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client, override_settings

from shelter.accounts.models import User
from shelter.audit import Action
from tests.factories import head_seq, recorded, verified_client

pytestmark = pytest.mark.django_db
INVITE = {"email": "new.partner@example.org", "full_name": "Nadia Newpartner", "role": "Partner"}
LINK = re.compile(r"https?://\S+/accounts/invitation/\S+/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """An aiosmtpd handler that keeps every envelope it receives."""

    def __init__(self) -> None:
        self.envelopes: list = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.envelopes.append(envelope)
        return "250 Message accepted"


@pytest.fixture
def smtp_server():
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                           EMAIL_HOST="127.0.0.1", EMAIL_PORT=port, EMAIL_USE_TLS=False,
                           EMAIL_USE_SSL=False, EMAIL_HOST_USER="", EMAIL_HOST_PASSWORD="",
                           DEFAULT_FROM_EMAIL="shelter@municipality.example"):
        yield inbox
    controller.stop()


def invite(carla, ngo):
    return verified_client(carla).post("/accounts/people/invite/",
                                       {**INVITE, "organisation": ngo.pk})


def test_the_invitation_arrives_at_a_real_smtp_server_and_its_link_works(carla, ngo,
                                                                         smtp_server):
    response = invite(carla, ngo)
    assert response.status_code == 200 and response.context["sent"] is True
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [INVITE["email"]]
    assert envelope.mail_from == "shelter@municipality.example"
    message = email.message_from_bytes(envelope.content)
    assert message["Subject"] == "Uw uitnodiging voor Shelter / Your invitation to Shelter"
    body = message.get_payload(decode=True).decode()
    assert INVITE["full_name"] not in body and "Nadia" not in body  # no name, only the link
    link = LINK.search(body).group(0)
    assert link == response.context["link"]
    page = Client().get(link.split("testserver", 1)[1])
    assert page.status_code == 200 and b"Choose your password" in page.content


def test_the_invitation_is_sent_with_the_link_on_the_page_as_fallback(carla, ngo):
    since = head_seq()
    page = invite(carla, ngo).content.decode()
    [message] = mail.outbox
    assert message.to == [INVITE["email"]] and LINK.search(message.body)
    link = LINK.search(message.body).group(0)
    assert "Invitation sent" in page and f'id="invitation-link">{link}<' in page
    invitee = User.objects.get(email=INVITE["email"])
    [sent] = recorded(since, Action.INVITATION_SEND)
    assert (sent.actor_id, sent.target_id, sent.outcome, sent.facts) == (
        carla.pk, str(invitee.pk), "allowed", {})
    assert INVITE["email"] not in str(sent.facts)


def test_a_mail_server_that_is_down_gives_a_clear_page_the_link_and_an_audit_entry(
        carla, ngo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", False, 2
    settings.EMAIL_PORT = free_port()  # nothing listens there
    since = head_seq()
    response = invite(carla, ngo)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The e-mail could not be sent" in page and 'id="invitation-link">http' in page
    invitee = User.objects.get(email=INVITE["email"])
    [failed] = recorded(since, Action.INVITATION_SEND)
    assert (failed.target_id, failed.outcome, failed.facts) == (
        str(invitee.pk), "rejected", {"reason": "delivery_failed"})


def test_after_choosing_a_password_the_invitee_goes_straight_on_to_enrolment(carla, ngo):
    invite(carla, ngo)
    path = LINK.search(mail.outbox[0].body).group(0).split("testserver", 1)[1]
    client = Client()
    strong = "a much longer passphrase 42"
    response = client.post(path, {"password1": strong, "password2": strong})
    assert response.status_code == 302 and response["Location"] == "/accounts/enrol/"
    assert client.get("/accounts/enrol/").status_code == 200
    # Signed in with the first factor only: everything else leads back to enrolment.
    for elsewhere in ("/", "/cases/", "/accounts/people/"):
        answer = client.get(elsewhere)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/enrol/")
    invitee = User.objects.get(email=INVITE["email"])
    assert invitee.check_password(strong)
    assert Client().get(path).status_code == 404  # the link worked once
