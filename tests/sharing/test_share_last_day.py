"""A share granted "until 3 May" is shown as lasting through 3 May, not "4 May 00:00"."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases.sharing.templatetags.shares import last_day


def test_midnight_expiry_shows_the_day_before():
    expires = timezone.make_aware(datetime.datetime(2027, 5, 4, 0, 0))
    assert last_day(expires) == datetime.date(2027, 5, 3)


def test_expiry_during_a_day_shows_that_day():
    expires = timezone.make_aware(datetime.datetime(2027, 5, 4, 15, 30))
    assert last_day(expires) == datetime.date(2027, 5, 4)
    assert last_day(None) is None
