"""Passkeys and security keys (django-otp-webauthn, wrapped in shelter.accounts.webauthn).

The real WebAuthn round trip (Chromium's virtual authenticator) is the browser journey
tests/browser/test_passkey_journey.py. Here: the services and their audit rows (which hold the
device id and nothing of the credential), the security page, the rename and removal rules, the
coordinator's reset, the JSON endpoints' answers to garbage, replays, stale challenges and
duplicates (400/409, never a 500 or an ERROR line), and the second-factor step, where a passed
passkey raises the session through `second_factor_passed` only.
"""

from __future__ import annotations

import json
import logging
import os
import time

import pytest
from django.test import Client
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential
from webauthn.helpers import bytes_to_base64url

from shelter.accounts import services
from shelter.accounts.methods import SIGN_IN_METHOD
from shelter.accounts.models import AuthenticatorDevice, User
from shelter.accounts.recent import OTP_VERIFIED_AT
from shelter.accounts.webauthn import ShelterWebAuthnHelper
from shelter.audit.actions import Action
from shelter.audit.models import AuditEvent
from tests.factories import PASSWORD, fresh_client, head_seq, verified_client

BEGIN_REGISTER = "/accounts/passkeys/register/begin/"
COMPLETE_REGISTER = "/accounts/passkeys/register/complete/"
BEGIN_LOGIN = "/accounts/passkeys/sign-in/begin/"
COMPLETE_LOGIN = "/accounts/passkeys/sign-in/complete/"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def make_passkey(user: User, name: str = "Key on my keyring") -> WebAuthnCredential:
    return WebAuthnCredential.objects.create(
        user=user, name=name, confirmed=True, credential_id=os.urandom(32),
        public_key=b"\xa5" + os.urandom(40), sign_count=0,
        aaguid="00000000-0000-0000-0000-000000000000")


def registration_for(user: User, credential_id: bytes | None = None
                     ) -> services.PasskeyRegistration:
    credential = WebAuthnCredential(
        user=user, credential_id=credential_id or os.urandom(32),
        public_key=b"\xa5" + os.urandom(40), sign_count=0,
        aaguid="00000000-0000-0000-0000-000000000000")
    return services.PasskeyRegistration(credential=credential, fmt="none",
                                        attestation=b"\xa3attestation",
                                        client_data_json=b'{"type":"webauthn.create"}')


def recorded(since: int, action: Action) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=since, action=action).order_by("seq"))


def post_json(client: Client, url: str, body, *, raw: str | None = None, **extra):
    return client.post(url, raw if raw is not None else json.dumps(body),
                       content_type="application/json", **EN, **extra)


def first_factor_client(user: User) -> Client:
    client = Client()
    response = client.post("/accounts/sign-in/", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and "/accounts/verify/" in response["Location"]
    return client


def credential_facts_absent(event: AuditEvent, credential: WebAuthnCredential) -> None:
    text = json.dumps(event.facts)
    assert credential.credential_id_sha256 not in text
    assert credential.credential_id.hex() not in text and credential.name not in text
    # The policy's booleans (first passkey, added in a recovery) may be there; nothing else.
    assert event.facts.get("device") == credential.pk
    assert set(event.facts) <= {"device", "first_passkey", "recovery"}


# --- services ---------------------------------------------------------------------------------
def test_adding_a_passkey_saves_it_named_and_writes_one_audit_row(olaf):
    since = head_seq()
    passkey = services.passkey_add(user=olaf, registration=registration_for(olaf),
                                   name="Laptop", acting_user=olaf)
    passkey.refresh_from_db()
    assert (passkey.user, passkey.name, passkey.confirmed) == (olaf, "Laptop", True)
    assert WebAuthnAttestation.objects.get(credential=passkey).fmt == "none"
    [added] = recorded(since, Action.PASSKEY_ADDED)
    assert (added.actor_id, added.target_type, str(added.target_id)) == (
        olaf.pk, "accounts.user", str(olaf.pk))
    credential_facts_absent(added, passkey)


def test_a_credential_registered_already_is_a_duplicate_and_nothing_is_written(olaf, otto):
    passkey = make_passkey(otto)
    since = head_seq()
    with pytest.raises(services.PasskeyDuplicate):
        services.passkey_add(user=olaf, acting_user=olaf, name="Copy",
                             registration=registration_for(olaf, bytes(passkey.credential_id)))
    assert WebAuthnCredential.objects.count() == 1
    assert recorded(since, Action.PASSKEY_ADDED) == []


def test_renaming_and_removing_write_their_audit_rows(olaf):
    passkey, since = make_passkey(olaf), head_seq()
    device_id = passkey.pk
    services.passkey_rename(credential=passkey, name="Blue key", acting_user=olaf)
    services.passkey_remove(credential=passkey, acting_user=olaf)
    [renamed] = recorded(since, Action.PASSKEY_RENAMED)
    [removed] = recorded(since, Action.PASSKEY_REMOVED)
    assert renamed.facts == removed.facts == {"device": device_id}
    assert "Blue key" not in json.dumps(renamed.facts)
    assert not WebAuthnCredential.objects.filter(user=olaf).exists()


def test_the_last_device_cannot_be_removed(olaf):
    AuthenticatorDevice.objects.filter(user=olaf).delete()
    passkey, since = make_passkey(olaf), head_seq()
    with pytest.raises(services.PasskeyLastDevice):
        services.passkey_remove(credential=passkey, acting_user=olaf)
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert recorded(since, Action.PASSKEY_REMOVED) == []
    second = make_passkey(olaf, "Second")
    services.passkey_remove(credential=passkey, acting_user=olaf)  # another passkey remains
    assert list(WebAuthnCredential.objects.filter(user=olaf)) == [second]


def test_the_coordinators_reset_removes_the_passkeys_too(carla, olaf):
    make_passkey(olaf)
    make_passkey(carla)
    since = head_seq()
    services.user_reset_second_factor(user=olaf, acting_user=carla)
    assert not WebAuthnCredential.objects.filter(user=olaf).exists()
    assert WebAuthnCredential.objects.filter(user=carla).count() == 1
    assert len(recorded(since, Action.SECOND_FACTOR_RESET)) == 1


def test_the_reset_page_removes_the_passkeys(carla, olaf):
    make_passkey(olaf)
    response = fresh_client(carla).post(f"/accounts/people/{olaf.pk}/reset-second-factor/",
                                        {"confirmed": "1"})
    assert response.status_code == 302
    assert not WebAuthnCredential.objects.filter(user=olaf).exists()


# --- the security page --------------------------------------------------------------------
def test_the_security_page_lists_only_ones_own_passkeys_and_the_code_state(olaf, otto):
    make_passkey(olaf, "Olaf's blue key")
    make_passkey(otto, "Otto's red key")
    response = verified_client(olaf).get("/accounts/security/", **EN)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Olaf&#x27;s blue key" in body and "Otto" not in body
    assert response.context["has_authenticator"] is True
    assert 'href="/accounts/security/"' in body  # linked from the header


def test_the_security_page_needs_both_factors(olaf):
    response = first_factor_client(olaf).get("/accounts/security/")
    assert response.status_code == 302 and "/accounts/verify/" in response["Location"]


def test_renaming_ones_own_passkey(olaf):
    passkey, since = make_passkey(olaf), head_seq()
    client = verified_client(olaf)
    response = client.post(f"/accounts/security/passkeys/{passkey.pk}/rename/",
                           {f"passkey-{passkey.pk}-name": "Green key"})
    assert response.status_code == 302
    passkey.refresh_from_db()
    assert passkey.name == "Green key" and len(recorded(since, Action.PASSKEY_RENAMED)) == 1
    client.post(f"/accounts/security/passkeys/{passkey.pk}/rename/",
                {f"passkey-{passkey.pk}-name": "x" * 61})
    passkey.refresh_from_db()
    assert passkey.name == "Green key"


def test_someone_elses_passkey_is_404_and_recorded(olaf, otto):
    passkey, since = make_passkey(otto), head_seq()
    client = fresh_client(olaf)
    for method, path in (("post", "rename"), ("get", "remove"), ("post", "remove")):
        response = getattr(client, method)(f"/accounts/security/passkeys/{passkey.pk}/{path}/",
                                           {"confirmed": "1", f"passkey-{passkey.pk}-name": "Mine"})
        assert response.status_code == 404, path
    passkey.refresh_from_db()
    assert passkey.name == "Key on my keyring"
    refusals = AuditEvent.objects.filter(seq__gt=since, outcome="refused")
    assert refusals.count() == 3


def test_removal_needs_a_recent_second_factor_then_a_confirmation(olaf):
    passkey = make_passkey(olaf, "Old key")
    url = f"/accounts/security/passkeys/{passkey.pk}/remove/"
    stale = verified_client(olaf)
    response = stale.post(url, {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/confirm/")
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()

    client = fresh_client(olaf)
    response = client.get(url, **EN)
    assert response.status_code == 200 and response.templates[0].name == "confirm.html"
    assert response.context["title"] == "Remove passkey Old key?"
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    since = head_seq()
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302 and response["Location"] == "/accounts/security/"
    assert not WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert len(recorded(since, Action.PASSKEY_REMOVED)) == 1


def test_removing_the_only_device_is_refused_with_a_message(olaf):
    AuthenticatorDevice.objects.filter(user=olaf).delete()
    passkey = make_passkey(olaf)
    client = fresh_client_without_totp(olaf, passkey)
    response = client.post(f"/accounts/security/passkeys/{passkey.pk}/remove/",
                           {"confirmed": "1"}, follow=True, **EN)
    assert WebAuthnCredential.objects.filter(pk=passkey.pk).exists()
    assert "This is your only second factor" in response.content.decode()


def fresh_client_without_totp(user: User, passkey: WebAuthnCredential) -> Client:
    from django_otp import DEVICE_ID_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = passkey.persistent_id
    session[OTP_VERIFIED_AT] = time.time()
    session.save()
    return client


# --- the second-factor step ---------------------------------------------------------------
def test_the_verify_step_shows_the_passkey_button_only_to_holders(olaf, otto):
    make_passkey(olaf)
    holder = first_factor_client(olaf).get("/accounts/verify/", **EN).content.decode()
    other = first_factor_client(otto).get("/accounts/verify/", **EN).content.decode()
    assert "Use your passkey or security key" in holder
    assert "Use your passkey or security key" not in other
    assert 'src="/static/shelter/js/passkeys.js"' in holder
    assert "<script>" not in holder  # the CSP allows no inline script


def test_a_passed_passkey_raises_the_session_with_the_method(olaf, monkeypatch):
    passkey = make_passkey(olaf)
    client = first_factor_client(olaf)
    key_before = client.session.session_key
    options = post_json(client, BEGIN_LOGIN, {}).json()
    assert options["userVerification"] == "required"
    assert [c["type"] for c in options["allowCredentials"]] == ["public-key"]
    monkeypatch.setattr(ShelterWebAuthnHelper, "authenticate_complete",
                        lambda self, user, state, data: passkey)
    since = head_seq()
    response = post_json(client, f"{COMPLETE_LOGIN}?next=/cases/", {"id": "x"})
    assert response.status_code == 200 and response.json()["redirect_url"] == "/cases/"
    assert client.session.session_key != key_before
    assert client.session[SIGN_IN_METHOD] == "password+passkey"
    assert client.get("/").status_code == 200
    [verified] = recorded(since, Action.OTP_VERIFIED)
    assert verified.facts["device"] == "passkey"


def test_an_unsafe_next_goes_to_the_dashboard(olaf, monkeypatch):
    passkey = make_passkey(olaf)
    client = first_factor_client(olaf)
    post_json(client, BEGIN_LOGIN, {})
    monkeypatch.setattr(ShelterWebAuthnHelper, "authenticate_complete",
                        lambda self, user, state, data: passkey)
    response = post_json(client, f"{COMPLETE_LOGIN}?next=https://evil.example/", {})
    assert response.json()["redirect_url"] == "/"


def test_confirming_again_with_a_passkey_keeps_the_method_and_renews_the_time(olaf,
                                                                              monkeypatch):
    passkey = make_passkey(olaf)
    client = verified_client(olaf)
    session = client.session
    session[SIGN_IN_METHOD], session[OTP_VERIFIED_AT] = "password+totp", time.time() - 3600
    session.save()
    key_before = client.session.session_key
    post_json(client, BEGIN_LOGIN, {})
    monkeypatch.setattr(ShelterWebAuthnHelper, "authenticate_complete",
                        lambda self, user, state, data: passkey)
    response = post_json(client, COMPLETE_LOGIN, {})
    assert response.status_code == 200
    assert client.session.session_key == key_before
    assert client.session[SIGN_IN_METHOD] == "password+totp"
    assert time.time() - client.session[OTP_VERIFIED_AT] < 60


def test_a_passkey_is_never_a_way_in_on_its_own(olaf):
    make_passkey(olaf)
    client = Client()
    for url in (BEGIN_LOGIN, COMPLETE_LOGIN):
        response = post_json(client, url, {})
        assert response.status_code == 401 and response.json()["code"] == "not_authenticated"
    assert "_auth_user_id" not in client.session


def test_a_failed_passkey_is_recorded_as_a_failed_second_factor(olaf):
    make_passkey(olaf)
    client = first_factor_client(olaf)
    post_json(client, BEGIN_LOGIN, {})
    since = head_seq()
    response = post_json(client, COMPLETE_LOGIN, {"id": "AAAA", "rawId": "AAAA",
                                                  "type": "public-key", "response": {}})
    assert response.status_code == 400 and response.json()["detail"]
    [failed] = recorded(since, Action.OTP_FAILED)
    assert failed.actor_id == olaf.pk and failed.facts["reason"].startswith("passkey_")
    assert not client.session.get(SIGN_IN_METHOD)


# --- the JSON endpoints answer garbage with 400, never a 500 or an ERROR line ---------------
GARBAGE = [
    ("raw", "{not json"), ("raw", "[1, 2"), ("json", []), ("json", "a string"), ("json", 5),
    ("json", None), ("json", {"credential": 5}), ("json", {"credential": {"id": 1}}),
    ("json", {"credential": {"id": "AA", "rawId": "AA", "type": "public-key",
                             "response": {"clientDataJSON": 7, "attestationObject": []}}}),
    ("json", {"id": "RAW", "rawId": "RAW", "type": "public-key",
              "response": {"clientDataJSON": "!!", "authenticatorData": "AA",
                           "signature": "AA"}}),
    ("json", {"id": "RAW", "rawId": "RAW", "type": "public-key",
              "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA",
                           "signature": "AAAA", "userHandle": 5}}),
    ("json", {"name": 12, "credential": {}}), ("json", {"name": "x" * 61, "credential": {}}),
]


@pytest.mark.parametrize("kind,body", GARBAGE, ids=range(len(GARBAGE)))
@pytest.mark.parametrize("ceremony", ["register", "login"])
def test_garbage_is_a_400_with_a_message(olaf, caplog, ceremony, kind, body):
    raw_id = bytes_to_base64url(bytes(make_passkey(olaf).credential_id))
    if isinstance(body, dict) and body.get("id") == "RAW":  # a real id, a forged rest
        body = {**body, "id": raw_id, "rawId": raw_id}
    client = fresh_client(olaf) if ceremony == "register" else first_factor_client(olaf)
    begin, complete = ((BEGIN_REGISTER, COMPLETE_REGISTER) if ceremony == "register"
                       else (BEGIN_LOGIN, COMPLETE_LOGIN))
    assert post_json(client, begin, {}).status_code == 200
    with caplog.at_level(logging.INFO):
        response = post_json(client, complete, body, raw=body if kind == "raw" else None)
    assert response.status_code == 400, response.content
    assert response.json()["detail"] and response.json()["code"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_an_unknown_credential_is_a_404_with_a_message(olaf, caplog):
    make_passkey(olaf)
    client = first_factor_client(olaf)
    post_json(client, BEGIN_LOGIN, {})
    with caplog.at_level(logging.INFO):
        response = post_json(client, COMPLETE_LOGIN, {
            "id": "AAAA", "rawId": "AAAA", "type": "public-key",
            "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA",
                         "signature": "AAAA"}})
    assert response.status_code == 404
    assert response.json()["code"] == "credential_not_found"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_a_form_body_is_a_400(olaf):
    client = fresh_client(olaf)
    post_json(client, BEGIN_REGISTER, {})
    response = client.post(COMPLETE_REGISTER, {"name": "Key"})
    assert response.status_code == 400


@pytest.mark.parametrize("ceremony", ["register", "login"])
def test_a_replayed_or_unbegun_ceremony_is_a_400(olaf, ceremony):
    make_passkey(olaf)
    client = fresh_client(olaf) if ceremony == "register" else first_factor_client(olaf)
    complete = COMPLETE_REGISTER if ceremony == "register" else COMPLETE_LOGIN
    response = post_json(client, complete, {})
    assert response.status_code == 400 and response.json()["code"] == "invalid_state"


@pytest.mark.parametrize("ceremony", ["register", "login"])
def test_a_stale_challenge_is_a_400(olaf, ceremony):
    make_passkey(olaf)
    client = fresh_client(olaf) if ceremony == "register" else first_factor_client(olaf)
    begin, complete, key = ((BEGIN_REGISTER, COMPLETE_REGISTER, "otp_webauthn_register_state")
                            if ceremony == "register" else
                            (BEGIN_LOGIN, COMPLETE_LOGIN, "otp_webauthn_authentication_state"))
    post_json(client, begin, {})
    session = client.session
    state = session[key]
    state["at"] = time.time() - 3600
    session[key] = state
    session.save()
    response = post_json(client, complete, {})
    assert response.status_code == 400 and response.json()["code"] == "stale_challenge"
    assert key not in client.session  # used up: it cannot be tried again


def test_registration_options_require_user_verification_and_no_attestation(olaf):
    options = post_json(fresh_client(olaf), BEGIN_REGISTER, {}).json()
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert options["attestation"] == "none"
    assert options["rp"]["id"] == "localhost"


def test_registration_needs_both_factors(olaf):
    response = post_json(first_factor_client(olaf), BEGIN_REGISTER, {})
    assert response.status_code == 302 and "/accounts/verify/" in response["Location"]


def test_a_duplicate_credential_is_a_409_without_an_error_line(olaf, otto, monkeypatch,
                                                                caplog):
    taken = make_passkey(otto)
    client = fresh_client(olaf)
    post_json(client, BEGIN_REGISTER, {})
    monkeypatch.setattr(ShelterWebAuthnHelper, "verify_registration",
                        lambda self, user, state, data: registration_for(
                            user, bytes(taken.credential_id)))
    with caplog.at_level(logging.INFO):
        response = post_json(client, COMPLETE_REGISTER, {"name": "Mine", "credential": {}})
    assert response.status_code == 409
    assert response.json()["code"] == "duplicate_credential"
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert not WebAuthnCredential.objects.filter(user=olaf).exists()


def test_a_registration_is_saved_under_its_name_or_the_default(olaf, monkeypatch):
    client = fresh_client(olaf)
    monkeypatch.setattr(ShelterWebAuthnHelper, "verify_registration",
                        lambda self, user, state, data: registration_for(user))
    for name in ("  Work laptop ", ""):
        post_json(client, BEGIN_REGISTER, {})
        response = post_json(client, COMPLETE_REGISTER, {"name": name, "credential": {}})
        assert response.status_code == 200
    names = list(WebAuthnCredential.objects.filter(user=olaf).order_by("pk")
                 .values_list("name", flat=True))
    assert names == ["Work laptop", "Security key"]


def test_someone_elses_passkey_does_not_pass_the_second_step(olaf, otto):
    make_passkey(olaf)
    theirs = bytes_to_base64url(bytes(make_passkey(otto).credential_id))
    client = first_factor_client(olaf)
    post_json(client, BEGIN_LOGIN, {})
    response = post_json(client, COMPLETE_LOGIN, {
        "id": theirs, "rawId": theirs, "type": "public-key",
        "response": {"clientDataJSON": "e30", "authenticatorData": "AAAA", "signature": "AAAA"}})
    assert response.status_code == 403
    assert response.json()["code"] == "credential_user_mismatch"
    assert not client.session.get(SIGN_IN_METHOD)


def test_the_helper_requires_user_verification_and_names_the_site(olaf, rf, settings):
    settings.OTP_WEBAUTHN_RP_ID = "shelter.example.org"
    make_passkey(olaf)
    helper = ShelterWebAuthnHelper(request=rf.get("/"))
    options, state = helper.authenticate_begin(user=olaf, require_user_verification=False)
    assert options["userVerification"] == "required" and state["require_user_verification"]
    assert options["rpId"] == "shelter.example.org"
    options, state = helper.register_begin(user=olaf)
    assert options["rp"] == {"name": "Shelter", "id": "shelter.example.org"}
    assert state["require_user_verification"] is True
    assert options["user"]["name"] == olaf.email  # the user handle is random, not the address
    assert olaf.email not in json.dumps(options["user"]["id"])


def test_adding_a_passkey_asks_for_a_recent_second_factor(olaf):
    client = verified_client(olaf)  # signed in with both factors, but not in the last minutes
    response = post_json(client, BEGIN_REGISTER, {})
    assert response.status_code == 403
    assert response.json()["reverify"] == (
        f"{reverse('accounts:reverify')}?next=%2Faccounts%2Fsecurity%2F")
    assert "otp_webauthn_register_state" not in client.session
    page = client.get("/accounts/security/", **EN).content.decode()
    assert 'data-marker="confirm-first"' in page
    fresh = fresh_client(olaf)
    assert post_json(fresh, BEGIN_REGISTER, {}).status_code == 200
    assert 'data-marker="confirm-first"' not in fresh.get("/accounts/security/").content.decode()
