"""Sign-in, second factor and enrolment: the only pages reachable before two factors."""

from __future__ import annotations

import base64
import time

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.encoding import force_str
from django.utils.http import (
    url_has_allowed_host_and_scheme,
    urlencode,
    urlsafe_base64_decode,
)
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import user_has_device

from shelter.access import guarded_by, public, signed_in
from shelter.accounts import services, sso, throttle, views_sso
from shelter.accounts.forms import (
    BackupCodesDownloadForm,
    CodeForm,
    EnrolForm,
    PasswordForgotForm,
    SetPasswordForm,
    SignInForm,
)
from shelter.accounts.methods import (
    FIRST_FACTOR,
    FirstFactor,
    SecondFactor,
    first_factor_passed,
    holds_passkey,
    second_factor_confirmed_again,
    second_factor_passed,
)
from shelter.accounts.models import AuthenticatorDevice, BackupCodeDevice, User
from shelter.accounts.signals import (
    account_locked,
    second_factor_enrolled,
    second_factor_failed,
)
from shelter.middleware import client_ip


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _locked_message(until) -> str:
    local = timezone.localtime(until)
    return _(
        "Too many failed sign-in attempts. Signing in is blocked until %(time)s. "
        "Contact your coordinator if you need access sooner."
    ) % {"time": formats.time_format(local, "H:i")}


@never_cache
@sensitive_post_parameters("password")
@guarded_by(public)
def sign_in(request: HttpRequest) -> HttpResponse:
    public(request)
    if request.user.is_authenticated and request.user.is_verified():
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = SignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, ip = form.cleaned_data["email"].lower(), client_ip(request)
        until = throttle.locked_until(email, ip)
        if until:
            form.add_error(None, _locked_message(until))
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                for scope in throttle.register_failure(email, ip):
                    account_locked.send(sender=User, request=request, scope=scope,
                                        user=User.objects.filter(email__iexact=email).first())
                until = throttle.locked_until(email, ip)
                form.add_error(None, _locked_message(until) if until else
                               _("The e-mail address or password is not correct."))
            else:
                throttle.register_success(email)
                login(request, user)
                first_factor_passed(request, FirstFactor.PASSWORD)
                step = "accounts:verify" if user_has_device(user) else "accounts:enrol"
                next_query = urlencode({"next": _next_url(request)})
                return HttpResponseRedirect(f"{reverse(step)}?{next_query}")
    return render(request, "accounts/sign_in.html", {
        "form": form, "next": _next_url(request),
        "sso": sso.enabled(), "sso_label": sso.button_label(),
        "sso_next_query": urlencode({"next": _next_url(request)})})


def _verify_code(user: User, code: str) -> tuple[object | None, str | None]:
    """Try the code on the user's authenticator, then on their backup codes."""
    throttled = False
    for model in (AuthenticatorDevice, BackupCodeDevice):
        for device in model.objects.filter(user=user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                throttled = True
                continue
            if device.verify_token(code):
                return device, None
    return None, "throttled" if throttled else "wrong_code"


# The two code steps: "verify" completes signing in (step 2 of 2); "again" asks a signed-in
# person for a fresh code before a dangerous act (`shelter.accounts.recent`). Only the way in,
# what passing does to the session, and the words differ.
CODE_STEPS = {
    "verify": {"title": gettext_lazy("Confirm it is you"),
               "lead": gettext_lazy("Step 2 of 2: enter the code from your authenticator app. "
                                    "Lost your phone? Use one of your backup codes.")},
    "again": {"title": gettext_lazy("Confirm with a new code"),
              "lead": gettext_lazy("This action is sensitive. Enter the current code from your "
                                   "authenticator app (or a backup code); then you return to "
                                   "where you were.")},
}


@never_cache
@sensitive_post_parameters("code")
@guarded_by(public)
def code_step(request: HttpRequest, mode: str) -> HttpResponse:
    """The second factor: completes signing in (`mode` "verify") or, for someone signed in
    with both factors, confirms them again before a dangerous act (`mode` "again"); then
    back to `next`."""
    public(request)
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if mode == "again" and not user.is_verified():
        return redirect(settings.LOGIN_URL)
    if mode == "verify" and user.is_verified():
        return redirect(_next_url(request))
    if mode == "verify" and not user_has_device(user):
        return redirect("accounts:enrol")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device, failure = _verify_code(user, form.cleaned_data["code"])
        if device is not None:
            backup = isinstance(device, BackupCodeDevice)
            kind = SecondFactor.BACKUP if backup else SecondFactor.TOTP
            if mode == "verify":
                second_factor_passed(request, device, kind)
            else:  # the session already holds both factors: only the time is new
                second_factor_confirmed_again(request, kind)
            return HttpResponseRedirect(_next_url(request))
        second_factor_failed.send(sender=User, user=user, request=request, reason=failure)
        form.add_error("code", _("Too many wrong codes. Wait a minute, then try again.")
                       if failure == "throttled" else _("This code is not correct."))
    return render(request, "accounts/code_step.html", {
        "form": form, "next": _next_url(request), "mode": mode, **CODE_STEPS[mode],
        "sso_reauth": mode == "again" and views_sso.reauth_offered(request),
        "holds_passkey": holds_passkey(user),
        "next_query": urlencode({"next": _next_url(request)})})


def _qr_data_uri(device: AuthenticatorDevice) -> str:
    svg = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathFillImage,
                      box_size=12).to_string()
    return "data:image/svg+xml;base64," + base64.b64encode(svg).decode()


@never_cache
@sensitive_post_parameters("code")
@guarded_by(public)
def enrol(request: HttpRequest) -> HttpResponse:
    public(request)
    user = request.user
    if not user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if user_has_device(user):
        return redirect("accounts:verify" if not user.is_verified() else "dashboard")
    device = services.totp_device_pending(user=user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = services.totp_device_confirm(device=device)
            second_factor_passed(request, device, SecondFactor.TOTP)
            second_factor_enrolled.send(sender=User, user=user, request=request)
            return _show_backup_codes(request, codes)
        second_factor_failed.send(sender=User, user=user, request=request, reason="wrong_code",
                                  device_kind=SecondFactor.TOTP)
        form.add_error("code", _("This code is not correct. Check the time on your phone and "
                                 "enter the newest code."))
    secret = device.base32_secret
    return render(request, "accounts/enrol.html", {
        "form": form, "qr": _qr_data_uri(device), "next": _next_url(request),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    })


@require_POST
@guarded_by(public)
def sign_out(request: HttpRequest) -> HttpResponse:
    public(request)
    # A single sign-on session also ends at the provider, where it has a logout page.
    provider_logout = sso.end_session_url(request.build_absolute_uri(
        reverse(settings.LOGIN_URL))) if request.session.get(FIRST_FACTOR) == FirstFactor.SSO \
        and sso.enabled() else None
    logout(request)
    messages.info(request, _("You are signed out."))
    return HttpResponseRedirect(provider_logout) if provider_logout else \
        redirect(settings.LOGIN_URL)


@never_cache
@sensitive_post_parameters("password1", "password2")
@guarded_by(public)
def invitation(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    public(request)
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (ValueError, TypeError, OverflowError, User.DoesNotExist):
        user = None
    if user is None or not default_token_generator.check_token(user, token):
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.user_accept_invitation(user=user, password=form.cleaned_data["password1"])
        # Signed in with the first factor only: the two-factor gate lets this session reach
        # nothing but enrolment until a second factor is set up and confirmed.
        login(request, user, backend=settings.AUTHENTICATION_BACKENDS[0])
        first_factor_passed(request, FirstFactor.PASSWORD)
        messages.success(request, _("Your password is set. Now set up your second factor."))
        return redirect("accounts:enrol")
    return render(request, "accounts/invitation.html", {"form": form, "invitee": user},
                  status=400 if form.is_bound else 200)


def invited(request: HttpRequest, user: User, path: str) -> HttpResponse:
    """After an invitation is made: queue its mail (sent right after this page, retried by the
    job; the request never waits for the mail server), and show the link as the fallback."""
    link = request.build_absolute_uri(path)
    services.invitation_send(user=user, acting_user=request.user)
    return render(request, "accounts/invited.html", {"invitee": user, "link": link})


# --- backup codes: shown once, right after they are made --------------------------------------
BACKUP_CODES_ISSUED = "shelter_backup_codes"
BACKUP_CODES_MINUTES = 15


def _codes_mac(codes: list[str]) -> str:
    return salted_hmac("shelter.accounts.backup_codes", " ".join(codes)).hexdigest()


def _show_backup_codes(request: HttpRequest, codes: list[str]) -> HttpResponse:
    """The page with the new codes. The session keeps a MAC of them (never the codes), so this
    session, and only for a few minutes, may have them back as a file."""
    request.session[BACKUP_CODES_ISSUED] = {"mac": _codes_mac(codes), "at": time.time()}
    return render(request, "accounts/backup_codes.html", {
        "codes": codes, "next": _next_url(request),
        "download": BackupCodesDownloadForm(initial={"codes": " ".join(codes)})})


def _fresh_codes(request: HttpRequest, codes: list[str]) -> bool:
    issued = request.session.get(BACKUP_CODES_ISSUED) or {}
    age = time.time() - float(issued.get("at", 0))
    return (bool(codes) and 0 <= age <= BACKUP_CODES_MINUTES * 60
            and constant_time_compare(str(issued.get("mac", "")), _codes_mac(codes)))


@never_cache
@sensitive_post_parameters("codes")
@require_POST
@guarded_by(signed_in)
def backup_codes_download(request: HttpRequest) -> HttpResponse:
    """The backup codes just made, as a text file: only in the session that made them and
    only for BACKUP_CODES_MINUTES; anything else gets a page that says so (400)."""
    signed_in(request)
    form = BackupCodesDownloadForm(request.POST)
    codes = form.cleaned_data["codes"].split() if form.is_valid() else []
    if not _fresh_codes(request, codes):
        return render(request, "accounts/backup_codes_gone.html", status=400)
    body = render_to_string("accounts/backup_codes.txt", {"codes": codes}, request=request)
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="shelter-backup-codes.txt"'
    return response


# --- forgotten password -------------------------------------------------------------------
def _answer_no_sooner_than(started: float) -> None:
    """Whether a mail went out or not, answer after the same time (see settings)."""
    remaining = settings.SHELTER_PASSWORD_RESET_MIN_SECONDS - (time.monotonic() - started)
    if remaining > 0:
        time.sleep(remaining)


@never_cache
@guarded_by(public)
def password_forgot(request: HttpRequest) -> HttpResponse:
    """Ask for a reset link. The answer is the same page, status and time for every valid
    address, with or without an account."""
    public(request)
    form = PasswordForgotForm(request.POST or None)
    context = {"form": form, "password_reset_minutes": settings.SHELTER_PASSWORD_RESET_MINUTES}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "accounts/password_forgot.html", context, status=400)
        started = time.monotonic()
        # The mail, if any, is sent after this answer (shelter.mail): its timing tells nothing.
        services.password_reset_request(email=form.cleaned_data["email"],
                                        language=translation.get_language() or "")
        _answer_no_sooner_than(started)
        return render(request, "accounts/password_sent.html")
    return render(request, "accounts/password_forgot.html", context)


@never_cache
@sensitive_post_parameters("password1", "password2")
@guarded_by(public)
def password_reset(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a new password from a reset link. It signs nobody in: afterwards the user signs
    in with the new password and the second factor."""
    public(request)
    user = services.password_reset_user(uidb64, token)
    if user is None:
        return render(request, "accounts/password_reset_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_complete(user=user, password=form.cleaned_data["password1"])
        if request.user.is_authenticated:  # their own session is gone from the store
            logout(request)
        messages.success(request, _("Your password is changed. Sign in with it and your "
                                    "second factor."))
        return redirect(settings.LOGIN_URL)
    return render(request, "accounts/password_reset.html", {"form": form},
                  status=400 if form.is_bound else 200)
