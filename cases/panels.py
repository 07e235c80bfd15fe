"""The case officers' dashboard panel: arrivals, departures, cases per stage, tasks."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from cases import policies, selectors, share_access


def cases_panel(request: HttpRequest) -> dict | None:
    """Shown to coordinators and case officers only (code names and dates, no identities)."""
    if not policies.can_list_cases(request.user):
        return None
    return {"template": "cases/panel.html", "today": timezone.localdate(),
            **selectors.dashboard_summary(request.user)}


def expiring_shares_panel(request: HttpRequest) -> dict | None:
    """Partners: their shares that end within 14 days (code names only, if "basic" shared)."""
    user = request.user
    if not (user.is_authenticated and user.is_partner):
        return None
    return {"template": "cases/panel_expiring.html",
            "shares": list(share_access.expiring_soon(user, days=14)[:20])}


def break_glass_panel(request: HttpRequest) -> dict | None:
    """Coordinators: break-glass openings of the last 7 days, active ones first (loud)."""
    if not (request.user.is_authenticated and request.user.is_coordinator):
        return None
    openings = selectors.break_glass_recent(days=7)
    return {"template": "cases/panel_break_glass.html", "openings": openings,
            "now": timezone.now()}
