"""The defender's organisation is sealed with the defender's key; migration 0007 seals the
values stored in clear text before it, loses none, and leaves no clear copy in any table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases import services
from cases.models import Defender
from shelter.crypto.api import is_withheld
from tests.factories import make_case
from tests.rawscan import tables_containing

BEFORE = ("cases", "0006_case_created_index")
AFTER = ("cases", "0007_encrypt_defender_organisation")
ORGANISATION = "Colectivo Río Claro ZQ7"


def _raw_organisation(pk) -> bytes | str | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT organisation FROM cases_defender WHERE id = %s",
                       [pk.hex if connection.vendor == "sqlite" else str(pk)])
        value = cursor.fetchone()[0]
    return bytes(value) if isinstance(value, memoryview | bytes | bytearray) else value


@pytest.mark.django_db
def test_the_organisation_is_sealed_and_bound_to_its_defender(carla):
    heron = make_case(carla, code_name="Heron").defender
    kite = make_case(carla, code_name="Kite", passport_number="X1").defender
    services.defender_update(defender=heron, acting_user=carla, organisation=ORGANISATION)
    assert Defender.objects.get(pk=heron.pk).organisation == ORGANISATION
    raw = _raw_organisation(heron.pk)
    assert isinstance(raw, bytes) and ORGANISATION.encode() not in raw
    assert tables_containing([ORGANISATION.encode(), b"Colectivo R"]) == []
    # Moved to another defender's row, the ciphertext does not open: the value is withheld.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_defender SET organisation = %s WHERE id = %s",
                       [raw, kite.pk.hex if connection.vendor == "sqlite" else str(kite.pk)])
    moved = Defender.objects.get(pk=kite.pk).organisation
    assert is_withheld(moved) and ORGANISATION not in moved


def _migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


def _migrate_to_latest() -> None:
    """Back to the schema the models describe (later migrations add columns they read)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_migration_seals_clear_values_and_drops_the_clear_column(carla):
    heron = make_case(carla, code_name="Heron").defender
    kite = make_case(carla, code_name="Kite", passport_number="X1").defender
    try:
        _migrate(BEFORE)
        with connection.cursor() as cursor:
            cursor.execute("UPDATE cases_defender SET organisation = %s WHERE code_name = %s",
                           [ORGANISATION, "Heron"])
        assert tables_containing([ORGANISATION.encode()]) == ["cases_defender"]
        _migrate(AFTER)
    finally:
        _migrate(AFTER)
        _migrate_to_latest()
    assert Defender.objects.get(pk=heron.pk).organisation == ORGANISATION
    assert Defender.objects.get(pk=kite.pk).organisation is None  # empty stays empty
    assert Defender.objects.get(pk=heron.pk).legal_name == "Ana María Pérez"  # untouched
    with connection.cursor() as cursor:
        columns = [c.name for c in connection.introspection.get_table_description(
            cursor, "cases_defender")]
    assert columns.count("organisation") == 1 and "organisation_clear" not in columns
    assert tables_containing([ORGANISATION.encode(), b"Colectivo R"]) == []


@pytest.mark.django_db(transaction=True)
def test_rolling_the_migration_back_loses_nothing(carla):
    heron = make_case(carla, code_name="Heron").defender
    services.defender_update(defender=heron, acting_user=carla, organisation=ORGANISATION)
    try:
        _migrate(BEFORE)
        assert _raw_organisation(heron.pk) == ORGANISATION
    finally:
        _migrate(AFTER)
        _migrate_to_latest()
    assert Defender.objects.get(pk=heron.pk).organisation == ORGANISATION
