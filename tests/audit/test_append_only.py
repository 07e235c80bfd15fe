"""The database itself refuses to change or remove entries, whoever asks."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from shelter import audit
from shelter.audit import Action
from shelter.audit.models import AuditEvent
from tests.factories import raw

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(olaf):
    return audit.record(olaf, Action.CASE_LIST)


@pytest.mark.parametrize("sql", [
    "UPDATE audit_auditevent SET target_id = 'forged' WHERE seq = %s",
    "UPDATE audit_auditevent SET hash = hash WHERE seq = %s",
    "DELETE FROM audit_auditevent WHERE seq = %s",
])
def test_raw_update_and_delete_are_refused(entry, sql):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw(sql, [entry.seq])
    assert AuditEvent.objects.get(seq=entry.seq).hash == entry.hash


def test_orm_update_and_delete_are_refused(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=entry.seq).update(section="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(seq=entry.seq).delete()
    assert AuditEvent.objects.filter(seq=entry.seq).exists()


def test_truncate_is_refused_on_postgresql(entry):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE trigger covers it)")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        raw("TRUNCATE audit_auditevent")
    assert AuditEvent.objects.filter(seq=entry.seq).exists()


def test_a_second_entry_with_the_same_seq_is_refused(entry):
    fields = {f.attname: getattr(entry, f.attname) for f in AuditEvent._meta.concrete_fields}
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.create(**fields)


def test_sqlite_takes_the_write_lock_at_begin(settings):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    from shelter.audit.apps import check_sqlite_transaction_mode

    assert check_sqlite_transaction_mode() == []
