"""Two runners at once send each mail once: an attempt claims its mail with a lease before it
talks to the mail server, so a second runner that starts meanwhile passes it by."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import connection  # noqa: F401 (the skipif condition reads it)

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


postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'",
                                   reason="real concurrent runners need row locks (PostgreSQL)")


@postgres_only
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_runners_in_threads_with_their_own_connections_send_each_mail_once(
        olaf, otto, carla, aud, settings, monkeypatch):
    import threading

    from django.db import connections
    from django.utils import timezone

    from shelter.mail import outbox

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    for person in (olaf, otto, carla, aud):
        outbox.queue_mail("password_reset", person)  # committed: attempted at once, sent
    OutgoingMail.objects.update(state="queued", sent_at=None, attempts=0,  # due again
                                next_attempt_at=timezone.now())
    mail.outbox.clear()
    barrier = threading.Barrier(2)
    claim = outbox._claim
    results: list = []

    def claim_together(pk):
        if not getattr(local, "waited", False):  # both runners listed the due mails
            local.waited = True
            barrier.wait(30)
        return claim(pk)

    local = threading.local()
    monkeypatch.setattr(outbox, "_claim", claim_together)

    def runner() -> None:
        try:
            results.append(outbox.send_due())
        except Exception as error:  # noqa: BLE001 - reported below
            results.append(f"error: {type(error).__name__}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=runner) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert all(isinstance(r, dict) for r in results), results
    assert sum(r["sent"] for r in results) == 4
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        p.email for p in (olaf, otto, carla, aud))
    assert set(OutgoingMail.objects.values_list("state", "attempts")) == {("sent", 1)}
