"""The day's checkpoint reaches every active auditor by mail, at a real SMTP server on loopback:
sequence number, head hash and MAC, and nothing about anyone."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command

from shelter.accounts.roles import Role
from shelter.audit import Action
from shelter.audit.chain import parse_checkpoint
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.factories import MARKER, make_marked_case, make_marked_defender, make_user
from tests.jobs.conftest import NOON
from tests.mail.conftest import smtp_down  # noqa: F401 (a fixture)
from tests.mail.contentfree import assert_content_free

pytestmark = pytest.mark.django_db


def run_checkpoint() -> None:
    call_command("run_due_jobs", "--job", "audit_checkpoint", stdout=io.StringIO())


def body_of(message) -> str:
    return message.get_payload(decode=True).decode()


def test_the_checkpoint_mail_reaches_each_active_auditor_once_content_free(
        clock, checkpoint_dir, smtp_server, aud, carla, municipality):
    from shelter import audit

    gone = make_user("gone@example.org", Role.AUDITOR, municipality)
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    make_marked_case(make_marked_defender())
    audit.record(carla, Action.CASE_LIST)
    run_checkpoint()
    send_due()
    checkpoint = parse_checkpoint(str(checkpoint_dir / "audit-checkpoint-2026-12-02.json"))
    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [aud.email]
    [message] = smtp_server.inbox.messages()
    body = body_of(message)
    assert checkpoint.hash in body and checkpoint.mac in body
    assert str(checkpoint.seq) in body and "2026-12-02" in body
    assert checkpoint.as_json() in body  # the line verify_audit_log --checkpoint reads
    assert_content_free(smtp_server.inbox.raw()[0], [MARKER, carla.full_name, carla.email])
    # The outbox holds the day and the number only: the hash is read from the file.
    [mail] = OutgoingMail.objects.all()
    assert mail.params == {"day": "2026-12-02", "seq": checkpoint.seq}
    assert mail.recipient == aud and mail.state == OutgoingMail.State.SENT

    run_checkpoint()  # the same day: no second checkpoint, no second mail
    send_due()
    assert len(smtp_server.envelopes) == 1
    clock.move_to(NOON + datetime.timedelta(days=1))
    run_checkpoint()
    send_due()
    assert len(smtp_server.envelopes) == 2


@pytest.mark.usefixtures("smtp_down", "aud")
def test_a_checkpoint_file_changed_before_sending_is_not_mailed(clock, checkpoint_dir):
    run_checkpoint()  # the mail server is down: the mail stays queued
    path = checkpoint_dir / "audit-checkpoint-2026-12-02.json"
    path.write_text(path.read_text().replace('"mac": "', '"mac": "0'))
    [mail] = OutgoingMail.objects.all()
    assert mail.state == OutgoingMail.State.QUEUED
    clock.move_to(NOON + datetime.timedelta(hours=1))
    send_due()
    mail.refresh_from_db()
    assert mail.state == OutgoingMail.State.DROPPED


def test_the_checkpoint_mail_is_in_the_auditors_language(clock, checkpoint_dir, smtp_server,
                                                         aud):
    aud.preferred_language = "nl"
    aud.save(update_fields=["preferred_language"])
    run_checkpoint()
    send_due()
    [message] = smtp_server.inbox.messages()
    assert str(message["Subject"]) == "Controlepunt van het toegangslogboek van Shelter"
    assert "Volgnummer:" in body_of(message)
