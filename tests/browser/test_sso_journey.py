"""Single sign-on in Chromium, through the real login page of a real OpenID provider.

The provider is panva's oidc-provider on 127.0.0.1 (tests/oidc/); Shelter is the live server on
localhost. Every journey walks the whole authorization code flow in the browser: Shelter's
sign-in page, the provider's login form, the callback, Shelter's own second factor when the
provider did not prove one, and sign-out through the provider's logout."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.core.cache import cache
from django_otp.oath import TOTP

from shelter.accounts import services
from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role
from shelter.audit.actions import Action
from shelter.audit.models import Outcome
from tests.factories import browser_page, head_seq, recorded

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EMAIL = "olga.officer@gemeente.example"
NAME = "Olga Officer"
SUB = "staff-7f3a"


def code_for(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def sso(oidc, live_server, settings):
    """Shelter configured for the provider, as SHELTER_OIDC_ISSUER & co. configure it; the
    discovery document not cached from another test."""
    oidc.allow_redirects(live_server.url)
    settings.SHELTER_OIDC_ISSUER = oidc.issuer
    settings.SHELTER_OIDC_CLIENT_ID = oidc.client_id
    settings.SHELTER_OIDC_CLIENT_SECRET = oidc.client_secret
    cache.clear()
    yield oidc
    cache.clear()


@pytest.fixture
def officer(db) -> User:
    """A case officer invited by the coordinator, invitation not yet accepted."""
    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    user, _path = services.user_invite(email=EMAIL, full_name=NAME, role=Role.CASE_OFFICER,
                                       organisation=organisation, acting_user=None)
    return user


def account(**claims) -> dict:
    return {"sub": SUB, "email": EMAIL, "email_verified": True, "amr": ["pwd"],
            "acr": "urn:shelter:test:pwd"} | claims


@pytest.fixture
def shelter(chromium, live_server, sso):
    """A browser at Shelter, in English, signed out; the provider's pages are not Shelter's."""
    wrapped = browser_page(chromium, live_server, None, "en")
    wrapped.foreign.add(sso.issuer)
    yield wrapped
    wrapped.page.context.close()
    wrapped.assert_all_checked()


def sign_in_at_provider(shelter, oidc, sub: str) -> None:
    """From anywhere in Shelter signed out: the sign-in page, its single sign-on button, the
    provider's login form."""
    page = shelter.page
    page.goto("/")
    page.wait_for_url(re.compile(r"/accounts/sign-in/"))
    shelter.check()
    page.get_by_role("link", name="Sign in with single sign-on").click()
    page.wait_for_url(re.compile(re.escape(oidc.issuer) + r"/interaction/"))
    page.get_by_label("Account").fill(sub)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(shelter, oidc) -> None:
    page = shelter.page
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/accounts/sign-in/"))
    page.get_by_text("You are signed out.").wait_for()
    shelter.check()


def assert_signed_out(shelter) -> None:
    shelter.page.goto("/")
    shelter.page.wait_for_url(re.compile(r"/accounts/sign-in/"))


def test_invited_officer_signs_in_is_linked_enrols_and_signs_out_at_the_provider(
        shelter, sso, officer):
    sso.set_accounts(account())
    since = head_seq()
    sign_in_at_provider(shelter, sso, SUB)
    page = shelter.page
    # The provider proved one factor (amr pwd): Shelter asks for its own, a fresh account enrols.
    page.wait_for_url(re.compile(r"/accounts/enrol/"))
    shelter.check()
    officer.refresh_from_db()
    assert officer.oidc_subject and SUB not in officer.oidc_subject  # linked, by digest only
    [link] = recorded(since, Action.SSO_LINK)
    assert link.facts == {"via": "invitation"}
    page.get_by_label("Code from your authenticator app").fill(
        code_for(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    shelter.check()
    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.get_by_role("heading", name=f"Welcome, {NAME}").wait_for()
    shelter.check()

    assert sso.logouts() == 0
    sign_out(shelter, sso)
    assert sso.logouts() == 1  # the provider's session ended too
    assert_signed_out(shelter)


def test_an_unknown_identity_is_refused_and_nothing_is_created(shelter, sso, officer):
    sso.set_accounts(account(sub="stranger-01", email="stranger@elsewhere.example"))
    users, since = User.objects.count(), head_seq()
    sign_in_at_provider(shelter, sso, "stranger-01")
    page = shelter.page
    page.get_by_role("heading", name="Single sign-on refused").wait_for()
    assert page.get_by_text("This identity has no Shelter account.").is_visible()
    shelter.check()
    assert User.objects.count() == users
    officer.refresh_from_db()
    assert officer.oidc_subject is None
    [refusal] = recorded(since, Action.SIGN_IN_FAILED)
    assert refusal.outcome == Outcome.REFUSED and refusal.actor_id is None
    assert refusal.facts["reason"] == "not_invited"
    assert "stranger" not in str(refusal.facts)
    assert_signed_out(shelter)


def test_the_providers_mfa_goes_straight_to_the_dashboard(shelter, sso, officer):
    sso.set_accounts(account(amr=["pwd", "otp", "mfa"]))
    sign_in_at_provider(shelter, sso, SUB)
    page = shelter.page
    page.get_by_role("heading", name=f"Welcome, {NAME}").wait_for()
    assert "/accounts/enrol/" not in page.url and "/accounts/verify/" not in page.url
    shelter.check()
    officer.refresh_from_db()
    assert officer.oidc_subject is not None


@pytest.mark.parametrize("tamper", ["audience", "expired", "signature"])
def test_a_tampered_id_token_is_refused_without_a_session(shelter, sso, officer, tamper):
    sso.set_accounts(account(amr=["pwd", "otp", "mfa"]))
    sso.tamper(tamper)
    since = head_seq()
    sign_in_at_provider(shelter, sso, SUB)
    page = shelter.page
    page.get_by_role("heading", name="Single sign-on refused").wait_for()
    assert page.get_by_text("The identity provider's answer could not be trusted.").is_visible()
    shelter.check()
    assert_signed_out(shelter)
    officer.refresh_from_db()
    assert officer.oidc_subject is None  # not linked by a token nobody can trust
    [refusal] = recorded(since, Action.SIGN_IN_FAILED)
    assert refusal.outcome == Outcome.REFUSED
    assert refusal.facts == {"factor": "sso", "reason": "bad_token"}
    assert not recorded(since, Action.SIGN_IN)


def test_a_key_rotation_between_two_sign_ins_keeps_both_working(shelter, sso, officer):
    sso.set_accounts(account(amr=["pwd", "otp", "mfa"]))
    page = shelter.page
    sign_in_at_provider(shelter, sso, SUB)
    page.get_by_role("heading", name=f"Welcome, {NAME}").wait_for()
    shelter.check()
    sign_out(shelter, sso)

    sso.rotate_keys()  # the JWKS now has only a key Shelter has never seen
    sign_in_at_provider(shelter, sso, SUB)
    page.get_by_role("heading", name=f"Welcome, {NAME}").wait_for()
    assert sso.logouts() == 1


def test_confirming_again_asks_the_provider_for_a_new_login(shelter, sso, officer):
    """Before a dangerous act: the confirm-again page's single sign-on button posts a form that
    Shelter redirects to the provider (allowed by form-action), which asks to sign in again
    although its session is still on (prompt=login), and sends the person on."""
    sso.set_accounts(account(amr=["pwd", "otp", "mfa"]))
    page = shelter.page
    sign_in_at_provider(shelter, sso, SUB)
    page.get_by_role("heading", name=f"Welcome, {NAME}").wait_for()
    shelter.check()
    page.goto("/accounts/confirm/?next=/")
    shelter.check()
    since = head_seq()
    page.get_by_role("button", name="Confirm with single sign-on").click()
    page.wait_for_url(re.compile(re.escape(sso.issuer) + r"/interaction/"))
    page.get_by_label("Account").fill(SUB)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_role("heading", name=f"Welcome, {NAME}").wait_for()
    [again] = recorded(since, Action.OTP_VERIFIED)
    assert again.facts["device"] == "mfa" and again.actor_id == officer.pk
