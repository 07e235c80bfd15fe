"""The allowance schedule, computed without the database: months touched by the stay, days
pro-rated half up to cents, due on the stay's first day in the month; regenerating keeps what
was paid."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from budget import schedule
from budget.choices import cents

D = datetime.date
RATE = Decimal("1000.00")


def amounts(items):
    return [(i.due_on, i.days, i.amount) for i in items]


def test_a_stay_from_mid_january_to_mid_april():
    items = schedule.monthly_schedule(D(2027, 1, 15), D(2027, 4, 14), RATE)
    assert amounts(items) == [
        (D(2027, 1, 15), 17, Decimal("548.39")),  # 1000 * 17 / 31 = 548.387…
        (D(2027, 2, 1), 28, Decimal("1000.00")),
        (D(2027, 3, 1), 31, Decimal("1000.00")),
        (D(2027, 4, 1), 14, Decimal("466.67")),  # 1000 * 14 / 30 = 466.666…
    ]
    assert all(isinstance(i.amount, Decimal) for i in items)


def test_a_stay_within_one_month():
    assert amounts(schedule.monthly_schedule(D(2027, 5, 10), D(2027, 5, 19), RATE)) == [
        (D(2027, 5, 10), 10, Decimal("322.58"))]  # 1000 * 10 / 31 = 322.580…


def test_a_stay_starting_on_the_31st_of_january():
    items = schedule.monthly_schedule(D(2027, 1, 31), D(2027, 3, 2), RATE)
    assert amounts(items) == [(D(2027, 1, 31), 1, Decimal("32.26")),
                              (D(2027, 2, 1), 28, Decimal("1000.00")),
                              (D(2027, 3, 1), 2, Decimal("64.52"))]


def test_a_leap_february_has_29_days():
    items = schedule.monthly_schedule(D(2028, 2, 15), D(2028, 2, 29), RATE)
    assert [(i.days, i.month_days, i.amount) for i in items] == [
        (15, 29, Decimal("517.24"))]  # 1000 * 15 / 29 = 517.241…
    full = schedule.monthly_schedule(D(2028, 2, 1), D(2028, 2, 29), RATE)
    assert full[0].amount == RATE


def test_rounding_is_half_up_not_to_even():
    assert cents(Decimal("0.125")) == Decimal("0.13")
    assert cents(Decimal("0.135")) == Decimal("0.14")
    # 1.25 a month for 15 of 30 days is 0.625: half up 0.63 (rounding to even gives 0.62)
    assert schedule.monthly_schedule(D(2027, 4, 1), D(2027, 4, 15),
                                     Decimal("1.25"))[0].amount == Decimal("0.63")


@pytest.mark.parametrize("start,end", [(None, D(2027, 1, 1)), (D(2027, 1, 1), None),
                                       (D(2027, 2, 1), D(2027, 1, 31))])
def test_a_stay_without_dates_or_backwards_is_refused(start, end):
    with pytest.raises(schedule.InvalidStay):
        schedule.monthly_schedule(start, end, RATE)


def test_regeneration_keeps_paid_and_replaces_what_moved():
    old = schedule.monthly_schedule(D(2027, 1, 15), D(2027, 4, 14), RATE)
    existing = [schedule.Existing(n, i.due_on, i.amount, paid=n < 2) for n, i in enumerate(old)]
    # the departure moves two weeks later: April is now full, May has 14 days
    new = schedule.monthly_schedule(D(2027, 1, 15), D(2027, 5, 14), RATE)
    plan = schedule.plan_regeneration(existing, new)
    assert {e.id for e in plan.keep} == {0, 1, 2}  # two paid, March unchanged
    assert [e.id for e in plan.cancel] == [3]  # April's partial month
    assert amounts(plan.create) == [(D(2027, 4, 1), 30, RATE),
                                    (D(2027, 5, 1), 14, Decimal("451.61"))]
    assert plan.differences == []


def test_a_paid_month_that_no_longer_matches_is_reported_not_changed():
    old = schedule.monthly_schedule(D(2027, 1, 15), D(2027, 4, 14), RATE)
    existing = [schedule.Existing(n, i.due_on, i.amount, paid=True) for n, i in enumerate(old)]
    # arrival two weeks later: January is no longer in the stay, February is partial
    new = schedule.monthly_schedule(D(2027, 2, 15), D(2027, 4, 14), RATE)
    plan = schedule.plan_regeneration(existing, new)
    assert len(plan.keep) == 4 and not plan.cancel and not plan.create
    assert plan.differences == [
        schedule.Difference((2027, 1), Decimal("548.39"), Decimal("0.00")),
        schedule.Difference((2027, 2), Decimal("1000.00"), Decimal("500.00"))]
