"""Two runners at once send each mail once: an attempt claims its mail with a lease before it
talks to the mail server, so a second runner that starts meanwhile passes it by."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.mail.conftest import ask_reset

pytestmark = pytest.mark.django_db


def test_a_runner_starting_while_another_is_sending_sends_each_mail_once(olaf, otto, carla,
                                                                        monkeypatch):
    for person in (olaf, otto, carla):
        ask_reset(person.email)
    original = EmailBackend.send_messages
    second_runner = {}

    def slow_server(self, messages):
        # While the first runner is in the middle of its first mail, a second one runs.
        if not second_runner:
            second_runner["counts"] = {}
            second_runner["counts"] = send_due()
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", slow_server)
    first = send_due()
    assert second_runner["counts"]["sent"] == 2 and second_runner["counts"]["skipped"] == 0
    assert first["sent"] == 1 and first["skipped"] == 2  # the other two were taken
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [olaf.email, otto.email, carla.email])
    assert set(OutgoingMail.objects.values_list("state", "attempts")) == {("sent", 1)}


def test_a_runner_that_died_mid_send_leaves_a_lease_that_expires(olaf, clock, monkeypatch):
    import datetime

    from shelter.mail import outbox

    ask_reset(olaf.email)
    claimed = outbox._claim(OutgoingMail.objects.get().pk)  # and then the process died
    assert claimed is not None and send_due()["sent"] == 0
    clock.shift(outbox.LEASE + datetime.timedelta(seconds=1))
    assert send_due()["sent"] == 1 and len(mail.outbox) == 1
