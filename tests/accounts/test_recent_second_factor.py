"""`require_recent_second_factor`: a code from the last SHELTER_RECENT_OTP_MINUTES, or a detour
through the re-verify page and back."""

from __future__ import annotations

import time

from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from shelter.accounts.recent import OTP_VERIFIED_AT, require_recent_second_factor


def request_with(verified_at: float | None, method: str = "get"):
    request = getattr(RequestFactory(), method)("/cases/x/?tab=1")
    request.session = SessionStore()
    if verified_at is not None:
        request.session[OTP_VERIFIED_AT] = verified_at
    return request


@require_recent_second_factor
def dangerous(request):
    return HttpResponse("done")


@require_recent_second_factor(methods=("POST",))
def form_page(request):
    return HttpResponse("page")


def test_a_fresh_code_lets_the_act_through(settings):
    assert dangerous(request_with(time.time() - 60)).content == b"done"


def test_an_old_or_missing_code_sends_to_re_verification_and_back(settings):
    settings.SHELTER_RECENT_OTP_MINUTES = 15
    for verified_at in (None, time.time() - 16 * 60):
        response = dangerous(request_with(verified_at))
        assert response.status_code == 302
        assert response["Location"] == (f"{reverse('accounts:reverify')}"
                                        "?next=%2Fcases%2Fx%2F%3Ftab%3D1")


def test_only_the_named_methods_are_guarded():
    assert form_page(request_with(None)).content == b"page"
    assert form_page(request_with(None, "post")).status_code == 302


def test_the_re_verify_page_needs_a_verified_session(client, db):
    response = client.get(reverse("accounts:reverify"))
    assert response.status_code == 302
