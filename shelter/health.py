"""Health probes for the load balancer and the service manager: `/health/live` and
`/health/ready`.

They are answered here, at the top of the middleware stack, before sessions, the language, CSRF,
the host check, the two-factor gate and the access log: a probe carries no user, opens no
session, reads no case and is not case access, so it is not audited (a probe every few seconds
would also bury the log). The answers are JSON with check names and "ok"/"fail" only: no
version, no error text, no data.

- `live`: the process is up and answering.
- `ready`: the database answers, the master key file belongs to this database
  (`shelter.crypto.keycheck`), the document store is not another installation's (its marker)
  and takes a probe object and lets it be deleted, and no migration is pending. Any failure
  answers 503, and the failing check is logged by name.

Neither ever answers 429: a load balancer or service manager that met one would take a healthy
instance for a dead one. `live` does no work and is never refused. `ready` does real work and is
reachable without signing in, so each process runs its checks at most `CHECKS_PER_SECOND`
times a second; a probe over that budget gets the latest result again (at most a second old).
The proxy limits the probes' request rate in front (deploy/nginx.conf.example).
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Callable

from django.core.files.base import ContentFile
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse

from shelter.crypto import keycheck
from shelter.crypto.api import check_document_storage_not_foreign
from shelter.crypto.documents import document_storage

logger = logging.getLogger("shelter.health")

LIVE = "/health/live"
READY = "/health/ready"
PATHS = frozenset({LIVE, READY})
# Runs of the readiness checks per second and process; further probes repeat the last answer.
CHECKS_PER_SECOND = 5
# The document store's probe objects live under this prefix (the orphan sweep removes any
# left behind by a probe whose delete failed).
PROBE_PREFIX = "health-probe"
# A positive migration check is believed this long (loading the migration graph costs time).
MIGRATIONS_OK_SECONDS = 30.0


class _Budget:
    """A fixed window of `CHECKS_PER_SECOND` runs per second, in this process (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._window = (0, 0)  # (second, runs used in it)

    def take(self) -> bool:
        second = int(time.monotonic())
        with self._lock:
            start, used = self._window
            if start != second:
                start, used = second, 0
            if used >= CHECKS_PER_SECOND:
                return False
            self._window = (start, used + 1)
            return True


_budget = _Budget()
_migrations_ok_until = 0.0
# The latest readiness answer (status, body), repeated to probes over the budget.
_last_ready: tuple[int, dict] | None = None


def _check_database() -> None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_keys() -> None:
    keycheck.ensure_verified()


def _check_storage() -> None:
    storage = document_storage()
    check_document_storage_not_foreign(storage)
    name = storage.save(f"{PROBE_PREFIX}/{uuid.uuid4().hex}.probe", ContentFile(b"probe"))
    storage.delete(name)


def _check_migrations() -> None:
    global _migrations_ok_until
    if time.monotonic() < _migrations_ok_until:
        return
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise RuntimeError("migrations pending")
    _migrations_ok_until = time.monotonic() + MIGRATIONS_OK_SECONDS


CHECKS: dict[str, Callable[[], None]] = {
    "database": _check_database,
    "keys": _check_keys,
    "storage": _check_storage,
    "migrations": _check_migrations,
}


def readiness() -> dict[str, str]:
    """{check name: "ok" or "fail"}; a failure is logged by check name and exception class."""
    results = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception as exc:  # noqa: BLE001  (any failure means "not ready", never a 500)
            logger.warning("health: %s check failed (%s)", name, type(exc).__name__)
            results[name] = "fail"
        else:
            results[name] = "ok"
    return results


def _answer(status: int, body: dict) -> HttpResponse:
    response = HttpResponse(json.dumps(body), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    # The failing check is logged above by name; Django's own "Service Unavailable: <path>"
    # line for every probe of a failing instance would only repeat it.
    response._has_been_logged = True
    return response


class HealthMiddleware:
    """Answers the two probe paths (GET and HEAD) before the rest of the stack sees them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path_info.rstrip("/")
        if path not in PATHS:
            return self.get_response(request)
        if request.method not in {"GET", "HEAD"}:
            response = _answer(405, {"status": "method not allowed"})
            response["Allow"] = "GET, HEAD"
            return response
        if path == LIVE:
            return _answer(200, {"status": "ok"})
        return _answer(*_ready())


def _ready() -> tuple[int, dict]:
    """The readiness answer: the checks run afresh within the budget, else the latest one."""
    global _last_ready
    last = _last_ready
    if last is not None and not _budget.take():
        return last
    if last is None:
        _budget.take()  # the first probe always runs the checks, and counts
    checks = readiness()
    ready = all(result == "ok" for result in checks.values())
    _last_ready = (200 if ready else 503, {"status": "ok" if ready else "fail",
                                           "checks": checks})
    return _last_ready
