"""Single sign-on for municipal staff over OpenID Connect (mozilla-django-oidc underneath).

The library does the protocol: the authorization request with `state`, `nonce` and PKCE (S256,
always on: not configurable), and the code-for-token exchange. Shelter decides the rest:

- where the provider is: its discovery document (`{issuer}/.well-known/openid-configuration`,
  whose `issuer` must be the configured one exactly; cached an hour; https only in production);
- whether its ID token is believed: `shelter.crypto.id_tokens` (the backend's `verify_token`);
- who may come in (`user_for_sign_in`): only a pre-provisioned account. An identity already
  linked (`User.oidc_subject`, the SHA-256 of issuer and `sub`), or, once, an invitation still
  pending whose address the provider states as verified. Nobody is created, no role is given,
  partners keep their password and second factor;
- an optional group claim that can only take access away (`check_groups`);
- whether the provider's MFA counts as Shelter's second factor (`mfa_proven`).

Every refusal is a `Refused(reason)`; the views turn it into the refusal page and the audit
entry (`shelter.accounts.signals.sign_in_refused`).
"""

from __future__ import annotations

import hashlib
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.utils.http import urlencode
from django_otp import devices_for_user
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationRequestView

from shelter.accounts import services
from shelter.accounts.models import ProviderMFADevice, User
from shelter.accounts.roles import Role
from shelter.crypto.id_tokens import IdTokenInvalid, verify_id_token

logger = logging.getLogger("shelter.accounts.sso")

BACKEND = "shelter.accounts.sso.ShelterOIDCBackend"
TIMEOUT_SECONDS = 10
DISCOVERY_SECONDS = 3600
# A round trip to the provider (sign-in, linking, confirming again) must come back within this.
INTENT_SECONDS = 600
# Confirming again (and linking) asks the provider for a new login: its auth_time must be this new.
FRESH_LOGIN_SECONDS = 300

REASONS = ("not_invited", "inactive", "partner", "not_in_group", "provider_error", "bad_token",
           "state", "link_taken", "reauth_mismatch", "no_mfa", "stale_login")


class Refused(Exception):  # noqa: N818 (a refusal, not an error)
    """Single sign-on says no. `reason` is one of REASONS; `user` the account if one is known."""

    def __init__(self, reason: str, user: User | None = None) -> None:
        super().__init__(reason)
        self.reason, self.user = reason, user


def enabled() -> bool:
    return bool(settings.SHELTER_OIDC_ISSUER)


def button_label() -> str:
    return settings.SHELTER_OIDC_BUTTON_LABEL


# --- the provider's discovery document ------------------------------------------------------
def _acceptable_url(url: Any) -> bool:
    parts = urlsplit(url) if isinstance(url, str) else None
    allowed = {"https"} if settings.PRODUCTION else {"https", "http"}
    return bool(parts and parts.scheme in allowed and parts.netloc)


def _fetch_discovery(issuer: str) -> dict[str, str]:
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as error:
        logger.warning("sso: discovery failed (%s)", type(error).__name__)
        raise Refused("provider_error") from error
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        logger.warning("sso: discovery refused (issuer_mismatch)")
        raise Refused("provider_error")
    endpoints = {}
    for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not _acceptable_url(document.get(name)):
            logger.warning("sso: discovery refused (%s)", name)
            raise Refused("provider_error")
        endpoints[name] = document[name]
    # Optional: a logout page that is not https in production is ignored, not followed.
    if _acceptable_url(document.get("end_session_endpoint")):
        endpoints["end_session_endpoint"] = document["end_session_endpoint"]
    return endpoints


def discovery() -> dict[str, str]:
    """The provider's endpoints (Refused("provider_error") if it cannot be trusted or reached)."""
    issuer = settings.SHELTER_OIDC_ISSUER
    key = "shelter.sso.discovery:" + hashlib.sha256(issuer.encode()).hexdigest()
    endpoints = cache.get(key)
    if endpoints is None:
        endpoints = _fetch_discovery(issuer)
        cache.set(key, endpoints, DISCOVERY_SECONDS)
    return endpoints


ENDPOINT_SETTINGS = {"OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
                     "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
                     "OIDC_OP_JWKS_ENDPOINT": "jwks_uri"}


def oidc_setting(attr: str, *default: Any) -> Any:
    """mozilla-django-oidc's settings, from SHELTER_OIDC_* and discovery. What keeps the flow
    safe (PKCE, nonce, no unsigned tokens, no user creation) is fixed here, not configurable."""
    fixed = {
        "OIDC_RP_CLIENT_ID": settings.SHELTER_OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.SHELTER_OIDC_CLIENT_SECRET,
        "OIDC_RP_SCOPES": settings.SHELTER_OIDC_SCOPES,
        "OIDC_RP_SIGN_ALGO": "RS256", "OIDC_RP_IDP_SIGN_KEY": None,
        "OIDC_USE_NONCE": True, "OIDC_USE_PKCE": True,
        "OIDC_PKCE_CODE_CHALLENGE_METHOD": "S256", "OIDC_PKCE_CODE_VERIFIER_SIZE": 64,
        "OIDC_STATE_SIZE": 32, "OIDC_NONCE_SIZE": 32,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:sso_callback",
        "OIDC_TIMEOUT": TIMEOUT_SECONDS, "OIDC_VERIFY_SSL": True, "OIDC_PROXY": None,
        "OIDC_TOKEN_USE_BASIC_AUTH": False, "OIDC_ALLOW_UNSECURED_JWT": False,
        "OIDC_STORE_ACCESS_TOKEN": False, "OIDC_STORE_ID_TOKEN": False,
        "OIDC_CREATE_USER": False, "OIDC_OP_USER_ENDPOINT": None,
    }
    if attr in fixed:
        return fixed[attr]
    if attr in ENDPOINT_SETTINGS:
        return discovery()[ENDPOINT_SETTINGS[attr]]
    if default:
        return default[0]
    raise ImproperlyConfigured(f"{attr} is not a Shelter single sign-on setting")


class ProviderRedirect(OIDCAuthenticationRequestView):
    """The library's authorization request (state, nonce, PKCE kept in the session under
    `oidc_states`), with Shelter's settings and, for confirming again, prompt=login."""

    get_settings = staticmethod(oidc_setting)
    extra_params: dict[str, str] = {}

    def get_extra_params(self, request) -> dict[str, str]:
        return dict(self.extra_params)


class ShelterOIDCBackend(OIDCAuthenticationBackend):
    """The library's token exchange, with Shelter's ID token check and no user creation.

    Django builds a backend for every request (to load the session's user), so building one
    touches no network; and `authenticate()` signs nobody in (a password sign-in asks every
    backend): only the single sign-on callback calls `callback_claims`, then Shelter's own
    linking rules.
    """

    get_settings = staticmethod(oidc_setting)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.UserModel = get_user_model()

    def authenticate(self, request, **credentials):
        return None

    def get_user(self, user_id):
        return ModelBackend.get_user(self, user_id)  # an inactive account has no session

    def callback_claims(self, request, *, nonce: str | None, code_verifier: str | None) -> dict:
        """Redeem the callback's code and return the ID token's verified claims."""
        endpoints = discovery()
        self.OIDC_OP_TOKEN_ENDPOINT = endpoints["token_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = endpoints["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.SHELTER_OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.SHELTER_OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO, self.OIDC_RP_IDP_SIGN_KEY = "RS256", None
        self._claims: dict | None = None
        try:
            OIDCAuthenticationBackend.authenticate(self, request, nonce=nonce,
                                                   code_verifier=code_verifier)
        except (requests.RequestException, ValueError, AttributeError, TypeError) as error:
            # The message of the library's HTTPError quotes the provider's answer: not logged.
            # AttributeError/TypeError: a token answer that is JSON but not an object (`[]`).
            logger.warning("sso: token request failed (%s)", type(error).__name__)
            raise Refused("provider_error") from error
        if self._claims is None:
            raise Refused("provider_error")
        return self._claims

    def verify_token(self, token, **kwargs):
        try:
            return verify_id_token(token, issuer=settings.SHELTER_OIDC_ISSUER,
                                   client_id=settings.SHELTER_OIDC_CLIENT_ID,
                                   nonce=kwargs.get("nonce") or "", fetch_jwks=self._jwks)
        except IdTokenInvalid as error:
            logger.warning("sso: ID token refused (%s)", error.reason)
            raise Refused("bad_token") from error

    def get_payload_data(self, token, key):
        raise NotImplementedError("verify_token (shelter.crypto.id_tokens) is the only check")

    def _jwks(self) -> dict:
        try:
            response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=TIMEOUT_SECONDS)
            response.raise_for_status()
            return response.json()
        except (requests.RequestException, ValueError) as error:
            raise IdTokenInvalid("jwks") from error

    def get_or_create_user(self, access_token, id_token, payload):
        self._claims = payload  # who this is, is decided by user_for_sign_in, never here
        return None


# --- who may come in --------------------------------------------------------------------------
def subject_of(claims: dict) -> str:
    """The identity Shelter stores: SHA-256 hex of issuer and subject (never the `sub`)."""
    return hashlib.sha256(f"{claims['iss']}\n{claims['sub']}".encode()).hexdigest()


def _pending_invitation(user: User) -> bool:
    """Invited, not yet accepted: no password chosen and no second factor of any kind."""
    return not user.has_usable_password() and not any(devices_for_user(user, confirmed=None))


def _invited_by_email(claims: dict) -> User | None:
    email = claims.get("email")
    if claims.get("email_verified") is not True or not isinstance(email, str):
        return None
    email = email.strip().lower()
    if not email or not email.isascii():
        return None
    user = User.objects.filter(email=email, oidc_subject__isnull=True).first()
    return user if user is not None and _pending_invitation(user) else None


def _check_may_use_sso(user: User) -> None:
    if not user.is_active:
        raise Refused("inactive", user)
    if user.role == Role.PARTNER:
        raise Refused("partner", user)


def check_groups(claims: dict, user: User | None, *, deactivate: bool = True) -> None:
    """With SHELTER_OIDC_GROUPS_CLAIM and SHELTER_OIDC_REQUIRED_GROUP set: someone outside the
    group is deactivated and refused. A claim that is missing, or too big for the token (Entra's
    "overage": `_claim_names`), proves nothing either way: refused, nobody deactivated.
    `deactivate=False` only refuses: while linking by invitation the token is not yet known to
    be the account's own, so a non-member's token carrying the invitee's address must not
    deactivate the invitee."""
    claim, group = settings.SHELTER_OIDC_GROUPS_CLAIM, settings.SHELTER_OIDC_REQUIRED_GROUP
    if not claim or not group:
        return
    overage = claim in (claims.get("_claim_names") or {}) or "hasgroups" in claims
    value = claims.get(claim)
    if overage or not isinstance(value, list):
        raise Refused("provider_error", user)
    if group not in value:
        if deactivate and user is not None and user.is_active:
            services.user_deactivate_by_sso_group(user=user)
        raise Refused("not_in_group", user)


def user_for_sign_in(claims: dict) -> User:
    """The pre-provisioned account these verified claims may sign in to, linking a pending
    invitation on its first single sign-on; else Refused."""
    subject = subject_of(claims)
    user = User.objects.filter(oidc_subject=subject).first()
    linking = user is None
    if linking:
        user = _invited_by_email(claims)
    if user is None:
        raise Refused("not_invited")
    _check_may_use_sso(user)
    check_groups(claims, user, deactivate=not linking)
    if linking and not services.user_link_sso(user=user, subject=subject, via="invitation"):
        raise Refused("link_taken", user)
    return user


# --- the second factor ------------------------------------------------------------------------
def mfa_proven(claims: dict) -> bool:
    """Does the ID token prove the provider asked for more than one factor?"""
    amr, acr = claims.get("amr"), claims.get("acr")
    return (isinstance(amr, list) and "mfa" in amr) or (
        isinstance(acr, str) and acr in settings.SHELTER_OIDC_MFA_ACR)


def auth_time(claims: dict) -> float | None:
    value = claims.get("auth_time")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return min(float(value), time.time())


def fresh_login(claims: dict) -> bool:
    when = auth_time(claims)
    return when is not None and time.time() - when <= FRESH_LOGIN_SECONDS


def holds_shelter_device(user: User) -> bool:
    """A confirmed second factor of Shelter's own (authenticator, backup codes, passkey)."""
    return any(not isinstance(d, ProviderMFADevice) for d in devices_for_user(user))


def signed_in_with_provider_mfa_before(user: User) -> bool:
    return ProviderMFADevice.objects.filter(user=user).exists()


def end_session_url(post_logout_redirect_uri: str) -> str | None:
    """The provider's logout page (RP-initiated logout), or None if it has none.

    Without `id_token_hint`: Shelter keeps no ID token in the session (a token there would be
    one more secret a stolen session gives away), so the provider may ask the person to
    confirm signing out."""
    try:
        endpoint = discovery().get("end_session_endpoint")
    except Refused:
        return None
    if not endpoint:
        return None
    query = urlencode({"client_id": settings.SHELTER_OIDC_CLIENT_ID,
                       "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
