"""Dangerous acts (sharing, exports, break-glass) need a second factor from the last minutes.

A dangerous view first decides whether the person may act at all (refusing with 404/403 comes
before any prompt), then asks:

    if fresh := ask_for_recent_second_factor(request):
        return fresh

If the session's last code (`shelter_otp_verified_at`, set at every verification) is older than
SHELTER_RECENT_OTP_MINUTES, the user is sent to `accounts:reverify` and comes back to the page
(a POST is not replayed: the user confirms again, on a page they can read).
"""

from __future__ import annotations

import time

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
    """Inside a view, after its permission check: the redirect to answer, or None if fresh."""
    if has_recent_second_factor(request):
        return None
    return HttpResponseRedirect(reverify_url(request, back))

