"""Security alerts to the person themselves (immediate, cannot be turned off): a sign-in from a
browser not seen before for them, and their account locked after repeated wrong passwords.

A device is a browser: after a full sign-in it holds a signed, long-lived `shelter_device`
cookie with a random id; the database keeps only the id's SHA-256 per person (`KnownDevice`),
never a user agent or an address. The first device a person ever signs in with (at enrolment)
is recorded silently: nothing was known before it. Clearing cookies, or another browser, counts
as a new device: honest and simple, and a false alarm costs one mail.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from shelter.accounts.models import KnownDevice
from shelter.notifications.api import notify

COOKIE = "shelter_device"
SALT = "shelter.accounts.device"
REQUEST_ATTR = "_shelter_device_id"
MAX_AGE = datetime.timedelta(days=400)  # the longest lifetime browsers keep a cookie


def _device_id(request: HttpRequest) -> str | None:
    try:
        value = request.get_signed_cookie(COOKIE, default=None, salt=SALT)
    except signing.BadSignature:
        return None
    return value if value and len(value) <= 64 else None


def _digest(device_id: str) -> str:
    return hashlib.sha256(device_id.encode()).hexdigest()


@transaction.atomic
def device_sign_in(request: HttpRequest, user: Any) -> bool:
    """A sign-in completed in `request`'s browser: remember the browser for `user`, and alert
    them if it is new and not their first. Returns True if an alert was raised."""
    device_id = _device_id(request) or secrets.token_urlsafe(32)
    request.__dict__[REQUEST_ATTR] = device_id  # DeviceCookieMiddleware (re)sets the cookie
    now = timezone.now()
    known = KnownDevice.objects.filter(user=user)
    if known.filter(digest=_digest(device_id)).update(last_seen=now):
        return False
    first = not known.exists()
    device, created = KnownDevice.objects.get_or_create(user=user, digest=_digest(device_id))
    if first or not created:
        return False
    return notify("new_device_sign_in", user, dedupe=f"device:{device.pk}")


def on_second_factor_verified(sender: Any, user: Any = None, request: Any = None,
                              again: bool = False, **kwargs: Any) -> None:
    """Every completed sign-in (both factors, any method); not a confirm-again."""
    if again or request is None or user is None or not user.is_authenticated:
        return
    device_sign_in(request, user)


def on_account_locked(sender: Any, user: Any = None, scope: str = "", **kwargs: Any) -> None:
    """An account locked after wrong passwords: its owner hears at once (a lock by client
    address names no account; an unknown address has no owner to tell). One alert per lock:
    a new lock can only begin after the last one ended."""
    if user is None or scope != "account":
        return
    # One alert a day at most: anyone who knows the address can lock the account again every
    # quarter of an hour, and must not be able to fill the owner's mailbox with it.
    notify("lockout", user, dedupe=f"lockout:{timezone.localdate()}")


class DeviceCookieMiddleware:
    """Sets the `shelter_device` cookie on the response of a completed sign-in."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        device_id = request.__dict__.get(REQUEST_ATTR)
        if device_id:
            response.set_signed_cookie(
                COOKIE, device_id, salt=SALT, max_age=int(MAX_AGE.total_seconds()),
                secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax")
        return response
