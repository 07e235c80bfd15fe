"""The phishing-resistant policy: roles that must use a passkey reach only the security page
until they have one; a code sign-in of someone who has one is a loud recovery, which may not
remove passkeys or reset anyone's factors; a passkey added in a recovery is held back."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from shelter.accounts import services
from shelter.accounts.methods import SIGN_IN_METHOD
from shelter.accounts.models import AuthenticatorDevice, RecoveryPasskey
from shelter.accounts.phishing import RECOVERY_SESSION
from shelter.accounts.roles import Role, roles_from_keys
from shelter.audit import Action
from tests.accounts.test_sign_in import sign_in, totp_now
from tests.factories import head_seq, recorded

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def policy(settings):
    settings.SHELTER_REQUIRE_PHISHING_RESISTANT = frozenset({Role.COORDINATOR, Role.AUDITOR})


def passkey(user, name: str = "key") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(user=user, name=name, confirmed=True,
                                             credential_id=os.urandom(16), public_key=b"k")


def code_sign_in(user) -> Client:
    """Password and authenticator code, through the real pages."""
    client = Client()
    sign_in(client, user.email)
    client.post("/accounts/verify/", {"code": totp_now(AuthenticatorDevice.objects.get(
        user=user))})
    assert client.session[SIGN_IN_METHOD] == "password+totp"
    return client


def passkey_session(user, credential: WebAuthnCredential) -> Client:
    """A session raised with a passkey (the passkey sign-in's own path, without a browser)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = credential.persistent_id
    session[SIGN_IN_METHOD] = "password+passkey"
    session.save()
    return client


def strong_client(user) -> Client:
    """A session signed in with the user's passkey (phishing-resistant)."""
    return passkey_session(user, passkey(user, "own key"))


# --- settings -----------------------------------------------------------------------------
def test_role_keys_become_role_values():
    assert roles_from_keys(["coordinator", " Case_Officer ", "auditor"], "X") == {
        Role.COORDINATOR, Role.CASE_OFFICER, Role.AUDITOR}
    assert roles_from_keys([], "X") == frozenset()


def test_an_unknown_role_key_is_a_configuration_error_that_names_it():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="coordinater"):
        roles_from_keys(["coordinater"], "SHELTER_REQUIRE_PHISHING_RESISTANT")


def _settings_value(**env: str) -> subprocess.CompletedProcess:
    code = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE']='shelter.settings'; "
            "django.setup(); from django.conf import settings; "
            "print(sorted(settings.SHELTER_REQUIRE_PHISHING_RESISTANT))")
    environment = {k: v for k, v in os.environ.items()
                   if k != "SHELTER_REQUIRE_PHISHING_RESISTANT"}
    environment.update(env)
    return subprocess.run([sys.executable, "-c", code], env=environment, capture_output=True,
                          text=True, timeout=60)


def test_the_environment_variable_is_read_and_a_typo_refuses_to_start():
    done = _settings_value(SHELTER_ENV="development",
                           SHELTER_REQUIRE_PHISHING_RESISTANT="coordinator,partner")
    assert done.stdout.strip() == "['Coordinator', 'Partner']"
    assert _settings_value(SHELTER_ENV="development").stdout.strip() == "[]"
    failed = _settings_value(SHELTER_ENV="development",
                             SHELTER_REQUIRE_PHISHING_RESISTANT="coordinator,boss")
    assert failed.returncode != 0 and "unknown role boss" in failed.stderr


# --- no passkey yet: only the security page ----------------------------------------------
def test_a_coordinator_without_a_passkey_is_sent_to_the_security_page(carla):
    client = code_sign_in(carla)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:security")
    page = client.get(reverse("accounts:security"))
    assert page.status_code == 200
    assert "passkey or security key" in page.content.decode()
    for name in ("cases:list", "accounts:people", "housing:schedule"):
        assert client.get(reverse(name))["Location"] == reverse("accounts:security")


def test_a_post_elsewhere_is_refused_with_403(carla, olaf):
    client = code_sign_in(carla)
    response = client.post(reverse("accounts:person_set_active", args=[olaf.pk]),
                           {"active": "0", "confirmed": "1"})
    assert response.status_code == 403
    olaf.refresh_from_db()
    assert olaf.is_active


def test_the_allowed_routes_work(carla):
    client = code_sign_in(carla)
    assert client.post(reverse("accounts:webauthn_register_begin"),
                       content_type="application/json").status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}
                       ).status_code == 302
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_roles_outside_the_policy_are_not_restricted(olaf):
    assert code_sign_in(olaf).get("/").status_code == 200


def test_without_the_policy_nobody_is_restricted(carla, settings):
    settings.SHELTER_REQUIRE_PHISHING_RESISTANT = frozenset()
    assert code_sign_in(carla).get("/").status_code == 200


def test_a_passkey_added_in_the_restricted_session_opens_it(carla):
    client = code_sign_in(carla)
    credential = passkey(carla)
    assert client.get("/").status_code == 200
    assert RECOVERY_SESSION not in client.session
    assert not RecoveryPasskey.objects.filter(credential=credential).exists()


def test_a_passkey_session_is_not_restricted(carla):
    credential = passkey(carla)
    assert passkey_session(carla, credential).get("/").status_code == 200


# --- a holder signing in by code: a recovery ---------------------------------------------
def test_a_passkey_holder_signing_in_by_code_is_a_loud_recovery(carla):
    passkey(carla)
    since = head_seq()
    client = code_sign_in(carla)
    [entry] = recorded(since, Action.SIGN_IN_RECOVERY)
    assert (entry.actor_id, entry.target_id, entry.facts) == (
        carla.pk, str(carla.pk), {"method": "password+totp"})
    assert client.session[RECOVERY_SESSION] is True
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "You signed in with a recovery method" in page.content.decode()
    # Recorded once per session, not per page.
    client.get("/")
    assert len(recorded(since, Action.SIGN_IN_RECOVERY)) == 1


def test_the_banner_is_dutch_too(carla):
    passkey(carla)
    page = code_sign_in(carla).get("/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "U bent aangemeld met een herstelmethode" in page


def test_a_backup_code_is_a_recovery_too(carla):
    passkey(carla)
    codes = services.backup_codes_issue(user=carla, count=1)
    client, since = Client(), head_seq()
    sign_in(client, carla.email)
    client.post("/accounts/verify/", {"code": codes[0]})
    [entry] = recorded(since, Action.SIGN_IN_RECOVERY)
    assert entry.facts == {"method": "password+backup"}


def test_a_passkey_sign_in_is_no_recovery(carla):
    from django.test import RequestFactory

    from shelter.accounts.methods import first_factor_passed, second_factor_passed

    credential = passkey(carla)
    request = RequestFactory().get("/")
    from importlib import import_module

    from django.conf import settings

    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = carla
    first_factor_passed(request, "password")
    since = head_seq()
    second_factor_passed(request, credential, "passkey")
    assert not recorded(since, Action.SIGN_IN_RECOVERY)
    assert RECOVERY_SESSION not in request.session


def test_a_case_officer_signing_in_by_code_is_no_recovery(olaf):
    passkey(olaf)
    since = head_seq()
    client = code_sign_in(olaf)
    assert not recorded(since, Action.SIGN_IN_RECOVERY)
    assert "recovery method" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en"
                                               ).content.decode()


def test_the_coordinators_dashboard_lists_the_recovery(carla, aud):
    passkey(aud)
    code_sign_in(aud)
    page = strong_client(carla).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Recovery sign-ins" in page
    panel = page[page.index('data-marker="recovery-panel"'):]
    assert aud.full_name in panel and "Password + authenticator app" in panel


def test_the_panel_says_so_when_there_is_none(carla):
    page = strong_client(carla).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No recovery sign-ins." in page


def test_the_panel_is_for_coordinators_only(aud, olaf):
    passkey(aud)
    code_sign_in(aud)
    for user in (olaf, aud):
        page = strong_client(user).get("/").content.decode()
        assert 'data-marker="recovery-panel"' not in page


def test_the_panel_shows_the_last_14_days_only(carla, aud, monkeypatch):
    passkey(aud)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() - timedelta(days=15))
    code_sign_in(aud)
    monkeypatch.setattr(timezone, "now", real_now)
    page = strong_client(carla).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No recovery sign-ins." in page


def test_the_dashboard_selector_refuses_others(olaf):
    from django.core.exceptions import PermissionDenied

    from shelter.audit.selectors import recovery_sign_ins_visible_to

    with pytest.raises(PermissionDenied):
        recovery_sign_ins_visible_to(olaf)


# --- what a recovery session may not do ---------------------------------------------------
def test_a_recovery_session_may_not_remove_a_passkey(carla):
    credential = passkey(carla)
    passkey(carla, "second")
    client, since = code_sign_in(carla), head_seq()
    response = client.post(reverse("accounts:passkey_remove", args=[credential.pk]),
                           {"confirmed": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "recovery method" in response.content.decode()
    assert WebAuthnCredential.objects.filter(pk=credential.pk).exists()
    [refusal] = recorded(since, Action.REFUSED)
    assert (refusal.actor_id, refusal.outcome, refusal.facts["reason"]) == (
        carla.pk, "refused", "recovery_session")
    assert not recorded(since, Action.PASSKEY_REMOVED)


def test_a_recovery_session_may_not_reset_anyones_second_factor(carla, olaf):
    passkey(carla)
    client, since = code_sign_in(carla), head_seq()
    response = client.post(reverse("accounts:person_reset_second_factor", args=[olaf.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 403
    assert AuthenticatorDevice.objects.filter(user=olaf).exists()
    [refusal] = recorded(since, Action.REFUSED)
    assert (refusal.target_id, refusal.facts["reason"]) == (str(olaf.pk), "recovery_session")
    assert not recorded(since, Action.SECOND_FACTOR_RESET)


def test_a_passkey_session_may_reset_second_factors(carla, olaf):
    from tests.factories import fresh_client

    client = fresh_client(carla)
    session = client.session
    session[SIGN_IN_METHOD] = "password+passkey"
    session.save()
    passkey(carla)
    response = client.post(reverse("accounts:person_reset_second_factor", args=[olaf.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 302
    assert not AuthenticatorDevice.objects.filter(user=olaf).exists()


def test_the_single_sign_on_link_refusal_is_decided_here(carla, rf):
    from shelter.accounts.phishing import sso_link_refusal

    passkey(carla)
    client = code_sign_in(carla)
    request = rf.get("/")
    request.user, request.session = carla, client.session
    carla.is_verified = lambda: True
    assert sso_link_refusal(request) == "recovery_session"
    request.session = {}
    assert sso_link_refusal(request) is None


# --- a passkey added in a recovery session ------------------------------------------------
def _add_passkey_through_the_service(user, recovery: bool) -> WebAuthnCredential:
    """What the registration endpoint does once the browser's answer is verified."""
    credential = WebAuthnCredential(user=user, name="new", credential_id=os.urandom(16),
                                    public_key=b"k", sign_count=0)
    registration = services.PasskeyRegistration(credential=credential, fmt="none",
                                                attestation=b"a", client_data_json=b"{}")
    return services.passkey_add(user=user, registration=registration, name="new",
                                acting_user=user, recovery=recovery)


def test_a_passkey_added_in_a_recovery_is_remembered_and_recorded_so(carla, settings):
    settings.SHELTER_RECOVERY_PASSKEY_DAYS = 7
    passkey(carla, "old")
    since = head_seq()
    credential = _add_passkey_through_the_service(carla, recovery=True)
    mark = RecoveryPasskey.objects.get(credential=credential)
    assert timedelta(days=6, hours=23) < mark.usable_for_removal_after - mark.added_at <= \
        timedelta(days=7)
    [entry] = recorded(since, Action.PASSKEY_ADDED)
    assert entry.facts == {"device": credential.pk, "recovery": True}


def test_the_first_passkey_is_recorded_as_such(carla):
    since = head_seq()
    credential = _add_passkey_through_the_service(carla, recovery=False)
    [entry] = recorded(since, Action.PASSKEY_ADDED)
    assert entry.facts == {"device": credential.pk, "first_passkey": True}
    assert not RecoveryPasskey.objects.exists()


def test_a_young_recovery_passkey_may_not_remove_other_passkeys(carla):
    victims_key = passkey(carla, "owner's key")
    intruders_key = passkey(carla, "added in recovery")
    services.recovery_passkey_remember(credential=intruders_key)
    client, since = passkey_session(carla, intruders_key), head_seq()
    response = client.post(reverse("accounts:passkey_remove", args=[victims_key.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 403
    assert WebAuthnCredential.objects.filter(pk=victims_key.pk).exists()
    [refusal] = recorded(since, Action.REFUSED)
    assert refusal.facts["reason"] == "recovery_passkey"


def test_after_the_waiting_days_it_may(carla, monkeypatch, settings):
    settings.SHELTER_RECOVERY_PASSKEY_DAYS = 7
    victims_key = passkey(carla, "owner's key")
    intruders_key = passkey(carla, "added in recovery")
    services.recovery_passkey_remember(credential=intruders_key)
    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + timedelta(days=7, minutes=1))
    client = passkey_session(carla, intruders_key)
    session = client.session
    session["shelter_otp_verified_at"] = __import__("time").time()
    session.save()
    response = client.post(reverse("accounts:passkey_remove", args=[victims_key.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=victims_key.pk).exists()


def test_the_owners_own_passkey_session_may_remove_passkeys(carla):
    victims_key = passkey(carla, "owner's key")
    other = passkey(carla, "spare")
    client = passkey_session(carla, victims_key)
    session = client.session
    session["shelter_otp_verified_at"] = __import__("time").time()
    session.save()
    response = client.post(reverse("accounts:passkey_remove", args=[other.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 302


def test_the_registration_endpoint_marks_a_passkey_added_in_a_recovery(carla, monkeypatch):
    from shelter.accounts.webauthn import ShelterWebAuthnHelper
    from tests.accounts.test_passkeys import (
        BEGIN_REGISTER,
        COMPLETE_REGISTER,
        post_json,
        registration_for,
    )

    passkey(carla, "owner's key")
    client = code_sign_in(carla)
    monkeypatch.setattr(ShelterWebAuthnHelper, "verify_registration",
                        lambda self, user, state, data: registration_for(user))
    since = head_seq()
    post_json(client, BEGIN_REGISTER, {})
    response = post_json(client, COMPLETE_REGISTER, {"name": "New", "credential": {}})
    assert response.status_code == 200
    added = WebAuthnCredential.objects.get(pk=response.json()["id"])
    assert RecoveryPasskey.objects.filter(credential=added).exists()
    [entry] = recorded(since, Action.PASSKEY_ADDED)
    assert entry.facts == {"device": added.pk, "recovery": True}


def test_the_panel_lists_passkeys_added_in_recovery_sessions(carla, aud):
    services.recovery_passkey_remember(credential=passkey(aud, "added in recovery"))
    page = strong_client(carla).get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    panel = page[page.index('data-marker="recovery-panel"'):]
    assert "passkey added" in panel and aud.full_name in panel
    assert "added in recovery" not in panel  # the key's own name is not shown


def test_a_recovery_session_may_not_link_single_sign_on(carla, settings):
    settings.SHELTER_OIDC_ISSUER = "https://idp.example"  # never reached: refused before
    settings.SHELTER_OIDC_CLIENT_ID, settings.SHELTER_OIDC_CLIENT_SECRET = "shelter", "secret"
    passkey(carla)
    client, since = code_sign_in(carla), head_seq()
    response = client.post(reverse("accounts:sso_link"), {"next": "/accounts/security/"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    assert "recovery method" in response.content.decode()
    [refusal] = recorded(since, Action.REFUSED)
    assert (refusal.actor_id, refusal.facts["reason"]) == (carla.pk, "recovery_session")
    carla.refresh_from_db()
    assert carla.oidc_subject is None


def test_a_passkey_added_with_a_young_recovery_passkey_is_held_back_as_long(carla, monkeypatch):
    """The attack: phished code → recovery session → key P1 (marked) → sign in with P1 → add
    P2. P2 is marked too, with P1's date, so signing in with P2 removes nothing either."""
    from shelter.accounts.webauthn import ShelterWebAuthnHelper
    from tests.accounts.test_passkeys import (
        BEGIN_REGISTER,
        COMPLETE_REGISTER,
        post_json,
        registration_for,
    )

    victims_key = passkey(carla, "owner's key")
    first = passkey(carla, "intruder's first")
    parent = services.recovery_passkey_remember(credential=first)
    client = passkey_session(carla, first)
    session = client.session
    session["shelter_otp_verified_at"] = __import__("time").time()
    session.save()
    monkeypatch.setattr(ShelterWebAuthnHelper, "verify_registration",
                        lambda self, user, state, data: registration_for(user))
    since = head_seq()
    post_json(client, BEGIN_REGISTER, {})
    response = post_json(client, COMPLETE_REGISTER, {"name": "Second", "credential": {}})
    assert response.status_code == 200
    second = WebAuthnCredential.objects.get(pk=response.json()["id"])
    mark = RecoveryPasskey.objects.get(credential=second)
    assert mark.usable_for_removal_after >= parent.usable_for_removal_after
    [entry] = recorded(since, Action.PASSKEY_ADDED)
    assert entry.facts == {"device": second.pk, "recovery": True}
    client = passkey_session(carla, second)
    session = client.session
    session["shelter_otp_verified_at"] = __import__("time").time()
    session.save()
    response = client.post(reverse("accounts:passkey_remove", args=[victims_key.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 403
    assert WebAuthnCredential.objects.filter(pk=victims_key.pk).exists()


def test_a_child_mark_keeps_the_later_of_the_two_dates(carla, settings):
    settings.SHELTER_RECOVERY_PASSKEY_DAYS = 7
    later = timezone.now() + timedelta(days=30)
    mark = services.recovery_passkey_remember(credential=passkey(carla), not_before=later)
    assert mark.usable_for_removal_after == later
    earlier = timezone.now() + timedelta(days=1)
    mark = services.recovery_passkey_remember(credential=passkey(carla, "b"), not_before=earlier)
    assert mark.usable_for_removal_after > timezone.now() + timedelta(days=6)


def test_a_young_recovery_passkey_session_may_not_reset_anyones_second_factor(carla, olaf):
    intruders_key = passkey(carla, "added in recovery")
    services.recovery_passkey_remember(credential=intruders_key)
    client, since = passkey_session(carla, intruders_key), head_seq()
    session = client.session
    session["shelter_otp_verified_at"] = __import__("time").time()
    session.save()
    response = client.post(reverse("accounts:person_reset_second_factor", args=[olaf.pk]),
                           {"confirmed": "1"})
    assert response.status_code == 403
    assert AuthenticatorDevice.objects.filter(user=olaf).exists()
    [refusal] = recorded(since, Action.REFUSED)
    assert refusal.facts["reason"] == "recovery_passkey"


def test_a_young_recovery_passkey_session_may_not_link_single_sign_on(carla, rf):
    from django_otp import DEVICE_ID_SESSION_KEY

    from shelter.accounts.phishing import sso_link_refusal

    intruders_key = passkey(carla, "added in recovery")
    services.recovery_passkey_remember(credential=intruders_key)
    request = rf.get("/")
    request.user, request.session = carla, {DEVICE_ID_SESSION_KEY: intruders_key.persistent_id}
    carla.otp_device, carla.is_verified = intruders_key, lambda: True
    assert sso_link_refusal(request) == "recovery_passkey"


def test_a_restricted_session_whose_code_is_old_can_confirm_again_to_add_a_passkey(carla):
    client = code_sign_in(carla)
    session = client.session
    session["shelter_otp_verified_at"] = 0
    session.save()
    response = client.post(reverse("accounts:webauthn_register_begin"),
                           content_type="application/json")
    assert response.status_code == 403
    confirm = client.get(response.json()["reverify"])
    assert confirm.status_code == 200  # not sent back to the security page
    AuthenticatorDevice.objects.filter(user=carla).update(last_t=-1)  # the code may repeat
    client.post(response.json()["reverify"], {"code": totp_now(AuthenticatorDevice.objects.get(
        user=carla))})
    assert client.post(reverse("accounts:webauthn_register_begin"),
                       content_type="application/json").status_code == 200
