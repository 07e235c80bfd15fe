"""A coordinator adds a passkey and lives with it, in real Chromium with its virtual
authenticator (the DevTools Protocol's WebAuthn domain): signed in with password and code, she
names and adds a passkey on "Sign-in and security", signs out, signs in with her password and
the passkey (no code typed) and reaches the dashboard; the access log says how. Before
break-glass she confirms again with the passkey, then removes it on its confirmation page.
axe-core checks every page on the way (skipped without Chromium)."""

from __future__ import annotations

import re

import pytest
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential

from shelter.accounts.models import AuthenticatorDevice, Organisation
from shelter.accounts.roles import Role
from shelter.audit.actions import Action
from shelter.audit.models import AuditEvent
from tests.factories import PASSWORD, browser_page, head_seq, make_case, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def cora(db):
    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    return make_user("cora@example.org", Role.COORDINATOR, municipality,
                     full_name="Cora Coordinator")


def virtual_authenticator(page) -> tuple[object, str]:
    session = page.context.new_cdp_session(page)
    session.send("WebAuthn.enable")
    found = session.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    return session, found["authenticatorId"]


def sign_in_with_password(a11y, user) -> None:
    page = a11y.page
    page.goto("/")
    a11y.check()
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/accounts/verify/"))


def test_add_a_passkey_sign_in_with_it_confirm_with_it_and_remove_it(
        chromium, live_server, relying_party, cora):
    heron = make_case(cora, code_name="Heron", legal_name="Ana Demo Pérez")
    # The access log outlives every test (append-only): look only at this test's entries.
    log = AuditEvent.objects.filter(seq__gt=head_seq())
    a11y = browser_page(chromium, live_server, None, "en")
    page = a11y.page
    session, authenticator = virtual_authenticator(page)

    sign_in_with_password(a11y, cora)
    assert page.get_by_role("button", name="Use your passkey or security key").count() == 0
    page.get_by_label("Code").fill(AuthenticatorDevice.objects.get(user=cora).current_code())
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Welcome, Cora Coordinator").wait_for()
    a11y.check()

    page.get_by_role("link", name="Sign-in and security").click()
    page.get_by_role("heading", name="Sign-in and security").wait_for()
    a11y.check()
    page.get_by_label("Name of the passkey").fill("Laptop fingerprint")
    page.get_by_role("button", name="Add passkey").click()
    page.locator("[data-passkey]").wait_for()
    a11y.check()
    [passkey] = WebAuthnCredential.objects.filter(user=cora)
    assert (passkey.name, passkey.confirmed) == ("Laptop fingerprint", True)
    assert WebAuthnAttestation.objects.get(credential=passkey).fmt == "none"
    assert page.locator("[data-passkey] td").first.inner_text() == "Laptop fingerprint"
    assert len(session.send("WebAuthn.getCredentials",
                            {"authenticatorId": authenticator})["credentials"]) == 1
    added = log.get(action=Action.PASSKEY_ADDED)
    assert added.facts == {"device": passkey.pk, "first_passkey": True}

    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    sign_in_with_password(a11y, cora)
    a11y.check()
    seq = AuditEvent.objects.order_by("-seq").first().seq
    page.get_by_role("button", name="Use your passkey or security key").click()
    page.get_by_role("heading", name="Welcome, Cora Coordinator").wait_for()
    [verified] = AuditEvent.objects.filter(seq__gt=seq, action=Action.OTP_VERIFIED)
    assert verified.actor_id == cora.pk and verified.facts["device"] == "passkey"
    assert verified.facts.get("method", "password+passkey").replace("_", "+") \
        == "password+passkey"
    passkey.refresh_from_db()
    assert passkey.last_used_at is not None

    # Break-glass needs a recent second factor: the sign-in's is made an hour old.
    _age_second_factor(cora)
    page.goto(f"/cases/{heron.pk}/break-glass/")
    page.wait_for_url("**/accounts/confirm/**")
    a11y.check()
    seq = AuditEvent.objects.order_by("-seq").first().seq
    page.get_by_role("button", name="Use your passkey or security key").click()
    page.wait_for_url(f"**/cases/{heron.pk}/break-glass/")
    a11y.check()
    [again] = AuditEvent.objects.filter(seq__gt=seq, action=Action.OTP_VERIFIED)
    assert again.facts["device"] == "passkey"

    page.goto("/accounts/security/")
    page.get_by_role("link", name="Remove").click()
    page.get_by_role("heading", name="Remove passkey Laptop fingerprint?").wait_for()
    a11y.check()
    page.get_by_role("button", name="Remove passkey").click()
    page.get_by_text("The passkey is removed.").wait_for()
    assert not WebAuthnCredential.objects.filter(user=cora).exists()
    assert log.get(action=Action.PASSKEY_REMOVED).facts == {"device": passkey.pk}
    page.context.close()
    a11y.assert_all_checked()


def _age_second_factor(user) -> None:
    """Make every session of `user` look as if its second factor was confirmed an hour ago."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.sessions.models import Session

    from shelter.accounts.recent import OTP_VERIFIED_AT

    for row in Session.objects.all():
        data = row.get_decoded()
        if str(data.get("_auth_user_id")) == str(user.pk):
            store = import_module(settings.SESSION_ENGINE).SessionStore(row.session_key)
            store[OTP_VERIFIED_AT] = store[OTP_VERIFIED_AT] - 3600
            store.save()


def test_adding_a_passkey_with_an_old_code_confirms_again_first(
        chromium, live_server, relying_party, cora):
    a11y = browser_page(chromium, live_server, None, "en")
    page = a11y.page
    virtual_authenticator(page)
    sign_in_with_password(a11y, cora)
    device = AuthenticatorDevice.objects.get(user=cora)
    page.get_by_label("Code").fill(device.current_code())
    page.get_by_role("button", name="Confirm").click()
    page.get_by_role("heading", name="Welcome, Cora Coordinator").wait_for()
    _age_second_factor(cora)
    page.goto("/accounts/security/")
    page.get_by_text("Adding a passkey asks you to confirm your second factor first.").wait_for()
    page.get_by_label("Name of the passkey").fill("Laptop fingerprint")
    page.get_by_role("button", name="Add passkey").click()
    page.wait_for_url("**/accounts/confirm/?next=%2Faccounts%2Fsecurity%2F")
    assert not WebAuthnCredential.objects.filter(user=cora).exists()
    AuthenticatorDevice.objects.filter(user=cora).update(last_t=-1)  # the same code again
    page.get_by_label("Code").fill(device.current_code())
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/security/")
    page.get_by_label("Name of the passkey").fill("Laptop fingerprint")
    page.get_by_role("button", name="Add passkey").click()
    page.locator("[data-passkey]").wait_for()
    assert WebAuthnCredential.objects.filter(user=cora).count() == 1
    page.context.close()
