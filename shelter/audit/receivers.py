"""Sign-in and account events into the access log (connected in AuditConfig.ready).

No e-mail address or typed credential is ever recorded: a failed sign-in for an unknown
account is an entry with no actor, its IP address and nothing else.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed

from shelter.accounts import signals as account_signals
from shelter.audit.actions import Action, Outcome
from shelter.audit.log import record
from shelter.crypto import events as crypto_events
from shelter.mail import signals as mail_signals

ACCOUNT_CHANGES = {
    "user_invite": Action.USER_INVITE,
    "invitation_accept": Action.INVITATION_ACCEPT,
    "user_update": Action.USER_UPDATE,
    "user_activate": Action.USER_ACTIVATE,
    "user_deactivate": Action.USER_DEACTIVATE,
    "second_factor_reset": Action.SECOND_FACTOR_RESET,
    "organisation_create": Action.ORGANISATION_CREATE,
    "organisation_update": Action.ORGANISATION_UPDATE,
    "invitation_send": Action.INVITATION_SEND,
    "password_reset_request": Action.PASSWORD_RESET_REQUEST,
    "password_reset_link": Action.PASSWORD_RESET_LINK,
    "password_reset": Action.PASSWORD_RESET,
    "sso_link": Action.SSO_LINK,
    "sign_in_recovery": Action.SIGN_IN_RECOVERY,
    "passkey_added": Action.PASSKEY_ADDED,
    "passkey_renamed": Action.PASSKEY_RENAMED,
    "passkey_removed": Action.PASSKEY_REMOVED,
}


def on_logged_in(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    """The first step passed: Shelter's password, or single sign-on (`login()` names the
    backend that authenticated the user)."""
    session = getattr(request, "session", None) or {}
    sso = session.get(BACKEND_SESSION_KEY) == "shelter.accounts.sso.ShelterOIDCBackend"
    record(user, Action.SIGN_IN, user, factor="sso" if sso else "password")


def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    record(user, Action.SIGN_OUT, user if user is not None else None)


def on_login_failed(sender: Any, credentials: Any = None, request: Any = None,
                    **kwargs: Any) -> None:
    # `credentials` holds the typed e-mail address: deliberately not recorded. The reason
    # does not tell an unknown address from a wrong password either.
    record(None, Action.SIGN_IN_FAILED, None, Outcome.REFUSED, factor="password",
           reason="bad_credentials")


def on_account_locked(sender: Any, user: Any = None, scope: str = "", **kwargs: Any) -> None:
    record(user, Action.LOCKOUT, user, Outcome.REFUSED, scope=scope, factor="password")


def on_second_factor_verified(sender: Any, user: Any = None, device_kind: str = "",
                              method: str = "", again: bool = False, **kwargs: Any) -> None:
    """A sign-in completed (`again` False) or a second factor confirmed again before a
    dangerous act (`again` True): the device kind and the session's method, both short codes."""
    facts: dict[str, Any] = {"device": device_kind}
    if method:
        facts["method"] = method
    if again:
        facts["again"] = True
    record(user, Action.OTP_VERIFIED, user, **facts)


def on_second_factor_failed(sender: Any, user: Any = None, reason: str = "",
                            device_kind: str = "", **kwargs: Any) -> None:
    """A wrong or throttled second factor; `device_kind` when the step knows which factor was
    tried (the code step tries authenticator and backup codes alike, so it names none)."""
    facts: dict[str, Any] = {"reason": reason}
    if device_kind:
        facts["factor"] = str(device_kind)
    record(user, Action.OTP_FAILED, user, Outcome.REFUSED, **facts)


def on_sign_in_refused(sender: Any, user: Any = None, reason: str = "", factor: str = "",
                       **kwargs: Any) -> None:
    """A sign-in refused after its first step was reached (single sign-on: unknown identity,
    bad token, …): the factor and the reason, short codes only, never the identity's claims."""
    actor = user if user is not None and getattr(user, "pk", None) else None
    record(actor, Action.SIGN_IN_FAILED, actor, Outcome.REFUSED, factor=factor, reason=reason)


def on_second_factor_enrolled(sender: Any, user: Any = None, **kwargs: Any) -> None:
    record(user, Action.ENROLLED, user)


def on_account_changed(sender: Any, user: Any = None, acting_user: Any = None, action: str = "",
                       organisation: Any = None, outcome: str = Outcome.ALLOWED,
                       facts: dict[str, Any] | None = None, **kwargs: Any) -> None:
    """User and organisation changes, inside the accounts service's transaction. `facts` are
    the service's own (ids, booleans, short codes); `user` may be None (a password reset asked
    for an address that has no account: nothing about the address is kept)."""
    audit_action = ACCOUNT_CHANGES[action]  # an unknown action is a bug: fail loudly
    if organisation is not None and user is None:
        record(acting_user, audit_action, organisation, kind=organisation.kind,
               active=organisation.is_active)
        return
    facts = dict(facts or {})
    if audit_action in {Action.USER_INVITE, Action.USER_UPDATE}:
        facts.update({"role": (user.role or "").replace(" ", "_"),
                      "organisation": user.organisation_id})
    record(acting_user, audit_action, user, outcome, **facts)


def on_mail_finished(sender: Any, mail: Any = None, outcome: str = "", reason: str = "",
                     **kwargs: Any) -> None:
    """An account mail (invitation, password reset) left the outbox: sent, dropped or given
    up. The mail's id ties it to the event that queued it; never the address or the link."""
    facts: dict[str, Any] = {"mail": mail.pk, "kind": mail.kind, "attempts": mail.attempts}
    if outcome != "sent":
        facts["reason"] = reason
    record(None, Action.MAIL_DELIVERY, mail.recipient,
           Outcome.ALLOWED if outcome == "sent" else Outcome.REJECTED, **facts)


def record_crypto_event(actor: Any, action: str, target: Any, outcome: str,
                        **facts: Any) -> Any:
    """What crypto records (`shelter.crypto.events`): downloads, integrity failures, commands."""
    return record(actor, Action[action], target, outcome, **facts)


def connect() -> None:
    """Connect every receiver once (dispatch_uid guards against double registration), and give
    crypto its recorder."""
    crypto_events.install(record_crypto_event)
    pairs = [
        (user_logged_in, on_logged_in), (user_logged_out, on_logged_out),
        (user_login_failed, on_login_failed),
        (account_signals.account_locked, on_account_locked),
        (account_signals.second_factor_verified, on_second_factor_verified),
        (account_signals.second_factor_failed, on_second_factor_failed),
        (account_signals.sign_in_refused, on_sign_in_refused),
        (account_signals.second_factor_enrolled, on_second_factor_enrolled),
        (account_signals.account_changed, on_account_changed),
        (mail_signals.mail_finished, on_mail_finished),
    ]
    for signal, receiver in pairs:
        signal.connect(receiver, dispatch_uid=f"shelter.audit.{receiver.__name__}")
