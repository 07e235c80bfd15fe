"""The staff dashboard panel "Travel documents": the cases whose passport, visa, insurance or
outbound journey no longer covers the stay. Code names and what failed, linked to the case's
logistics page; no personal data. A bounded number of queries, whatever the number of cases."""

from __future__ import annotations

from django.http import HttpRequest

from cases import policies
from cases.logistics import selectors


def logistics_panel(request: HttpRequest) -> dict | None:
    """Shown to coordinators and case officers only."""
    if not policies.can_list_cases(request.user):
        return None
    return {"template": "logistics/panel.html",
            "warnings": selectors.dashboard_warnings(request.user)}
