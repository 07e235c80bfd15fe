"""Job schedules: period keys in the municipality's time zone, and what a schedule may be."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest

from shelter.jobs.registry import Job

AMS = zoneinfo.ZoneInfo("Europe/Amsterdam")
UTC = datetime.UTC


def make(every: datetime.timedelta, at: str = "00:00") -> Job:
    hour, minute = (int(p) for p in at.split(":"))
    return Job(name="probe", function=lambda run: {}, every=every, at=datetime.time(hour, minute))


HOUR, DAY = datetime.timedelta(hours=1), datetime.timedelta(days=1)


@pytest.mark.parametrize("every, at, when, period", [
    (HOUR, "00:00", datetime.datetime(2026, 12, 2, 14, 59, tzinfo=AMS), "2026-12-02T14+0100"),
    (HOUR, "00:00", datetime.datetime(2026, 12, 2, 23, 30, tzinfo=UTC), "2026-12-03T00+0100"),
    (DAY, "00:00", datetime.datetime(2026, 12, 2, 23, 30, tzinfo=UTC), "2026-12-03"),
    (DAY, "02:30", datetime.datetime(2026, 12, 2, 2, 29, tzinfo=AMS), "2026-12-01"),
    (DAY, "02:30", datetime.datetime(2026, 12, 2, 2, 30, tzinfo=AMS), "2026-12-02"),
    (datetime.timedelta(minutes=15), "00:00",
     datetime.datetime(2026, 12, 2, 14, 44, tzinfo=AMS), "2026-12-02T1430+0100"),
    # Summer time starts: 02:00 does not exist; 03:30 is the third hour of the day.
    (HOUR, "00:00", datetime.datetime(2026, 3, 29, 1, 30, tzinfo=UTC), "2026-03-29T03+0200"),
])
def test_periods_are_keys_in_local_time(every, at, when, period):
    assert make(every, at).period(when) == period


@pytest.mark.parametrize("every, first_key, second_key", [
    (HOUR, "2026-10-25T02+0200", "2026-10-25T02+0100"),
    (datetime.timedelta(minutes=1), "2026-10-25T0230+0200", "2026-10-25T0230+0100"),
])
def test_the_hour_that_repeats_when_summer_time_ends_is_two_periods(every, first_key,
                                                                    second_key):
    job = make(every)
    first = datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)   # 02:30 summer time
    second = datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 02:30 winter time
    assert (job.period(first), job.period(second)) == (first_key, second_key)
    assert len(first_key) <= 20  # JobRun.period


def test_the_next_period_starts_at_the_next_boundary():
    job = make(DAY, "02:30")
    now = datetime.datetime(2026, 12, 2, 14, 0, tzinfo=AMS)
    assert job.next_start(now) == datetime.datetime(2026, 12, 3, 2, 30, tzinfo=AMS)


@pytest.mark.parametrize("every", [datetime.timedelta(hours=5), datetime.timedelta(days=2),
                                   datetime.timedelta(seconds=30), datetime.timedelta(0)])
def test_a_schedule_that_does_not_divide_a_day_is_refused(every):
    from shelter.jobs.registry import job

    with pytest.raises(ValueError, match="must divide one day"):
        job("odd", every=every)(lambda run: {})


def test_a_name_declared_twice_is_refused(extra_jobs):
    from shelter.jobs.registry import job

    def first(run):
        return {}

    def second(run):
        return {}
    job("twice", every=HOUR)(first)
    with pytest.raises(ValueError, match="declared twice"):
        job("twice", every=HOUR)(second)
