"""Deactivating a user and resetting a second factor confirm first: the act's URL answers GET
(and a POST without confirmed=1) with a page saying what will happen, and acts only on the
confirmation's POST. Reactivating is not destructive and acts at once."""

from __future__ import annotations

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.urls import reverse

from shelter.accounts.models import AuthenticatorDevice, BackupCodeDevice, User
from shelter.accounts.services import backup_codes_issue
from shelter.audit import Action
from tests.factories import fresh_client, head_seq, recorded

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _active(path: str, user: User) -> str:
    return f"/accounts/people/{user.pk}/{path}/"


def _sessions_of(user) -> int:
    return sum(str(s.get_decoded().get(SESSION_KEY)) == str(user.pk)
               for s in Session.objects.all())


def _state(user: User) -> tuple:
    fresh = User.objects.get(pk=user.pk)
    return (fresh.is_active, AuthenticatorDevice.objects.filter(user=user).count(),
            BackupCodeDevice.objects.filter(user=user).count(), _sessions_of(user))


@pytest.fixture
def olaf_signed_in(olaf, as_user):
    """olaf with an open session and backup codes, so a reset has something to remove."""
    client = as_user(olaf)
    assert client.get("/").status_code == 200
    backup_codes_issue(user=olaf)
    return client


def test_the_person_page_links_to_the_confirmations_instead_of_posting(carla, olaf, as_user):
    html = as_user(carla).get(f"/accounts/people/{olaf.pk}/", **EN).content.decode()
    assert f'href="{_active("active", olaf)}"' in html
    assert f'href="{_active("reset-second-factor", olaf)}"' in html
    assert f'action="{_active("active", olaf)}"' not in html  # no form that deactivates
    assert f'action="{_active("reset-second-factor", olaf)}"' not in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_asking_to_deactivate_shows_what_happens_and_changes_nothing(
        carla, olaf, olaf_signed_in, as_user, method):
    before, since = _state(olaf), head_seq()
    data = {"active": "0"} if method == "post" else {}  # the old form, without confirmed=1
    response = getattr(as_user(carla), method)(_active("active", olaf), data, **EN)
    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    context = response.context
    assert context["consequences"][:2] == [f"{olaf.full_name} can no longer sign in.",
                                           f"Every open session of {olaf.full_name} ends at once."]
    assert "nothing is deleted" in context["consequences"][2]
    assert context["action_url"] == _active("active", olaf)
    assert context["cancel_url"] == f"/accounts/people/{olaf.pk}/"
    assert context["confirm_label"] == "Deactivate and sign out everywhere"
    html = response.content.decode()
    assert 'name="confirmed" value="1"' in html and 'role="alert"' not in html
    assert _state(olaf) == before and before[0] and before[3] == 1
    assert recorded(since, Action.USER_DEACTIVATE) == []


def test_confirming_deactivates_ends_sessions_and_records_it(carla, olaf, olaf_signed_in,
                                                              as_user):
    since = head_seq()
    response = as_user(carla).post(_active("active", olaf), {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == f"/accounts/people/{olaf.pk}/"
    assert _state(olaf)[0] is False and _sessions_of(olaf) == 0
    [event] = recorded(since, Action.USER_DEACTIVATE)
    assert event.actor_id == carla.pk and event.target_id == str(olaf.pk)
    assert olaf_signed_in.get("/").status_code == 302


def test_reactivating_needs_no_confirmation(carla, olaf, as_user):
    User.objects.filter(pk=olaf.pk).update(is_active=False)
    client, since = as_user(carla), head_seq()
    page = client.get(f"/accounts/people/{olaf.pk}/", **EN).content.decode()
    assert f'action="{_active("active", olaf)}"' in page and "Reactivate" in page
    assert client.post(_active("active", olaf), {"active": "1"}).status_code == 302
    assert User.objects.get(pk=olaf.pk).is_active
    assert len(recorded(since, Action.USER_ACTIVATE)) == 1


def test_an_inactive_user_has_nothing_to_confirm(carla, olaf, as_user):
    User.objects.filter(pk=olaf.pk).update(is_active=False)
    response = as_user(carla).get(_active("active", olaf))
    assert response.status_code == 302 and response["Location"] == f"/accounts/people/{olaf.pk}/"


@pytest.mark.parametrize("data", [{}, {"confirmed": "1"}, {"active": "0", "confirmed": "1"}])
def test_a_coordinator_cannot_deactivate_themselves_even_confirmed(carla, as_user, data):
    client = as_user(carla)
    assert client.get(_active("active", carla)).status_code == 302
    assert client.post(_active("active", carla), data).status_code == 302
    assert User.objects.get(pk=carla.pk).is_active


@pytest.mark.parametrize("method", ["get", "post"])
def test_asking_to_reset_a_second_factor_shows_what_happens_and_changes_nothing(
        carla, olaf, olaf_signed_in, as_user, method):
    before, since = _state(olaf), head_seq()
    response = getattr(fresh_client(carla), method)(_active("reset-second-factor", olaf), **EN)
    assert response.status_code == 200
    assert response.templates[0].name == "confirm.html"
    consequences = response.context["consequences"]
    assert consequences[0] == ("The authenticator app, the passkeys and the backup codes of "
                               f"{olaf.full_name} stop working and are removed.")
    assert any("sets up a new second factor" in line for line in consequences)
    assert response.context["confirm_label"] == "Reset second factor"
    assert _state(olaf) == before and before[1] == 1 and before[2] == 1
    assert recorded(since, Action.SECOND_FACTOR_RESET) == []


def test_confirming_the_reset_removes_the_devices_and_records_it(carla, olaf, olaf_signed_in,
                                                                  as_user):
    since = head_seq()
    response = fresh_client(carla).post(_active("reset-second-factor", olaf), {"confirmed": "1"})
    assert response.status_code == 302
    assert _state(olaf) == (True, 0, 0, 0)
    [event] = recorded(since, Action.SECOND_FACTOR_RESET)
    assert event.actor_id == carla.pk and event.target_id == str(olaf.pk)


def test_resetting_a_second_factor_asks_for_a_recent_one_first(carla, olaf, as_user):
    since = head_seq()
    response = as_user(carla).post(_active("reset-second-factor", olaf), {"confirmed": "1"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reverify"))
    assert AuthenticatorDevice.objects.filter(user=olaf).count() == 1
    assert recorded(since, Action.SECOND_FACTOR_RESET) == []


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_coordinator_may_not_reset_their_own_second_factor(carla, method):
    since = head_seq()
    response = getattr(fresh_client(carla), method)(_active("reset-second-factor", carla),
                                                    {"confirmed": "1"}, **EN)
    assert response.status_code == 403
    assert "Ask another coordinator" in response.content.decode()
    assert AuthenticatorDevice.objects.filter(user=carla).count() == 1
    [refusal] = recorded(since, Action.REFUSED)
    assert (refusal.target_id, refusal.facts["reason"]) == (str(carla.pk), "own_account")
    assert recorded(since, Action.SECOND_FACTOR_RESET) == []


def test_ones_own_page_offers_no_reset(carla, as_user):
    html = as_user(carla).get(f"/accounts/people/{carla.pk}/", **EN).content.decode()
    assert _active("reset-second-factor", carla) not in html


def test_the_confirmation_pages_are_in_dutch(carla, olaf, as_user):
    client = as_user(carla)
    page = client.get(_active("active", olaf), HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f"{olaf.full_name} kan niet meer inloggen." in page
    assert "Deactiveren en overal uitloggen" in page and "Dit gaat er gebeuren:" in page
    page = fresh_client(carla).get(_active("reset-second-factor", olaf),
                                   HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert f"De tweede factor van {olaf.full_name} wissen?" in page


@pytest.mark.parametrize("persona", ["olaf", "pia", "aud"])
@pytest.mark.parametrize("path", ["active", "reset-second-factor"])
def test_only_coordinators_see_the_confirmations(persona, path, otto, request, as_user):
    user, since = request.getfixturevalue(persona), head_seq()
    client = as_user(user)
    assert client.get(_active(path, otto)).status_code == 403
    assert client.post(_active(path, otto), {"confirmed": "1"}).status_code == 403
    assert _state(otto)[:2] == (True, 1)
    assert any(e.outcome == "refused" for e in recorded(since))


def test_after_a_reset_a_single_sign_on_user_signing_in_by_password_enrols_again(carla, olaf):
    """The record that olaf's provider proves MFA goes with the reset: kept, it would count as
    a device and send the password sign-in to a code step that cannot accept it."""
    from django.test import Client

    from shelter.accounts import services
    from shelter.accounts.models import ProviderMFADevice
    from tests.factories import PASSWORD

    services.provider_mfa_device(user=olaf)
    response = fresh_client(carla).post(_active("reset-second-factor", olaf), {"confirmed": "1"})
    assert response.status_code == 302
    assert not ProviderMFADevice.objects.filter(user=olaf).exists()
    client = Client()
    response = client.post("/accounts/sign-in/", {"email": olaf.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/enrol/")
    assert client.get("/accounts/enrol/").status_code == 200
