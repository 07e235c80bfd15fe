"""Properties of the allowance schedule for any stay and rate: every day of the stay is paid
for exactly once, a full month costs the rate, no month costs more, and every amount is in
whole cents."""

from __future__ import annotations

import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from budget import schedule

days = st.dates(min_value=datetime.date(2020, 1, 1), max_value=datetime.date(2035, 12, 31))
rates = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False,
                    allow_infinity=False)


@given(start=days, length=st.integers(min_value=0, max_value=400), rate=rates)
def test_every_day_is_paid_once_and_no_month_costs_more_than_the_rate(start, length, rate):
    end = start + datetime.timedelta(days=length)
    items = schedule.monthly_schedule(start, end, rate)
    assert sum(i.days for i in items) == length + 1
    assert items[0].due_on == start
    assert all(i.due_on.day == 1 for i in items[1:])
    for item in items:
        assert item.amount == item.amount.quantize(Decimal("0.01"))
        assert Decimal(0) <= item.amount <= rate
        if item.days == item.month_days:
            assert item.amount == rate


@given(start=days, length=st.integers(min_value=0, max_value=200), rate=rates)
def test_regenerating_an_unchanged_schedule_keeps_everything(start, length, rate):
    items = schedule.monthly_schedule(start, start + datetime.timedelta(days=length), rate)
    existing = [schedule.Existing(n, i.due_on, i.amount, paid=n % 2 == 0)
                for n, i in enumerate(items)]
    plan = schedule.plan_regeneration(existing, items)
    assert len(plan.keep) == len(items)
    assert not plan.cancel and not plan.create and not plan.differences
