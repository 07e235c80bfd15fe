"""The audit permission matrix: every persona × both share states × every auditors' route.

Expectations from the role table (SECURITY.md): auditors read the whole log, read-only, and
may run the chain verification; everyone else signed in is refused with 403 (the pages are no
secret) and the refusal is recorded as a refused AUDIT_VIEW; anonymous visitors and inactive
accounts are sent to sign in. A refused page shows nothing of the log.
"""

from __future__ import annotations

import pytest

from shelter import audit
from shelter.audit import Action
from tests import matrix
from tests.factories import events_after, head_seq, make_case

NAMESPACE = "audit"
MARKER = "matrix-marker-entry"


def auditors(ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        if persona.kind == "auditor":
            return (ok,)
        return matrix.forbidden(persona)
    return expect


ROWS = {
    "events": ("get", auditors(), None),
    "events:filtered": ("get", auditors(), {"section": "identity"}),
    "export": ("get", auditors(), None),
    "target": ("get", auditors(), None),
    "actor": ("get", auditors(), None),
    "anomalies": ("get", auditors(), None),
    "chain": ("get", auditors(), None),
    "verify": ("post", auditors(302), None),
    "processing_log": ("get", auditors(), None),
}

test_every_audit_route_has_a_row = matrix.every_route_has_a_row(NAMESPACE, ROWS)


def run(persona: matrix.Persona, state: str, people: dict) -> list[str]:
    case = make_case(people["carla"], officer=people["olaf"])
    audit.record(people["olaf"], Action.CASE_VIEW_SECTION, ("cases.case", MARKER),
                 section="identity")
    values = {"target_type": "cases.case", "target_id": MARKER, "actor_id": people["olaf"].pk}
    user = matrix.make_persona(persona, state, case, people)
    client = matrix.client_for(user)
    problems = []
    for row, (method, expect, data) in ROWS.items():
        since = head_seq()
        response = matrix.request(client, method, matrix.url_for(NAMESPACE, row, values), data)
        label = f"{persona.name}/{state}/{row}"
        problems.append(matrix.mismatch(label, response, expect(persona, state),
                                        [] if persona.kind == "auditor" else [MARKER.encode()]))
        if response.status_code == 403 and not any(
                e.outcome == "refused" and e.action == Action.AUDIT_VIEW
                for e in events_after(since)):
            problems.append(f"{label}: the 403 was not recorded as a refusal")
        if persona.kind == "auditor" and row == "events" and MARKER.encode() \
                not in response.content:
            problems.append(f"{label}: the auditor does not see the log")
    return [p for p in problems if p]


@pytest.mark.parametrize("state", matrix.SHARE_STATES)
@pytest.mark.parametrize("persona", matrix.PERSONAS, ids=lambda p: p.name)
def test_audit_permission_matrix(persona, state, people):
    problems = run(persona, state, people)
    assert not problems, "\n".join(problems)


def test_the_audit_matrix_counts_its_cells():
    cells = len(matrix.PERSONAS) * len(matrix.SHARE_STATES) * len(ROWS)
    print(f"audit matrix: {len(matrix.PERSONAS)} personas x {len(matrix.SHARE_STATES)} share "
          f"states x {len(ROWS)} routes/actions = {cells} cells")
    assert cells >= 150


def test_the_audit_matrix_can_fail(people, monkeypatch):
    from shelter.audit import access, selectors

    # the guard and the selector both ask the policy (defence in depth): open both
    monkeypatch.setattr(access, "can_read_log", lambda user: True)
    monkeypatch.setattr(selectors, "can_read_log", lambda user: True)
    persona = next(p for p in matrix.PERSONAS if p.name == "officer_other")
    problems = run(persona, "active", people)
    assert any("LEAKS" in p for p in problems), problems
