"""Accounts in Dutch and English: a coordinator's invitation is really e-mailed, the invitee
chooses a password and lands on enrolment, gets backup codes to download or print; someone who
forgot their password asks for a link (the page answers the same for any address), chooses a
new one and is sent to sign in with both factors. axe-core checks every page at both widths."""

from __future__ import annotations

import base64
import re
import time

import pytest
from django.conf import settings
from django.core import mail
from django_otp.oath import TOTP

from shelter.accounts.models import Organisation, User
from shelter.accounts.roles import Role
from shelter.mail.outbox import send_due
from tests.factories import A11yPage, make_user, verified_client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long and unusual passphrase"
NEW_PASSWORD = "another quite unusual passphrase"

WORDS = {
    "en": {"invite": "Send invitation", "sent": "Invitation made",
           "choose": "Choose your password", "save": "Save password",
           "enrol": "Set up your second factor", "confirm": "Confirm and continue",
           "codes": "Your backup codes", "download": "Download as a text file",
           "print": "Print", "forgot": "Forgot your password?", "send": "Send the link",
           "check": "If an account exists for that address, we send it a link",
           "new": "Choose a new password",
           "changed": "Your password is changed. Sign in with it and your second factor.",
           "sign_in": "Sign in"},
    "nl": {"invite": "Uitnodiging versturen", "sent": "Uitnodiging gemaakt",
           "choose": "Kies uw wachtwoord", "save": "Wachtwoord opslaan",
           "enrol": "Stel uw tweede factor in", "confirm": "Bevestigen en verder",
           "codes": "Uw back-upcodes", "download": "Downloaden als tekstbestand",
           "print": "Printen", "forgot": "Wachtwoord vergeten?", "send": "Stuur de link",
           "check": "Als er een account bestaat voor dat adres, sturen we er binnen enkele minuten",
           "new": "Kies een nieuw wachtwoord",
           "changed": "Uw wachtwoord is gewijzigd. Log in met het nieuwe wachtwoord en uw "
                      "tweede factor.",
           "sign_in": "Inloggen"},
}
LOCALES = {"en": "en-GB", "nl": "nl-NL"}


def code_for(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")))
    totp.time = time.time()
    return f"{totp.token():06d}"


@pytest.fixture
def world(db, settings):
    settings.SHELTER_PASSWORD_RESET_MIN_SECONDS = 0
    municipality = Organisation.objects.create(name="Gemeente", kind="municipality")
    ngo = Organisation.objects.create(name="Justice NGO", kind="coordinating_ngo")
    carla = make_user("carla@example.org", Role.COORDINATOR, municipality)
    return carla, ngo


@pytest.fixture
def browse(chromium, live_server):
    """browse(language, user=None): an A11yPage in that language, signed in as `user`."""
    opened: list = []

    def open_page(language: str, user: User | None = None) -> A11yPage:
        context = chromium.new_context(base_url=live_server.url, locale=LOCALES[language])
        if user is not None:
            cookie = verified_client(user).cookies[settings.SESSION_COOKIE_NAME]
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                                  "url": live_server.url}])
        wrapped = A11yPage(context.new_page())
        opened.append((context, wrapped))
        return wrapped

    yield open_page
    for context, wrapped in opened:
        context.close()
        wrapped.assert_all_checked()


def wait_for_mail(count: int, seconds: float = 10) -> None:
    """The live server sends a mail after it has answered: wait (briefly) until it has."""
    deadline = time.monotonic() + seconds
    while len(mail.outbox) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def link_in_last_mail(pattern: str) -> str:
    found = re.search(r"https?://[^/\s]+(" + pattern + r"\S+/)", mail.outbox[-1].body)
    return found.group(1)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_invitation_enrolment_and_backup_codes(browse, world, language):
    words, (carla, _ngo) = WORDS[language], world
    invitee = f"nina.{language}@example.org"
    coordinator = browse(language, carla)
    page = coordinator.page
    page.goto("/accounts/people/invite/")
    assert page.locator("html").get_attribute("lang") == language
    coordinator.check()
    page.fill('input[name="email"]', invitee)
    page.fill('input[name="full_name"]', "Nina Newcomer")
    page.select_option('select[name="role"]', "Partner")
    page.select_option('select[name="organisation"]', label="Justice NGO")
    page.get_by_role("button", name=words["invite"]).click()
    page.get_by_role("heading", name=words["sent"]).wait_for()
    coordinator.check()
    wait_for_mail(1)  # sent by the server right after its answer (shelter.mail)
    assert [m.to for m in mail.outbox] == [[invitee]]
    path = link_in_last_mail("/accounts/invitation/")
    # The fallback on the page is for the same account (its token was made when the account
    # was, the mail's when the mail went out: both work, once).
    uid_part = path.rstrip("/").rsplit("/", 1)[0] + "/"
    assert uid_part in page.locator("#invitation-link").inner_text()

    newcomer = browse(language)
    page = newcomer.page
    page.goto(path)
    page.get_by_role("heading", name=words["choose"]).wait_for()
    newcomer.check()
    page.fill('input[name="password1"]', PASSWORD)
    page.fill('input[name="password2"]', PASSWORD)
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(re.compile(r"/accounts/enrol/$"))  # straight on, not back to sign-in
    page.get_by_role("heading", name=words["enrol"]).wait_for()
    newcomer.check()
    page.fill('input[name="code"]', code_for(page.locator("#totp-secret").inner_text()))
    page.get_by_role("button", name=words["confirm"]).click()
    page.get_by_role("heading", name=words["codes"]).wait_for()
    newcomer.check()
    assert page.get_by_role("button", name=words["print"]).is_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name=words["download"]).click()
    download = info.value
    assert download.suggested_filename == "shelter-backup-codes.txt"
    text = open(download.path(), encoding="utf-8").read()
    shown = page.locator("#backup-codes li").all_inner_texts()
    assert len(shown) == 10 and all(code in text for code in shown)


@pytest.mark.parametrize("language", ["en", "nl"])
def test_forgotten_password(browse, world, language):
    words = WORDS[language]
    olaf = make_user(f"olaf.{language}@example.org", Role.CASE_OFFICER,
                     world[0].organisation)
    visitor = browse(language)
    page = visitor.page
    page.goto("/accounts/sign-in/")
    visitor.check()
    page.get_by_role("link", name=words["forgot"]).click()
    page.get_by_role("heading", name=words["forgot"]).wait_for()
    visitor.check()
    page.fill('input[name="email"]', "nobody@example.org")  # unknown: the same answer
    page.get_by_role("button", name=words["send"]).click()
    page.get_by_text(words["check"]).wait_for()
    visitor.check()
    assert not mail.outbox
    page.goto("/accounts/password/forgot/")
    page.fill('input[name="email"]', olaf.email)
    page.get_by_role("button", name=words["send"]).click()
    page.get_by_text(words["check"]).wait_for()
    assert not mail.outbox  # a reset mail is never attempted after the answer: the job sends it
    assert send_due()["sent"] == 1
    assert [m.to for m in mail.outbox] == [[olaf.email]]

    page.goto(link_in_last_mail("/accounts/password/reset/"))
    page.get_by_role("heading", name=words["new"]).wait_for()
    visitor.check()
    page.fill('input[name="password1"]', NEW_PASSWORD)
    page.fill('input[name="password2"]', NEW_PASSWORD)
    page.get_by_role("button", name=words["save"]).click()
    page.wait_for_url(re.compile(r"/accounts/sign-in/$"))  # no sign-in past the second factor
    page.get_by_text(words["changed"]).wait_for()
    page.get_by_role("heading", name=words["sign_in"]).wait_for()
    visitor.check()
    page.fill('input[name="email"]', olaf.email)
    page.fill('input[name="password"]', NEW_PASSWORD)
    page.locator('form.form button[type="submit"]').click()
    page.wait_for_url(re.compile(r"/accounts/verify/"))
    visitor.check()
