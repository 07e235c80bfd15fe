"""A kind of our own (as an app would declare it in its notifications.py) and the clock."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils.translation import ngettext

from shelter.notifications.kinds import Kind, register

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MORNING = datetime.datetime(2026, 12, 2, 7, 30, tzinfo=AMSTERDAM)

TASKS = register(Kind(
    key="test_tasks_due", label="Tasks due (test)",
    summary=lambda n: ngettext("%(count)d task is due", "%(count)d tasks are due", n)
    % {"count": n},
    link="dashboard", default="daily"))

SHARES = register(Kind(
    key="test_share_ending", label="A share ends (test)",
    summary=lambda n: ngettext("%(count)d share ends within 7 days",
                               "%(count)d shares end within 7 days", n) % {"count": n},
    link=lambda params: f"/cases/{params['case']}/", default="immediate"))


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller
