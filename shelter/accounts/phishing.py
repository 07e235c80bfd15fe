"""The phishing-resistant policy: which sessions are restricted, which are recoveries.

Roles listed in SHELTER_REQUIRE_PHISHING_RESISTANT must sign in with a passkey or security key,
or by single sign-on with the provider's MFA proven by its ID token (`methods.PHISHING_RESISTANT`).
For them an authenticator or backup code is no longer a way in, only a way back:

- someone who has no phishing-resistant way yet reaches only the security page (to add a
  passkey), the passkey registration endpoints, sign-out and the language switch
  (`PhishingResistantMiddleware`); once they added one, this session may go on, and their next
  sign-in must use it;
- someone who has one and signed in by code anyway is in a **recovery**: allowed and loud (an
  audit entry SIGN_IN_RECOVERY, a banner on every page, the coordinators' dashboard panel), and
  the session may not remove passkeys, link single sign-on or reset anyone's second factor;
- a passkey added in a recovery session is remembered (`RecoveryPasskey`): for
  SHELTER_RECOVERY_PASSKEY_DAYS a session signed in with it may not remove other passkeys.

A code phished from a coordinator therefore opens no case at once, cannot take the account's
passkeys away, and is seen.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shelter.accounts import services
from shelter.accounts.methods import (
    PHISHING_RESISTANT,
    RECOVERY,
    Method,
    holds_passkey,
    requires_phishing_resistant,
    session_method,
)
from shelter.accounts.models import RecoveryPasskey
from shelter.audit.selectors import has_signed_in_with
from shelter.audit.web import record_refusal

RECOVERY_SESSION = "shelter_recovery_session"

# What a session without a phishing-resistant way may still reach (besides the pages the
# two-factor gate exempts: sign-in, sign-out, the language switch).
RESTRICTED_ALLOWED_URL_NAMES = {
    "accounts:security", "accounts:logout", "set_language",
    "accounts:webauthn_register_begin", "accounts:webauthn_register_complete",
    # Adding a passkey needs a recent second factor: confirming it again must stay reachable.
    "accounts:reverify",
}

RESTRICTED_MESSAGE = _("Your role must sign in with a passkey or security key. Add one now; "
                       "until then you can only reach this page.")
REFUSALS = {
    "recovery_session": _("You signed in with a recovery method (an authenticator or backup "
                          "code). This cannot be done in such a session: sign in with your "
                          "passkey or security key."),
    "recovery_passkey": _("This passkey was added in a recovery session, less than "
                          "%(days)s days ago. Until then it cannot be used to remove other "
                          "passkeys."),
    "own_account": _("You cannot reset your own second factor. Ask another coordinator to "
                     "do it."),
}


def has_phishing_resistant_way(user: Any) -> bool:
    """A confirmed passkey, or a sign-in by single sign-on with the provider's MFA before."""
    return holds_passkey(user) or (bool(getattr(user, "oidc_subject", None))
                                   and has_signed_in_with(user, Method.SSO_MFA))


def _verified(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user and user.is_authenticated and user.is_verified())


def signed_in_weakly(request: HttpRequest) -> bool:
    """Signed in fully, by a method the user's role may use for recovery only (a session
    without a known method counts as such: deny by default)."""
    return (_verified(request) and requires_phishing_resistant(request.user)
            and session_method(request) not in PHISHING_RESISTANT)


def is_restricted(request: HttpRequest) -> bool:
    """Must this session add a passkey before it reaches anything else?"""
    return signed_in_weakly(request) and not has_phishing_resistant_way(request.user)


def is_recovery_session(request: HttpRequest) -> bool:
    """Was this session signed in by a recovery method (`on_session_raised` marked it)?"""
    session = getattr(request, "session", None)
    return bool(_verified(request) and session is not None and session.get(RECOVERY_SESSION))


def _young_recovery_mark(request: HttpRequest) -> RecoveryPasskey | None:
    """The mark of the recovery passkey this session signed in with, while it is young."""
    if not _verified(request):
        return None
    device = getattr(request.user, "otp_device", None)
    if device is None or device._meta.label_lower != "django_otp_webauthn.webauthncredential":
        return None
    return RecoveryPasskey.objects.filter(credential_id=device.pk,
                                          usable_for_removal_after__gt=timezone.now()).first()


def adds_recovery_passkey(request: HttpRequest) -> bool:
    """Is a passkey added in this session a recovery passkey? In a recovery session, and in
    a session signed in with a young recovery passkey: else the intruder's first key would
    add a second, unmarked one and sign in with that to remove the owner's keys."""
    return is_recovery_session(request) or _young_recovery_mark(request) is not None


def recovery_mark_not_before(request: HttpRequest) -> datetime | None:
    """When the mark of a passkey added in this session may lapse at the earliest: the parent
    recovery passkey's own date (a child never outlives its parent's waiting days), or None."""
    mark = _young_recovery_mark(request)
    return mark.usable_for_removal_after if mark else None


def _held_back(request: HttpRequest) -> str | None:
    """The reason shared by every act that takes a way in away or adds one for someone else:
    a recovery session, or a session signed in with a young recovery passkey."""
    if is_recovery_session(request):
        return "recovery_session"
    if _young_recovery_mark(request) is not None:
        return "recovery_passkey"
    return None


def passkey_removal_refusal(request: HttpRequest) -> str | None:
    """Why this session may not remove a passkey ("recovery_session", "recovery_passkey"),
    or None. The passkey removal view asks this first."""
    return _held_back(request)


def sso_link_refusal(request: HttpRequest) -> str | None:
    """Why this session may not link single sign-on to the account, or None: a recovery
    session (or one signed in with a young recovery passkey) may not add a way in. The single
    sign-on link view asks this first."""
    return _held_back(request)


def second_factor_reset_refusal(request: HttpRequest, person: Any = None) -> str | None:
    """Why this coordinator may not reset `person`'s second factor now, or None. Nobody
    resets their own (another coordinator does it): that is never needed, and it is the way an
    intruder holding a phished code would replace the owner's factors with their own."""
    if person is not None and person.pk == getattr(request.user, "pk", None):
        return "own_account"
    return _held_back(request)


def refuse(request: HttpRequest, target_type: str, target_id: Any, reason: str,
           section: str = "") -> HttpResponse:
    """Record the refusal (REFUSED, with its reason) and answer 403 with a page that says why."""
    record_refusal(request, target_type, target_id, section=section, reason=reason)
    message = REFUSALS[reason] % {"days": settings.SHELTER_RECOVERY_PASSKEY_DAYS}
    return render(request, "accounts/recovery_refused.html", {"message": message}, status=403)


def on_session_raised(sender: Any, user: Any = None, request: HttpRequest | None = None,
                      method: str = "", again: bool = False, **kwargs: Any) -> None:
    """`second_factor_verified` receiver: a sign-in by code of a user who has a
    phishing-resistant way is a recovery — recorded once, and the session marked."""
    if again or request is None or user is None or method not in RECOVERY:
        return
    if not (requires_phishing_resistant(user) and has_phishing_resistant_way(user)):
        return
    services.sign_in_recovery_record(user=user, method=method)
    request.session[RECOVERY_SESSION] = True
