"""Navigation for the signed-in user's role, decided once here rather than in templates."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from shelter.accounts import phishing
from shelter.accounts.roles import Role

# (url name, label, roles that see it); entries whose URL does not exist yet are skipped.
NAVIGATION = [
    ("dashboard", _("Dashboard"), set(Role)),
    ("cases:list", _("Cases"), {Role.COORDINATOR, Role.CASE_OFFICER}),
    ("cases:shared_with_me", _("Shared with me"), {Role.PARTNER}),
    ("housing:schedule", _("Housing"), {Role.COORDINATOR, Role.CASE_OFFICER}),
    ("budget:overview", _("Budget"), {Role.COORDINATOR}),
    ("audit:events", _("Access log"), {Role.AUDITOR}),
    ("accounts:people", _("People"), {Role.COORDINATOR}),
    ("accounts:organisations", _("Organisations"), {Role.COORDINATOR}),
    ("jobs:status", _("Scheduled jobs"), {Role.COORDINATOR, Role.AUDITOR}),
    ("register:list", _("Register"), {Role.COORDINATOR, Role.AUDITOR}),
]


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if not (user and user.is_authenticated and getattr(user, "is_verified", lambda: False)()):
        return {"nav_items": []}
    items = []
    for name, label, roles in NAVIGATION:
        if user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        items.append({"url": url, "label": label, "current": request.path.startswith(url)
                      and (url != "/" or request.path == "/")})
    # A session signed in by a recovery method says so on every page (shelter.accounts.phishing).
    return {"nav_items": items, "recovery_session": phishing.is_recovery_session(request)}
