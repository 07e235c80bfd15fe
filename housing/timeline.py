"""The schedule as a grid: units as rows, days as columns, runs of equal days as cells.

A day of a unit is, in order of precedence: a booked night, a turnover buffer day, blocked,
not offered, or free. Consecutive equal days merge into one cell (``colspan``), split at
today so the "today" column can be marked. Built in Python from `selectors.schedule_data`,
so the page costs the same few queries for 5 or 50 units.

The day headings and the body's rows are written here as HTML (every value escaped as the
template would): 50 units × 90 days are a few thousand cells, and a template tag per cell
cost more than everything else on the page. For the same reason the state labels, block
reasons, weekday and month names are translated once per grid, the links are made by
`shelter.links.link_maker` (each route reversed once per grid), and a day is painted with a
`_Paint` holding its cell's text already escaped: once per state or block reason, once per
booking, however many days and cells they cover.
"""

from __future__ import annotations

import datetime
import functools
import html
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import groupby
from typing import NamedTuple

from django.utils.dates import MONTHS, WEEKDAYS
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

TODAY_CLASS = SafeString(" tl-today")
TODAY_CURRENT = SafeString(' aria-current="date"')
TENTATIVE_MARK = SafeString(" ?")


# The two below are plain `str`, escaped here: their results go into the cells' markup
# (marked safe as a whole), and a SafeString in an f-string costs a call of its __str__.
@functools.cache
def _cell_attributes(state: str, span: int, today: bool) -> str:
    """A cell's colspan and classes: few combinations, each escaped once per process."""
    colspan = f' colspan="{span:d}"' if span > 1 else ""
    return f'{colspan} class="tl-cell tl-{html.escape(state)}{TODAY_CLASS if today else ""}"'


@functools.cache
def _mark_html(state: str) -> str:
    return f'<span aria-hidden="true">{html.escape(STATE_MARKS.get(state, ""))}</span>'


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


class _Paint(NamedTuple):
    """What a unit's day is, with its cell's text escaped once for all the days it paints:
    the title's start (state and label) and the cell's content (a link to the case for a
    stay, else the state's mark)."""

    state: str
    label: str
    booking: dict | None
    text: str  # the title's start: the state, and its label if it has one
    head: str  # the same, escaped
    content: str  # escaped HTML
    href: str = ""


# (paint, first day, day after the last, is it today's column) in window days
Run = tuple[_Paint, int, int, bool]


@dataclass
class Row:
    unit: Unit
    runs: list[Run] = field(default_factory=list)
    href: str = ""
    cells_html: SafeString = SafeString("")  # the row's cells as `<td>` elements
    days: list[datetime.date] = field(default_factory=list, repr=False)

    @property
    def cells(self) -> list[Cell]:
        """The row's cells as objects (what the template once wrote the cells from)."""
        days = self.days
        return [Cell(paint.state, days[start], stop - start, today, paint.label, paint.booking,
                     paint.href, f"{paint.text} · {days[start]} → {days[stop]}")
                for paint, start, stop, today in self.runs]


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
        headings = []
        for day, words in zip(self.days, self.day_words, strict=True):
            weekend = " tl-weekend" if day.weekday() > 4 else ""
            today, current = (TODAY_CLASS, TODAY_CURRENT) if day == self.today else ("", "")
            headings.append(f'<th scope="col" class="tl-day{weekend}{today}"{current}>'
                            f'<span aria-hidden="true">{day.day}</span>'
                            f'<span class="visually-hidden">{html.escape(words)}</span></th>')
        return mark_safe("".join(headings))  # noqa: S308 (constant markup, words escaped)

    @property
    def rows_html(self) -> SafeString:
        """The body's rows: the unit (a link to it) and its cells, laid out as the template
        laid out a row."""
        return mark_safe("".join(  # noqa: S308 (constant markup, every value escaped)
            f'\n    <tr>\n      <th scope="row" class="tl-unit"><a href="'
            f'{html.escape(row.href)}">{html.escape(row.unit.code_name)}</a></th>\n'
            f"      {row.cells_html}\n    </tr>\n  " for row in self.rows))


def _day_words(days: list[datetime.date]) -> list[str]:
    """What the `date` filter writes for "l j F Y", each weekday and month translated once."""
    weekdays = {number: str(name) for number, name in WEEKDAYS.items()}
    months = {month: str(MONTHS[month]) for month in {day.month for day in days}}
    return [f"{weekdays[day.weekday()]} {day.day} {months[day.month]} {day.year:04d}"
            for day in days]


@dataclass
class _Texts:
    """What every row needs, translated, escaped, reversed and formatted once per grid."""

    labels: dict[str, str]
    reasons: dict[str, str]
    case_url: Callable[..., str]
    unit_url: Callable[..., str]
    days: list[datetime.date]  # the window's days and the day after it
    iso: list[str]  # the same days as text
    paints: dict[str, _Paint] = field(default_factory=dict)  # the states without a booking
    heads: dict[str, str] = field(default_factory=dict)  # the labels, escaped
    buffer_mark: str = ""
    # (state, case id, code name) -> a stay's texts (label, title start, the same escaped,
    # content, link): a case often has several stays in a window, linked and escaped once.
    stays: dict[tuple, tuple[str, str, str, str, str]] = field(default_factory=dict)

    @classmethod
    def now(cls, start: datetime.date, count: int) -> _Texts:
        days = [start + datetime.timedelta(days=i) for i in range(count + 1)]
        texts = cls({state: str(label) for state, label in STATE_LABELS.items()},
                    {value: str(label) for value, label in Block.Reason.choices},
                    link_maker("housing:case", SAMPLE_UUID),
                    link_maker("housing:unit", SAMPLE_UUID),
                    days, [html.escape(day.isoformat()) for day in days])
        texts.heads = {state: html.escape(label) for state, label in texts.labels.items()}
        texts.paints = {state: texts.unbooked(state) for state in ("free", "unavailable")}
        texts.buffer_mark = _mark_html("buffer")
        return texts

    def unbooked(self, state: str, label: str = "") -> _Paint:
        text = f"{self.labels[state]}: {label}" if label else self.labels[state]
        return _Paint(state, label, None, text, html.escape(text), _mark_html(state))

    def block(self, reason: str) -> _Paint:
        """One paint per reason, so adjacent blocks with one reason make one cell."""
        key = f"blocked:{reason}"
        if key not in self.paints:
            self.paints[key] = self.unbooked("blocked", self.reasons.get(reason, reason))
        return self.paints[key]

    def buffer(self, booking: dict) -> _Paint:
        """A booking's turnover days (a paint per booking, as a stay)."""
        return _Paint("buffer", "", booking, self.labels["buffer"], self.heads["buffer"],
                      self.buffer_mark)

    def stay(self, booking: dict) -> _Paint:
        """The nights of a booking: a link to its case, named by the case's code name.

        A paint of its own per booking (two stays of one case never merge into one cell),
        its texts made once per case and state."""
        state = "booked" if booking["status"] == "confirmed" else "tentative"
        key = (state, booking["case_id"], booking["code_name"])
        texts = self.stays.get(key)
        if texts is None:
            label, href = booking["code_name"], self.case_url(booking["case_id"])
            escaped = html.escape(label)
            texts = self.stays[key] = (
                label, f"{self.labels[state]}: {label}", f"{self.heads[state]}: {escaped}",
                f'<a href="{html.escape(href)}">{escaped}</a>'
                f'{TENTATIVE_MARK if state == "tentative" else ""}', href)
        label, text, head, content, href = texts
        return _Paint(state, label, booking, text, head, content, href)


def _day_paints(data: ScheduleData, unit: Unit, texts: _Texts) -> list[_Paint]:
    """What each day of the window is, in order of precedence (a later paint wins)."""
    bookings = data.bookings.get(unit.pk, ())
    free = texts.paints["free"]
    periods = [
        *((a_start, a_end, free) for a_start, a_end in data.availability.get(unit.pk, ())),
        *((b_start, b_end, texts.block(reason))
          for b_start, b_end, reason in data.blocks.get(unit.pk, ())),
        # before the stays: a buffer never hides a night
        *((row["end"], row["blocked_until"], texts.buffer(row)) for row in bookings
          if row["blocked_until"] > row["end"]),
        *((row["start"], row["end"], texts.stay(row)) for row in bookings),
    ]
    # One loop over day numbers (ordinals), not a helper called per period: a grid of
    # 50 units paints a thousand periods.
    origin, count = data.start.toordinal(), (data.end - data.start).days
    paints = [texts.paints["unavailable"]] * count
    for start, end, value in periods:
        first, stop = max(0, start.toordinal() - origin), min(count, end.toordinal() - origin)
        if first < stop:
            paints[first:stop] = [value] * (stop - first)
    return paints


def _runs(paints: list[_Paint], at_today: int) -> list[Run]:
    """Runs of equal days, with today's day as a run of its own so its column can be
    outlined. A paint is one object for all its days, so `groupby` mostly compares by
    identity; equal paints (adjacent offer periods, blocks with one reason) merge too."""
    runs: list[Run] = []
    first = 0
    for paint, days in groupby(paints):
        end = first + len(list(days))
        if first <= at_today < end:
            runs.extend((paint, start, stop, start == at_today) for start, stop in
                        ((first, at_today), (at_today, at_today + 1), (at_today + 1, end))
                        if start < stop)
        else:
            runs.append((paint, first, end, False))
        first = end
    return runs


def _cells_html(runs: list[Run], iso: list[str]) -> SafeString:
    """The runs as `<td>` elements: the title (state, label and dates) again as text for
    screen readers. Every part was escaped once, where it was made (`_Texts`)."""
    attributes = _cell_attributes
    cells = []
    for paint, start, stop, today in runs:
        title = f"{paint.head} · {iso[start]} → {iso[stop]}"
        cells.append(f'<td{attributes(paint.state, stop - start, today)} title="{title}">'
                     f'{paint.content}<span class="visually-hidden"> {title}</span></td>')
    return mark_safe("".join(cells))  # noqa: S308 (escaped parts)


def _months(days: list[datetime.date]) -> list[tuple[datetime.date, int]]:
    months: list[tuple[datetime.date, int]] = []
    for day in days:
        if months and months[-1][0].month == day.month:
            months[-1] = (months[-1][0], months[-1][1] + 1)
        else:
            months.append((day, 1))
    return months


def build(data: ScheduleData, today: datetime.date) -> Timeline:
    """The grid for `data`'s window, its rows' cells written."""
    count = (data.end - data.start).days
    texts = _Texts.now(data.start, count)
    days = texts.days[:count]
    at_today = (today - data.start).days
    rows = []
    for unit in data.units:
        runs = _runs(_day_paints(data, unit, texts), at_today)
        rows.append(Row(unit, runs, texts.unit_url(unit.pk), _cells_html(runs, texts.iso),
                        texts.days))
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
