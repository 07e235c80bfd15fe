"""Forgotten password: the same answer for every address, a mail only for an active account,
a link that expires and works once, no skipping of the second factor, sessions ended, every
step in the access log with ids only, and a cap per address and hour."""

from __future__ import annotations

import datetime
import re

import pytest
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from shelter.accounts import services
from shelter.accounts.models import AuthenticatorDevice
from shelter.audit import Action
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import send_due
from tests.factories import head_seq, recorded, verified_client

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/accounts/password/reset/\S+/)")
NEW = "a brand new passphrase 77"


@pytest.fixture(autouse=True)
def _no_padding(settings):
    settings.SHELTER_PASSWORD_RESET_MIN_SECONDS = 0


def ask(address: str):
    """Ask, then send what was queued (after the answer, or by the job: shelter.mail)."""
    response = Client().post("/accounts/password/forgot/", {"email": address})
    send_due()
    return response


def reset_path() -> str:
    return LINK.search(mail.outbox[-1].body).group(1)


def test_sign_in_offers_the_forgotten_password_page():
    page = Client().get("/accounts/sign-in/").content.decode()
    assert 'href="/accounts/password/forgot/"' in page and "Forgot your password?" in page


def test_known_and_unknown_addresses_get_the_same_answer(olaf):
    known, unknown = ask(olaf.email), ask("nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    strip = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert strip.sub("", known.content.decode()) == strip.sub("", unknown.content.decode())
    assert "If an account exists for that address, we send it a link" in known.content.decode()
    assert [m.to for m in mail.outbox] == [[olaf.email]]


def test_requests_are_audited_with_ids_only(olaf, pia):
    pia.is_active = False
    pia.save(update_fields=["is_active"])
    since = head_seq()
    ask(olaf.email.upper())
    ask("nobody@example.org")
    ask(pia.email)
    asked = recorded(since, Action.PASSWORD_RESET_REQUEST)
    assert [(e.actor_id, e.target_id, e.outcome, e.facts) for e in asked] == [
        (None, str(olaf.pk), "allowed", {"mail": OutgoingMail.objects.get().pk}),
        (None, "", "rejected", {"reason": "unknown_address"}),
        (None, str(pia.pk), "rejected", {"reason": "inactive"}),
    ]
    assert all("example.org" not in str(e.facts) for e in asked)
    assert [m.to for m in mail.outbox] == [[olaf.email]]  # the inactive account gets no mail


def test_an_invalid_address_is_a_400_with_a_message():
    response = ask("not an address")
    assert response.status_code == 400 and 'class="field__error"' in response.content.decode()
    assert not mail.outbox


def test_requests_per_address_are_capped_per_hour(olaf, settings):
    settings.SHELTER_PASSWORD_RESET_PER_HOUR = 2
    since = head_seq()
    answers = [ask(olaf.email).status_code for _ in range(3)]
    assert answers == [200, 200, 200] and len(mail.outbox) == 2
    assert recorded(since, Action.PASSWORD_RESET_REQUEST)[-1].facts == {"reason": "throttled"}


def test_the_mail_holds_a_link_and_no_name(olaf):
    ask(olaf.email)
    [message] = mail.outbox
    assert message.subject == "Reset your Shelter password"
    assert olaf.full_name not in message.body and "60 minutes" in message.body
    assert reset_path().startswith("/accounts/password/reset/")


def test_reset_ends_sessions_and_still_asks_for_the_second_factor(olaf):
    old_session = verified_client(olaf)
    assert old_session.get("/").status_code == 200
    ask(olaf.email)
    path = reset_path()
    since = head_seq()
    form = Client().get(path)
    assert form.status_code == 200 and "Choose a new password" in form.content.decode()
    client = Client()
    done = client.post(path, {"password1": NEW, "password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/sign-in/"
    olaf.refresh_from_db()
    assert olaf.check_password(NEW)
    assert client.get("/").status_code == 302  # not signed in by the reset
    assert old_session.get("/").status_code == 302  # the old session has ended
    assert not [s for s in Session.objects.all()
                if str(s.get_decoded().get("_auth_user_id")) == str(olaf.pk)]
    signed = client.post("/accounts/sign-in/", {"email": olaf.email, "password": NEW})
    assert signed["Location"].startswith("/accounts/verify/")  # the second factor comes next
    assert client.get("/").status_code == 302
    code = AuthenticatorDevice.objects.get(user=olaf).current_code()
    assert client.post("/accounts/verify/", {"code": code}).status_code == 302
    assert client.get("/").status_code == 200
    opened = recorded(since, Action.PASSWORD_RESET_LINK)
    assert {(e.target_id, e.outcome) for e in opened} == {(str(olaf.pk), "allowed")}
    [changed] = recorded(since, Action.PASSWORD_RESET)
    assert (changed.actor_id, changed.target_id, changed.outcome) == (olaf.pk, str(olaf.pk),
                                                                      "allowed")
    assert Client().get(path).status_code == 404  # the link works once


def test_an_expired_link_is_refused_and_audited(olaf, monkeypatch):
    ask(olaf.email)
    path = reset_path()
    later = datetime.datetime.now() + datetime.timedelta(minutes=61)
    monkeypatch.setattr(services.password_reset_tokens, "_now", lambda: later)
    since = head_seq()
    response = Client().get(path)
    assert response.status_code == 404 and "has expired" in response.content.decode()
    posted = Client().post(path, {"password1": NEW, "password2": NEW})
    assert posted.status_code == 404
    olaf.refresh_from_db()
    assert not olaf.check_password(NEW)
    [opened, *_] = recorded(since, Action.PASSWORD_RESET_LINK)
    assert (opened.target_id, opened.outcome, opened.facts) == (
        str(olaf.pk), "refused", {"reason": "invalid_link"})


def test_a_link_within_the_hour_still_works(olaf, monkeypatch):
    ask(olaf.email)
    later = datetime.datetime.now() + datetime.timedelta(minutes=59)
    monkeypatch.setattr(services.password_reset_tokens, "_now", lambda: later)
    assert Client().get(reset_path()).status_code == 200


def test_an_invitation_link_is_no_reset_link_and_back(carla, ngo):
    user, invitation = services.user_invite(email="x@example.org", full_name="X", role="Partner",
                                            organisation=ngo, acting_user=carla)
    uid, token = invitation.strip("/").split("/")[-2:]
    assert Client().get(f"/accounts/password/reset/{uid}/{token}/").status_code == 404


def test_a_deactivated_user_cannot_use_a_link_sent_before(olaf):
    ask(olaf.email)
    olaf.is_active = False
    olaf.save(update_fields=["is_active"])
    assert Client().get(reset_path()).status_code == 404


def test_a_bad_new_password_is_a_400_and_changes_nothing(olaf):
    ask(olaf.email)
    response = Client().post(reset_path(), {"password1": "short", "password2": "short"})
    assert response.status_code == 400
    olaf.refresh_from_db()
    assert not olaf.check_password("short")


def test_the_answer_takes_the_same_minimum_time_for_any_address(olaf, settings):
    import time

    settings.SHELTER_PASSWORD_RESET_MIN_SECONDS = 0.3
    for address in ("nobody@example.org", olaf.email):
        started = time.monotonic()
        assert ask(address).status_code == 200
        assert time.monotonic() - started >= 0.3


def test_an_account_without_a_second_factor_gets_no_link(olaf, carla):
    """A cleared second factor plus a reset link would hand the account to whoever reads the
    mailbox: they would enrol their own authenticator. The answer stays the same."""
    services.user_reset_second_factor(user=olaf, acting_user=carla)
    since = head_seq()
    response = ask(olaf.email)
    assert response.status_code == 200
    assert "If an account exists for that address, we send it a link" in response.content.decode()
    assert mail.outbox == []
    [entry] = recorded(since, Action.PASSWORD_RESET_REQUEST)
    assert (entry.target_id, entry.outcome, entry.facts) == (
        str(olaf.pk), "rejected", {"reason": "no_second_factor"})
