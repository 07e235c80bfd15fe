"""The test kinds (testkinds.py) and the clock."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine

from tests.notifications import testkinds  # noqa: F401 (registers the test kinds)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
MORNING = datetime.datetime(2026, 12, 2, 7, 30, tzinfo=AMSTERDAM)


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False) as traveller:
        yield traveller
