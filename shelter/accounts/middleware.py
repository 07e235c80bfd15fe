"""Session lifetime and the second-factor gate in front of every page."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_otp import user_has_device

SESSION_STARTED = "shelter_started"
SESSION_SEEN = "shelter_seen"

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
            request.session[SESSION_SEEN] = now
        return self.get_response(request)


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
