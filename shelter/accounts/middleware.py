"""Session lifetime and the second-factor gate in front of every page."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
from django_otp.middleware import OTPMiddleware

SESSION_STARTED = "shelter_started"
SESSION_SEEN = "shelter_seen"
# What a verified session remembers: {"device": persistent id, "stamp": n, "role": name}.
SESSION_VERIFIED = "shelter_verified"
# The "seen" stamp (and with it the session row and its expiry) is written at most this often.
SEEN_RESOLUTION_SECONDS = 60

# Views reachable without a verified second factor. Everything else requires one.
EXEMPT_URL_NAMES = {
    "accounts:login", "accounts:verify", "accounts:enrol", "accounts:logout",
    "accounts:invitation", "accounts:password_forgot", "accounts:password_reset",
    "accounts:sso_start", "accounts:sso_callback",
    "accounts:webauthn_login_begin", "accounts:webauthn_login_complete",  # the second step
    "set_language",
}


def is_exempt(request: HttpRequest) -> bool:
    if request.path.startswith(settings.STATIC_URL):
        return True
    match = getattr(request, "resolver_match", None)
    return bool(match and match.view_name in EXEMPT_URL_NAMES)


class SessionExpiryMiddleware:
    """End sessions idle for too long or older than the absolute limit."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            idle = settings.SHELTER_SESSION_IDLE_MINUTES * 60
            absolute = settings.SHELTER_SESSION_MAX_HOURS * 3600
            if now - seen > idle or now - started > absolute:
                logout(request)
                messages.info(request, _("Your session has ended. Please sign in again."))
                return HttpResponseRedirect(reverse(settings.LOGIN_URL))
            # Touched at most once a minute: the session row is not rewritten on every
            # request (SESSION_SAVE_EVERY_REQUEST is off). Idle time is measured to the minute.
            if now - seen >= SEEN_RESOLUTION_SECONDS or SESSION_SEEN not in request.session:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


class OTPSessionMiddleware(OTPMiddleware):
    """django-otp's middleware (it sets `request.user.otp_device`), without its device query
    and the role query on every request of a verified session.

    Once a session's device is loaded and found valid (the user's, confirmed), the session
    remembers its persistent id, the user's role and the user's `access_stamp`. Later requests
    trust that memory while the stamp on the user row (read by Django's authentication anyway)
    is unchanged; any save or delete of one of the user's devices, and any change of their
    groups, moves the stamp (`shelter.accounts.stamps`), and the next request loads both again.
    The device object itself is loaded only if a page asks for more than "verified or not".
    """

    def _verify_user_sync(self, request, user):
        self._init_user_fields(user)
        if not user.is_authenticated:
            return user
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        remembered = request.session.get(SESSION_VERIFIED)
        if (persistent_id and isinstance(remembered, dict)
                and remembered.get("device") == persistent_id
                and remembered.get("stamp") == user.access_stamp):
            user._role_cache = remembered.get("role")
            user.otp_device = SimpleLazyObject(
                functools.partial(self._remembered_device, user, persistent_id))
            return user
        user = super()._verify_user_sync(request, user)
        if user.otp_device is not None:
            request.session[SESSION_VERIFIED] = {
                "device": persistent_id, "stamp": user.access_stamp, "role": user.role}
        elif SESSION_VERIFIED in request.session:
            del request.session[SESSION_VERIFIED]
        return user

    def _remembered_device(self, user, persistent_id: str):
        """The device object, when a page needs it (which kind of device signed in)."""
        device = self._device_from_persistent_id(persistent_id)
        if device is None or device.user_id != user.pk or not device.confirmed:
            # Only if it went in this very request, after the stamp was read: refuse.
            raise PermissionDenied
        return device


class RequireTwoFactorMiddleware:
    """Every page needs a password session verified with a second factor.

    Anonymous visitors go to sign-in; a user without a confirmed device goes to enrolment and can
    reach nothing else; a user with a device but an unverified session goes to the code step.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        if is_exempt(request):
            return None
        user = request.user
        if user.is_authenticated and user.is_verified():
            return None
        if not user.is_authenticated:
            target = reverse(settings.LOGIN_URL)
        elif user_has_device(user, confirmed=True):
            target = reverse("accounts:verify")
        else:
            target = reverse("accounts:enrol")
        next_url = request.get_full_path()
        if request.method == "GET" and url_has_allowed_host_and_scheme(next_url, None):
            target = f"{target}?{urlencode({'next': next_url})}"
        return HttpResponseRedirect(target)


class PhishingResistantMiddleware:
    """After the two-factor gate: a fully signed-in user whose role must use a passkey (or
    proven provider MFA), who signed in by code and has no such way yet, reaches only the
    security page, where they add one (`shelter.accounts.phishing`). GET is sent there; any
    other method is refused (403), so no form posted from an older page goes through."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        from shelter.accounts import phishing

        if is_exempt(request):
            return None
        match = getattr(request, "resolver_match", None)
        if match and match.view_name in phishing.RESTRICTED_ALLOWED_URL_NAMES:
            return None
        if not phishing.is_restricted(request):
            return None
        if request.method in {"GET", "HEAD"}:
            messages.warning(request, phishing.RESTRICTED_MESSAGE)
            return HttpResponseRedirect(reverse("accounts:security"))
        return render(request, "accounts/recovery_refused.html",
                      {"message": phishing.RESTRICTED_MESSAGE}, status=403)
