"""The budget permission matrix: every persona × both share states × every budget route.

Expectations are written from the role table (SECURITY.md), not derived from the policies:
- a case's Budget tab: staff, and a partner whose active share names "budget";
- changing lines: coordinators and the assigned officer (403 for another officer or a partner
  who sees the budget);
- payments (recording, changing, cancelling, the allowance): coordinators and the assigned
  officer; everyone else 404, as if there were none;
- the overview, the export, funders and yearly budgets: coordinators; everyone else 404.
Each 404 is recorded as a refusal; no refused response shows a line's description, and no one
who may not see payments is shown a payment's reference.
"""

from __future__ import annotations

import pytest

from tests import matrix
from tests.factories import events_after, funder, head_seq, make_line, make_paid

NAMESPACE = "budget"
DESCRIPTION, REFERENCE = b"Taxi for the matrix", b"REF-MATRIX-77"
PERSONAS = (*matrix.PERSONAS,
            matrix.Persona("partner_budget", "partner", ("budget",)),
            matrix.Persona("partner_budget_revoked", "partner", ("budget",), ending="revoked"),
            matrix.Persona("partner_budget_via_organisation", "partner_organisation",
                           ("budget",)))


def coordinators(ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        return (ok,) if persona.is_coordinator else matrix.gone(persona)
    return expect


def sees_budget(persona: matrix.Persona, state: str) -> bool:
    return persona.is_staff or (persona.holds_share(state) and "budget" in persona.share)


def payments_people(persona: matrix.Persona) -> bool:
    return persona.is_coordinator or persona.kind == "officer_assigned"


def case_page(persona: matrix.Persona, state: str) -> tuple[int, ...]:
    if sees_budget(persona, state):
        return (200,)
    if matrix.told_share_ended(persona, state):
        return (302,)
    return matrix.gone(persona)


def line_write(ok: int):
    """Coordinators and the assigned officer; others who see the budget 403."""
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        if not sees_budget(persona, state):
            return (302,) if matrix.told_share_ended(persona, state) else matrix.gone(persona)
        return (ok,) if payments_people(persona) else matrix.forbidden(persona)
    return expect


def payment_route(ok: int):
    """Coordinators and the assigned officer; everyone else 404 (payments are secret)."""
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        if payments_people(persona):
            return (ok,)
        return (302,) if matrix.told_share_ended(persona, state) else matrix.gone(persona)
    return expect


# row -> (method, expectation, POST data). Destructive rows last.
ROWS = {
    "overview": ("get", coordinators(), None),
    "export_csv": ("get", coordinators(), None),
    "export_xlsx": ("get", coordinators(), None),
    "funders": ("get", coordinators(), None),
    "funders:add": ("post", coordinators(400), {}),
    "funder": ("get", coordinators(), None),
    "funder_budget": ("post", coordinators(302), {"year": "2027", "amount": "10.00"}),
    "case": ("get", case_page, None),
    "line_add": ("post", line_write(400), {}),
    "line": ("get", line_write(200), None),
    "line_delete:ask": ("get", line_write(200), None),
    "payment_add": ("post", payment_route(400), {}),
    "payment": ("get", payment_route(200), None),
    "payment_cancel:ask": ("get", payment_route(200), None),
    "allowance": ("get", payment_route(200), None),
    "payment_cancel": ("post", payment_route(302), {"confirmed": "1"}),
    "line_delete": ("post", line_write(302), {"confirmed": "1"}),
}

test_every_budget_route_has_a_row = matrix.every_route_has_a_row(NAMESPACE, ROWS)


def build_world(people: dict) -> dict:
    carla, case = people["carla"], people["case"]
    line = make_line(case, carla, description=DESCRIPTION.decode())
    spare = make_line(case, carla, category="other")
    paid = make_paid(case, carla, line, reference=REFERENCE.decode())
    return {"pk": case.pk, "line_id": spare.pk, "payment_id": paid.pk,
            "funder": funder("municipality").pk}


def values_for(row: str, world: dict) -> dict:
    if matrix.route_of(row).startswith("funder"):
        return {"pk": world["funder"]}
    return world


def leaks(persona: matrix.Persona, state: str, status: int) -> list[bytes]:
    if payments_people(persona):
        return []
    return [REFERENCE] if status == 200 else [REFERENCE, DESCRIPTION]


def run(persona: matrix.Persona, state: str, people: dict) -> list[str]:
    world = build_world(people)
    user = matrix.make_persona(persona, state, people["case"], people)
    client = matrix.client_for(user)
    problems = []
    for row, (method, expect, data) in ROWS.items():
        since = head_seq()
        response = matrix.request(client, method,
                                  matrix.url_for(NAMESPACE, row, values_for(row, world)), data)
        label = f"{persona.name}/{state}/{row}"
        problems.append(matrix.mismatch(label, response, expect(persona, state),
                                        leaks(persona, state, response.status_code)))
        if response.status_code == 404 and not any(
                e.outcome == "refused" for e in events_after(since)):
            problems.append(f"{label}: the 404 was not recorded as a refusal")
    return [p for p in problems if p]


@pytest.fixture
def people(people, case) -> dict:
    return {**people, "case": case}


@pytest.mark.parametrize("state", matrix.SHARE_STATES)
@pytest.mark.parametrize("persona", PERSONAS, ids=lambda p: p.name)
def test_budget_permission_matrix(persona, state, people):
    problems = run(persona, state, people)
    assert not problems, "\n".join(problems)


def test_the_budget_matrix_can_fail(people, monkeypatch):
    from budget import policies

    monkeypatch.setattr(policies, "can_view_payments", lambda user, case: True)
    persona = next(p for p in PERSONAS if p.name == "officer_other")
    problems = run(persona, "active", people)
    assert any(p.startswith("officer_other/active/payment") for p in problems)
