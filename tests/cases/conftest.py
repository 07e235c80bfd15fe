"""Fixtures for the case workspace: defenders and cases made through the services."""

from __future__ import annotations

import datetime

import pytest

from cases import services
from cases.models import Case
from shelter.crypto import keycache


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording; the Dutch catalogue has its own test."""
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


def make_case(acting_user, *, code_name: str = "Heron", legal_name: str = "Ana María Pérez",
              passport_number: str = "NL-12 345", officer=None, **case_values) -> Case:
    defender = services.defender_create(
        acting_user=acting_user, code_name=code_name, legal_name=legal_name,
        passport_number=passport_number, country_of_activity="CO", phone="+57 300 000 0000",
        date_of_birth=datetime.date(1985, 4, 12))
    return services.case_create(defender=defender, acting_user=acting_user,
                                assigned_officer=officer, **case_values)


@pytest.fixture
def case(carla, olaf) -> Case:
    """A nominated case assigned to olaf."""
    return make_case(carla, officer=olaf, planned_arrival=datetime.date.today()
                     + datetime.timedelta(days=60))


@pytest.fixture
def audit_since():
    """The audit head before the test; `events_after(seq)` lists what the test recorded."""
    from tests.audit.conftest import head_seq

    return head_seq()


def recorded(since: int, action=None) -> list:
    from tests.audit.conftest import events_after

    return [e for e in events_after(since) if action is None or e.action == int(action)]


def fresh_client(user):
    """A verified client whose second factor was entered just now (for dangerous acts)."""
    import time

    from tests.conftest import verified_client

    client = verified_client(user)
    session = client.session
    session["shelter_otp_verified_at"] = time.time()
    session.save()
    return client


@pytest.fixture
def as_fresh_user():
    """as_fresh_user(user) -> a Client with both factors, the second one entered just now."""
    return fresh_client


def make_share(case, acting_user, *, user=None, organisation=None, sections=("basic",),
               mode="read", days: int = 30, consent: bool = True):
    """A share granted through the service (consent recorded today unless `consent=False`)."""
    from cases.services_sharing import share_grant

    return share_grant(case=case, grantee_user=user, grantee_organisation=organisation,
                       sections=list(sections), mode=mode,
                       expires_on=datetime.date.today() + datetime.timedelta(days=days),
                       reason="Psychological support", acting_user=acting_user,
                       consent_on=datetime.date.today() if consent else None,
                       override_reason=None if consent else "Urgent medical need")
