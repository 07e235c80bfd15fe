"""A coordinator whose role must use a passkey, in real Chromium with its virtual authenticator:
signed in with password and code and holding no passkey, she is sent to "Sign-in and security"
and can reach nothing else; she adds a passkey there, signs out, signs in with it and reaches
the dashboard. Signing in by code once more is a recovery: the banner says so on every page.
axe-core checks every page on the way (skipped without Chromium)."""

from __future__ import annotations

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential

from shelter.accounts.models import AuthenticatorDevice, Organisation
from shelter.accounts.roles import Role
from shelter.audit.actions import Action
from shelter.audit.models import AuditEvent
from tests.browser.test_passkey_journey import sign_in_with_password, virtual_authenticator
from tests.factories import browser_page, head_seq, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RESTRICTED = "Your role must sign in with a passkey or security key."
BANNER = "You signed in with a recovery method."


@pytest.fixture
def cora(db):
    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    return make_user("cora@example.org", Role.COORDINATOR, municipality,
                     full_name="Cora Coordinator")


@pytest.fixture
def policy(settings):
    settings.SHELTER_REQUIRE_PHISHING_RESISTANT = frozenset({Role.COORDINATOR})


def enter_code(a11y, user) -> None:
    a11y.check()
    page = a11y.page
    page.get_by_label("Code").fill(AuthenticatorDevice.objects.get(user=user).current_code())
    page.get_by_role("button", name="Confirm").click()


def test_a_coordinator_without_a_passkey_adds_one_and_then_signs_in_with_it(
        chromium, live_server, relying_party, policy, cora):
    a11y = browser_page(chromium, live_server, None, "en")
    page = a11y.page
    virtual_authenticator(page)
    # The access log outlives every test (append-only): look only at this test's entries.
    log = AuditEvent.objects.filter(seq__gt=head_seq())

    sign_in_with_password(a11y, cora)
    enter_code(a11y, cora)
    page.wait_for_url(re.compile(r"/accounts/security/$"))
    page.get_by_text(RESTRICTED).wait_for()
    a11y.check()
    for elsewhere in ("/", "/cases/", "/accounts/people/", "/housing/"):
        page.goto(elsewhere)
        assert page.url.endswith("/accounts/security/"), elsewhere
    assert not log.filter(action=Action.SIGN_IN_RECOVERY).exists()

    page.get_by_label("Name of the passkey").fill("Office key")
    page.get_by_role("button", name="Add passkey").click()
    page.locator("[data-passkey]").wait_for()
    a11y.check()
    [passkey] = WebAuthnCredential.objects.filter(user=cora)
    added = log.get(action=Action.PASSKEY_ADDED)
    assert added.facts == {"device": passkey.pk, "first_passkey": True}

    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    sign_in_with_password(a11y, cora)
    a11y.check()
    page.get_by_role("button", name="Use your passkey or security key").click()
    page.get_by_role("heading", name="Welcome, Cora Coordinator").wait_for()
    a11y.check()
    assert BANNER not in page.content()
    page.goto("/cases/")
    assert page.url.endswith("/cases/")
    a11y.check()
    verified = log.filter(action=Action.OTP_VERIFIED).order_by("-seq").first()
    assert verified.facts["method"] == "password+passkey"

    # A code now is a recovery: allowed, recorded, and said on every page.
    page.get_by_role("button", name="Sign out").click()
    page.get_by_text("You are signed out.").wait_for()
    sign_in_with_password(a11y, cora)
    AuthenticatorDevice.objects.filter(user=cora).update(last_t=-1)
    enter_code(a11y, cora)
    page.get_by_role("heading", name="Welcome, Cora Coordinator").wait_for()
    page.get_by_text(BANNER).wait_for()
    a11y.check()
    [recovery] = log.filter(action=Action.SIGN_IN_RECOVERY)
    assert (recovery.actor_id, recovery.facts) == (cora.pk, {"method": "password+totp"})
    page.goto("/cases/")
    page.get_by_text(BANNER).wait_for()
    a11y.check()
    page.context.close()
    a11y.assert_all_checked()
