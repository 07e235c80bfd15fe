"""Every sign-in step and account change writes exactly one entry, with no e-mail address."""

from __future__ import annotations

import pytest
from django.test import Client

from shelter.accounts import services
from shelter.accounts.models import AuthenticatorDevice, Organisation
from shelter.accounts.roles import Role
from shelter.audit import Action
from tests.accounts.test_sign_in import sign_in, totp_now
from tests.factories import events_after

pytestmark = pytest.mark.django_db


def only(since: int, action: Action):
    entries = [e for e in events_after(since) if e.action == action]
    assert len(entries) == 1, [e.action for e in events_after(since)]
    return entries[0]


def no_personal_data(entry, *values: str) -> None:
    blob = repr({f.attname: getattr(entry, f.attname) for f in entry._meta.concrete_fields})
    for value in values:
        assert value.lower() not in blob.lower()


def test_password_sign_in(olaf, since):
    sign_in(Client(), olaf.email)
    entry = only(since, Action.SIGN_IN)
    assert (entry.actor_id, entry.outcome, entry.target_id) == (olaf.pk, "allowed", str(olaf.pk))
    assert entry.request_id and entry.ip_address == "127.0.0.1"
    assert entry.facts == {"factor": "password"}


def test_failed_sign_in_records_no_email_address(olaf, since):
    sign_in(Client(), "nobody@example.org", "wrong password!")
    entry = only(since, Action.SIGN_IN_FAILED)
    assert (entry.actor_id, entry.outcome) == (None, "refused")
    no_personal_data(entry, "nobody@example.org", "nobody", "wrong password")


def test_lockout(olaf, settings, since):
    settings.SHELTER_LOCKOUT_ATTEMPTS = 2
    client = Client()
    for _ in range(2):
        sign_in(client, olaf.email, "wrong password!")
    entry = only(since, Action.LOCKOUT)
    assert (entry.actor_id, entry.outcome, entry.facts) == (olaf.pk, "refused",
                                                            {"scope": "account",
                                                             "factor": "password"})
    no_personal_data(entry, olaf.email)
    assert len([e for e in events_after(since) if e.action == Action.SIGN_IN_FAILED]) == 2


def test_second_factor_verified_and_failed(olaf, since):
    client = Client()
    sign_in(client, olaf.email)
    client.post("/accounts/verify/", {"code": "000000"})
    failed = only(since, Action.OTP_FAILED)
    assert (failed.actor_id, failed.outcome, failed.facts) == (olaf.pk, "refused",
                                                               {"reason": "wrong_code"})
    device = AuthenticatorDevice.objects.get(user=olaf)
    device.throttle_reset()
    client.post("/accounts/verify/", {"code": totp_now(device)})
    verified = only(since, Action.OTP_VERIFIED)
    assert (verified.actor_id, verified.facts) == (olaf.pk, {"device": "totp",
                                                             "method": "password+totp"})


def test_enrolment(municipality, since):
    user, _path = services.user_invite(email="new@example.org", full_name="New Person",
                                       role=Role.CASE_OFFICER, organisation=municipality,
                                       acting_user=None)
    services.user_accept_invitation(user=user, password="a long enough password 1")
    client = Client()
    client.force_login(user)
    device = services.totp_device_pending(user=user)
    client.get("/accounts/enrol/")
    device.refresh_from_db()
    client.post("/accounts/enrol/", {"code": totp_now(device)})
    assert only(since, Action.ENROLLED).actor_id == user.pk
    assert only(since, Action.INVITATION_ACCEPT).actor_id == user.pk


def test_sign_out(as_user, olaf, since):
    as_user(olaf).post("/accounts/sign-out/")
    assert only(since, Action.SIGN_OUT).actor_id == olaf.pk


@pytest.mark.parametrize("change, action", [
    (lambda u, by, org: services.user_invite(email="x@example.org", full_name="X Y",
                                             role=Role.PARTNER, organisation=org,
                                             acting_user=by), Action.USER_INVITE),
    (lambda u, by, org: services.user_update(user=u, full_name="Renamed", role=Role.AUDITOR,
                                             organisation=org, acting_user=by),
     Action.USER_UPDATE),
    (lambda u, by, org: services.user_set_active(user=u, active=False, acting_user=by),
     Action.USER_DEACTIVATE),
    (lambda u, by, org: services.user_set_active(user=u, active=True, acting_user=by),
     Action.USER_ACTIVATE),
    (lambda u, by, org: services.user_reset_second_factor(user=u, acting_user=by),
     Action.SECOND_FACTOR_RESET),
])
def test_account_changes(carla, otto, municipality, change, action, since):
    change(otto, carla, municipality)
    entry = only(since, action)
    assert (entry.actor_id, entry.actor_role, entry.target_type) == (
        carla.pk, Role.COORDINATOR, "accounts.user")
    no_personal_data(entry, "x@example.org", "Renamed", otto.email)


def test_role_change_records_the_new_role_code(carla, otto, municipality, since):
    services.user_update(user=otto, full_name="Otto", role=Role.AUDITOR,
                         organisation=municipality, acting_user=carla)
    assert only(since, Action.USER_UPDATE).facts == {"role": "Auditor",
                                                     "organisation": municipality.pk}


def test_organisation_changes(carla, since):
    organisation = services.organisation_create(name="Psychologists United",
                                                kind=Organisation.Kind.PSYCHOLOGIST,
                                                acting_user=carla)
    services.organisation_update(organisation=organisation, name="Renamed", kind="other",
                                 is_active=False, acting_user=carla)
    created = only(since, Action.ORGANISATION_CREATE)
    updated = only(since, Action.ORGANISATION_UPDATE)
    assert created.target_id == updated.target_id == str(organisation.pk)
    assert updated.facts == {"kind": "other", "active": False}
    no_personal_data(created, "Psychologists United")
