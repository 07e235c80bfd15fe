"""Sign-in and security: a person's own passkeys (add, rename, remove) and the state of their
authenticator app and backup codes. Adding a passkey is the page's script talking to the JSON
endpoints in `shelter.accounts.webauthn`."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_otp_webauthn.models import WebAuthnCredential

from shelter.access import guarded_by, signed_in
from shelter.accounts import phishing, services
from shelter.accounts.access import access_own_passkey
from shelter.accounts.forms import PasskeyNameForm
from shelter.accounts.models import AuthenticatorDevice, BackupCode
from shelter.accounts.recent import ask_for_recent_second_factor, has_recent_second_factor
from shelter.accounts.views_people import confirmed

PASSKEY = "django_otp_webauthn.webauthncredential"


def _last_device() -> str:
    return _("This is your only second factor: set up the authenticator app or add another "
             "passkey first, or you could not sign in any more.")


def _security_context(request: HttpRequest) -> dict:
    user = request.user
    passkeys = WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")
    return {
        "passkeys": [{"credential": c, "form": PasskeyNameForm(initial={"name": c.name},
                                                               prefix=f"passkey-{c.pk}")}
                     for c in passkeys],
        "add_form": PasskeyNameForm(),
        "has_authenticator": AuthenticatorDevice.objects.filter(user=user,
                                                                confirmed=True).exists(),
        "backup_codes_left": BackupCode.objects.filter(device__user=user,
                                                       device__confirmed=True).count(),
        "confirm_first": not has_recent_second_factor(request),
    }


@never_cache
@guarded_by(signed_in)
def security(request: HttpRequest) -> HttpResponse:
    """The signed-in person's sign-in methods."""
    signed_in(request)
    return render(request, "accounts/security.html", _security_context(request))


@guarded_by(access_own_passkey)
def passkey_rename(request: HttpRequest, pk: int) -> HttpResponse:
    """POST a new name for one of one's own passkeys (GET: back to the page)."""
    credential = access_own_passkey(request, pk)
    if request.method != "POST":
        return redirect("accounts:security")
    form = PasskeyNameForm(request.POST, prefix=f"passkey-{credential.pk}")
    if not form.is_valid():
        messages.error(request, _("Give the passkey a name of at most 60 characters."))
        return redirect("accounts:security")
    services.passkey_rename(credential=credential, name=form.cleaned_data["name"],
                            acting_user=request.user)
    messages.success(request, _("The passkey is renamed."))
    return redirect("accounts:security")


@never_cache
@guarded_by(access_own_passkey)
def passkey_remove(request: HttpRequest, pk: int) -> HttpResponse:
    """GET (or a POST without `confirmed=1`) asks; the confirmation's POST removes the passkey.
    Both need a recent second factor; the last device cannot go."""
    credential = access_own_passkey(request, pk)
    # Refusing comes before asking for a fresh code: a recovery session may not take the
    # account's passkeys away (shelter.accounts.phishing).
    if reason := phishing.passkey_removal_refusal(request):
        return phishing.refuse(request, PASSKEY, credential.pk, reason, section="security")
    if fresh := ask_for_recent_second_factor(request):
        return fresh
    if not services.passkey_removable(credential):
        messages.error(request, _last_device())
        return redirect("accounts:security")
    if not confirmed(request):
        return render(request, "confirm.html", {
            "title": _("Remove passkey %(name)s?") % {"name": credential.name},
            "consequences": [
                _("You can no longer sign in with this passkey or security key."),
                _("Your other passkeys, your authenticator app and your backup codes keep "
                  "working."),
            ],
            "confirm_label": _("Remove passkey"), "action_url": request.path,
            "cancel_url": reverse("accounts:security")})
    try:
        services.passkey_remove(credential=credential, acting_user=request.user)
    except services.PasskeyLastDevice:
        messages.error(request, _last_device())
        return redirect("accounts:security")
    messages.success(request, _("The passkey is removed."))
    return redirect("accounts:security")
