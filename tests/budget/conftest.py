"""Fixtures for the budget: the case fixtures, English wording and fresh key caches."""

from __future__ import annotations

import pytest

from shelter.crypto import keycache
from tests.cases.conftest import _english, audit_since, case  # noqa: F401  (shared fixtures)


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()
