"""Fixtures for the sharing tests: a case assigned to olaf, English wording, clean key caches."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from cases.models import Case
from shelter.crypto import keycache
from tests.factories import fresh_client, head_seq, make_case


@pytest.fixture(autouse=True)
def _english(settings):
    """These tests read English wording; the Dutch catalogue has its own test."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


@pytest.fixture
def case(carla, olaf) -> Case:
    """A nominated case assigned to olaf."""
    return make_case(carla, officer=olaf, planned_arrival=datetime.date.today()
                     + datetime.timedelta(days=60))


@pytest.fixture
def audit_since():
    """The audit head before the test; `recorded(seq)` lists what the test recorded."""
    return head_seq()


@pytest.fixture
def as_fresh_user():
    """as_fresh_user(user) -> a Client with both factors, the second one entered just now."""
    return fresh_client
