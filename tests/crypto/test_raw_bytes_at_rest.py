"""No plaintext at rest: scan every table, the raw SQLite file, storage and the temp dir.

Assertions are on raw bytes (SecureDrop style), not on round trips: a marker string is written
into every encrypted field and into a document, and must appear nowhere.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from shelter.crypto.documents import document_storage
from tests.factories import (
    MARKER,
    make_marked_case,
    make_marked_defender,
    make_marked_document,
    make_marked_note,
)
from tests.rawscan import tables_containing

NEEDLES = [MARKER.encode(), MARKER.lower().encode(), MARKER.encode("utf-16-le")]


def _contains_marker(data: bytes, needles: list[bytes] = NEEDLES) -> bool:
    return any(needle in data for needle in needles)


def _tables_with_marker(needles: list[bytes] = NEEDLES) -> list[str]:
    return tables_containing(needles)


def _files_with_marker(root: Path, since: float) -> list[str]:
    found = []
    for dirpath, dirs, files in os.walk(root):
        if "PG_VERSION" in files:
            # A PostgreSQL cluster (a local test server): its tables are scanned through SQL,
            # and its WAL may hold the plaintext probe of the test below from earlier runs.
            dirs.clear()
            continue
        for name in files:
            path = Path(dirpath) / name
            try:
                if path.stat().st_mtime < since or path.stat().st_size > 256 * 2**20:
                    continue
                if _contains_marker(path.read_bytes()):
                    found.append(str(path))
            except OSError:
                continue  # vanished or unreadable files of other processes
    return found


@pytest.mark.django_db(transaction=True)
def test_marker_is_absent_from_database_storage_and_temp_files(tmp_path):
    started = time.time() - 1
    case = make_marked_case(make_marked_defender())
    make_marked_note(case)
    make_marked_document(case, (MARKER.encode() + b" secret line\n") * 20_000)
    assert _tables_with_marker() == []
    if connection.vendor == "sqlite":
        copy = tmp_path / "dump.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(copy)])
        assert not _contains_marker(copy.read_bytes())
        copy.unlink()
    assert _files_with_marker(Path(settings.MEDIA_ROOT), started) == []
    assert _files_with_marker(Path(document_storage().location), started) == []
    assert _files_with_marker(Path(tempfile.gettempdir()), started) == []


@pytest.mark.django_db(transaction=True)
def test_the_scan_would_see_a_plaintext_marker():
    # A different marker: this one really is written in plaintext (and so into the WAL).
    probe = "PROBE" + MARKER[::-1]
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO cases_defender (id, code_name, country_of_activity, "
                       "field_of_work, organisation, created_at, updated_at) VALUES "
                       "(%s, %s, '', '', '', %s, %s)",
                       ["0" * 32 if connection.vendor == "sqlite" else
                        "00000000-0000-0000-0000-000000000000", probe, "2026-01-01", "2026-01-01"])
    assert "cases_defender" in _tables_with_marker([probe.encode()])
