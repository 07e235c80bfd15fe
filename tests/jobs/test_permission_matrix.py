"""The jobs permission matrix: every persona × both share states × every route of the jobs app.

Expectations (SECURITY.md): coordinators and auditors read the job log, read-only; everyone
else signed in is refused with 403 (the page is no secret), recorded; anonymous visitors and
inactive accounts are sent to sign in. A refused page shows nothing of the log.
"""

from __future__ import annotations

import pytest

from shelter.jobs.models import JobRun
from tests import matrix
from tests.factories import events_after, head_seq, make_case

NAMESPACE = "jobs"
MARKER = "MatrixMarkerError"


def readers(ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        if persona.is_coordinator or persona.kind == "auditor":
            return (ok,)
        return matrix.forbidden(persona)
    return expect


ROWS = {
    "status": ("get", readers(), None),
}

test_every_jobs_route_has_a_row = matrix.every_route_has_a_row(NAMESPACE, ROWS)


def run(persona: matrix.Persona, state: str, people: dict) -> list[str]:
    from django.utils import timezone

    case = make_case(people["carla"], officer=people["olaf"])
    JobRun.objects.create(job="expire_shares", period="2000-01-01T00", started_at=timezone.now(),
                          finished_at=timezone.now(), outcome="failed", error_type=MARKER)
    user = matrix.make_persona(persona, state, case, people)
    client = matrix.client_for(user)
    problems = []
    for row, (method, expect, data) in ROWS.items():
        since = head_seq()
        response = matrix.request(client, method, matrix.url_for(NAMESPACE, row, {}), data)
        label = f"{persona.name}/{state}/{row}"
        reader = persona.is_coordinator or persona.kind == "auditor"
        problems.append(matrix.mismatch(label, response, expect(persona, state),
                                        [] if reader else [MARKER.encode()]))
        if response.status_code == 403 and not any(
                e.outcome == "refused" for e in events_after(since)):
            problems.append(f"{label}: the 403 was not recorded as a refusal")
        if reader and MARKER.encode() not in response.content:
            problems.append(f"{label}: a reader does not see the job log")
    return [p for p in problems if p]


@pytest.mark.parametrize("state", matrix.SHARE_STATES)
@pytest.mark.parametrize("persona", matrix.PERSONAS, ids=lambda p: p.name)
def test_jobs_permission_matrix(persona, state, people):
    problems = run(persona, state, people)
    assert not problems, "\n".join(problems)


def test_the_jobs_matrix_can_fail(people, monkeypatch):
    from shelter.jobs import access

    monkeypatch.setattr(access, "can_view_jobs", lambda user: True)
    persona = next(p for p in matrix.PERSONAS if p.name == "officer_other")
    problems = run(persona, "active", people)
    assert any("LEAKS" in p for p in problems), problems
