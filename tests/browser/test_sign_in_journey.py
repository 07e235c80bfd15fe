"""A new user signs in, enrols TOTP, reaches the dashboard, switches to Dutch and signs out."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django_otp.oath import TOTP

from shelter.accounts import services
from shelter.accounts.models import Organisation
from shelter.accounts.roles import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase"


def code_for(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def newcomer(db):
    organisation = Organisation.objects.create(name="Gemeente", kind="municipality")
    user, _link = services.user_invite(email="newcomer@example.org", full_name="Nina Newcomer",
                                       role=Role.CASE_OFFICER, organisation=organisation,
                                       acting_user=None)
    services.user_accept_invitation(user=user, password=PASSWORD)
    return user


def test_sign_in_enrol_switch_language_sign_out(a11y_page, newcomer):
    page = a11y_page.page
    page.goto("/")
    a11y_page.check()  # redirected to sign-in
    assert "/accounts/sign-in/" in page.url
    page.get_by_label("E-mail address").fill(newcomer.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(re.compile(r"/accounts/enrol/"))
    a11y_page.check()
    secret = page.locator("#totp-secret").inner_text()

    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Confirm and continue").click()
    assert page.locator(".field__error").is_visible()  # a wrong code is refused
    a11y_page.check()

    time.sleep(1.1)  # django-otp's back-off after one failure is one second
    page.get_by_label("Code from your authenticator app").fill(code_for(secret))
    page.get_by_role("button", name="Confirm and continue").click()
    page.get_by_role("heading", name="Your backup codes").wait_for()
    assert page.locator("#backup-codes li").count() == 10
    a11y_page.check()

    page.get_by_role("link", name="I have saved my codes, continue").click()
    page.get_by_role("heading", name="Welcome, Nina Newcomer").wait_for()
    a11y_page.check()

    page.get_by_role("button", name="Nederlands").click()
    page.get_by_role("heading", name="Welkom, Nina Newcomer").wait_for()
    assert page.locator("html").get_attribute("lang") == "nl"
    a11y_page.check()

    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_text("U bent uitgelogd.").wait_for()
    a11y_page.check()
    page.goto("/")
    assert "/accounts/sign-in/" in page.url
    a11y_page.check()
