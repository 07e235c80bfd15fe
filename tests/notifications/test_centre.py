"""The centre shows one's own notifications only, marks them read; preferences refuse a forged
change of a security kind."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shelter.notifications.api import notify
from shelter.notifications.models import Notification, NotificationPreference

pytestmark = pytest.mark.django_db


def test_the_centre_lists_ones_own_newest_first(as_user, olaf, otto):
    notify("test_tasks_due", olaf, count=3, dedupe="a")
    notify("test_tasks_due", otto, count=7, dedupe="a")
    response = as_user(olaf).get(reverse("notifications:list"))
    assert response.status_code == 200
    assert b"3 tasks are due" in response.content and b"7 tasks" not in response.content
    assert b'data-marker="unread-count">1<' in response.content


def test_mark_read_and_someone_elses_id_is_404(as_user, olaf, otto):
    notify("test_tasks_due", olaf, dedupe="a")
    notify("test_tasks_due", otto, dedupe="a")
    mine = Notification.objects.get(user=olaf)
    theirs = Notification.objects.get(user=otto)
    client = as_user(olaf)
    assert client.post(reverse("notifications:mark_read", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.post(reverse("notifications:mark_read", args=[mine.pk])).status_code == 302
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert client.get(reverse("notifications:mark_read", args=[mine.pk])).status_code == 405


def test_mark_all_read_marks_only_ones_own(as_user, olaf, otto):
    notify("test_tasks_due", olaf, dedupe="a")
    notify("test_tasks_due", olaf, dedupe="b")
    notify("test_tasks_due", otto, dedupe="a")
    as_user(olaf).post(reverse("notifications:mark_all_read"))
    assert not Notification.objects.filter(user=olaf, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=otto, read_at__isnull=True).count() == 1


def test_the_bell_costs_one_count(as_user, olaf):
    notify("test_tasks_due", olaf, dedupe="a")
    client = as_user(olaf)
    client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("dashboard"))
    counts = [q["sql"] for q in queries.captured_queries
              if "notifications_notification" in q["sql"]]
    assert len(counts) == 1 and "COUNT" in counts[0].upper()


def test_preferences_are_saved(as_user, olaf):
    client = as_user(olaf)
    response = client.get(reverse("notifications:preferences"))
    assert b"Always, immediately" in response.content
    response = client.post(reverse("notifications:preferences"), {"mode_test_tasks_due": "off"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=olaf, kind="test_tasks_due").mode == "off"
    assert notify("test_tasks_due", olaf, dedupe="a") is False


def test_a_forged_post_cannot_turn_a_security_kind_off(as_user, olaf):
    response = as_user(olaf).post(reverse("notifications:preferences"),
                                  {"mode_lockout": "off", "mode_test_tasks_due": "off"})
    assert response.status_code == 400
    assert b"Security notifications cannot be changed" in response.content
    assert not NotificationPreference.objects.exists()
    assert notify("lockout", olaf, dedupe="l") is True


def test_a_made_up_mode_changes_nothing(as_user, olaf):
    response = as_user(olaf).post(reverse("notifications:preferences"),
                                  {"mode_test_tasks_due": "hourly"})
    assert response.status_code == 400 and not NotificationPreference.objects.exists()


def test_signed_out_is_sent_to_sign_in(client):
    assert client.get(reverse("notifications:list")).status_code == 302


def test_newest_first_and_paginated(as_user, olaf, clock):
    for day in range(30):
        notify("test_tasks_due", olaf, count=day + 1, dedupe=f"tasks:{day}")
        clock.shift(datetime.timedelta(hours=1))
    client = as_user(olaf)
    first = client.get(reverse("notifications:list")).content.decode()
    assert first.index("30 tasks are due") < first.index("29 tasks are due")
    assert ">6 tasks are due<" in first and ">5 tasks are due<" not in first
    second = client.get(reverse("notifications:list"), {"page": 2}).content.decode()
    assert ">5 tasks are due<" in second and ">30 tasks" not in second
