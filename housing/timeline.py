"""The schedule as a grid: units as rows, days as columns, runs of equal days as cells.

A day of a unit is, in order of precedence: a booked night, a turnover buffer day, blocked,
not offered, or free. Consecutive equal days merge into one cell (``colspan``), split at
today so the "today" column can be marked. Built in Python from `selectors.schedule_data`,
so the page costs the same few queries for 5 or 50 units.

The day headings and each row's cells are written here as HTML (every value escaped as the
template would): 50 units × 90 days are a few thousand cells, and a template tag per cell
cost more than everything else on the page. For the same reason the
state labels, block reasons, weekday and month names are translated once per grid, and the
links are made by `shelter.links.link_maker` (each route reversed once per grid).
"""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby

from django.utils.dates import MONTHS, WEEKDAYS
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from housing.models import Block, Unit
from housing.selectors import ScheduleData
from shelter.links import SAMPLE_UUID, link_maker

STATE_LABELS = {
    "booked": _("Booked"), "tentative": _("Tentative booking"), "buffer": _("Turnover"),
    "blocked": _("Blocked"), "unavailable": _("Not offered"), "free": _("Free"),
}
# Short text shown in the cell, so the state never depends on colour alone.
STATE_MARKS = {"buffer": "↻", "blocked": "✕", "unavailable": "–", "free": ""}

DAY_HTML = ('<th scope="col" class="tl-day{}{}"{}><span aria-hidden="true">{}</span>'
            '<span class="visually-hidden">{}</span></th>')
TODAY_CLASS = SafeString(" tl-today")
TODAY_CURRENT = SafeString(' aria-current="date"')
TENTATIVE_MARK = SafeString(" ?")


@functools.cache
def _cell_attributes(state: str, span: int, today: bool) -> SafeString:
    """A cell's colspan and classes: few combinations, each escaped once per process."""
    colspan = format_html(' colspan="{}"', span) if span > 1 else ""
    return format_html('{} class="tl-cell tl-{}{}"', colspan, state,
                       TODAY_CLASS if today else "")


@functools.cache
def _mark_html(state: str) -> SafeString:
    return format_html('<span aria-hidden="true">{}</span>', STATE_MARKS.get(state, ""))


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

    def html(self) -> str:
        """The cell as a `<td>`: a link to the case for a stay, else the state's mark; the
        title (state, label and dates) again as text for screen readers. Every value is
        escaped here with `html.escape` (what Django's `escape` calls): thousands of cells
        a page made `format_html`'s own cost per call the page's largest."""
        if self.href:
            content = (f'<a href="{html.escape(self.href)}">{html.escape(str(self.label))}</a>'
                       f'{TENTATIVE_MARK if self.state == "tentative" else ""}')
        else:
            content = _mark_html(self.state)
        title = html.escape(self.title)  # once, for both places
        return (f'<td{_cell_attributes(self.state, self.span, self.today)} title="{title}">'
                f'{content}<span class="visually-hidden"> {title}</span></td>')


@dataclass
class Row:
    unit: Unit
    cells: list[Cell] = field(default_factory=list)
    href: str = ""

    @property
    def cells_html(self) -> SafeString:
        """The row's cells as `<td>` elements."""
        return mark_safe("".join(cell.html() for cell in self.cells))  # noqa: S308 (escaped)


@dataclass
class Timeline:
    start: datetime.date
    end: datetime.date
    today: datetime.date
    days: list[datetime.date]
    months: list[tuple[datetime.date, int]]
    rows: list[Row]
    labels: dict[str, str] = field(default_factory=dict)
    day_words: list[str] = field(default_factory=list)

    @property
    def days_html(self) -> SafeString:
        """A column heading per day: its number, and the date in words for screen readers."""
        return format_html_join("", DAY_HTML, (
            (" tl-weekend" if day.weekday() > 4 else "", TODAY_CLASS if day == self.today else "",
             TODAY_CURRENT if day == self.today else "", day.day, words)
            for day, words in zip(self.days, self.day_words, strict=True)))


def _day_words(days: list[datetime.date]) -> list[str]:
    """What the `date` filter writes for "l j F Y", each weekday and month translated once."""
    weekdays = {number: str(name) for number, name in WEEKDAYS.items()}
    months = {month: str(MONTHS[month]) for month in {day.month for day in days}}
    return [f"{weekdays[day.weekday()]} {day.day} {months[day.month]} {day.year:04d}"
            for day in days]


def _day_states(data: ScheduleData, unit: Unit, reasons: dict[str, str]
                ) -> list[tuple[str, str, dict | None]]:
    """(state, label, booking) for each day of the window."""
    count = (data.end - data.start).days
    states: list[tuple[str, str, dict | None]] = [("unavailable", "", None)] * count

    def paint(start: datetime.date, end: datetime.date, value: tuple) -> None:
        for i in range(max(0, (start - data.start).days), min(count, (end - data.start).days)):
            states[i] = value

    for a_start, a_end in data.availability.get(unit.pk, []):
        paint(a_start, a_end, ("free", "", None))
    for b_start, b_end, reason in data.blocks.get(unit.pk, []):
        paint(b_start, b_end, ("blocked", reasons.get(reason, reason), None))
    for row in data.bookings.get(unit.pk, []):
        paint(row["end"], row["blocked_until"], ("buffer", "", row))
    for row in data.bookings.get(unit.pk, []):
        state = "booked" if row["status"] == "confirmed" else "tentative"
        paint(row["start"], row["end"], (state, row["code_name"], row))
    return states


@dataclass
class _Texts:
    """What every row needs, translated, reversed and formatted once per grid."""

    labels: dict[str, str]
    reasons: dict[str, str]
    case_url: Callable[..., str]
    unit_url: Callable[..., str]
    days: list[datetime.date]  # the window's days and the day after it
    iso: list[str]  # the same days as text

    @classmethod
    def now(cls, start: datetime.date, count: int) -> _Texts:
        days = [start + datetime.timedelta(days=i) for i in range(count + 1)]
        return cls({state: str(label) for state, label in STATE_LABELS.items()},
                   {value: str(label) for value, label in Block.Reason.choices},
                   link_maker("housing:case", SAMPLE_UUID),
                   link_maker("housing:unit", SAMPLE_UUID),
                   days, [day.isoformat() for day in days])


def _cell(texts: _Texts, state: str, label: str, booking: dict | None, start: int, stop: int,
          today: bool) -> Cell:
    """A cell of days [start, stop) of the window, its title and link precomputed here:
    thousands of cells would otherwise cost template filter calls."""
    state_label = texts.labels[state]
    text = f"{state_label}: {label}" if label else state_label
    cell = Cell(state, texts.days[start], stop - start, today, label, booking,
                title=f"{text} · {texts.iso[start]} → {texts.iso[stop]}")
    if booking is not None and state != "buffer":
        cell.href = texts.case_url(booking["case_id"])
    return cell


def _runs(data: ScheduleData, unit: Unit, today: datetime.date, texts: _Texts) -> list[Cell]:
    """Runs of equal days as cells. A paint stores one tuple for all its days, so `groupby`
    compares them by identity; equal tuples (adjacent blocks with one reason) merge too."""
    cells: list[Cell] = []
    first, at_today = 0, (today - data.start).days
    for (state, label, booking), days in groupby(_day_states(data, unit, texts.reasons)):
        end = first + len(list(days))
        cells.extend(_cell(texts, state, label, booking, start, stop, start == at_today)
                     for start, stop in _split_at(first, end, at_today))
        first = end
    return cells


def _split_at(first: int, end: int, at: int) -> list[tuple[int, int]]:
    """[first, end) with day `at` as a piece of its own, so today's column can be outlined."""
    if not first <= at < end:
        return [(first, end)]
    return [(start, stop) for start, stop in ((first, at), (at, at + 1), (at + 1, end))
            if start < stop]


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
    texts = _Texts.now(data.start, count)
    days = texts.days[:count]
    rows = [Row(unit, _runs(data, unit, today, texts),
                texts.unit_url(unit.pk)) for unit in data.units]
    return Timeline(data.start, data.end, today, days, _months(days), rows, texts.labels,
                    _day_words(days))


def turnover_links(turnovers: list[dict]) -> list[dict]:
    """Each turnover with the links to its unit and to the leaving and next cases, from
    prefixes reversed once (a page may list a departure for every unit)."""
    case_url = link_maker("housing:case", SAMPLE_UUID)
    unit_url = link_maker("housing:unit", SAMPLE_UUID)
    for turnover in turnovers:
        turnover["unit_href"] = unit_url(turnover["unit"].pk)
        turnover["case_href"] = case_url(turnover["booking"]["case_id"])
        following = turnover["next"]
        turnover["next_href"] = case_url(following["case_id"]) if following else ""
    return turnovers


def month_window(first: datetime.date, months: int) -> tuple[datetime.date, datetime.date]:
    """[first of `first`'s month, first of the month `months` later)."""
    start = first.replace(day=1)
    year, month = divmod(start.month - 1 + months, 12)
    return start, datetime.date(start.year + year, month + 1, 1)
