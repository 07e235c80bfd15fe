"""The guards of the people and organisation pages (coordinators manage both), and of a
person's own passkeys.

Everyone else is refused with 403 (these pages are no secret) and the refusal is recorded.
The sign-in pages, the invitation and the language switch use `shelter.access.public`; the
dashboard `shelter.access.signed_in`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django_otp_webauthn.models import WebAuthnCredential

from shelter.access import guard
from shelter.accounts.models import Organisation, User
from shelter.accounts.policies import can_manage_people
from shelter.audit.web import mark_audited, record_refusal

USER = "accounts.user"
ORGANISATION = "accounts.organisation"
PASSKEY = "django_otp_webauthn.webauthncredential"


def _require_coordinator(request: HttpRequest, target_type: str, pk: int | None) -> None:
    if not can_manage_people(request.user):
        record_refusal(request, target_type, pk, section="people")
        raise PermissionDenied
    mark_audited(request)


@guard
def access_people(request: HttpRequest) -> None:
    """The people list and the invitation form."""
    _require_coordinator(request, USER, None)


@guard
def access_person(request: HttpRequest, pk: int) -> User:
    """One user, to change them, (de)activate them or reset their second factor (404 if there
    is no such user; writes are recorded by the services)."""
    _require_coordinator(request, USER, pk)
    return get_object_or_404(User.objects.select_related("organisation"), pk=pk)


@guard
def access_organisation(request: HttpRequest, pk: int | None = None) -> Organisation | None:
    """The organisations list, a new organisation (no `pk`), or one to change."""
    _require_coordinator(request, ORGANISATION, pk)
    return get_object_or_404(Organisation, pk=pk) if pk else None


@guard
def access_own_passkey(request: HttpRequest, pk: int) -> WebAuthnCredential:
    """One of the signed-in person's own passkeys, to rename or remove it. Anyone else's (or
    none) is 404, recorded: whose key it is stays secret."""
    credential = WebAuthnCredential.objects.filter(
        pk=pk, user_id=getattr(request.user, "pk", None), confirmed=True).first()
    if credential is None:
        record_refusal(request, PASSKEY, pk, section="security")
        raise Http404
    mark_audited(request)
    return credential
