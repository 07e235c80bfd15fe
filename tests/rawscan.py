"""Raw-byte scans of the database: which tables hold any of some byte strings, in any column."""

from __future__ import annotations

from django.db import connection


def as_bytes(value: object) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    return str(value).encode()


def tables_containing(needles: list[bytes]) -> list[str]:
    """Every table with a value that contains one of `needles` (read with plain SQL)."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            if any(needle in as_bytes(value) for row in cursor.fetchall() for value in row
                   for needle in needles):
                found.append(table)
    return found
