"""Dangerous acts (the subject-access export, granting a share, break-glass) need a code from
the last SHELTER_RECENT_OTP_MINUTES: otherwise a detour through the re-verify page and back.
Refusing comes before asking: someone who may not act is not offered a code prompt."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse
from django.utils.http import urlencode

from cases.models import BreakGlass, CaseShare
from shelter.accounts.models import AuthenticatorDevice
from shelter.accounts.recent import OTP_VERIFIED_AT
from shelter.audit import Action
from tests.factories import head_seq, make_case, recorded, verified_client


@pytest.fixture
def case(carla, olaf):
    return make_case(carla, officer=olaf)


def client_with_code_at(user, verified_at: float | None):
    client = verified_client(user)
    if verified_at is not None:
        session = client.session
        session[OTP_VERIFIED_AT] = verified_at
        session.save()
    return client


def reverify(back: str) -> str:
    return f"{reverse('accounts:reverify')}?{urlencode({'next': back})}"


@pytest.mark.parametrize("minutes_ago", [None, 16])
def test_an_export_with_an_old_or_no_code_asks_for_one_and_returns_to_the_profile(
        settings, carla, case, minutes_ago):
    settings.SHELTER_RECENT_OTP_MINUTES = 15
    since = head_seq()
    verified_at = None if minutes_ago is None else time.time() - minutes_ago * 60
    response = client_with_code_at(carla, verified_at).post(
        reverse("cases:export", args=[case.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverify(reverse("cases:profile", args=[case.pk]))
    assert not recorded(since, Action.CASE_EXPORT)


def test_a_code_from_the_last_minutes_lets_the_export_through(settings, carla, case):
    settings.SHELTER_RECENT_OTP_MINUTES = 15
    since = head_seq()
    response = client_with_code_at(carla, time.time() - 14 * 60).post(
        reverse("cases:export", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith(
        "application/json")
    assert [e.target_id for e in recorded(since, Action.CASE_EXPORT)] == [str(case.pk)]


def test_only_granting_a_share_asks_for_a_code_not_reading_the_shares(olaf, pia, case):
    client = client_with_code_at(olaf, None)
    url = reverse("cases:sharing", args=[case.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"grantee_user": pia.pk, "sections": ["basic"]})
    assert response.status_code == 302 and response["Location"] == reverify(url)
    assert not CaseShare.objects.exists()


def test_break_glass_asks_for_a_code_before_its_form(carla, case):
    url = reverse("cases:break_glass", args=[case.pk])
    response = client_with_code_at(carla, None).get(url)
    assert response.status_code == 302 and response["Location"] == reverify(url)
    assert not BreakGlass.objects.exists()


def test_someone_who_may_not_export_is_refused_not_asked_for_a_code(pia, case):
    response = client_with_code_at(pia, None).post(reverse("cases:export", args=[case.pk]))
    assert response.status_code == 404


def test_a_correct_code_on_the_re_verify_page_opens_the_act_and_returns(settings, carla, case):
    settings.SHELTER_RECENT_OTP_MINUTES = 15
    client = client_with_code_at(carla, time.time() - 60 * 60)
    profile = reverse("cases:profile", args=[case.pk])
    confirm = client.post(reverse("cases:export", args=[case.pk]))["Location"]
    code = AuthenticatorDevice.objects.get(user=carla).current_code()
    back = client.post(confirm, {"code": code, "next": profile})
    assert back.status_code == 302 and back["Location"] == profile
    assert time.time() - client.session[OTP_VERIFIED_AT] < 60
    assert client.post(reverse("cases:export", args=[case.pk])).status_code == 200


def test_the_re_verify_page_needs_a_verified_session(client, db):
    response = client.get(reverse("accounts:reverify"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
