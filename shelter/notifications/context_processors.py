"""The bell's unread count: one COUNT per page, made only if the page shows the bell."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from shelter.notifications.selectors import unread_count


def bell(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy and cached: evaluated at most once, by the header of a fully signed-in page.
    return {"notifications_unread": SimpleLazyObject(lambda: unread_count(user))}
