"""Single sign-on pages: to the provider and back (sign in, link an account, confirm again).

Each round trip starts with the library's authorization request (`sso.ProviderRedirect`); what
the trip is for (its purpose, where to go next, who started it and when) is kept with its
`state` in the session, so an answer counts only for the trip it belongs to, once, within
`sso.INTENT_SECONDS`. Every refusal answers the same way: the audit entry and a 403 page that
says what to do, with nothing about the person on it.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shelter.access import guarded_by, public, signed_in
from shelter.accounts import phishing, services, sso
from shelter.accounts.methods import (
    FIRST_FACTOR,
    FirstFactor,
    SecondFactor,
    first_factor_passed,
    second_factor_confirmed_again,
    second_factor_passed,
)
from shelter.accounts.models import User
from shelter.accounts.recent import OTP_VERIFIED_AT, ask_for_recent_second_factor, reverify_url
from shelter.accounts.signals import sign_in_refused

SIGN_IN, LINK, REAUTH = "sign_in", "link", "reauth"
# Linking and confirming again must be a new login at the provider, not its session's memory.
NEW_LOGIN = {"prompt": "login", "max_age": "0"}

ADVICE = {
    "not_invited": gettext_lazy("This identity has no Shelter account. Ask your coordinator for "
                                "an invitation."),
    "inactive": gettext_lazy("Your account is not active. Ask your coordinator."),
    "partner": gettext_lazy("Partners sign in with their e-mail address, password and second "
                            "factor, not with single sign-on."),
    "not_in_group": gettext_lazy("Your identity provider says you no longer belong to the group "
                                 "that may use Shelter, so your account is now inactive. Ask "
                                 "your coordinator."),
    "provider_error": gettext_lazy("The identity provider did not answer as expected. Try again "
                                   "later; if this keeps happening, tell your coordinator."),
    "bad_token": gettext_lazy("The identity provider's answer could not be trusted. Try again."),
    "state": gettext_lazy("This sign-in took too long or was started in another window. "
                          "Start again."),
    "link_taken": gettext_lazy("This identity is already linked to another Shelter account, or "
                               "this account to another identity. Ask your coordinator."),
    "reauth_mismatch": gettext_lazy("You confirmed as someone else at the identity provider. "
                                    "Confirm with your own account."),
    "no_mfa": gettext_lazy("Your identity provider did not confirm a second factor. Sign in "
                           "again with your provider's second factor."),
    "stale_login": gettext_lazy("The identity provider did not ask you to sign in again. "
                                "Try again."),
}


def refused(request: HttpRequest, refusal: sso.Refused) -> HttpResponse:
    sign_in_refused.send(sender=User, user=refusal.user, request=request,
                         reason=refusal.reason, factor=FirstFactor.SSO.value)
    if (refusal.user is not None and not refusal.user.is_active
            and request.user.is_authenticated and request.user.pk == refusal.user.pk):
        # Deactivated just now (left the required group while signed in): every session of
        # theirs is gone from the store; start a clean anonymous one rather than save it back.
        logout(request)
    return render(request, "accounts/sso_refused.html",
                  {"advice": ADVICE[refusal.reason], "reason": refusal.reason}, status=403)


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()},
                                                     request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _to_provider(request: HttpRequest, purpose: str, next_url: str,
                 extra: dict[str, str] | None = None) -> HttpResponse:
    """The library's redirect to the provider; the trip's purpose kept with its state."""
    try:
        view = sso.ProviderRedirect()
    except sso.Refused as refusal:  # discovery failed
        return refused(request, refusal)
    view.extra_params = extra or {}
    response = view.get(request)
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    user_id = request.user.pk if request.user.is_authenticated else None
    request.session["oidc_states"][state]["shelter"] = {
        "purpose": purpose, "next": next_url, "user": user_id, "at": time.time()}
    request.session.modified = True
    return response


def _require_enabled() -> None:
    if not sso.enabled():
        raise Http404


@never_cache
@guarded_by(public)
def sso_start(request: HttpRequest) -> HttpResponse:
    """Sign in with the municipality's identity provider."""
    public(request)
    _require_enabled()
    next_url = _safe_next(request, request.GET.get("next") or request.POST.get("next"))
    if request.user.is_authenticated and request.user.is_verified():
        return HttpResponseRedirect(next_url)
    return _to_provider(request, SIGN_IN, next_url)


@never_cache
@require_POST
@guarded_by(signed_in)
def sso_link(request: HttpRequest) -> HttpResponse:
    """Link the signed-in account to the person's identity at the provider (a new login there,
    after a recent second factor here)."""
    signed_in(request)
    _require_enabled()
    next_url = _safe_next(request, request.POST.get("next"))
    if fresh := ask_for_recent_second_factor(request, next_url):
        return fresh
    if request.user.oidc_subject:
        messages.info(request, _("Your account is already linked to single sign-on."))
        return HttpResponseRedirect(next_url)
    if request.user.is_partner:
        return refused(request, sso.Refused("partner", request.user))
    if reason := phishing.sso_link_refusal(request):  # a recovery session adds no way in
        return phishing.refuse(request, "accounts.user", request.user.pk, reason, "security")
    return _to_provider(request, LINK, next_url, NEW_LOGIN)


@never_cache
@require_POST
@guarded_by(signed_in)
def sso_reauth(request: HttpRequest) -> HttpResponse:
    """Confirm again through the provider (a new login, with its MFA) before a dangerous act."""
    signed_in(request)
    _require_enabled()
    next_url = _safe_next(request, request.POST.get("next"))
    if not reauth_offered(request):
        return HttpResponseRedirect(reverify_url(request, next_url))
    return _to_provider(request, REAUTH, next_url, NEW_LOGIN)


def reauth_offered(request: HttpRequest) -> bool:
    """May this session confirm again through the provider? (signed in by single sign-on)"""
    user = request.user
    return (sso.enabled() and user.is_authenticated and bool(user.oidc_subject)
            and request.session.get(FIRST_FACTOR) == FirstFactor.SSO)


def _round_trip(request: HttpRequest) -> tuple[dict, dict]:
    """The trip this answer belongs to (used up now) and the ID token's verified claims."""
    states = request.session.get("oidc_states")
    state = request.GET.get("state", "")
    entry = states.pop(state, None) if isinstance(states, dict) and state else None
    if entry is not None:
        request.session.modified = True
    if request.GET.get("error"):  # e.g. access_denied: the person or the provider said no
        raise sso.Refused("provider_error")
    intent = (entry or {}).get("shelter") or {}
    if not request.GET.get("code") or not intent or \
            not 0 <= time.time() - float(intent.get("at", 0)) <= sso.INTENT_SECONDS:
        raise sso.Refused("state")
    claims = sso.ShelterOIDCBackend().callback_claims(
        request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier"))
    return intent, claims


@never_cache
@guarded_by(public)
def sso_callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the person back here, whatever the trip was for."""
    public(request)
    _require_enabled()
    try:
        intent, claims = _round_trip(request)
        finish = {SIGN_IN: _finish_sign_in, LINK: _finish_link, REAUTH: _finish_reauth}
        return finish[intent["purpose"]](request, intent, claims)
    except sso.Refused as refusal:
        return refused(request, refusal)


def _finish_sign_in(request: HttpRequest, intent: dict, claims: dict) -> HttpResponse:
    user = sso.user_for_sign_in(claims)
    proven = sso.mfa_proven(claims)
    if not proven and not sso.holds_shelter_device(user) and \
            sso.signed_in_with_provider_mfa_before(user):
        # Enrolment now would let whoever holds only the provider password add their own
        # authenticator to an account that has always been protected by the provider's MFA.
        raise sso.Refused("no_mfa", user)
    login(request, user, backend=sso.BACKEND)
    first_factor_passed(request, FirstFactor.SSO)
    next_query = urlencode({"next": intent["next"]})
    if proven:
        device = services.provider_mfa_device(user=user)
        second_factor_passed(request, device, SecondFactor.PROVIDER_MFA)
        # How recent the second factor is, is the provider's word: when the person logged in.
        request.session[OTP_VERIFIED_AT] = sso.auth_time(claims) or 0.0
        return HttpResponseRedirect(intent["next"])
    step = "accounts:verify" if sso.holds_shelter_device(user) else "accounts:enrol"
    return HttpResponseRedirect(f"{reverse(step)}?{next_query}")


def _same_person(request: HttpRequest, intent: dict) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_verified() and user.pk == intent.get("user"))


def _finish_link(request: HttpRequest, intent: dict, claims: dict) -> HttpResponse:
    if not _same_person(request, intent):
        raise sso.Refused("state")
    user = request.user
    if reason := phishing.sso_link_refusal(request):
        return phishing.refuse(request, "accounts.user", user.pk, reason, "security")
    if not sso.fresh_login(claims):
        raise sso.Refused("stale_login", user)
    sso.check_groups(claims, user)
    if not services.user_link_sso(user=user, subject=sso.subject_of(claims),
                                  via="security_page"):
        raise sso.Refused("link_taken", user)
    messages.success(request, _("Your account is linked: next time you can sign in with "
                                "single sign-on."))
    return HttpResponseRedirect(intent["next"])


def _finish_reauth(request: HttpRequest, intent: dict, claims: dict) -> HttpResponse:
    if not _same_person(request, intent):
        raise sso.Refused("state")
    user = request.user
    if sso.subject_of(claims) != user.oidc_subject:
        raise sso.Refused("reauth_mismatch", user)
    if not sso.fresh_login(claims):
        raise sso.Refused("stale_login", user)
    # Someone who left the required group confirms nothing: deactivated, as at sign-in.
    sso.check_groups(claims, user)
    if not sso.mfa_proven(claims):
        messages.error(request, _("Your identity provider did not confirm a second factor; "
                                  "enter a code instead."))
        return HttpResponseRedirect(reverify_url(request, intent["next"]))
    second_factor_confirmed_again(request, SecondFactor.PROVIDER_MFA)
    return HttpResponseRedirect(intent["next"])
