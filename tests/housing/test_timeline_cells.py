"""The timeline's cells and day headings, written in Python: the markup the template wrote,
every value escaped, labels in the page's language, translated and reversed once per grid."""

from __future__ import annotations

import datetime
import uuid
from unittest import mock

import pytest
from django.template import engines
from django.urls import reverse
from django.utils import translation

from housing import timeline
from housing.models import Block, Unit
from housing.selectors import ScheduleData
from shelter import links

# What housing/schedule.html wrote with a template tag per cell and per day, kept here as the
# reference the Python markup must equal.
TEMPLATE_CELLS = engines["django"].from_string(
    '{% for cell in row.cells %}<td{% if cell.span > 1 %} colspan="{{ cell.span }}"{% endif %}'
    ' class="tl-cell tl-{{ cell.state }}{% if cell.today %} tl-today{% endif %}"'
    ' title="{{ cell.title }}">{% if cell.href %}<a href="{{ cell.href }}">{{ cell.label }}</a>'
    '{% if cell.state == "tentative" %} ?{% endif %}{% else %}<span aria-hidden="true">'
    '{{ cell.mark }}</span>{% endif %}<span class="visually-hidden"> {{ cell.title }}</span>'
    "</td>{% endfor %}")
TEMPLATE_DAYS = engines["django"].from_string(
    '{% for day in grid.days %}<th scope="col" class="tl-day{% if day.weekday > 4 %}'
    ' tl-weekend{% endif %}{% if day == grid.today %} tl-today{% endif %}"'
    '{% if day == grid.today %} aria-current="date"{% endif %}><span aria-hidden="true">'
    '{{ day|date:"j" }}</span><span class="visually-hidden">{{ day|date:"l j F Y" }}</span>'
    "</th>{% endfor %}")
# The body's rows as housing/schedule.html wrote them with a template loop, whitespace and all.
TEMPLATE_ROWS = engines["django"].from_string(
    "{% for row in grid.rows %}\n    <tr>\n"
    '      <th scope="row" class="tl-unit"><a href="{{ row.href }}">{{ row.unit.code_name }}</a>'
    "</th>\n      {{ row.cells_html }}\n    </tr>\n  {% endfor %}")
START = datetime.date(2027, 3, 1)  # a Monday
CASES = [uuid.UUID(int=i + 1) for i in range(3)]


def d(n: int) -> datetime.date:
    return START + datetime.timedelta(days=n)


def _booking(case: int, code_name: str, start: int, end: int, buffer: int = 0,
             status: str = "confirmed") -> dict:
    return {"id": uuid.uuid4(), "case_id": CASES[case], "code_name": code_name,
            "start": d(start), "end": d(end), "blocked_until": d(end + buffer),
            "status": status}


def _data(units: int = 1, days: int = 14, code_name: str = "Heron") -> ScheduleData:
    """Per unit: offered days 1 … days-1; a stay days 2–5 with one turnover day; a block
    days 7–8; a tentative stay from day 9."""
    rows = [Unit(code_name=f"Unit {i}") for i in range(units)]
    data = ScheduleData(START, d(days), rows)
    for unit in rows:
        data.availability[unit.pk] = [(d(1), d(days - 1))]
        data.blocks[unit.pk] = [(d(7), d(9), "maintenance")]
        data.bookings[unit.pk] = [_booking(0, code_name, 2, 5, buffer=1),
                                  _booking(1, "Kestrel", 9, 12, status="tentative")]
    return data


@pytest.mark.parametrize("language", ["en", "nl"])
def test_cells_and_day_headings_are_what_the_template_wrote(language):
    with translation.override(language):
        grid = timeline.build(_data(), today=d(3))
        [row] = grid.rows
        assert row.cells_html == TEMPLATE_CELLS.render({"row": row})
        assert grid.days_html == TEMPLATE_DAYS.render({"grid": grid})


@pytest.mark.parametrize("language", ["en", "nl"])
def test_the_rows_are_what_the_template_loop_wrote(language):
    data = _data(units=3)
    data.units[1].code_name = '<b>"Unit" & co</b>'
    with translation.override(language):
        grid = timeline.build(data, today=d(3))
        rows = grid.rows_html
        assert rows == TEMPLATE_ROWS.render({"grid": grid})
    assert "<b>" not in rows and "&lt;b&gt;&quot;Unit&quot; &amp; co&lt;/b&gt;</a></th>" in rows


def test_the_cells_of_a_row_in_english():
    with translation.override("en"):
        [row] = timeline.build(_data(), today=d(3)).rows
    case = reverse("housing:case", args=[CASES[0]])
    tentative = reverse("housing:case", args=[CASES[1]])
    assert row.cells_html == "".join([
        '<td class="tl-cell tl-unavailable" title="Not offered · 2027-03-01 → 2027-03-02">'
        '<span aria-hidden="true">–</span>'
        '<span class="visually-hidden"> Not offered · 2027-03-01 → 2027-03-02</span></td>',
        '<td class="tl-cell tl-free" title="Free · 2027-03-02 → 2027-03-03">'
        '<span aria-hidden="true"></span>'
        '<span class="visually-hidden"> Free · 2027-03-02 → 2027-03-03</span></td>',
        '<td class="tl-cell tl-booked" title="Booked: Heron · 2027-03-03 → 2027-03-04">'
        f'<a href="{case}">Heron</a>'
        '<span class="visually-hidden"> Booked: Heron · 2027-03-03 → 2027-03-04</span></td>',
        '<td class="tl-cell tl-booked tl-today" title="Booked: Heron · 2027-03-04 → 2027-03-05">'
        f'<a href="{case}">Heron</a>'
        '<span class="visually-hidden"> Booked: Heron · 2027-03-04 → 2027-03-05</span></td>',
        '<td class="tl-cell tl-booked" title="Booked: Heron · 2027-03-05 → 2027-03-06">'
        f'<a href="{case}">Heron</a>'
        '<span class="visually-hidden"> Booked: Heron · 2027-03-05 → 2027-03-06</span></td>',
        '<td class="tl-cell tl-buffer" title="Turnover · 2027-03-06 → 2027-03-07">'
        '<span aria-hidden="true">↻</span>'
        '<span class="visually-hidden"> Turnover · 2027-03-06 → 2027-03-07</span></td>',
        '<td class="tl-cell tl-free" title="Free · 2027-03-07 → 2027-03-08">'
        '<span aria-hidden="true"></span>'
        '<span class="visually-hidden"> Free · 2027-03-07 → 2027-03-08</span></td>',
        '<td colspan="2" class="tl-cell tl-blocked"'
        ' title="Blocked: Maintenance · 2027-03-08 → 2027-03-10"><span aria-hidden="true">✕</span>'
        '<span class="visually-hidden"> Blocked: Maintenance · 2027-03-08 → 2027-03-10</span></td>',
        '<td colspan="3" class="tl-cell tl-tentative"'
        ' title="Tentative booking: Kestrel · 2027-03-10 → 2027-03-13">'
        f'<a href="{tentative}">Kestrel</a> ?<span class="visually-hidden">'
        ' Tentative booking: Kestrel · 2027-03-10 → 2027-03-13</span></td>',
        '<td class="tl-cell tl-free" title="Free · 2027-03-13 → 2027-03-14">'
        '<span aria-hidden="true"></span>'
        '<span class="visually-hidden"> Free · 2027-03-13 → 2027-03-14</span></td>',
        '<td class="tl-cell tl-unavailable" title="Not offered · 2027-03-14 → 2027-03-15">'
        '<span aria-hidden="true">–</span>'
        '<span class="visually-hidden"> Not offered · 2027-03-14 → 2027-03-15</span></td>',
    ])


def test_states_reasons_and_dates_are_in_dutch_on_a_dutch_page():
    with translation.override("nl"):
        grid = timeline.build(_data(), today=d(3))
    cells, days = grid.rows[0].cells_html, grid.days_html
    assert 'title="Geboekt: Heron · 2027-03-05 → 2027-03-06"' in cells
    assert 'title="Wisseltijd · 2027-03-06 → 2027-03-07"' in cells
    assert 'title="Geblokkeerd: Onderhoud · 2027-03-08 → 2027-03-10"' in cells
    assert "Voorlopige boeking: Kestrel" in cells and "Niet aangeboden" in cells
    assert "Booked" not in cells and "Maintenance" not in cells
    assert ('<th scope="col" class="tl-day tl-today" aria-current="date">'
            '<span aria-hidden="true">4</span>'
            '<span class="visually-hidden">donderdag 4 maart 2027</span></th>') in days
    assert '<th scope="col" class="tl-day tl-weekend"><span aria-hidden="true">6</span>' in days
    assert grid.labels["booked"] == "Geboekt"


def test_a_hostile_code_name_is_escaped_in_the_link_and_the_titles():
    grid = timeline.build(_data(code_name='<script>alert("x")</script>&'), today=d(3))
    cells = grid.rows[0].cells_html
    assert "<script" not in cells
    assert ('<a href="/housing/case/00000000-0000-0000-0000-000000000001/">'
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;</a>") in cells
    assert 'title="Booked: &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp; · 2027' in cells


def test_rows_link_to_their_unit_through_one_reversed_prefix():
    data = _data(units=3)
    with mock.patch.object(links, "reverse", wraps=links.reverse) as reversing:
        grid = timeline.build(data, today=d(3))
    assert [row.href for row in grid.rows] == [
        reverse("housing:unit", args=[unit.pk]) for unit in data.units]
    assert reversing.call_count == 2  # the case prefix and the unit prefix, once each


def _translations(data: ScheduleData) -> int:
    with translation.override("nl"):
        translation.gettext("Booked")  # the catalogue is loaded before counting
        with mock.patch.object(translation._trans, "gettext",
                               wraps=translation._trans.gettext) as gettext:
            grid = timeline.build(data, today=d(3))
            for row in grid.rows:
                str(row.cells_html)
            str(grid.days_html)
        return gettext.call_count


def test_labels_are_translated_once_per_grid_not_per_cell():
    few, many = _translations(_data(units=1, days=14)), _translations(_data(units=12, days=31))
    assert few == many == len(timeline.STATE_LABELS) + len(Block.Reason) + 7 + 1  # one month


def test_turnovers_link_to_their_unit_and_cases_through_reversed_prefixes():
    units = [Unit(code_name=f"Unit {i}") for i in range(4)]
    turnovers = [{"unit": unit, "booking": {"case_id": CASES[0]},
                  "next": {"case_id": CASES[1]} if i % 2 else None}
                 for i, unit in enumerate(units)]
    with mock.patch.object(links, "reverse", wraps=links.reverse) as reversing:
        linked = timeline.turnover_links(turnovers)
    assert reversing.call_count == 2
    assert [(t["unit_href"], t["case_href"], t["next_href"]) for t in linked] == [
        (reverse("housing:unit", args=[unit.pk]), reverse("housing:case", args=[CASES[0]]),
         reverse("housing:case", args=[CASES[1]]) if i % 2 else "")
        for i, unit in enumerate(units)]


def test_two_stays_of_one_case_are_two_cells_with_one_link():
    """A stay's texts are made once per case, but each booking keeps a paint (and a cell)
    of its own: back-to-back stays of one case do not merge."""
    data = ScheduleData(START, d(10), [Unit(code_name="Unit")])
    unit = data.units[0]
    data.availability[unit.pk] = [(d(0), d(10))]
    data.bookings[unit.pk] = [_booking(0, "Heron", 1, 4), _booking(0, "Heron", 4, 6)]
    [row] = timeline.build(data, today=d(9)).rows
    stays = [cell for cell in row.cells if cell.state == "booked"]
    assert [(cell.start, cell.span) for cell in stays] == [(d(1), 3), (d(4), 2)]
    assert stays[0].booking is data.bookings[unit.pk][0]
    assert stays[1].booking is data.bookings[unit.pk][1]
    assert row.cells_html.count(f'<a href="{reverse("housing:case", args=[CASES[0]])}">') == 2
