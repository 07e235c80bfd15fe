"""Dashboard panels of sharing: a partner's shares ending soon, coordinators' break-glass list."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from cases.sharing import grants


def expiring_shares_panel(request: HttpRequest) -> dict | None:
    """Partners: their shares that end within 14 days (code names only, if "basic" shared)."""
    user = request.user
    if not (user.is_authenticated and user.is_partner):
        return None
    return {"template": "sharing/panel_expiring.html",
            "shares": list(grants.expiring_soon(user, days=14)[:20])}


def break_glass_panel(request: HttpRequest) -> dict | None:
    """Coordinators: break-glass openings of the last 7 days, active ones first (loud)."""
    if not (request.user.is_authenticated and request.user.is_coordinator):
        return None
    return {"template": "sharing/panel_break_glass.html",
            "openings": grants.break_glass_recent(days=7), "now": timezone.now()}
