"""The mails accounts send, rendered when they go out (see shelter.mail): each carries a link
made at that moment and nothing about anyone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from shelter.accounts import services
from shelter.mail.outbox import Drop, language_of
from shelter.mail.registry import MailKind, register


def site_url() -> str:
    """The base of the links in mails (no request at send time): SHELTER_SITE_URL."""
    return (settings.SHELTER_SITE_URL or "http://localhost:8000").rstrip("/")


def _invitation_context(user: Any, params: dict[str, Any]) -> dict[str, Any]:
    if user.has_usable_password():  # accepted meanwhile: the link would not work
        raise Drop("accepted")
    return {"link": site_url() + services.invitation_path(user)}


def _invitation_languages(user: Any, params: dict[str, Any]) -> tuple[str, ...]:
    # An invitee has told no language yet: Dutch and English, unless a preference is known.
    return (user.preferred_language,) if user.preferred_language else ("nl", "en")


def _reset_context(user: Any, params: dict[str, Any]) -> dict[str, Any]:
    # Checked again at send time: a second factor cleared meanwhile means no link (see
    # services._reset_candidate).
    if not user.has_usable_password():
        raise Drop("no_password")
    if not user_has_device(user, confirmed=True):
        raise Drop("no_second_factor")
    queued_at = params.get("queued_at")
    # Signed in since the request: they no longer need the link (and it would be dead anyway).
    if queued_at is not None and user.last_login and user.last_login > queued_at:
        raise Drop("changed")
    # The link lives from the request, not from the send: a late mail does not extend it.
    return {"link": site_url() + services.password_reset_path(user, issued_at=queued_at),
            "minutes": settings.SHELTER_PASSWORD_RESET_MINUTES}


register(MailKind(
    name="invitation", subject=_("Your invitation to Shelter"),
    template="accounts/email/invitation.txt", context=_invitation_context,
    # The link is made when the mail goes out, so a late invitation still works.
    languages=_invitation_languages, audited=True))

register(MailKind(
    name="password_reset", subject=_("Reset your Shelter password"),
    template="accounts/email/password_reset.txt", context=_reset_context,
    languages=lambda user, params: (language_of(user, params),),
    # Whoever asked has given up by the time the link would have expired: drop, not send late.
    max_age=lambda: timedelta(minutes=settings.SHELTER_PASSWORD_RESET_MINUTES), audited=True,
    # Sent by the job only: an attempt after the answer would still tell by the connection's
    # timing whether the address has an account.
    attempt_after_commit=False))
