"""The schedule as a grid: units as rows, days as columns, runs of equal days as cells.

A day of a unit is, in order of precedence: a booked night, a turnover buffer day, blocked,
not offered, or free. Consecutive equal days merge into one cell (``colspan``), split at
today so the "today" column can be marked. Built in Python from `selectors.schedule_data`,
so the page costs the same few queries for 5 or 50 units.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from housing.models import Block, Unit
from housing.selectors import ScheduleData

PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
STATE_LABELS = {
    "booked": _("Booked"), "tentative": _("Tentative booking"), "buffer": _("Turnover"),
    "blocked": _("Blocked"), "unavailable": _("Not offered"), "free": _("Free"),
}
# Short text shown in the cell, so the state never depends on colour alone.
STATE_MARKS = {"buffer": "↻", "blocked": "✕", "unavailable": "–", "free": ""}


@dataclass
class Cell:
    state: str
    start: datetime.date
    span: int = 1
    today: bool = False
    label: str = ""
    booking: dict | None = None
    href: str = ""
    title: str = ""

    @property
    def end(self) -> datetime.date:
        return self.start + datetime.timedelta(days=self.span)

    @property
    def mark(self) -> str:
        return STATE_MARKS.get(self.state, "")

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class Row:
    unit: Unit
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Timeline:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    days: list[datetime.date]
    months: list[tuple[datetime.date, int]]
    rows: list[Row]


def _day_states(data: ScheduleData, unit: Unit) -> list[tuple[str, str, dict | None]]:
    """(state, label, booking) for each day of the window."""
    count = (data.end - data.start).days
    states: list[tuple[str, str, dict | None]] = [("unavailable", "", None)] * count

    def paint(start: datetime.date, end: datetime.date, value: tuple) -> None:
        for i in range(max(0, (start - data.start).days), min(count, (end - data.start).days)):
            states[i] = value

    for a_start, a_end in data.availability.get(unit.pk, []):
        paint(a_start, a_end, ("free", "", None))
    reasons = dict(Block.Reason.choices)
    for b_start, b_end, reason in data.blocks.get(unit.pk, []):
        paint(b_start, b_end, ("blocked", str(reasons.get(reason, reason)), None))
    for row in data.bookings.get(unit.pk, []):
        paint(row["end"], row["blocked_until"], ("buffer", "", row))
    for row in data.bookings.get(unit.pk, []):
        state = "booked" if row["status"] == "confirmed" else "tentative"
        paint(row["start"], row["end"], (state, row["code_name"], row))
    return states


def _finish(cell: Cell, case_url: str) -> Cell:
    """Text precomputed here: thousands of cells would otherwise cost template filter calls."""
    label = f"{cell.state_label}: {cell.label}" if cell.label else cell.state_label
    cell.title = f"{label} · {cell.start.isoformat()} → {cell.end.isoformat()}"
    if cell.booking is not None and cell.state != "buffer":
        cell.href = case_url.replace(PLACEHOLDER, str(cell.booking["case_id"]))
    return cell


def _runs(data: ScheduleData, unit: Unit, today: datetime.date) -> list[Cell]:
    cells: list[Cell] = []
    for i, (state, label, booking) in enumerate(_day_states(data, unit)):
        day = data.start + datetime.timedelta(days=i)
        last = cells[-1] if cells else None
        same = (last is not None and last.state == state and last.booking is booking
                and last.label == label and not last.today and day != today)
        if same:
            last.span += 1
        else:
            cells.append(Cell(state, day, 1, day == today, label, booking))
    case_url = reverse("housing:case", args=[PLACEHOLDER])
    return [_finish(cell, case_url) for cell in cells]


def _months(days: list[datetime.date]) -> list[tuple[datetime.date, int]]:
    months: list[tuple[datetime.date, int]] = []
    for day in days:
        if months and months[-1][0].month == day.month:
            months[-1] = (months[-1][0], months[-1][1] + 1)
        else:
            months.append((day, 1))
    return months


def build(data: ScheduleData, today: datetime.date) -> Timeline:
    """The grid for `data`'s window."""
    count = (data.end - data.start).days
    days = [data.start + datetime.timedelta(days=i) for i in range(count)]
    rows = [Row(unit, _runs(data, unit, today)) for unit in data.units]
    return Timeline(data.start, data.end, today, days, _months(days), rows)


def month_window(first: datetime.date, months: int) -> tuple[datetime.date, datetime.date]:
    """[first of `first`'s month, first of the month `months` later)."""
    start = first.replace(day=1)
    year, month = divmod(start.month - 1 + months, 12)
    return start, datetime.date(start.year + year, month + 1, 1)
