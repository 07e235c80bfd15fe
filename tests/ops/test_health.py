"""The health probes: answered without signing in, with no data, no session and no audit entry;
`ready` fails closed on each of its checks and runs them a bounded number of times a second;
neither ever answers 429."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db.migrations.recorder import MigrationRecorder

from shelter import audit, health
from shelter.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def probe(client, path, **extra):
    response = client.get(path, **extra)
    return response, json.loads(response.content)


def test_live_answers_without_sign_in_and_leaves_nothing_behind(client):
    before = AuditEvent.objects.count()
    response, body = probe(client, "/health/live")
    assert response.status_code == 200 and body == {"status": "ok"}
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert not response.cookies  # no session, no CSRF cookie
    assert AuditEvent.objects.count() == before


def test_ready_checks_everything_and_deletes_its_probe_object(client, settings):
    audit.record(None, audit.Action.CASE_LIST)  # the key check is stored on first use
    before = AuditEvent.objects.count()
    response, body = probe(client, "/health/ready")
    assert response.status_code == 200, body
    assert body == {"status": "ok", "checks": {"database": "ok", "keys": "ok",
                                               "storage": "ok", "migrations": "ok"}}
    documents = Path(settings.MEDIA_ROOT) / "documents"
    assert not list(documents.rglob("*.probe"))
    assert AuditEvent.objects.count() == before


def test_a_trailing_slash_and_head_work_too(client):
    assert client.get("/health/live/").status_code == 200
    assert client.head("/health/live").status_code == 200


def test_any_host_header_is_answered_without_a_400(client):
    """Probes often come by address; the host check is for pages, and probes carry nothing."""
    response = client.get("/health/live", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200


def test_a_wrong_key_file_makes_ready_fail_and_live_stay_up(client, wrong_key_file, caplog):
    before = AuditEvent.objects.count()
    response, body = probe(client, "/health/ready")
    assert response.status_code == 503
    assert body["status"] == "fail" and body["checks"]["keys"] == "fail"
    assert body["checks"]["database"] == "ok"
    assert "health: keys check failed (KeyMismatch)" in caplog.text
    assert client.get("/health/live").status_code == 200
    assert AuditEvent.objects.count() == before  # nothing written under the wrong keys


def test_a_pending_migration_makes_ready_fail(client):
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    leaf = max(name for app, name in MigrationLoader(connection).graph.leaf_nodes()
               if app == "cases")
    assert MigrationRecorder.Migration.objects.filter(app="cases", name=leaf).delete()[0] == 1
    response, body = probe(client, "/health/ready")
    assert response.status_code == 503 and body["checks"]["migrations"] == "fail"


def test_a_store_that_refuses_writes_makes_ready_fail(client, monkeypatch):
    from django.core.files.storage import FileSystemStorage

    def refuse(self, name, content, max_length=None):
        raise PermissionError("read-only file system")

    monkeypatch.setattr(FileSystemStorage, "save", refuse)
    response, body = probe(client, "/health/ready")
    assert response.status_code == 503 and body["checks"]["storage"] == "fail"
    assert body["checks"]["database"] == "ok"


def test_a_database_outage_makes_ready_fail_not_crash(client, monkeypatch):
    from django.db import OperationalError

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    response, body = probe(client, "/health/ready")
    assert response.status_code == 503 and body["checks"]["database"] == "fail"
    assert "connection refused" not in response.content.decode()


def test_ready_runs_its_checks_five_times_a_second_and_repeats_the_last_answer(
        client, monkeypatch):
    runs = []
    real = health.CHECKS["database"]
    monkeypatch.setitem(health.CHECKS, "database", lambda: runs.append(1) or real())
    monkeypatch.setattr(health.time, "monotonic", lambda: 1000.0)
    answers = [client.get("/health/ready").status_code for _ in range(8)]
    assert answers == [200] * 8 and len(runs) == 5
    # A failure within the same second is seen at the next second's first run.
    def down():
        raise OSError("connection refused")

    monkeypatch.setitem(health.CHECKS, "database", down)
    assert client.get("/health/ready").status_code == 200  # the repeated answer
    monkeypatch.setattr(health.time, "monotonic", lambda: 1001.0)
    response, body = probe(client, "/health/ready")
    assert response.status_code == 503 and body["checks"]["database"] == "fail"
    # ...and the failure is what the budget repeats.
    assert all(client.get("/health/ready").status_code == 503 for _ in range(6))


def test_live_is_never_refused(client, monkeypatch):
    monkeypatch.setattr(health.time, "monotonic", lambda: 1000.0)
    assert {client.get("/health/live").status_code for _ in range(200)} == {200}


def test_only_get_and_head(client):
    response = client.post("/health/live")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD"


def test_other_paths_under_health_are_ordinary_pages(client):
    """Only the two probes skip the stack: anything else meets the sign-in gate as usual."""
    response = client.get("/health/other")
    assert response.status_code in {302, 404}
    assert response.status_code != 200
