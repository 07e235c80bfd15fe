"""Passkeys and security keys (WebAuthn) as a second factor, through django-otp-webauthn.

The library does the WebAuthn ceremonies (options, challenge, signature and origin checks); this
module is Shelter's glue around it:

- `ShelterWebAuthnHelper` (OTP_WEBAUTHN_HELPER_CLASS): the relying party from SHELTER_SITE_URL
  (settings), user verification REQUIRED when registering and when signing in, attestation
  "none", a challenge that goes stale after OTP_WEBAUTHN_TIMEOUT_SECONDS, and a registration
  that is verified here but saved by `services.passkey_add` (with its audit record).
- The four JSON endpoints, wrapping the library's views: registering needs a session verified
  with both factors; authenticating is the second step after the password or single sign-on,
  never a way in on its own (OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN is False, and the views
  refuse a visitor who is not signed in). A passed passkey raises the session only through
  `methods.second_factor_passed` (or `second_factor_confirmed_again` on the confirm-again page).
- Every failure is a short JSON error (400, 403, 404 or 409) with a translated message the page's
  script shows; nothing a browser sends can make a 500 or an ERROR log line.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp_webauthn import exceptions, views
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.settings import app_settings
from django_otp_webauthn.utils import rewrite_exceptions
from webauthn import base64url_to_bytes, verify_registration_response
from webauthn.helpers import parse_registration_credential_json
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from shelter.access import guarded_by, public, signed_in
from shelter.accounts import phishing, services
from shelter.accounts.methods import (
    SecondFactor,
    second_factor_confirmed_again,
    second_factor_passed,
)
from shelter.accounts.models import User
from shelter.accounts.recent import has_recent_second_factor, reverify_url
from shelter.accounts.signals import second_factor_failed

logger = logging.getLogger("shelter.accounts")

PASSKEY_NAME_MAX = 60


class Duplicate(exceptions.OTPWebAuthnApiError):
    status_code = 409
    default_code = "duplicate_credential"


class Stale(exceptions.OTPWebAuthnApiError):
    status_code = 400
    default_code = "stale_challenge"


class SignInFirst(exceptions.OTPWebAuthnApiError):
    """No first factor in this session: a passkey is never a way in on its own."""

    status_code = 401
    default_code = "not_authenticated"


class BadName(exceptions.OTPWebAuthnApiError):
    status_code = 400
    default_code = "invalid_name"


def error_message(code: str) -> str:
    """What the page tells the person, for an error code (never the library's own words)."""
    messages = {
        "duplicate_credential": _("This passkey or security key is already registered."),
        "invalid_state": _("This attempt has expired or was already used. Please try again."),
        "stale_challenge": _("This attempt has expired or was already used. Please try again."),
        "invalid_name": _("Give the passkey a name of at most 60 characters."),
        "credential_not_found": _("This passkey is not registered for your account. Use "
                                  "another one, or your authenticator app."),
        "credential_user_mismatch": _("This passkey is not registered for your account. Use "
                                      "another one, or your authenticator app."),
        "passwordless_login_disabled": _("Sign in with your password first."),
        "not_authenticated": _("Sign in with your password first."),
        "user_not_verified": _("Confirm your second factor first."),
        "user_disabled": _("This account is deactivated."),
        "credential_disabled": _("This passkey is not registered for your account. Use "
                                 "another one, or your authenticator app."),
    }
    return messages.get(code, _("The passkey could not be verified. Please try again."))


class ShelterWebAuthnHelper(WebAuthnHelper):
    """The library's helper with Shelter's choices (see the module docstring)."""

    def get_relying_party_domain(self) -> str:
        return settings.OTP_WEBAUTHN_RP_ID

    def get_allowed_origins(self) -> list[str]:
        return list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)

    # The authenticator stores these with the credential and shows them when choosing one; the
    # e-mail address is what the person signs in with. The user handle itself is the library's
    # random 64 bytes per user (WebAuthnUserHandle): it says nothing about the person.
    def get_credential_name(self, user: AbstractBaseUser) -> str:
        return user.get_username()

    def get_credential_display_name(self, user: AbstractBaseUser) -> str:
        return user.get_username()

    def get_generate_registration_options_kwargs(self, *, user: AbstractBaseUser) -> dict:
        options = super().get_generate_registration_options_kwargs(user=user)
        options["authenticator_selection"] = AuthenticatorSelectionCriteria(
            user_verification=UserVerificationRequirement.REQUIRED,
            resident_key=ResidentKeyRequirement.PREFERRED)
        return options

    def get_registration_state(self, creation_options: dict) -> dict:
        return {"challenge": creation_options["challenge"], "require_user_verification": True,
                "at": time.time()}

    def get_generate_authentication_options_kwargs(
            self, *, user: AbstractBaseUser | None = None,
            require_user_verification: bool = True) -> dict:
        return super().get_generate_authentication_options_kwargs(
            user=user, require_user_verification=True)

    def get_authentication_state(self, options: dict) -> dict:
        return {"challenge": options["challenge"], "require_user_verification": True,
                "at": time.time()}

    def verify_registration(self, user: AbstractBaseUser, state: dict, data: Any
                            ) -> services.PasskeyRegistration:
        """Check a registration response against the challenge (UV required); nothing is
        saved: `services.passkey_add` does that, with the audit record."""
        credential = parse_registration_credential_json(data)
        response = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=self.get_relying_party_domain(),
            expected_origin=self.get_allowed_origins(), require_user_verification=True,
            **({"supported_pub_key_algs": algs}
               if (algs := self.get_supported_key_algorithms()) else {}))
        device = self.create_credential(user, response, credential, data)
        return services.PasskeyRegistration(
            credential=device, fmt=str(getattr(response.fmt, "value", response.fmt)),
            attestation=response.attestation_object,
            client_data_json=credential.response.client_data_json)


# --- the JSON endpoints ----------------------------------------------------------------------
def _check_fresh(state: dict) -> dict:
    """A challenge answered later than the browser was told to wait is refused."""
    at = state.get("at") if isinstance(state, dict) else None
    limit = app_settings.OTP_WEBAUTHN_TIMEOUT_SECONDS
    if not isinstance(at, int | float) or not 0 <= time.time() - at <= limit:
        raise Stale()
    return state


# 400s whose code says something to the person; every other 400 is "invalid_response".
OWN_400_CODES = frozenset({"invalid_state", "stale_challenge", "invalid_name",
                           "malformed_request"})


class _Answering:
    """Our error answers: a translated message and a code; garbage from the browser is a 400
    (the library would answer some with 422 or let a wrong type through to a 500)."""

    def handle_exception(self, exc: Exception) -> HttpResponse:
        if isinstance(exc, exceptions.OTPWebAuthnApiError):
            status = 400 if exc.status_code in (422, 500) else exc.status_code
            code = exc.code if status != 400 or exc.code in OWN_400_CODES else "invalid_response"
            self.refused(code)
            logger.info("passkey: refused (%s)", code)
            return JsonResponse({"detail": error_message(code), "code": code}, status=status)
        raise exc

    def refused(self, code: str) -> None:
        """Hook: the sign-in endpoints announce a failed second factor."""

    def verified(self, call):
        """Run the library's (or our) verification: any failure of the response's shape or
        signature becomes a 400, never logged at ERROR (the library's own logger is off)."""
        try:
            with rewrite_exceptions(logger=None):
                return call()
        except exceptions.OTPWebAuthnApiError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
            # The kind of failure helps an operator; its text could echo what was sent.
            logger.info("passkey: response not understood (%s)", type(exc).__name__)
            raise exceptions.MalformedRequest(code="invalid_response") from exc


class RegisterBegin(_Answering, views.BeginCredentialRegistrationView):
    pass


class RegisterComplete(_Answering, views.CompleteCredentialRegistrationView):
    """Verify the new credential, then save it through `services.passkey_add` under the name
    the person gave (body: {"name": "...", "credential": {...}})."""

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.get_user()
        state = _check_fresh(self.get_state())
        body = self.request.data if isinstance(self.request.data, dict) else {}
        name = body.get("name", "")
        if not isinstance(name, str) or len(name.strip()) > PASSKEY_NAME_MAX:
            raise BadName()
        registration = self.verified(
            lambda: self.get_helper().verify_registration(user, state, body.get("credential")))
        try:
            device = services.passkey_add(user=user, registration=registration,
                                          name=name.strip() or _("Security key"),
                                          acting_user=user,
                                          recovery=phishing.adds_recovery_passkey(self.request),
                                          recovery_not_before=phishing.recovery_mark_not_before(
                                              self.request))
        except services.PasskeyDuplicate:
            raise Duplicate() from None
        return JsonResponse({"id": device.pk})


class _SecondStep:
    def check_can_authenticate(self) -> None:
        """Only after the first factor, and only for an active account."""
        user = self.request.user
        if not user.is_authenticated:
            raise SignInFirst()
        if not user.is_active:
            raise exceptions.UserDisabled()


class LoginBegin(_Answering, _SecondStep, views.BeginCredentialAuthenticationView):
    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.get_user()
        data, state = self.get_helper().authenticate_begin(user=user,
                                                           require_user_verification=True)
        self.request.session["otp_webauthn_authentication_state"] = state
        return JsonResponse(data)


class LoginComplete(_Answering, _SecondStep, views.CompleteCredentialAuthenticationView):
    """The second step of signing in (or confirming again) with a passkey. The session is
    raised by `second_factor_passed`, never by the library's own login."""

    def refused(self, code: str) -> None:
        user = self.request.user
        if user.is_authenticated:
            second_factor_failed.send(sender=User, user=user, request=self.request,
                                      reason=f"passkey_{code}"[:40])

    def post(self, *args: Any, **kwargs: Any) -> HttpResponse:
        user = self.get_user()
        state = _check_fresh(self.get_state())
        device = self.verified(lambda: self.get_helper().authenticate_complete(
            user=user, state=state, data=self.request.data))
        self.check_device_usable(device)
        if user.is_verified():  # the confirm-again page: only the time is new
            second_factor_confirmed_again(self.request, SecondFactor.PASSKEY)
        else:
            second_factor_passed(self.request, device, SecondFactor.PASSKEY)
        return JsonResponse({"id": device.pk, "redirect_url": self.get_success_url()})

    def get_redirect_url(self) -> str:
        candidate = self.request.GET.get("next") or ""
        safe = url_has_allowed_host_and_scheme(candidate, {self.request.get_host()},
                                               self.request.is_secure())
        return candidate if safe else ""


_register_begin = RegisterBegin.as_view()
_register_complete = RegisterComplete.as_view()
_login_begin = LoginBegin.as_view()
_login_complete = LoginComplete.as_view()


# Registration: behind the two-factor gate (a fully signed-in session). Signing in: exempt from
# the gate (EXEMPT_URL_NAMES) but only for the person who passed the first factor.
@guarded_by(signed_in)
def register_begin(request: HttpRequest) -> HttpResponse:
    """Adding a way in needs a second factor from the last minutes (like removing one): a
    session left open or stolen cannot add the intruder's key. The page's script follows
    `reverify` and comes back to the security page."""
    signed_in(request)
    if not has_recent_second_factor(request):
        return JsonResponse({"detail": _("Confirm your second factor first."),
                             "code": "not_recent",
                             "reverify": reverify_url(request, reverse("accounts:security"))},
                            status=403)
    return _register_begin(request)


@guarded_by(signed_in)
def register_complete(request: HttpRequest) -> HttpResponse:
    signed_in(request)
    return _register_complete(request)


@guarded_by(public)
def login_begin(request: HttpRequest) -> HttpResponse:
    public(request)
    return _login_begin(request)


@guarded_by(public)
def login_complete(request: HttpRequest) -> HttpResponse:
    public(request)
    return _login_complete(request)
