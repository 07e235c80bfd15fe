"""Writes to accounts: each function is one business event.

Services assume the caller has checked permission (views use `policies.can_manage_people`).
Every change to a user is announced with `account_changed`, which the audit log records in the
same transaction.
"""

from __future__ import annotations

import secrets
from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from shelter.accounts.models import (
    AuthenticatorDevice,
    BackupCode,
    BackupCodeDevice,
    Organisation,
    User,
)
from shelter.accounts.signals import account_changed

BACKUP_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


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
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return user, f"/accounts/invitation/{uid}/{default_token_generator.make_token(user)}/"


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
    """Remove the user's devices (lost phone): they enrol again at their next sign-in."""
    AuthenticatorDevice.objects.filter(user=user).delete()
    BackupCodeDevice.objects.filter(user=user).delete()
    end_sessions(user)
    _announce(user, acting_user, "second_factor_reset")
    return user


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
    """Replace the user's backup codes with `count` new ones; only their digests are kept."""
    BackupCodeDevice.objects.filter(user=user).delete()
    device = BackupCodeDevice.objects.create(user=user, name="backup codes", confirmed=True)
    codes = [
        "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(10)) for _ in range(count)
    ]
    BackupCode.objects.bulk_create(
        BackupCode(device=device, digest=BackupCodeDevice.digest(c)) for c in codes
    )
    return [f"{c[:5]}-{c[5:]}" for c in codes]
