"""Helpers for the audit tests: the audit middleware in place, raw SQL, trigger removal."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection

from shelter.audit.models import AuditEvent

AUDIT_MIDDLEWARE = "shelter.audit.web.AuditMiddleware"
TRIGGERS = {
    "sqlite": (["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]),
    "postgresql": (["DROP TRIGGER audit_event_no_change ON audit_auditevent",
                    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent"]),
}


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
    from tests.cases.conftest import make_case

    return make_case(carla, officer=olaf)


def head_seq() -> int:
    """The current head; the table is never flushed, so tests count from here."""
    latest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return latest or 0


def events_after(seq: int) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


def raw(sql: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])


@contextmanager
def triggers_dropped() -> Iterator[None]:
    """Play the attacker with DDL rights. Only inside a test transaction (rolled back after)."""
    for sql in TRIGGERS[connection.vendor]:
        raw(sql)
    yield


@pytest.fixture
def since():
    """The head before the test body ran: assertions look only at entries after it."""
    return head_seq()
