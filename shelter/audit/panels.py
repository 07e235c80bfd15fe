"""The auditors' dashboard panel: chain status and the latest refusals."""

from __future__ import annotations

from django.http import HttpRequest

from shelter.audit import selectors
from shelter.audit.policies import can_read_log


def auditor_panel(request: HttpRequest) -> dict | None:
    if not can_read_log(getattr(request, "user", None)):
        return None
    return {"template": "audit/panel.html", "last": selectors.last_verification(),
            "refusals": selectors.recent_refusals(request.user, limit=5)}
