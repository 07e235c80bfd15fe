"""Lock out repeated wrong passwords, per account and per client address.

Both counters are keyed by an HMAC of the e-mail address or IP, so the table never holds
either value in the clear. Unknown e-mail addresses are counted like real ones, so the lockout
message does not reveal whether an account exists.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from shelter.accounts.models import SignInThrottle

Scope = SignInThrottle.Scope


def _key(scope: str, value: str) -> str:
    message = f"{scope}:{value.strip().lower()}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def _limit(scope: str) -> int:
    if scope == Scope.ACCOUNT:
        return settings.SHELTER_LOCKOUT_ATTEMPTS
    return settings.SHELTER_LOCKOUT_IP_ATTEMPTS


def locked_until(email: str, ip: str | None) -> datetime | None:
    """The latest time either the account or the address is locked until, if locked now."""
    now = timezone.now()
    keys = [(Scope.ACCOUNT, _key(Scope.ACCOUNT, email))]
    if ip:
        keys.append((Scope.ADDRESS, _key(Scope.ADDRESS, ip)))
    until = None
    for scope, key in keys:
        row = SignInThrottle.objects.filter(scope=scope, key=key, locked_until__gt=now).first()
        if row and (until is None or row.locked_until > until):
            until = row.locked_until
    return until


@transaction.atomic
def register_failure(email: str, ip: str | None) -> list[str]:
    """Count one failed attempt; returns the scopes that became locked by it."""
    now = timezone.now()
    window = timedelta(minutes=settings.SHELTER_LOCKOUT_MINUTES)
    newly_locked = []
    targets = [(Scope.ACCOUNT, email)] + ([(Scope.ADDRESS, ip)] if ip else [])
    for scope, value in targets:
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=_key(scope, value)
        )
        if row.window_started < now - window:
            row.failures, row.window_started = 0, now
        row.failures += 1
        if row.failures >= _limit(scope) and not (row.locked_until and row.locked_until > now):
            row.locked_until = now + window
            row.failures, row.window_started = 0, now
            newly_locked.append(str(scope))
        row.save(update_fields=["failures", "window_started", "locked_until"])
    return newly_locked


def register_success(email: str) -> None:
    """A correct password clears the account's counter (not the address's)."""
    SignInThrottle.objects.filter(scope=Scope.ACCOUNT, key=_key(Scope.ACCOUNT, email)).delete()


@transaction.atomic
def password_reset_allowed(email: str) -> bool:
    """Count one password-reset request for `email` (known or not) and say whether it is
    within SHELTER_PASSWORD_RESET_PER_HOUR, so nobody can flood a person's inbox."""
    now = timezone.now()
    row, _ = SignInThrottle.objects.select_for_update().get_or_create(
        scope=Scope.PASSWORD_RESET, key=_key(Scope.PASSWORD_RESET, email))
    if row.window_started < now - timedelta(hours=1):
        row.failures, row.window_started = 0, now
    row.failures += 1
    row.save(update_fields=["failures", "window_started"])
    return row.failures <= settings.SHELTER_PASSWORD_RESET_PER_HOUR
