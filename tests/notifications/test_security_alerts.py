"""The security alerts, raised at the event and mailed at once (they cannot be turned off):
break-glass used, the access log's chain broken, a sign-in from a new device, a lockout."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from cases.sharing.services import break_glass_open
from shelter.accounts.alerts import COOKIE
from shelter.accounts.models import AuthenticatorDevice, KnownDevice
from shelter.audit.actions import Action
from shelter.mail.outbox import send_due
from shelter.notifications.models import Notification, NotificationPreference
from tests.factories import PASSWORD, make_case, make_user, raw, triggers_dropped
from tests.mail.contentfree import assert_content_free

pytestmark = pytest.mark.django_db
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
NOON = datetime.datetime(2026, 12, 2, 12, 0, tzinfo=AMSTERDAM)


@pytest.fixture
def clock():
    with time_machine.travel(NOON, tick=False) as traveller:
        yield traveller


def alerted(kind: str) -> list[str]:
    return sorted(Notification.objects.filter(kind=kind).values_list("user__email", flat=True))


def test_break_glass_alerts_every_coordinator_and_auditor_at_once(clock, carla, olaf, aud, pia,
                                                                  municipality, smtp_server):
    make_user("cora@example.org", "Coordinator", municipality)
    NotificationPreference.objects.create(user=aud, kind="break_glass_used", mode="off")
    case = make_case(carla, officer=olaf)
    opening = break_glass_open(case=case, acting_user=carla, reason="Medische noodsituatie")
    assert alerted("break_glass_used") == ["aud@example.org", "carla@example.org",
                                           "cora@example.org"]
    assert set(Notification.objects.values_list("dedupe", flat=True)) == {
        f"break_glass:{opening.pk}"}
    assert send_due()["sent"] == 3
    for message in smtp_server.inbox.raw():
        assert_content_free(message, extra=["Medische noodsituatie", "Heron"])


def test_a_broken_chain_alerts_auditors_and_coordinators_once_a_day(clock, carla, olaf, aud,
                                                                    smtp_server):
    from shelter import audit

    seqs = [audit.record(olaf, Action.CASE_LIST).seq for _ in range(3)]
    with triggers_dropped():
        raw("UPDATE audit_auditevent SET target_id = 'x' WHERE seq = %s", [seqs[1]])
    for _attempt in range(2):  # the failed job is retried in the same day: one alert
        with pytest.raises(CommandError):
            call_command("run_due_jobs", "--job", "verify_audit_log")
        clock.shift(datetime.timedelta(minutes=5))
    assert alerted("audit_chain_failed") == ["aud@example.org", "carla@example.org"]
    assert send_due()["sent"] == 2
    clock.shift(datetime.timedelta(days=1))
    with pytest.raises(CommandError):
        call_command("run_due_jobs", "--job", "verify_audit_log")
    assert Notification.objects.filter(kind="audit_chain_failed").count() == 4


def full_sign_in(client: Client, user) -> None:
    client.post("/accounts/sign-in/", {"email": user.email, "password": PASSWORD})
    code = AuthenticatorDevice.objects.get(user=user).current_code()
    response = client.post("/accounts/verify/", {"code": code, "next": "/"})
    assert response.status_code == 302 and response["Location"] == "/"


def test_a_sign_in_from_a_new_browser_alerts_the_person_not_from_a_known_one(clock, olaf,
                                                                             smtp_server):
    laptop = Client()
    full_sign_in(laptop, olaf)  # the first device ever: recorded, nothing to compare with
    assert COOKIE in laptop.cookies and not alerted("new_device_sign_in")
    cookie = laptop.cookies[COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    [device] = KnownDevice.objects.filter(user=olaf)
    assert len(device.digest) == 64 and cookie.value.split(":")[0] not in device.digest
    clock.shift(datetime.timedelta(minutes=2))
    laptop.post("/accounts/sign-out/")
    full_sign_in(laptop, olaf)  # the same browser again
    assert not alerted("new_device_sign_in")
    clock.shift(datetime.timedelta(minutes=2))
    full_sign_in(Client(), olaf)  # another browser
    assert alerted("new_device_sign_in") == ["olaf@example.org"]
    assert KnownDevice.objects.filter(user=olaf).count() == 2
    assert send_due()["sent"] == 1
    assert_content_free(smtp_server.inbox.raw()[0])


def test_a_browser_known_for_one_person_is_new_for_another(clock, olaf, otto):
    shared = Client()
    full_sign_in(shared, otto)
    full_sign_in(Client(), olaf)
    clock.shift(datetime.timedelta(minutes=2))
    shared.post("/accounts/sign-out/")
    full_sign_in(shared, olaf)
    assert alerted("new_device_sign_in") == ["olaf@example.org"]


@override_settings(SHELTER_LOCKOUT_ATTEMPTS=3, SHELTER_LOCKOUT_MINUTES=15)
def test_a_locked_account_alerts_its_owner_at_most_once_a_day(clock, olaf, smtp_server):
    client = Client()
    for _ in range(4):
        client.post("/accounts/sign-in/", {"email": olaf.email, "password": "wrong"})
    client.post("/accounts/sign-in/", {"email": "nobody@example.org", "password": "wrong"})
    assert alerted("lockout") == ["olaf@example.org"]
    clock.shift(datetime.timedelta(minutes=20))
    for _ in range(3):
        Client(REMOTE_ADDR="10.1.1.1").post("/accounts/sign-in/",
                                            {"email": olaf.email, "password": "wrong"})
    # Locked again the same day: no second mail (an attacker who knows the address could
    # otherwise lock the account every quarter of an hour and fill the owner's mailbox).
    assert alerted("lockout") == ["olaf@example.org"]
    clock.shift(datetime.timedelta(days=1))
    for _ in range(5):
        Client(REMOTE_ADDR="10.1.1.2").post("/accounts/sign-in/",
                                            {"email": olaf.email, "password": "wrong"})
    assert alerted("lockout") == ["olaf@example.org", "olaf@example.org"]
    assert send_due()["sent"] == 2
    for message in smtp_server.inbox.raw():
        assert_content_free(message)
