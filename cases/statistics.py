"""Reads for the statistics page's chart: defenders hosted per year and per region.

A selector module (reads only, the reader passed in), apart from `cases.selectors` for size.
Plain fields only, nothing decrypted; every year's counts go through the page's own
small-count rule (`selectors.protect_small_counts`), so the chart and its table give away no
more than the page's other tables do.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from typing import Any

from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cases.choices import Stage
from cases.regions import REGIONS, region_of
from cases.selectors import SMALL_COUNT, protect_small_counts, visible_cases
from shelter.accounts.models import User
from shelter.charts import Series

YEARS_SHOWN = 5
# Hosted means arrived: a residency still being prepared or turned down was not hosted.
HOSTED_STAGES = (Stage.IN_RESIDENCE, Stage.DEPARTED, Stage.FOLLOW_UP, Stage.CLOSED)
_OTHERS = "others"


def _stays(user: User, first: int, last: int) -> list[tuple[Any, str, int, int]]:
    """(defender id, region, first year, last year) of every hosted residency touching the
    years `first`..`last`, by actual dates, else planned ones. One query."""
    this_year = timezone.localdate().year
    rows = (visible_cases(user).filter(stage__in=HOSTED_STAGES)
            .annotate(start=Coalesce("actual_arrival", "planned_arrival"),
                      end=Coalesce("actual_departure", "planned_departure"))
            .filter(start__isnull=False, start__lte=datetime.date(last, 12, 31))
            .order_by()
            .values_list("defender_id", "defender__country_of_activity", "start", "end", "stage"))
    stays = []
    for defender, country, start, end, stage in rows:
        if end is None:  # still here, or the departure was never written down
            end_year = max(start.year, this_year) if stage == Stage.IN_RESIDENCE else start.year
        else:
            end_year = max(end.year, start.year)
        if end_year >= first:
            stays.append((defender, region_of(country), start.year, end_year))
    return stays


def hosted_per_region(user: User, last_year: int, years: int = YEARS_SHOWN) -> dict[str, Any]:
    """Defenders hosted (in residence at some time of the year) per year and region, for the
    `years` years up to `last_year`: {"years": [...], "series": [Series per region, ...]}.

    Each year is protected on its own: regions below SMALL_COUNT are folded into "Others
    combined" (with the next smallest where needed), a region not shown in a year is None
    ("—": none, or counted under "Others combined"), and "Others combined" is None ("fewer
    than 3") when everything that year together is below SMALL_COUNT.
    """
    first = last_year - years + 1
    defenders: dict[tuple[int, str], set[Any]] = defaultdict(set)
    for defender, region, start_year, end_year in _stays(user, first, last_year):
        for year in range(max(start_year, first), min(end_year, last_year) + 1):
            defenders[(year, region)].add(defender)
    shown: dict[int, dict[str, int | None]] = {}
    for year in range(first, last_year + 1):
        rows = sorted(((region, len(ids)) for (y, region), ids in defenders.items() if y == year),
                      key=lambda row: (-row[1], row[0]))
        shown[year] = dict(protect_small_counts(rows, _OTHERS))
    regions = [code for code in REGIONS if any(code in counts for counts in shown.values())]
    fewer = _("fewer than %(n)s") % {"n": SMALL_COUNT}
    series = [Series(label=str(REGIONS[code]), values=[shown[y].get(code) for y in shown])
              for code in regions]
    if any(_OTHERS in counts for counts in shown.values()):
        series.append(Series(label=str(_("Others combined")), missing=str(fewer),
                             values=[shown[y].get(_OTHERS, 0) for y in shown]))
    return {"years": list(shown), "series": series, "small_count": SMALL_COUNT}
