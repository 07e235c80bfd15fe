"""Concurrent writers queue on the chain's lock and leave one linear, gap-free chain."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections, transaction

from shelter import audit
from shelter.audit import Action
from shelter.audit.chain import verify_chain
from shelter.audit.models import AuditEvent
from tests.factories import head_seq

WRITERS, EACH = 8, 15


def _writer(user, errors: list, start: threading.Barrier) -> None:
    try:
        start.wait()
        for i in range(EACH):
            if i % 2:  # half inside a longer business transaction, half on their own
                with transaction.atomic():
                    audit.record(user, Action.CASE_LIST, n=i)
            else:
                audit.record(user, Action.CASE_SEARCH, n=i)
    except Exception as exc:  # reported to the main thread
        errors.append(exc)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_leave_a_valid_gap_free_chain(olaf):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("in-memory SQLite shares one cache between threads; use a file or PG")
    since = head_seq()
    errors: list = []
    start = threading.Barrier(WRITERS)
    threads = [threading.Thread(target=_writer, args=(olaf, errors, start))
               for _ in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seqs = list(AuditEvent.objects.filter(seq__gt=since).order_by("seq")
                .values_list("seq", flat=True))
    assert seqs == list(range(since + 1, since + 1 + WRITERS * EACH))
    report = verify_chain()
    assert report.ok, report
