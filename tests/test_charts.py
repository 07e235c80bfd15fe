"""shelter.charts: the SVG is well formed, its bars are the values, the table says the same."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from shelter.charts import Series, bar_chart, nice_step

SVG = "{http://www.w3.org/2000/svg}"


def _render(chart, language="en"):
    with translation.override(language):
        return render_to_string("shelter/chart.html", {"chart": chart})


def _svg(html):
    # our own rendering, parsed to prove it is well-formed XML (no entities, nothing fetched)
    return ET.fromstring(  # noqa: S314
        re.search(r'<svg class="chart__svg".*?</svg>', html, re.S).group(0))


def _bars(html):
    return _svg(html).findall(f".//{SVG}rect[@data-value]")


def _table_cells(html):
    table = re.search(r"<table.*?</table>", html, re.S).group(0)
    return re.findall(r'<td data-value="([^"]*)">([^<]*)</td>', table)


def test_the_svg_parses_and_names_itself():
    chart = bar_chart(title="Hosted", categories=["2025", "2026"],
                      series=[Series(label="Africa", values=[3, 4])])
    svg = _svg(_render(chart))
    assert svg.get("role") == "img"
    title, desc = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title
    assert svg.find(f"{SVG}title").text == "Hosted"
    assert svg.find(f"{SVG}desc").get("id") == desc


def test_bar_heights_are_proportional_to_the_values():
    chart = bar_chart(title="t", categories=["a", "b", "c"],
                      series=[Series(label="s", values=[Decimal("10"), Decimal("25"), 40])])
    bars = _bars(_render(chart))
    heights = [float(b.get("height")) for b in bars]
    values = [float(b.get("data-value")) for b in bars]
    assert values == [10, 25, 40]
    ratios = [h / v for h, v in zip(heights, values, strict=True)]
    assert max(ratios) - min(ratios) < 0.01
    # every bar stands on the same baseline
    assert len({round(float(b.get("y")) + float(b.get("height")), 1) for b in bars}) == 1


def test_none_draws_no_bar_and_the_table_says_so():
    chart = bar_chart(title="t", categories=["a", "b"], missing="fewer than 3",
                      series=[Series(label="s", values=[5, None])])
    html = _render(chart)
    assert [b.get("data-category") for b in _bars(html)] == ["a"]
    assert _table_cells(html) == [("5", "5"), ("", "fewer than 3")]
    assert "1 value is not shown as a bar." in html


def test_untrusted_labels_are_escaped():
    evil = '<script>alert("x")</script>'
    chart = bar_chart(title=evil, categories=[evil],
                      series=[Series(label=evil, values=[1]), Series(label="b", values=[2])])
    html = _render(chart)
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    svg = _svg(html)  # still well formed
    assert svg.find(f"{SVG}title").text == evil
    assert _bars(html)[0].get("data-series") == evil


def test_the_tables_numbers_are_the_series_values():
    values = [[Decimal("1200.00"), Decimal("0.50"), None], [Decimal("900.25"), None, Decimal("3")]]
    chart = bar_chart(title="Budget", categories=["MFA", "City", "PD"], unit="€",
                      series=[Series(label="Planned", values=values[0]),
                              Series(label="Actual", values=values[1])])
    html = _render(chart)
    cells = _table_cells(html)
    # the table is row by row (category), a column per series
    expected = [values[s][c] for c in range(3) for s in range(2)]
    assert [Decimal(v) if v else None for v, _text in cells] == expected
    bars = {(b.get("data-category"), b.get("data-series")): Decimal(b.get("data-value"))
            for b in _bars(html)}
    assert bars == {("MFA", "Planned"): Decimal("1200.00"), ("MFA", "Actual"): Decimal("900.25"),
                    ("City", "Planned"): Decimal("0.50"), ("PD", "Actual"): Decimal("3")}
    assert ("1200.00", "€\xa01,200.00") in cells


def test_dutch_numbers_have_a_decimal_comma_and_coordinates_do_not():
    chart = bar_chart(title="t", categories=["jan"], unit="%", max_value=100,
                      series=[Series(label="s", values=[Decimal("12.5")])])
    html = _render(chart, "nl")
    assert _table_cells(html) == [("12.5", "12,5%")]
    assert "Een staafdiagram" in html
    for bar in _bars(html):
        float(bar.get("y")), float(bar.get("height"))  # noqa: B018 (dot decimals in the SVG)
    ticks = [t.text for t in _svg(html).iter(f"{SVG}text") if t.get("class") == "chart__tick"]
    assert ticks[-1] == "100%"


def test_ticks_are_round_steps():
    assert nice_step(Decimal(1234), integral=False) == Decimal(500)
    assert nice_step(Decimal(7), integral=True) == Decimal(2)
    assert nice_step(Decimal("0.3"), integral=True) == Decimal(1)
    chart = bar_chart(title="t", categories=["a"], series=[Series(label="s", values=[17])])
    assert [int(t.value) for t in chart.ticks] == [0, 5, 10, 15, 20]


def test_no_inline_style_and_series_have_patterns():
    chart = bar_chart(title="t", categories=["a"],
                      series=[Series(label=str(i), values=[i + 1]) for i in range(3)])
    html = _render(chart)
    assert "style" not in html.lower()
    assert {b.get("fill") for b in _bars(html)} == {f"url(#{chart.id}-p{i})" for i in range(3)}


def test_floats_and_ragged_series_are_refused():
    with pytest.raises(TypeError):
        bar_chart(title="t", categories=["a"], series=[Series(label="s", values=[1.5])])
    with pytest.raises(ValueError):
        bar_chart(title="t", categories=["a", "b"], series=[Series(label="s", values=[1])])


def test_negative_values_hang_below_the_baseline():
    chart = bar_chart(title="t", categories=["a", "b"], unit="€",
                      series=[Series(label="s", values=[Decimal("-50"), Decimal("100")])])
    low, high = _bars(_render(chart))
    assert float(low.get("y")) == pytest.approx(float(chart.baseline))
    assert float(high.get("y")) + float(high.get("height")) == pytest.approx(
        float(chart.baseline))
    assert float(low.get("height")) * 2 == pytest.approx(float(high.get("height")), abs=0.2)


def test_an_empty_chart_renders():
    html = _render(bar_chart(title="t", categories=[], series=[]))
    _svg(html)
    assert "None." in html


def test_a_series_may_say_what_its_missing_values_mean():
    chart = bar_chart(title="t", categories=["a"], missing="—",
                      series=[Series(label="Europe", values=[None]),
                              Series(label="Others", values=[None], missing="fewer than 3")])
    assert _table_cells(_render(chart)) == [("", "—"), ("", "fewer than 3")]
    assert _bars(_render(chart)) == []
