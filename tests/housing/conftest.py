"""Fixtures for housing: units made through the services, a day helper, the case fixtures."""

from __future__ import annotations

import datetime

import pytest

from housing import services
from housing.models import Unit
from shelter.crypto import keycache
from tests.cases.conftest import audit_since, case, make_case  # noqa: F401

BASE = datetime.date.today() + datetime.timedelta(days=30)


def day(n: int) -> datetime.date:
    """A day `n` days after a fixed base in the future (so "today" never gets in the way)."""
    return BASE + datetime.timedelta(days=n)


def count_queries(call) -> int:
    """Statements sent while `call()` runs. (CaptureQueriesContext misses a test client's
    request: the request_started signal resets the query log it reads.)"""
    from django.db import connection

    sent: list[str] = []

    def wrapper(execute, sql, params, many, context):
        sent.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        call()
    return len(sent)


@pytest.fixture(autouse=True)
def _fresh_key_caches():
    keycache.clear_all()
    yield
    keycache.clear_all()


def make_unit(acting_user, code_name: str = "Linden", *, buffer: int = 0,
              offered: tuple[int, int] = (-60, 400), **values) -> Unit:
    values.setdefault("address", "Kerkstraat 12-III, 1017 GC Amsterdam")
    unit = services.unit_create(acting_user=acting_user, code_name=code_name,
                                turnover_buffer_days=buffer, **values)
    services.availability_add(unit=unit, start=day(offered[0]), end=day(offered[1]),
                              acting_user=acting_user)
    return unit


@pytest.fixture
def unit(carla) -> Unit:
    """Offered from day -60 to day 400, no turnover buffer."""
    return make_unit(carla)


@pytest.fixture
def buffered_unit(carla) -> Unit:
    """Offered from day -60 to day 400, one turnover day."""
    return make_unit(carla, "Maple", buffer=1)
