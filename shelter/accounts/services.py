"""Writes to accounts: each function is one business event.

Services assume the caller has checked permission (views use `policies.can_manage_people`).
Every change to a user is announced with `account_changed`, which the audit log records in the
same transaction.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator, default_token_generator
from django.contrib.sessions.models import Session
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django_otp import user_has_device
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from shelter.accounts import throttle
from shelter.accounts.models import (
    AuthenticatorDevice,
    BackupCode,
    BackupCodeDevice,
    Organisation,
    ProviderMFADevice,
    RecoveryPasskey,
    User,
)
from shelter.accounts.signals import account_changed
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import queue_mail

BACKUP_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
logger = logging.getLogger("shelter.accounts")


def _announce(user: User, acting_user: User | None, action: str) -> None:
    account_changed.send(sender=User, user=user, acting_user=acting_user, action=action)


@transaction.atomic
def organisation_create(*, name: str, kind: str, acting_user: User | None) -> Organisation:
    """Create an organisation (the municipality or a partner)."""
    organisation = Organisation.objects.create(name=name, kind=kind)
    account_changed.send(sender=Organisation, user=None, acting_user=acting_user,
                         action="organisation_create", organisation=organisation)
    return organisation


@transaction.atomic
def organisation_update(*, organisation: Organisation, name: str, kind: str, is_active: bool,
                        acting_user: User) -> Organisation:
    """Rename an organisation, change its kind or (de)activate it."""
    organisation.name, organisation.kind, organisation.is_active = name, kind, is_active
    organisation.save(update_fields=["name", "kind", "is_active"])
    account_changed.send(sender=Organisation, user=None, acting_user=acting_user,
                         action="organisation_update", organisation=organisation)
    return organisation


def _set_role(user: User, role: str) -> None:
    user.groups.set([Group.objects.get(name=role)])
    user.__dict__.pop("_role_cache", None)


@transaction.atomic
def user_invite(*, email: str, full_name: str, role: str, organisation: Organisation,
                acting_user: User | None) -> tuple[User, str]:
    """Create an account without a usable password; returns it and its invitation path.

    The invitation link works once: the token is bound to the (unusable) password hash, so
    it is void as soon as the user has chosen a password.
    """
    user = User.objects.create_user(email=email, full_name=full_name, organisation=organisation)
    _set_role(user, role)
    _announce(user, acting_user, "user_invite")
    return user, invitation_path(user)


def invitation_path(user: User) -> str:
    """A fresh invitation link's path (a stateless token: made again for each mail)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return f"/accounts/invitation/{uid}/{default_token_generator.make_token(user)}/"


@transaction.atomic
def user_accept_invitation(*, user: User, password: str) -> User:
    """Set the invited user's first password (validated by the form)."""
    user.set_password(password)
    user.save(update_fields=["password"])
    _announce(user, user, "invitation_accept")
    return user


@transaction.atomic
def user_update(*, user: User, full_name: str, role: str, organisation: Organisation,
                acting_user: User) -> User:
    """Change a user's name, role and organisation."""
    user.full_name, user.organisation = full_name, organisation
    user.save(update_fields=["full_name", "organisation"])
    _set_role(user, role)
    _announce(user, acting_user, "user_update")
    return user


def end_sessions(user: User) -> int:
    """Delete every live session of the user, so they are signed out at their next request.

    Deleted through the configured session store, so a cache in front of the database
    (cached_db) forgets them too. A request of theirs still running cannot save its session
    back: Django refuses to re-create a session deleted under it.
    """
    store = import_module(settings.SESSION_ENGINE).SessionStore
    doomed = [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if str(s.get_decoded().get(SESSION_KEY)) == str(user.pk)
    ]
    for key in doomed:
        store(session_key=key).delete()
    return len(doomed)


@transaction.atomic
def user_set_active(*, user: User, active: bool, acting_user: User) -> User:
    """Deactivate (ending all sessions at once) or reactivate an account."""
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        end_sessions(user)
    _announce(user, acting_user, "user_activate" if active else "user_deactivate")
    return user


@transaction.atomic
def user_reset_second_factor(*, user: User, acting_user: User) -> User:
    """Remove the user's devices (lost phone or key): their authenticator app, backup codes,
    passkeys and the record that their provider proves MFA (kept, it would count as a device
    and send a password sign-in to a code step that cannot accept it). A reset is a new start
    the coordinator vouches for: they enrol again at their next sign-in."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()
    WebAuthnCredential.objects.filter(user=user).delete()
    ProviderMFADevice.objects.filter(user=user).delete()
    end_sessions(user)
    _announce(user, acting_user, "second_factor_reset")
    return user


# --- single sign-on ---------------------------------------------------------------------------
@transaction.atomic
def user_link_sso(*, user: User, subject: str, via: str) -> bool:
    """Link `user` to the single sign-on identity `subject` (the SHA-256 hex of issuer and
    `sub`); `via` is "invitation" or "security_page". The caller has established that this
    person may link (shelter.accounts.sso). Returns False, changing nothing, when the account
    is linked already or the identity is someone else's: the UPDATE only matches an unlinked
    row, so of two links racing for one account exactly one wins."""
    if User.objects.filter(oidc_subject=subject).exists():
        return False
    changes: dict = {"oidc_subject": subject}
    if via == "invitation":
        # The invitation is used up: a new unusable password hash voids its link (its token is
        # bound to the hash), so the e-mail cannot open the account another way later.
        changes["password"] = make_password(None)
    try:
        with transaction.atomic():  # a savepoint: a lost race leaves the transaction usable
            linked = User.objects.filter(pk=user.pk, oidc_subject__isnull=True).update(
                **changes)
    except IntegrityError:  # the same identity was linked to another account meanwhile
        return False
    if not linked:
        return False
    user.oidc_subject = subject
    user.password = changes.get("password", user.password)
    _announce_facts(user, user, "sso_link", {"via": via})
    return True


@transaction.atomic
def user_deactivate_by_sso_group(*, user: User) -> User:
    """The identity provider says the person left the required group: deactivate the account
    (ending its sessions), as a coordinator would. Never grants or changes a role."""
    user.is_active = False
    user.save(update_fields=["is_active"])
    end_sessions(user)
    _announce_facts(user, None, "user_deactivate", {"by": "sso_group"})
    return user


def provider_mfa_device(*, user: User) -> ProviderMFADevice:
    """The user's device standing for the provider's MFA, made at first need (it holds no
    secret; see the model)."""
    device, _created = ProviderMFADevice.objects.get_or_create(
        user=user, defaults={"name": "identity provider", "confirmed": True})
    return device


def _announce_facts(user: User, acting_user: User | None, action: str, facts: dict) -> None:
    account_changed.send(sender=User, user=user, acting_user=acting_user, action=action,
                         facts=facts)


def totp_device_pending(*, user: User) -> AuthenticatorDevice:
    """The user's unconfirmed TOTP device for enrolment, created on first need."""
    device = AuthenticatorDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = AuthenticatorDevice.objects.create(user=user, name="authenticator",
                                                    confirmed=False)
    return device


@transaction.atomic
def totp_device_confirm(*, device: AuthenticatorDevice) -> list[str]:
    """Confirm enrolment and issue a fresh set of backup codes (returned once, stored hashed)."""
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    AuthenticatorDevice.objects.filter(user=device.user, confirmed=False).delete()
    return backup_codes_issue(user=device.user)


@transaction.atomic
def backup_codes_issue(*, user: User, count: int = 10) -> list[str]:
    """Replace the user's backup codes with `count` new ones; only their digests are kept.

    The device itself stays, so a session that signed in with an old code stays signed in."""
    device = BackupCodeDevice.objects.filter(user=user).order_by("pk").first()
    if device is None:
        device = BackupCodeDevice.objects.create(user=user, name="backup codes", confirmed=True)
    BackupCodeDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    BackupCode.objects.filter(device=device).delete()
    device.throttle_reset()  # wrong guesses at the old codes say nothing about the new ones
    codes = [
        "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(10)) for _ in range(count)
    ]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=BackupCodeDevice.digest(c)) for c in codes
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]


# --- passkeys and security keys (django-otp-webauthn) -----------------------------------------
class PasskeyDuplicate(Exception):
    """This credential is registered already (to this person or to someone else)."""


class PasskeyLastDevice(Exception):
    """Removing this passkey would leave the person without any second factor."""


@dataclass(frozen=True)
class PasskeyRegistration:
    """A registration the WebAuthn helper verified (`shelter.accounts.webauthn`); not saved."""

    credential: WebAuthnCredential
    fmt: str  # the attestation's format ("none": Shelter asks for no attestation)
    attestation: bytes
    client_data_json: bytes


@transaction.atomic
def passkey_add(*, user: User, registration: PasskeyRegistration, name: str,
                acting_user: User, recovery: bool = False,
                recovery_not_before: datetime | None = None) -> WebAuthnCredential:
    """Save a verified passkey for `user` under `name` (the caller checked the session is
    fully signed in). The audit record holds the device id only, never credential data, and
    says whether it is the user's first passkey and whether it was added in a recovery session
    (`recovery`, decided by `phishing.adds_recovery_passkey`): such a passkey is remembered
    (`recovery_passkey_remember`), its waiting days ending no earlier than
    `recovery_not_before` (the mark of the recovery passkey the session signed in with)."""
    first = not WebAuthnCredential.objects.filter(user=user, confirmed=True).exists()
    credential = registration.credential
    credential.user, credential.name, credential.confirmed = user, name, True
    if WebAuthnCredential.objects.filter(
            credential_id_sha256=credential.get_credential_id_sha256(credential.credential_id)
    ).exists():
        raise PasskeyDuplicate
    try:
        with transaction.atomic():
            credential.save()
    except IntegrityError:  # registered by a request running at the same time
        raise PasskeyDuplicate from None
    WebAuthnAttestation.objects.create(
        credential=credential, fmt=registration.fmt,
        data=registration.attestation, client_data_json=registration.client_data_json)
    facts: dict = {"device": credential.pk}
    if first:
        facts["first_passkey"] = True
    if recovery:
        recovery_passkey_remember(credential=credential, not_before=recovery_not_before)
        facts["recovery"] = True
    account_changed.send(sender=User, user=user, acting_user=acting_user, action="passkey_added",
                         facts=facts)
    return credential


@transaction.atomic
def passkey_rename(*, credential: WebAuthnCredential, name: str,
                   acting_user: User) -> WebAuthnCredential:
    """Give a passkey a new name (the caller checked it is the acting user's own)."""
    credential.name = name
    credential.save(update_fields=["name"])
    account_changed.send(sender=User, user=credential.user, acting_user=acting_user,
                         action="passkey_renamed", facts={"device": credential.pk})
    return credential


def passkey_removable(credential: WebAuthnCredential) -> bool:
    """May this passkey go? Only while another passkey or the authenticator app remains
    (backup codes alone are for recovery, not for every day)."""
    others = WebAuthnCredential.objects.filter(user_id=credential.user_id, confirmed=True
                                               ).exclude(pk=credential.pk)
    return others.exists() or AuthenticatorDevice.objects.filter(
        user_id=credential.user_id, confirmed=True).exists()


@transaction.atomic
def passkey_remove(*, credential: WebAuthnCredential, acting_user: User) -> None:
    """Remove a passkey (the caller checked it is the acting user's own and that their second
    factor is recent). Refused with PasskeyLastDevice when it is their last device."""
    User.objects.select_for_update().filter(pk=credential.user_id).first()  # one at a time
    if not passkey_removable(credential):
        raise PasskeyLastDevice
    device_id, user = credential.pk, credential.user
    credential.delete()
    account_changed.send(sender=User, user=user, acting_user=acting_user,
                         action="passkey_removed", facts={"device": device_id})


# --- e-mail: invitations and password resets ------------------------------------------------
class PasswordResetTokens(PasswordResetTokenGenerator):
    """Password-reset links: a salt of their own (an invitation link is no reset link, nor the
    other way round) and a life of SHELTER_PASSWORD_RESET_MINUTES. Like every Django token the
    link stops working once the password changes or the user signs in."""

    key_salt = "shelter.accounts.PasswordResetTokens"

    def check_token(self, user: User | None, token: str | None) -> bool:
        if not super().check_token(user, token):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        age = self._num_seconds(self._now()) - issued
        return 0 <= age <= settings.SHELTER_PASSWORD_RESET_MINUTES * 60


password_reset_tokens = PasswordResetTokens()


def _naive(moment: datetime) -> datetime:
    # Django's tokens count seconds on the naive local clock (PasswordResetTokenGenerator._now).
    return timezone.make_naive(moment) if timezone.is_aware(moment) else moment


def password_reset_path(user: User, *, issued_at: datetime | None = None) -> str:
    """The reset link; its life counts from `issued_at` (the request, when the mail is sent
    later by the outbox), else from now."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    tokens = password_reset_tokens
    token = (tokens.make_token(user) if issued_at is None
             else tokens._make_token_with_timestamp(
                 user, tokens._num_seconds(_naive(issued_at)), tokens.secret))
    return f"/accounts/password/reset/{uid}/{token}/"


def invitation_send(*, user: User, acting_user: User | None) -> OutgoingMail:
    """Queue the invitation mail for the invitee (sent after the commit, or by the job).

    The mail carries a link and nothing else about anyone; its token is made when it is sent,
    so nothing secret is stored (shelter.mail). Recorded with the mail's id; its delivery is
    recorded when it happens (Action.MAIL_DELIVERY)."""
    with transaction.atomic():
        mail = queue_mail("invitation", user)
        account_changed.send(sender=User, user=user, acting_user=acting_user,
                             action="invitation_send", facts={"mail": mail.pk})
    return mail


def _reset_candidate(email: str) -> tuple[User | None, str]:
    """The account a reset for `email` is for, and why none gets a mail ("" if one does)."""
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        return None, "unknown_address"
    if not user.is_active:
        return user, "inactive"
    if not user.has_usable_password():  # still invited: their invitation link is the way in
        return user, "no_password"
    if not user_has_device(user, confirmed=True):
        # No second factor (never enrolled, or a coordinator cleared it): a reset would let
        # whoever reads the mailbox enrol their own authenticator. A coordinator helps instead.
        return user, "no_second_factor"
    return user, ""


def password_reset_request(*, email: str, language: str = "") -> None:
    """Someone asked for a reset link for `email`: queue one if it names an active account with
    a password and a second factor, within SHELTER_PASSWORD_RESET_PER_HOUR. Anyone may ask, so
    the caller answers the same whatever happens here (and the mail goes out after the answer).
    Recorded with the account's id, or with no target at all for an unknown address (the
    address itself is never kept). `language` is the asker's, for the mail if the account has
    no preference."""
    allowed = throttle.password_reset_allowed(email)
    user, reason = _reset_candidate(email)
    if not reason and not allowed:
        reason = "throttled"
    with transaction.atomic():
        facts = {"reason": reason} if reason else {
            "mail": queue_mail("password_reset", user, language=language).pk}
        account_changed.send(sender=User, user=user if reason != "unknown_address" else None,
                             acting_user=None, action="password_reset_request",
                             outcome="rejected" if reason else "allowed", facts=facts)


def password_reset_user(uidb64: str, token: str) -> User | None:
    """The active user a reset link is for, if the link is valid and not expired; else None.
    Records the opening either way (no token, no address)."""
    user = _user_from_uid(uidb64)
    valid = user is not None and user.is_active and password_reset_tokens.check_token(user, token)
    with transaction.atomic():
        account_changed.send(sender=User, user=user, acting_user=None,
                             action="password_reset_link",
                             outcome="allowed" if valid else "refused",
                             facts={} if valid else {"reason": "invalid_link"})
    return user if valid else None


def _user_from_uid(uidb64: str) -> User | None:
    try:
        return User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))))
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        return None


@transaction.atomic
def password_reset_complete(*, user: User, password: str) -> User:
    """Set the new password from a valid reset link (validated by the form) and end every
    session of the user. It signs nobody in: the next sign-in asks for both factors."""
    user.set_password(password)
    user.save(update_fields=["password"])
    end_sessions(user)
    _announce(user, user, "password_reset")
    return user


# --- the phishing-resistant policy (decided in shelter.accounts.phishing) -------------------
@transaction.atomic
def sign_in_recovery_record(*, user: User, method: str) -> None:
    """A user whose role must sign in with a passkey (or proven provider MFA) signed in with a
    code instead: a recovery, allowed and loud. The caller decided it is one
    (`phishing.on_session_raised`); the entry names the method only."""
    account_changed.send(sender=User, user=user, acting_user=user, action="sign_in_recovery",
                         facts={"method": str(method)})


@transaction.atomic
def recovery_passkey_remember(*, credential, not_before: datetime | None = None
                              ) -> RecoveryPasskey:
    """Remember a passkey added in a recovery session: until SHELTER_RECOVERY_PASSKEY_DAYS
    have passed (and not before `not_before`, the parent recovery passkey's own date, when it
    was added in a session signed in with one), a session signed in with it may not remove
    other passkeys. The caller (the passkey enrolment) records the addition itself, with the
    fact `recovery: true`."""
    now = timezone.now()
    until = now + timedelta(days=settings.SHELTER_RECOVERY_PASSKEY_DAYS)
    if not_before is not None:
        until = max(until, not_before)
    mark, _created = RecoveryPasskey.objects.get_or_create(credential=credential, defaults={
        "added_at": now, "usable_for_removal_after": until})
    return mark
