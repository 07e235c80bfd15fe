"""The case officers' dashboard panel: arrivals, departures, cases per stage, tasks.

The sharing panels (shares ending soon, break-glass openings) are `cases.sharing.panels`."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from cases import policies, selectors


def cases_panel(request: HttpRequest) -> dict | None:
    """Shown to coordinators and case officers only (code names and dates, no identities)."""
    if not policies.can_list_cases(request.user):
        return None
    return {"template": "cases/panel.html", "today": timezone.localdate(),
            **selectors.dashboard_summary(request.user)}

