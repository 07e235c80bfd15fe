"""Dangerous acts (sharing, exports, break-glass) need a second factor from the last minutes.

    @require_recent_second_factor
    def case_export(request, pk): ...

    @require_recent_second_factor(methods=("POST",))   # only the POST is dangerous
    def case_sharing(request, pk): ...

If the session's last code (`shelter_otp_verified_at`, set at every verification) is older than
SHELTER_RECENT_OTP_MINUTES, the user is sent to `accounts:reverify` and comes back to the page
(a POST is not replayed: the user confirms again, on a page they can read).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import urlencode

OTP_VERIFIED_AT = "shelter_otp_verified_at"


def has_recent_second_factor(request: HttpRequest) -> bool:
    """Was a code entered in this session within SHELTER_RECENT_OTP_MINUTES?"""
    verified_at = request.session.get(OTP_VERIFIED_AT)
    minutes = getattr(settings, "SHELTER_RECENT_OTP_MINUTES", 15)
    return isinstance(verified_at, int | float) and time.time() - verified_at <= minutes * 60


def reverify_url(request: HttpRequest, back: str | None = None) -> str:
    """Where to confirm the second factor, coming back to `back` (default: this page)."""
    back = back or (request.get_full_path() if request.method == "GET" else request.path)
    return f"{reverse('accounts:reverify')}?{urlencode({'next': back})}"


def ask_for_recent_second_factor(request: HttpRequest, back: str | None = None
                                 ) -> HttpResponse | None:
    """Inside a view, after its permission check: the redirect to answer, or None if fresh.

    Use this rather than the decorator where refusing (404) must come before asking for a code.
    """
    if has_recent_second_factor(request):
        return None
    return HttpResponseRedirect(reverify_url(request, back))


def require_recent_second_factor(view: Callable | None = None, *,
                                 methods: Iterable[str] | None = None,
                                 back: Callable[..., str] | None = None) -> Callable:
    """Decorator: ask for a fresh code first (for all methods, or only those in `methods`).

    `back(request, *args, **kwargs)` names the page to return to when this URL cannot be
    opened with GET (a POST-only export returns to the page holding its button).
    """
    guarded = {m.upper() for m in methods} if methods else None

    def decorator(func: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if (guarded is None or request.method in guarded) \
                    and not has_recent_second_factor(request):
                target = back(request, *args, **kwargs) if back else None
                return HttpResponseRedirect(reverify_url(request, target))
            return func(request, *args, **kwargs)
        wrapper.requires_recent_second_factor = True  # type: ignore[attr-defined]
        return wrapper

    return decorator(view) if view is not None else decorator
