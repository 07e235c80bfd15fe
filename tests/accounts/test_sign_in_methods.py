"""Every sign-in records its method, every refusal its factor and reason (short codes only)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django_otp_webauthn.models import WebAuthnCredential

from shelter.accounts import services
from shelter.accounts.methods import (
    SIGN_IN_METHOD,
    FirstFactor,
    first_factor_passed,
    second_factor_passed,
)
from shelter.accounts.models import AuthenticatorDevice
from shelter.accounts.signals import sign_in_refused
from shelter.audit import Action
from tests.accounts.test_sign_in import sign_in, totp_now
from tests.factories import head_seq, recorded

pytestmark = pytest.mark.django_db


def only(since: int, action: Action):
    [entry] = recorded(since, action)
    return entry


def test_password_and_authenticator_code_is_recorded_as_password_totp(olaf):
    client, since = Client(), head_seq()
    sign_in(client, olaf.email)
    client.post("/accounts/verify/", {"code": totp_now(AuthenticatorDevice.objects.get(
        user=olaf))})
    entry = only(since, Action.OTP_VERIFIED)
    assert entry.facts == {"device": "totp", "method": "password+totp"}
    assert client.session[SIGN_IN_METHOD] == "password+totp"


def test_password_and_backup_code_is_recorded_as_password_backup(olaf):
    codes = services.backup_codes_issue(user=olaf, count=1)
    client, since = Client(), head_seq()
    sign_in(client, olaf.email)
    client.post("/accounts/verify/", {"code": codes[0]})
    assert only(since, Action.OTP_VERIFIED).facts == {"device": "backup",
                                                      "method": "password+backup"}


def _session_request(user, first: str = FirstFactor.PASSWORD):
    from importlib import import_module

    from django.conf import settings

    request = RequestFactory().get("/")
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()
    request.user = user
    first_factor_passed(request, first)
    return request


def test_a_passkey_is_recorded_as_password_passkey(olaf):
    credential = WebAuthnCredential.objects.create(user=olaf, name="key", confirmed=True,
                                                   credential_id=b"olaf-key")
    since = head_seq()
    second_factor_passed(_session_request(olaf), credential, "passkey")
    assert only(since, Action.OTP_VERIFIED).facts == {"device": "passkey",
                                                      "method": "password+passkey"}


def test_single_sign_on_with_provider_mfa_is_recorded_as_sso_mfa(olaf):
    device = AuthenticatorDevice.objects.get(user=olaf)
    since = head_seq()
    second_factor_passed(_session_request(olaf, FirstFactor.SSO), device, "mfa")
    assert only(since, Action.OTP_VERIFIED).facts == {"device": "mfa", "method": "sso+mfa"}


def test_a_confirm_again_is_recorded_with_again_and_the_session_method(olaf):
    client = Client()
    sign_in(client, olaf.email)
    device = AuthenticatorDevice.objects.get(user=olaf)
    client.post("/accounts/verify/", {"code": totp_now(device)})
    device.refresh_from_db()
    device.last_t = -1  # the same 30-second window's code again
    device.save()
    device.throttle_reset()
    since = head_seq()
    client.post("/accounts/confirm/", {"code": totp_now(device)})
    assert only(since, Action.OTP_VERIFIED).facts == {"device": "totp",
                                                      "method": "password+totp", "again": True}


def test_a_wrong_password_records_the_factor_and_a_reason_without_the_address(olaf):
    since = head_seq()
    sign_in(Client(), olaf.email, "not the password")
    entry = only(since, Action.SIGN_IN_FAILED)
    assert (entry.actor_id, entry.outcome, entry.facts) == (
        None, "refused", {"factor": "password", "reason": "bad_credentials"})
    assert olaf.email not in repr(entry.facts)


def test_a_wrong_code_at_enrolment_names_the_authenticator(municipality):
    user, _path = services.user_invite(email="new@example.org", full_name="New Person",
                                       role="Case officer", organisation=municipality,
                                       acting_user=None)
    services.user_accept_invitation(user=user, password="a long enough password 1")
    client = Client()
    client.force_login(user)
    client.get("/accounts/enrol/")
    since = head_seq()
    client.post("/accounts/enrol/", {"code": "000000"})
    assert only(since, Action.OTP_FAILED).facts == {"reason": "wrong_code", "factor": "totp"}


def test_a_refused_single_sign_on_is_recorded_with_factor_and_reason(olaf):
    since = head_seq()
    sign_in_refused.send(sender=type(olaf), user=None, request=None, reason="unknown_identity",
                         factor="sso")
    entry = only(since, Action.SIGN_IN_FAILED)
    assert (entry.actor_id, entry.outcome, entry.facts) == (
        None, "refused", {"factor": "sso", "reason": "unknown_identity"})


def test_a_refused_sign_in_of_a_known_account_names_it(olaf):
    since = head_seq()
    sign_in_refused.send(sender=type(olaf), user=olaf, request=None, reason="deactivated",
                         factor="sso")
    entry = only(since, Action.SIGN_IN_FAILED)
    assert (entry.actor_id, entry.target_id) == (olaf.pk, str(olaf.pk))


def test_an_anonymous_user_is_no_actor(olaf):
    since = head_seq()
    sign_in_refused.send(sender=type(olaf), user=AnonymousUser(), request=None,
                         reason="bad_token", factor="sso")
    assert only(since, Action.SIGN_IN_FAILED).actor_id is None
