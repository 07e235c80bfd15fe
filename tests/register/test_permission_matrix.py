"""The register's permission matrix: every persona × both share states × every route.

Expectations (SECURITY.md): every member of staff and the auditors read the register; only
coordinators and auditors change and export it; partners are refused with 403 (the register
is no secret), recorded; anonymous visitors and ended sessions are sent to sign in.
"""

from __future__ import annotations

import pytest

from shelter.register.models import ActivityVersion
from tests import matrix
from tests.factories import events_after, head_seq, make_case

NAMESPACE = "register"
VALUES = {"code": "residency", "number": 1}


def _reader(persona: matrix.Persona) -> bool:
    return persona.is_staff or persona.kind == "auditor"


def _maintainer(persona: matrix.Persona) -> bool:
    return persona.is_coordinator or persona.kind == "auditor"


def allowed(who, ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        return (ok,) if who(persona) and not persona.signed_out else matrix.forbidden(persona)
    return expect


def new_version_form() -> dict:
    current = ActivityVersion.objects.filter(code="residency").order_by("-version").first()
    return {**{name: getattr(current, name) for name in ActivityVersion.TEXT_FIELDS},
            "purpose": current.purpose + " (reviewed)", "based_on": current.version,
            "change_note": "Matrix"}


ROWS = {
    "list": ("get", allowed(_reader), None),
    "entry": ("get", allowed(_reader), None),
    "version": ("get", allowed(_reader), None),
    "version_new": ("get", allowed(_maintainer), None),
    "version_new:post": ("post", allowed(_maintainer, 302), "form"),
    "export_json": ("get", allowed(_maintainer), None),
    "export_csv": ("get", allowed(_maintainer), None),
    "print": ("get", allowed(_maintainer), None),
}

test_every_register_route_has_a_row = matrix.every_route_has_a_row(NAMESPACE, ROWS)


def run(persona: matrix.Persona, state: str, people: dict) -> list[str]:
    case = make_case(people["carla"], officer=people["olaf"])
    user = matrix.make_persona(persona, state, case, people)
    client = matrix.client_for(user)
    problems = []
    for row, (method, expect, data) in ROWS.items():
        since = head_seq()
        before = ActivityVersion.objects.count()
        body = new_version_form() if data == "form" else data
        response = matrix.request(client, method, matrix.url_for(NAMESPACE, row, VALUES), body)
        label = f"{persona.name}/{state}/{row}"
        problems.append(matrix.mismatch(label, response, expect(persona, state), []))
        if response.status_code == 403 and not any(
                e.outcome == "refused" for e in events_after(since)):
            problems.append(f"{label}: the 403 was not recorded as a refusal")
        if method == "post" and response.status_code != 302 \
                and ActivityVersion.objects.count() != before:
            problems.append(f"{label}: a refused change wrote a version")
    return [p for p in problems if p]


@pytest.mark.parametrize("state", matrix.SHARE_STATES)
@pytest.mark.parametrize("persona", matrix.PERSONAS, ids=lambda p: p.name)
def test_register_permission_matrix(persona, state, people):
    problems = run(persona, state, people)
    assert not problems, "\n".join(problems)


def test_the_register_matrix_can_fail(people, monkeypatch):
    from shelter.register import policies

    monkeypatch.setattr(policies, "can_change_register", lambda user: True)
    persona = next(p for p in matrix.PERSONAS if p.name == "officer_other")
    problems = run(persona, "active", people)
    assert problems, problems
