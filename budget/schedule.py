"""The monthly allowance as a schedule of payments: pure date and money arithmetic, no database.

The stay runs from its first day to its last day, both included (actual arrival, else planned;
actual departure, else planned). Each calendar month the stay touches gets one instalment, due
on the stay's first day in that month. A month the stay covers only partly is pro-rated by
days: rate × days of the stay in that month ÷ days in that month, rounded half up to cents
(`budget.choices.cents`), computed in Decimal from the start, never in float.

Regenerating after the dates moved (`plan_regeneration`) keeps every paid instalment, keeps a
still-scheduled one that is unchanged, cancels the other scheduled ones and adds what is new;
a month where what was paid differs from what the new schedule says is reported as a
difference, never changed.
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from decimal import Decimal

from budget.choices import cents

Month = tuple[int, int]  # (year, month)


@dataclass(frozen=True)
class Instalment:
    """One month of the allowance: `days` of the stay out of the month's `month_days`."""

    due_on: datetime.date
    days: int
    month_days: int
    amount: Decimal

    @property
    def month(self) -> Month:
        return (self.due_on.year, self.due_on.month)


@dataclass(frozen=True)
class Existing:
    """A payment the schedule made before: its id, due day, amount and whether it is paid."""

    id: object
    due_on: datetime.date
    amount: Decimal
    paid: bool

    @property
    def month(self) -> Month:
        return (self.due_on.year, self.due_on.month)


@dataclass(frozen=True)
class Difference:
    """A month whose paid amount is not what the new schedule says (`planned` 0: no longer in
    the stay)."""

    month: Month
    paid: Decimal
    planned: Decimal


@dataclass(frozen=True)
class Plan:
    keep: list[Existing]
    cancel: list[Existing]
    create: list[Instalment]
    differences: list[Difference]


class InvalidStay(ValueError):
    """The stay has no start or end, or ends before it starts."""


def monthly_schedule(start: datetime.date | None, end: datetime.date | None,
                     rate: Decimal) -> list[Instalment]:
    """The instalments of a stay from `start` to `end` (both included) at `rate` a month."""
    if start is None or end is None or end < start:
        raise InvalidStay
    if rate < 0:
        raise ValueError("the monthly rate cannot be negative")
    rate = Decimal(rate)
    found, first = [], start
    while first <= end:
        month_days = calendar.monthrange(first.year, first.month)[1]
        month_end = first.replace(day=month_days)
        last = min(end, month_end)
        days = (last - first).days + 1
        amount = cents(rate) if days == month_days else cents(rate * days / month_days)
        found.append(Instalment(first, days, month_days, amount))
        first = month_end + datetime.timedelta(days=1)
    return found


def plan_regeneration(existing: list[Existing], new: list[Instalment]) -> Plan:
    """What regenerating the schedule does to the payments it made before (see the module)."""
    paid_months: dict[Month, Decimal] = {}
    for payment in existing:
        if payment.paid:
            paid_months[payment.month] = paid_months.get(payment.month, Decimal(0)) + \
                payment.amount
    planned = {i.month: i for i in new}
    scheduled = [p for p in existing if not p.paid]
    keep = [p for p in existing if p.paid]
    cancel, create = [], []
    for payment in scheduled:
        wanted = planned.get(payment.month)
        if (wanted is not None and payment.month not in paid_months
                and (payment.due_on, payment.amount) == (wanted.due_on, wanted.amount)
                and all(k.month != payment.month for k in keep)):
            keep.append(payment)
        else:
            cancel.append(payment)
    kept_months = {p.month for p in keep}
    create = [i for i in new if i.month not in kept_months]
    differences = [Difference(month, paid, planned[month].amount if month in planned
                              else Decimal("0.00"))
                   for month, paid in sorted(paid_months.items())
                   if month not in planned or planned[month].amount != paid]
    return Plan(keep=keep, cancel=cancel, create=create, differences=differences)
