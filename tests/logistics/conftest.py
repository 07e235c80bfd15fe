"""Fixtures for the logistics tests: an English page, fresh key caches, and a case preparing
its arrival (dates in the future, assigned to olaf)."""

from __future__ import annotations

import datetime

import pytest

from cases.models import Case
from shelter.crypto import keycache
from tests.factories import fresh_client, head_seq, make_case

ARRIVAL = datetime.date.today() + datetime.timedelta(days=30)
DEPARTURE = ARRIVAL + datetime.timedelta(days=90)


@pytest.fixture(autouse=True)
def _english(settings):
    from django.utils import translation

    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


@pytest.fixture
def audit_since():
    return head_seq()


@pytest.fixture
def case(carla, olaf) -> Case:
    """A case preparing arrival: planned 30 days from today for 90 days, assigned to olaf."""
    made = make_case(carla, officer=olaf, planned_arrival=ARRIVAL, planned_departure=DEPARTURE)
    Case.objects.filter(pk=made.pk).update(stage=Case.Stage.PREPARING_ARRIVAL)
    return Case.objects.get(pk=made.pk)


@pytest.fixture
def as_fresh_user():
    """as_fresh_user(user) -> a Client with both factors, the second one entered just now."""
    return fresh_client
