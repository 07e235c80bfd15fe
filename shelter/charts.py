"""Server-side SVG charts with a data table as their fallback.

    from shelter.charts import Series, bar_chart
    chart = bar_chart(title=_("Occupancy"), categories=["Jan", "Feb"],
                      series=[Series(label=_("Booked"), values=[Decimal("12.5"), None])],
                      unit="%")
    {% include "shelter/chart.html" with chart=chart %}

The include renders one `<figure>`: an SVG (`role="img"`, with a `<title>` and `<desc>` named by
`aria-labelledby`) and a table with the same numbers, which is what screen readers, text
browsers and people who prefer to read get. A value of `None` is a suppressed or missing value:
no bar is drawn and the table shows `missing` (e.g. "fewer than 3").

Why no library: the page's Content-Security-Policy allows only 'self', so no inline script and
no inline style. The charting libraries either draw in the browser with JavaScript (Chart.js,
Vega, Plotly) or write SVG full of `style="..."` attributes (matplotlib, pygal), and none of them
writes the data table. A bar chart is a few rectangles, so this module computes the geometry
(pure Python, Decimal arithmetic, no query, no I/O) and the template writes the markup with
Django's autoescaping: labels are untrusted text and never reach the SVG by concatenation.

Presentation is CSS classes in app.css (`.chart*`); each series has its own colour *and* its own
pattern (solid, hatched, dotted, ...) with an outline, so the series do not depend on colour.
Coordinates are handed to the template as strings, because the template would otherwise
localise them (a Dutch decimal comma is not a number in SVG). Values shown to people are
localised (`django.utils.formats.number_format`) when the template asks for them, i.e. in the
language of the request.
"""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.formats import number_format

Number = Decimal | int
Unit = Literal["€", "%", ""]

PATTERNS = 6  # distinct pattern/colour pairs (app.css: .chart__fill--0 .. --5); then they repeat
HEIGHT = 300
MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM, MARGIN_LEFT = 16, 12, 44, 72
BAR_WIDTH, BAR_GAP, GROUP_GAP = 18, 3, 18
MIN_WIDTH = 360
LABEL_CHAR_WIDTH = 7  # rough width of one character of the axis font, to shorten long labels

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    """One series: a label (untrusted text) and one value per category (None: not shown).

    `missing` is what the table shows for this series' None values, if not the chart's.
    """

    label: str
    values: Sequence[Number | None]
    missing: str | None = None


def _coord(value: Decimal | int) -> str:
    """A coordinate for an SVG attribute: dot decimal, one decimal place, never localised."""
    return format(Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")


def _places(value: Number) -> int:
    if isinstance(value, int):
        return 0
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def format_value(value: Number | None, unit: str, places: int | None = None) -> str:
    """`value` for people in the active language: "€ 1.234,50", "12,5%", "7"."""
    if value is None:
        return ""
    text = number_format(value, decimal_pos=_places(value) if places is None else places,
                         use_l10n=True, force_grouping=True)
    if unit == "€":
        return f"€\u00a0{text}"
    if unit == "%":
        return f"{text}%"
    return text


@dataclass(frozen=True)
class Bar:
    category: str
    series: str
    index: int  # the series' position: its pattern and colour
    value: Number
    unit: str
    places: int
    x: str
    y: str
    width: str
    height: str

    @property
    def data_value(self) -> str:
        """The value as plain text (dot decimal), for `data-value` attributes."""
        return str(self.value)

    @property
    def display(self) -> str:
        return format_value(self.value, self.unit, self.places)


@dataclass(frozen=True)
class Tick:
    value: Decimal
    unit: str
    places: int
    y: str

    @property
    def label(self) -> str:
        return format_value(self.value, self.unit, self.places)


@dataclass(frozen=True)
class Cell:
    value: Number | None
    unit: str
    places: int
    missing: str

    @property
    def data_value(self) -> str:
        return "" if self.value is None else str(self.value)

    @property
    def display(self) -> str:
        return format_value(self.value, self.unit, self.places)


@dataclass(frozen=True)
class Row:
    category: str
    cells: list[Cell]


@dataclass(frozen=True)
class CategoryLabel:
    text: str  # shortened to fit under its group; the full label is its <title>
    full: str
    x: str


@dataclass(frozen=True)
class LegendEntry:
    label: str
    index: int


@dataclass
class Chart:
    """Everything the template needs; built by `bar_chart`, read by shelter/chart.html."""

    id: str
    title: str
    description: str
    unit: str
    category_label: str
    missing: str
    series: list[Series]
    rows: list[Row]
    bars: list[Bar]
    ticks: list[Tick]
    labels: list[CategoryLabel]
    legend: list[LegendEntry]
    width: str
    height: str
    plot_left: str
    plot_right: str
    plot_top: str
    plot_bottom: str
    baseline: str
    label_y: str
    patterns: list[int] = field(default_factory=list)

    @property
    def suppressed(self) -> int:
        """How many values are None (not drawn)."""
        return sum(cell.value is None for row in self.rows for cell in row.cells)


def _check_values(categories: Sequence[str], series: Sequence[Series]) -> None:
    for one in series:
        if len(one.values) != len(categories):
            raise ValueError("every series needs one value per category")
        for value in one.values:
            if value is not None and (isinstance(value, bool)
                                      or not isinstance(value, (Decimal, int))):
                raise TypeError("chart values are Decimal, int or None (never float)")


def nice_step(span: Decimal, *, integral: bool, target: int = 5) -> Decimal:
    """A round step (1, 2 or 5 times a power of ten) giving about `target` ticks over `span`."""
    if span <= 0:
        return Decimal(1)
    raw = span / target
    base = Decimal(1).scaleb(raw.adjusted())
    step = next(base * m for m in (1, 2, 5, 10) if base * m >= raw)
    return max(step, Decimal(1)) if integral else step


def _axis(values: list[Number], integral: bool,
          max_value: Number | None) -> tuple[Decimal, Decimal, Decimal]:
    low = min([Decimal(0), *values])
    high = max([Decimal(0), *values, *([max_value] if max_value is not None else [])])
    if high == low:
        high = low + 1
    step = nice_step(high - low, integral=integral)
    low = (low / step).to_integral_value(rounding=ROUND_FLOOR) * step
    high = (high / step).to_integral_value(rounding=ROUND_CEILING) * step
    return low, high, step


def _shorten(text: str, room: int) -> str:
    chars = max(3, room // LABEL_CHAR_WIDTH)
    return text if len(text) <= chars else text[:chars - 1].rstrip() + "…"


def bar_chart(*, title: str, categories: Sequence[str], series: Sequence[Series],
              unit: Unit = "", description: str = "", category_label: str = "",
              missing: str = "—", max_value: Number | None = None) -> Chart:
    """A grouped bar chart: one group per category, one bar per series, and its table.

    `max_value` keeps the axis up to at least that value (100 for a percentage); `missing` is
    what the table shows for None. Raises ValueError/TypeError for malformed input (a series
    of the wrong length, a float): those are programming errors, not user input.
    """
    categories = [str(c) for c in categories]
    series = [Series(label=str(s.label), values=list(s.values),
                     missing=str(missing if s.missing is None else s.missing)) for s in series]
    _check_values(categories, series)
    present = [v for s in series for v in s.values if v is not None]
    integral = all(isinstance(v, int) for v in present) and not isinstance(max_value, Decimal)
    low, high, step = _axis(present, integral, max_value)
    shown = max((_places(v) for v in present), default=0)  # one precision for the whole chart

    group = max(1, len(series)) * (BAR_WIDTH + BAR_GAP) - BAR_GAP + GROUP_GAP
    width = max(MIN_WIDTH, MARGIN_LEFT + MARGIN_RIGHT + group * max(1, len(categories)))
    plot_w = width - MARGIN_LEFT - MARGIN_RIGHT
    group = Decimal(plot_w) / max(1, len(categories))
    plot_h = Decimal(HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)
    bottom = Decimal(HEIGHT - MARGIN_BOTTOM)

    def y_of(value: Number) -> Decimal:
        return bottom - (Decimal(value) - low) / (high - low) * plot_h

    zero = y_of(0)
    bars: list[Bar] = []
    inner = len(series) * (BAR_WIDTH + BAR_GAP) - BAR_GAP
    for c, category in enumerate(categories):
        left = MARGIN_LEFT + group * c + (group - inner) / 2
        for s, one in enumerate(series):
            value = one.values[c]
            if value is None:
                continue
            top = min(y_of(value), zero)
            bars.append(Bar(category=category, series=one.label, index=s % PATTERNS,
                            value=value, unit=unit, places=shown,
                            x=_coord(left + s * (BAR_WIDTH + BAR_GAP)), y=_coord(top),
                            width=_coord(BAR_WIDTH),
                            height=_coord(abs(y_of(value) - zero))))
    places = _places(step.normalize()) if not integral else 0
    ticks = [Tick(value=low + step * i, unit=unit, places=places, y=_coord(y_of(low + step * i)))
             for i in range(int((high - low) / step) + 1)]
    labels = [CategoryLabel(text=_shorten(category, int(group)), full=category,
                            x=_coord(MARGIN_LEFT + group * c + group / 2))
              for c, category in enumerate(categories)]
    rows = [Row(category=category, cells=[Cell(value=s.values[c], unit=unit, places=shown,
                                                    missing=s.missing or "")
                                               for s in series])
            for c, category in enumerate(categories)]
    return Chart(
        id=f"chart-{next(_ids)}", title=str(title), description=str(description), unit=unit,
        category_label=str(category_label), missing=str(missing), series=series, rows=rows,
        bars=bars, ticks=ticks, labels=labels,
        legend=[LegendEntry(label=s.label, index=i % PATTERNS) for i, s in enumerate(series)],
        width=str(width), height=str(HEIGHT), plot_left=str(MARGIN_LEFT),
        plot_right=str(width - MARGIN_RIGHT), plot_top=str(MARGIN_TOP),
        plot_bottom=_coord(bottom), baseline=_coord(zero),
        label_y=_coord(bottom + 18), patterns=sorted({i % PATTERNS for i in range(len(series))}))
