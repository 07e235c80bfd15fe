"""How a session was signed in, and which roles must sign in in a phishing-resistant way.

A sign-in is two steps: the first factor (Shelter's password, or the municipality's single
sign-on) and the second (an authenticator code, a backup code, a passkey, or the identity
provider's own multi-factor authentication when its ID token proves it). The method is the
pair, e.g. "password+passkey"; it is kept in the session and recorded with every sign-in.

The pages that complete a step call `first_factor_passed` and `second_factor_passed`: they are
the only code that raises a session, so what a session holds is decided in one place.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import models
from django.http import HttpRequest
from django.middleware.csrf import rotate_token
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from shelter.accounts.recent import OTP_VERIFIED_AT
from shelter.accounts.signals import second_factor_verified

FIRST_FACTOR = "shelter_first_factor"
SIGN_IN_METHOD = "shelter_sign_in_method"


class FirstFactor(models.TextChoices):
    PASSWORD = "password", _("Password")
    SSO = "sso", _("Single sign-on")


class SecondFactor(models.TextChoices):
    TOTP = "totp", _("Authenticator app")
    BACKUP = "backup", _("Backup code")
    PASSKEY = "passkey", _("Passkey or security key")
    PROVIDER_MFA = "mfa", _("Identity provider's multi-factor authentication")


class Method(models.TextChoices):
    PASSWORD_TOTP = "password+totp", _("Password + authenticator app")
    PASSWORD_BACKUP = "password+backup", _("Password + backup code")
    PASSWORD_PASSKEY = "password+passkey", _("Password + passkey")
    SSO_TOTP = "sso+totp", _("Single sign-on + authenticator app")
    SSO_BACKUP = "sso+backup", _("Single sign-on + backup code")
    SSO_PASSKEY = "sso+passkey", _("Single sign-on + passkey")
    SSO_MFA = "sso+mfa", _("Single sign-on with the provider's MFA")


PHISHING_RESISTANT = frozenset({Method.PASSWORD_PASSKEY, Method.SSO_PASSKEY, Method.SSO_MFA})
# With a phishing-resistant role, signing in with these is a recovery: allowed, and loud.
RECOVERY = frozenset({Method.PASSWORD_TOTP, Method.PASSWORD_BACKUP, Method.SSO_TOTP,
                      Method.SSO_BACKUP})


def method_of(first: str, second: str) -> Method:
    return Method(f"{FirstFactor(first)}+{SecondFactor(second)}")


def session_method(request: HttpRequest) -> Method | None:
    """The method this session was signed in with (None before both steps)."""
    value = request.session.get(SIGN_IN_METHOD)
    return Method(value) if value in Method.values else None


def requires_phishing_resistant(user) -> bool:
    """Must this user's role sign in with a passkey or proven provider MFA?
    (SHELTER_REQUIRE_PHISHING_RESISTANT: a list of role values.)"""
    roles = getattr(settings, "SHELTER_REQUIRE_PHISHING_RESISTANT", ())
    return bool(user.is_authenticated and user.role and user.role in roles)


def holds_passkey(user) -> bool:
    """Has this user a confirmed passkey or security key (django-otp-webauthn)?"""
    from django_otp_webauthn.models import WebAuthnCredential

    return WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()


def first_factor_passed(request: HttpRequest, first: str) -> None:
    """After `django.contrib.auth.login`: remember which first factor this session used."""
    request.session[FIRST_FACTOR] = str(FirstFactor(first))


def second_factor_passed(request: HttpRequest, device: object, second: str) -> Method:
    """Raise the session to "both factors" under a new key, as `django.contrib.auth.login`
    does for the password: a session id seen before this step (planted, or read over a
    shoulder) must not become a fully signed-in session. Records the method (the
    `second_factor_verified` signal carries it to the audit log)."""
    method = method_of(request.session.get(FIRST_FACTOR, FirstFactor.PASSWORD), second)
    request.session.cycle_key()
    rotate_token(request)
    otp_login(request, device)
    request.session[OTP_VERIFIED_AT] = time.time()
    request.session[SIGN_IN_METHOD] = str(method)
    second_factor_verified.send(sender=type(request.user), user=request.user, request=request,
                                device_kind=str(SecondFactor(second)), method=str(method),
                                again=False)
    return method


def second_factor_confirmed_again(request: HttpRequest, second: str) -> None:
    """A signed-in person confirmed a second factor again before a dangerous act: only the
    time is new (`shelter.accounts.recent`)."""
    request.session[OTP_VERIFIED_AT] = time.time()
    second_factor_verified.send(sender=type(request.user), user=request.user, request=request,
                                device_kind=str(SecondFactor(second)),
                                method=request.session.get(SIGN_IN_METHOD, ""), again=True)
