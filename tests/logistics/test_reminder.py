"""The daily reminder `travel_documents_ending`: the assigned officer hears once (dedupe) of an
active case whose documents no longer cover the stay; a new failure reminds again."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from cases import services
from shelter.jobs.runner import run_due
from shelter.notifications.models import Notification
from tests.factories import make_logistics

pytestmark = pytest.mark.django_db


def run() -> dict:
    [attempt] = run_due(only="raise_reminders")
    assert attempt.outcome == "ok", attempt.error_type
    return attempt.counts


def test_the_reminder_is_raised_once_for_a_failing_case(case, carla, olaf, otto):
    make_logistics(case, carla)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        assert run()["travel_documents_ending"] == 0
        services.case_update(case=case, acting_user=carla, planned_departure=case
                             .planned_departure + datetime.timedelta(days=10))
        clock.shift(datetime.timedelta(days=1))
        assert run()["travel_documents_ending"] == 1
        [note] = Notification.objects.filter(kind="travel_documents_ending")
        assert note.user == olaf and note.params == {"case": str(case.pk)}
        assert note.count == 2  # the visa and the insurance
        clock.shift(datetime.timedelta(days=1))
        assert run()["travel_documents_ending"] == 0  # the same failures: no second reminder
        assert Notification.objects.filter(kind="travel_documents_ending").count() == 1
        services.case_update(case=case, acting_user=carla, planned_departure=case
                             .planned_departure + datetime.timedelta(days=400))
        clock.shift(datetime.timedelta(days=1))
        assert run()["travel_documents_ending"] == 1  # the passport fails now too
    assert not Notification.objects.filter(kind="travel_documents_ending", user=otto).exists()
