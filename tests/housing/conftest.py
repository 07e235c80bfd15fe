"""Fixtures for housing: units made through the services, a day helper, the case fixtures."""

from __future__ import annotations

import pytest

from housing.models import Unit
from shelter.crypto import keycache
from tests.cases.conftest import audit_since, case  # noqa: F401  (the case fixtures, shared)
from tests.factories import make_unit


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


@pytest.fixture
def unit(carla) -> Unit:
    """Offered from day -60 to day 400, no turnover buffer."""
    return make_unit(carla)


@pytest.fixture
def buffered_unit(carla) -> Unit:
    """Offered from day -60 to day 400, one turnover day."""
    return make_unit(carla, "Maple", buffer=1)
