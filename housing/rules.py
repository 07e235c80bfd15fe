"""Pure date rules of the schedule (no database): half-open day ranges ``[start, end)``."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

Day = datetime.date
ONE_DAY = datetime.timedelta(days=1)


def blocked_until(end: Day, buffer_days: int) -> Day:
    """The first day a unit can take a new arrival after a departure on `end`."""
    return end + datetime.timedelta(days=buffer_days)


def overlaps(a_start: Day, a_end: Day, b_start: Day, b_end: Day) -> bool:
    """Do ``[a_start, a_end)`` and ``[b_start, b_end)`` share a day?"""
    return a_start < b_end and b_start < a_end


def first_uncovered_day(start: Day, end: Day, periods: Iterable[tuple[Day, Day]]) -> Day | None:
    """The first night of ``[start, end)`` that no period covers (periods may touch), or None."""
    day = start
    for p_start, p_end in sorted(periods):
        if p_start > day:
            break
        day = max(day, p_end)
        if day >= end:
            return None
    return day if day < end else None


def nights_in(start: Day, end: Day, window_start: Day, window_end: Day) -> int:
    """How many nights of ``[start, end)`` fall inside ``[window_start, window_end)``."""
    return max(0, (min(end, window_end) - max(start, window_start)).days)


def days(start: Day, end: Day) -> list[Day]:
    """Every day of ``[start, end)``."""
    return [start + datetime.timedelta(days=i) for i in range((end - start).days)]
