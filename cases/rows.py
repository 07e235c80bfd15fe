"""The rows of the case tables (the case list, search, "Shared with me"), prepared once a page.

A row template that called `{% url %}` and `get_stage_display` for every case paid a reverse
and a lazy translation per row: here the profile address is reversed once (`shelter.links`),
and the stage and country names are translated once a request. The templates still write
and escape every value, so the HTML is the same.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import Any

from django.utils import formats

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


def case_rows(cases: Iterable[Case]) -> list[dict[str, Any]]:
    """The case table's row of each case (defender and officer selected with it)."""
    link, stages, countries = profile_links(), stage_labels(), {}
    rows = []
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
    return rows
