"""The coordinators' dashboard panel "Recovery sign-ins": staff who signed in by code though
their role must use a passkey, and the passkeys added in such sessions (last 14 days)."""

from __future__ import annotations

from datetime import timedelta

from django.http import HttpRequest
from django.utils import timezone

from shelter.accounts.models import RecoveryPasskey
from shelter.audit.policies import can_see_recovery_sign_ins
from shelter.audit.selectors import recovery_sign_ins_visible_to

RECOVERY_PANEL_DAYS = 14


def recovery_panel(request: HttpRequest) -> dict | None:
    """Coordinators only. Staff names are shown (staff are no defenders); nothing else about
    them, and never which key or code."""
    user = getattr(request, "user", None)
    if not can_see_recovery_sign_ins(user):
        return None
    since = timezone.now() - timedelta(days=RECOVERY_PANEL_DAYS)
    passkeys = (RecoveryPasskey.objects.filter(added_at__gte=since).order_by("-added_at")
                .values_list("credential__user__full_name", "added_at")[:20])
    return {"template": "accounts/includes/recovery_panel.html", "days": RECOVERY_PANEL_DAYS,
            "sign_ins": recovery_sign_ins_visible_to(user, days=RECOVERY_PANEL_DAYS),
            "passkeys": [{"name": name, "added_at": added_at} for name, added_at in passkeys]}
