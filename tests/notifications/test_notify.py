"""notify(): once per fact, as the user's preference says, never to the inactive."""

from __future__ import annotations

import pytest
from django.core import mail

from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from shelter.notifications.api import notify
from shelter.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def test_dedupe_makes_one_notification_per_fact(olaf):
    assert notify("test_tasks_due", olaf, count=3, dedupe="tasks:2026-12-02") is True
    assert notify("test_tasks_due", olaf, count=3, dedupe="tasks:2026-12-02") is False
    assert notify("test_tasks_due", olaf, count=2, dedupe="tasks:2026-12-03") is True
    assert Notification.objects.filter(user=olaf).count() == 2


def test_the_same_fact_for_two_users_is_two_notifications(olaf, otto):
    assert notify("test_tasks_due", olaf, dedupe="tasks:1")
    assert notify("test_tasks_due", otto, dedupe="tasks:1")


def test_daily_is_stored_and_not_mailed(olaf):
    notify("test_tasks_due", olaf, count=3, dedupe="d")
    [row] = Notification.objects.filter(user=olaf)
    assert row.mode == "daily" and row.mailed_at is None and row.count == 3
    assert not OutgoingMail.objects.exists()


def test_immediate_is_stored_and_mailed_once(olaf):
    notify("test_share_ending", olaf, dedupe="share:1:7d", params={"case": 4})
    notify("test_share_ending", olaf, dedupe="share:1:7d", params={"case": 4})
    [row] = Notification.objects.filter(user=olaf)
    assert row.mode == "immediate" and row.mailed_at is not None
    [queued] = OutgoingMail.objects.all()
    assert queued.kind == "notification" and queued.params == {"notification": row.pk}
    send_due()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "1 share ends within 7 days"
    assert "http://localhost:8000/cases/4/" in mail.outbox[0].body


def test_off_stores_nothing(olaf):
    NotificationPreference.objects.create(user=olaf, kind="test_tasks_due", mode="off")
    assert notify("test_tasks_due", olaf, dedupe="x") is False
    assert not Notification.objects.exists()


def test_a_preference_turns_daily_into_immediate(olaf):
    NotificationPreference.objects.create(user=olaf, kind="test_tasks_due", mode="immediate")
    notify("test_tasks_due", olaf, count=2, dedupe="x")
    assert OutgoingMail.objects.get().kind == "notification"


def test_security_kinds_ignore_an_off_row(olaf):
    # Even a row written around the services (it cannot be made through them) changes nothing.
    NotificationPreference.objects.create(user=olaf, kind="lockout", mode="off")
    assert notify("lockout", olaf, dedupe="lockout:1") is True
    assert Notification.objects.get().mode == "immediate"
    assert OutgoingMail.objects.get().kind == "notification"


def test_inactive_users_get_nothing(olaf):
    olaf.is_active = False
    olaf.save(update_fields=["is_active"])
    assert notify("lockout", olaf, dedupe="x") is False
    assert not Notification.objects.exists() and not OutgoingMail.objects.exists()


@pytest.mark.parametrize("params", [{"name": "Jane Doe"}, {"mail": "a@b.example"},
                                    {"note": ["x"]}])
def test_params_are_ids_counts_and_codes_only(olaf, params):
    with pytest.raises(ValueError):
        notify("test_tasks_due", olaf, dedupe="x", params=params)


def test_unknown_kinds_are_refused(olaf):
    with pytest.raises(ValueError):
        notify("no_such_kind", olaf, dedupe="x")
