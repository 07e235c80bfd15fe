"""Helpers for the audit tests: the audit middleware in place, raw SQL, trigger removal."""

from __future__ import annotations

import pytest

from tests.factories import head_seq, make_case

AUDIT_MIDDLEWARE = "shelter.audit.web.AuditMiddleware"


@pytest.fixture(autouse=True)
def audit_middleware(settings):
    """Until the lead adds it to settings.MIDDLEWARE, put it right after the 2FA gate."""
    if AUDIT_MIDDLEWARE not in settings.MIDDLEWARE:
        middleware = list(settings.MIDDLEWARE)
        gate = middleware.index("shelter.accounts.middleware.RequireTwoFactorMiddleware")
        middleware.insert(gate + 1, AUDIT_MIDDLEWARE)
        settings.MIDDLEWARE = middleware


@pytest.fixture
def case(carla, olaf):
    """A nominated case assigned to olaf, made through the services."""
    return make_case(carla, officer=olaf)


@pytest.fixture
def since():
    """The head before the test body ran: assertions look only at entries after it."""
    return head_seq()
