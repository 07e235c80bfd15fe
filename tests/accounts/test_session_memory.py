"""A verified session remembers its device and the role; a change to either reaches the next
request of every session; the session row is written at most once a minute."""

from __future__ import annotations

import time

import pytest
from django.contrib.sessions.models import Session

from shelter.accounts import services, stamps
from shelter.accounts.middleware import SESSION_SEEN, SESSION_VERIFIED
from shelter.accounts.models import (
    AuthenticatorDevice,
    BackupCodeDevice,
    ProviderMFADevice,
    User,
)
from shelter.accounts.roles import Role
from tests.factories import sent_queries

pytestmark = pytest.mark.django_db

DEVICE_TABLES = ("accounts_authenticatordevice", "accounts_backupcodedevice",
                 "django_otp_webauthn_webauthncredential", "accounts_providermfadevice")


def test_a_verified_session_reads_neither_device_nor_groups_after_its_first_request(
        olaf, as_user):
    client = as_user(olaf)
    assert client.get("/").status_code == 200  # loads and remembers
    remembered = client.session[SESSION_VERIFIED]
    assert remembered["role"] == Role.CASE_OFFICER
    assert remembered["stamp"] == User.objects.get(pk=olaf.pk).access_stamp
    responses = []
    sql = " ".join(sent_queries(lambda: responses.append(client.get("/"))))
    assert responses[0].status_code == 200
    assert "accounts_user" in sql  # the user row (with its stamp) is read, as before
    assert "auth_group" not in sql
    assert not [table for table in DEVICE_TABLES if table in sql]


def test_a_device_removed_elsewhere_unverifies_the_session_at_its_next_request(olaf, as_user):
    client = as_user(olaf)
    assert client.get("/").status_code == 200
    AuthenticatorDevice.objects.filter(user=olaf).delete()  # e.g. another session's reset
    response = client.get("/")
    assert response.status_code == 302
    assert SESSION_VERIFIED not in client.session


def test_a_second_factor_reset_ends_the_remembered_session(carla, olaf, as_user):
    client = as_user(olaf)
    client.get("/")
    services.user_reset_second_factor(user=olaf, acting_user=carla)
    response = client.get("/")
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_a_role_change_reaches_the_next_request(carla, olaf, as_user):
    client = as_user(carla)
    assert client.get("/accounts/people/").status_code == 200
    assert client.session[SESSION_VERIFIED]["role"] == Role.COORDINATOR
    fresh = User.objects.get(pk=carla.pk)
    services.user_update(user=fresh, full_name=fresh.full_name, role=Role.CASE_OFFICER,
                         organisation=fresh.organisation, acting_user=olaf)
    assert client.get("/accounts/people/").status_code in {403, 404}
    assert client.session[SESSION_VERIFIED]["role"] == Role.CASE_OFFICER


def test_a_membership_changed_from_the_group_side_moves_the_stamp(olaf):
    from django.contrib.auth.models import Group

    before = User.objects.get(pk=olaf.pk).access_stamp
    Group.objects.get(name=Role.AUDITOR).user_set.add(olaf)
    middle = User.objects.get(pk=olaf.pk).access_stamp
    Group.objects.get(name=Role.AUDITOR).user_set.clear()
    after = User.objects.get(pk=olaf.pk).access_stamp
    assert before < middle < after


def test_every_device_model_moves_the_stamp(olaf):
    from django_otp_webauthn.models import WebAuthnCredential

    models = set(stamps.device_models())
    assert {AuthenticatorDevice, BackupCodeDevice, ProviderMFADevice,
            WebAuthnCredential} <= models
    before = User.objects.get(pk=olaf.pk).access_stamp
    device = ProviderMFADevice.objects.create(user=olaf, name="provider", confirmed=True)
    device.delete()
    assert User.objects.get(pk=olaf.pk).access_stamp == before + 2


def test_the_session_row_is_written_at_most_once_a_minute(olaf, as_user):
    client = as_user(olaf)
    client.get("/")
    key = client.session.session_key
    first = Session.objects.get(session_key=key)
    client.get("/")
    client.get("/cases/")
    again = Session.objects.get(session_key=key)
    assert (again.expire_date, again.session_data) == (first.expire_date, first.session_data)
    # A minute later the next request stamps "seen" and the row's expiry moves on.
    session = client.session
    session[SESSION_SEEN] = time.time() - 61
    session.save()
    aged = Session.objects.get(session_key=key)
    client.get("/")
    touched = Session.objects.get(session_key=key)
    assert touched.expire_date > aged.expire_date
    assert time.time() - client.session[SESSION_SEEN] < 30
