"""The dashboard panel of housing: turnovers and tentative bookings of the next two weeks."""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import timezone

from housing import policies, selectors


def housing_panel(request: HttpRequest) -> dict | None:
    """Staff only; unit and case code names and dates (no addresses). Not a recorded read of
    a case: it shows what the schedule page shows, and the schedule page is recorded."""
    if not policies.can_manage_housing(request.user):
        return None
    today = timezone.localdate()
    # Turnovers and tentative stays are bookings: no availability or blocks are read.
    data = selectors.schedule_data(request.user, today, today + datetime.timedelta(days=14),
                                   periods=False)
    tentative = [row | {"unit": unit} for unit in data.units
                 for row in data.bookings.get(unit.pk, []) if row["status"] == "tentative"]
    return {"template": "housing/panel.html", "turnovers": selectors.upcoming_turnovers(data),
            "tentative": sorted(tentative, key=lambda r: r["start"])[:10]}
