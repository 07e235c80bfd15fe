"""Addresses, host contacts and notes are sealed with the programme key: raw bytes checked."""

from __future__ import annotations

from django.db import connection

from housing import services
from housing.models import Unit


def test_the_address_is_not_stored_in_plaintext(carla):
    unit = services.unit_create(acting_user=carla, code_name="Linden",
                                address="Kerkstraat 12-III, 1017 GC Amsterdam",
                                host_contact="Mevrouw Jansen 06-12345678",
                                notes="Key under the mat")
    with connection.cursor() as cursor:
        cursor.execute("SELECT address, host_contact, notes FROM housing_unit WHERE id = %s",
                       [unit.pk.hex if connection.vendor == "sqlite" else unit.pk])
        row = [bytes(value) for value in cursor.fetchone()]
    for raw, plain in zip(row, ("Kerkstraat", "Jansen", "mat"), strict=True):
        assert plain.encode() not in raw and raw[:1] == b"\x02"
    fresh = Unit.objects.get(pk=unit.pk)
    assert fresh.address == "Kerkstraat 12-III, 1017 GC Amsterdam"
