"""Read a chart back out of a page (shelter/chart.html): its bars and its table, to compare."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import unescape

SVG = "{http://www.w3.org/2000/svg}"


def chart_svgs(html: str) -> list[ET.Element]:
    """Every chart's SVG in `html`, parsed as XML (which fails if one is not well formed)."""
    # our own rendering, parsed to prove it is well-formed XML (no entities, nothing fetched)
    return [ET.fromstring(svg)  # noqa: S314
            for svg in re.findall(r'<svg class="chart__svg".*?</svg>', html, re.S)]


def bars(svg: ET.Element) -> dict[tuple[str, str], str]:
    """{(category, series): data-value} of every bar drawn."""
    return {(bar.get("data-category"), bar.get("data-series")): bar.get("data-value")
            for bar in svg.iter(f"{SVG}rect") if bar.get("data-value") is not None}


def table(html: str, index: int = 0) -> dict[tuple[str, str], tuple[str, str]]:
    """{(category, series): (data-value, shown text)} of the `index`th chart's table."""
    block = re.findall(r'<table class="table chart__table".*?</table>', html, re.S)[index]
    head = re.search(r"<thead>(.*?)</thead>", block, re.S).group(1)
    series = [unescape(s) for s in re.findall(r'<th scope="col">([^<]*)</th>', head)][1:]
    cells = {}
    for row in re.findall(r"<tr><th scope=\"row\">.*?</tr>", block, re.S):
        category = unescape(re.search(r'<th scope="row">([^<]*)</th>', row).group(1))
        values = re.findall(r'<td data-value="([^"]*)">([^<]*)</td>', row)
        for label, (value, text) in zip(series, values, strict=True):
            cells[(category, label)] = (value, unescape(text))
    return cells


def assert_chart_matches_table(html: str, index: int = 0) -> dict:
    """The `index`th chart draws exactly the table's numbers: a bar for every value, with that
    value, and no bar where the table shows none. Returns the table."""
    cells = table(html, index)
    drawn = bars(chart_svgs(html)[index])
    assert drawn == {key: value for key, (value, _text) in cells.items() if value != ""}
    return cells
