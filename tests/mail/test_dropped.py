"""Mails that should no longer go out are dropped, not sent late; bad input never 500s."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import Client

from shelter.accounts import services
from shelter.audit import Action
from shelter.mail.models import OutgoingMail
from shelter.mail.outbox import queue_mail, send_due
from tests.factories import head_seq, recorded
from tests.mail.conftest import ask_reset

pytestmark = pytest.mark.django_db


def test_a_reset_mail_older_than_its_links_lifetime_is_dropped_not_sent(olaf, clock):
    since = head_seq()
    ask_reset(olaf.email)  # queued in the test's transaction: nothing attempted yet
    clock.shift(datetime.timedelta(minutes=61))
    counts = send_due()
    assert (counts["sent"], counts["dropped"]) == (0, 1) and mail.outbox == []
    dropped = OutgoingMail.objects.get()
    assert (dropped.state, dropped.last_error_type) == ("dropped", "expired")
    [entry] = recorded(since, Action.MAIL_DELIVERY)
    assert (entry.target_id, entry.outcome, entry.facts["reason"]) == (
        str(olaf.pk), "rejected", "expired")


def test_a_reset_mail_within_the_lifetime_is_still_sent(olaf, clock):
    ask_reset(olaf.email)
    clock.shift(datetime.timedelta(minutes=59))
    assert send_due()["sent"] == 1 and len(mail.outbox) == 1


def test_a_deactivated_users_queued_mail_is_dropped(olaf, carla, clock):
    ask_reset(olaf.email)
    services.user_set_active(user=olaf, active=False, acting_user=carla)
    assert send_due()["dropped"] == 1 and mail.outbox == []
    assert OutgoingMail.objects.get().last_error_type == "inactive"


def test_a_second_factor_cleared_after_asking_means_no_link(olaf, carla):
    ask_reset(olaf.email)
    services.user_reset_second_factor(user=olaf, acting_user=carla)
    assert send_due()["dropped"] == 1 and mail.outbox == []
    assert OutgoingMail.objects.get().last_error_type == "no_second_factor"


def test_an_accepted_invitation_is_not_mailed_again(carla, ngo):
    user, _path = services.user_invite(email="n@example.org", full_name="N", role="Partner",
                                       organisation=ngo, acting_user=carla)
    services.invitation_send(user=user, acting_user=carla)
    services.user_accept_invitation(user=user, password="a long enough passphrase 1")
    assert send_due()["dropped"] == 1 and mail.outbox == []


def test_a_deleted_users_queued_mail_goes_with_them(carla, ngo):
    user, _path = services.user_invite(email="gone@example.org", full_name="G", role="Partner",
                                       organisation=ngo, acting_user=carla)
    services.invitation_send(user=user, acting_user=carla)
    user.delete()
    assert not OutgoingMail.objects.exists()
    assert send_due()["sent"] == 0 and mail.outbox == []


def test_a_row_of_an_unknown_kind_or_with_bad_params_is_dropped_or_retried_not_raised(olaf):
    unknown = OutgoingMail.objects.create(kind="no_such_kind", recipient=olaf)
    odd = OutgoingMail.objects.create(kind="password_reset", recipient=olaf,
                                      params=["not", "a", "dict"])
    counts = send_due()
    unknown.refresh_from_db()
    odd.refresh_from_db()
    assert (unknown.state, unknown.last_error_type) == ("dropped", "unknown_kind")
    assert odd.state == "sent" and counts["sent"] == 1  # params ignored: the user's language


def test_queueing_an_unknown_kind_is_a_programming_error(olaf):
    with pytest.raises(ValueError, match="unknown mail kind"):
        queue_mail("no_such_kind", olaf)


@pytest.mark.parametrize("data", [
    {"email": "x" * 5000 + "@example.org"}, {"email": ["a@example.org", "b@example.org"]},
    {"email": "\x00@example.org"}, {"email": "olaf@example.org\r\nBcc: evil@example.org"}, {},
])
def test_bad_input_to_the_forgotten_password_form_never_500s(olaf, data):
    response = Client().post("/accounts/password/forgot/", data)
    assert response.status_code in (200, 400)
    send_due()
    assert all(m.to == [olaf.email] for m in mail.outbox)


@pytest.mark.parametrize("value", ["olaf@example.org", "Ana Demo Pérez",
                                   "a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5", 1.5, ["x"], {"a": 1}])
def test_params_hold_ids_counts_and_short_codes_only(olaf, value):
    with pytest.raises(ValueError, match="ids, counts and short codes only"):
        queue_mail("password_reset", olaf, language=value)
    assert not OutgoingMail.objects.exists()
    queue_mail("password_reset", olaf, language="nl", case=12, urgent=True)
