"""Invitations go through the outbox: one short attempt right after the commit (through a real
SMTP server too), the link stays on the page as a fallback, a mail server that is down gives an
honest "queued" page (retried by the job), the audit log says queued and then delivered, and
the invitee goes from choosing a password straight on to enrolment."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from shelter.accounts.models import User
from shelter.audit import Action
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.factories import head_seq, recorded, verified_client
from tests.smtp import free_port

pytestmark = pytest.mark.django_db
INVITE = {"email": "new.partner@example.org", "full_name": "Nadia Newpartner", "role": "Partner"}
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/\S+/)")


def invite(carla, ngo):
    return verified_client(carla).post("/accounts/people/invite/",
                                       {**INVITE, "organisation": ngo.pk})


@pytest.mark.django_db(transaction=True)
def test_the_invitation_arrives_at_a_real_smtp_server_and_its_link_works(carla, ngo,
                                                                         smtp_server):
    response = invite(carla, ngo)
    assert response.status_code == 200 and "sent" not in response.context
    page = response.content.decode()
    assert "Invitation made" in page and "on its way" in page
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [INVITE["email"]]
    assert envelope.mail_from == "shelter@municipality.example"
    [message] = smtp_server.inbox.messages()
    assert message["Subject"] == "Uw uitnodiging voor Shelter / Your invitation to Shelter"
    body = message.get_payload(decode=True).decode()
    assert INVITE["full_name"] not in body and "Nadia" not in body  # no name, only the link
    path = LINK.search(body).group(1)
    page = Client().get(path)
    assert page.status_code == 200 and b"Choose your password" in page.content
    # The page's fallback link (made with the account) works as well: both are for one use.
    fallback = LINK.search(response.context["link"]).group(1)
    assert Client().get(fallback).status_code == 200


def test_the_invitation_is_queued_audited_and_then_delivered(carla, ngo):
    since = head_seq()
    page = invite(carla, ngo).content.decode()
    assert 'id="invitation-link">http' in page
    invitee = User.objects.get(email=INVITE["email"])
    [queued] = OutgoingMail.objects.all()
    [asked] = recorded(since, Action.INVITATION_SEND)
    assert (asked.actor_id, asked.target_id, asked.outcome, asked.facts) == (
        carla.pk, str(invitee.pk), "allowed", {"mail": queued.pk})
    assert send_due()["sent"] == 1
    [message] = mail.outbox
    assert message.to == [INVITE["email"]] and LINK.search(message.body)
    [delivered] = recorded(since, Action.MAIL_DELIVERY)
    assert (delivered.actor_id, delivered.target_id, delivered.outcome, delivered.facts) == (
        None, str(invitee.pk), "allowed", {"mail": queued.pk, "kind": "invitation",
                                           "attempts": 1})
    assert INVITE["email"] not in str(asked.facts) + str(delivered.facts)


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_gives_an_honest_page_the_link_and_a_queued_mail(
        carla, ngo, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS = "127.0.0.1", False
    settings.EMAIL_PORT = free_port()  # nothing listens there
    since = head_seq()
    response = invite(carla, ngo)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Invitation made" in page and "retried automatically" in page
    assert 'id="invitation-link">http' in page
    [queued] = OutgoingMail.objects.all()
    assert (queued.state, queued.attempts, queued.last_error_type) == (
        "queued", 1, "ConnectionRefusedError")
    [asked] = recorded(since, Action.INVITATION_SEND)
    assert asked.outcome == "allowed" and asked.facts == {"mail": queued.pk}
    assert recorded(since, Action.MAIL_DELIVERY) == []


def test_after_choosing_a_password_the_invitee_goes_straight_on_to_enrolment(carla, ngo):
    invite(carla, ngo)
    send_due()
    path = LINK.search(mail.outbox[0].body).group(1)
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
