"""Fixtures for the encryption core: a defender, a case, notes and documents full of markers."""

from __future__ import annotations

import pytest

from cases.models import Case, Defender
from shelter.crypto import keycache
from tests.factories import make_marked_case, make_marked_defender


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


@pytest.fixture
def defender(db) -> Defender:
    return make_marked_defender()


@pytest.fixture
def case(defender) -> Case:
    return make_marked_case(defender)
