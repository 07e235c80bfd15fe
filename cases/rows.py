"""The rows of the case tables (the case list, search, "Shared with me"), prepared once a page.

A row template that called `{% url %}` and `get_stage_display` for every case paid a reverse
and a lazy translation per row: here the profile address is reversed once (`shelter.links`),
and the stage and country names are translated once a request. The case table's rows are
then written in Python (`CaseRows.html`), every value through `escape`: the HTML is the one
the templates wrote (tests/cases/test_case_rows.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import formats
from django.utils.html import escape
from django.utils.safestring import SafeString

from cases.choices import Stage
from cases.models import Case
from shelter.links import SAMPLE_UUID, link_maker

DASH = "—"


def profile_links() -> Callable[[Any], str]:
    """A function of a case id to its profile's address, reversed once."""
    return link_maker("cases:profile", SAMPLE_UUID)


def stage_labels() -> dict[str, str]:
    """Each stage's label in the request's language."""
    return {value: str(label) for value, label in Stage.choices}


def _day(value: datetime.date | None) -> tuple[str, str] | None:
    """(ISO date for `datetime=`, the date in words) as the `date` filter writes them."""
    if value is None:
        return None
    return formats.date_format(value, "Y-m-d"), formats.date_format(value, "DATE_FORMAT")


class CaseRows(list):
    """The rows of a case table (dicts, as `case_rows` makes them), and their `<tr>`s."""

    def html(self) -> SafeString:
        """Every row as `cases/_case_table.html` wrote it in a loop of template tags: the
        same markup, each value through Django's `escape` (a fifty-row page, a few hundred
        template nodes fewer)."""
        return SafeString("".join(  # built from escaped values only
            f'\n    <tr>\n      <th scope="row"><a href="{escape(row["url"])}">'
            f'{escape(row["code_name"])}</a></th>\n'
            f'      <td><span class="tag">{escape(row["stage"])}</span></td>\n'
            f'      <td>{escape(row["officer"])}</td>\n      <td>{escape(row["country"])}</td>\n'
            f"      <td>{_time(row['arrival'])}</td>\n      <td>{_time(row['departure'])}</td>\n"
            "    </tr>\n  " for row in self))


def _time(day: tuple[str, str] | None) -> str:
    if day is None:
        return DASH
    return f'<time datetime="{escape(day[0])}">{escape(day[1])}</time>'


def case_rows(cases: Iterable[Case]) -> CaseRows:
    """The case table's row of each case (defender and officer selected with it)."""
    link, stages, countries = profile_links(), stage_labels(), {}
    rows: list[dict[str, Any]] = []
    for case in cases:
        country = case.defender.country_of_activity
        if country.code not in countries:
            countries[country.code] = country.name or DASH
        officer = case.assigned_officer
        rows.append({"url": link(case.pk), "code_name": case.defender.code_name,
                     "stage": stages.get(case.stage, case.stage),
                     "officer": (officer.full_name if officer else "") or DASH,
                     "country": countries[country.code],
                     "arrival": _day(case.planned_arrival),
                     "departure": _day(case.planned_departure)})
    return CaseRows(rows)
