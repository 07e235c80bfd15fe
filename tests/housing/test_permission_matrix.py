"""The housing permission matrix: every persona × both share states × every housing route.

Expectations are written from the role table (SECURITY.md): coordinators and case officers
manage housing (units, periods, bookings, the schedule); a partner sees a case's housing
section only through an active share naming "housing", and the units' addresses only with
"housing address" too (no persona here has it); auditors, inactive accounts and everyone else
get 404, anonymous visitors are sent to sign in. Each refusal is recorded; no refused response
shows a unit's code name or address.
"""

from __future__ import annotations

import pytest

from housing import services
from tests import matrix
from tests.factories import day, events_after, head_seq, make_unit

NAMESPACE = "housing"
UNIT_CODE, ADDRESS = b"Linden", b"Kerkstraat 12-III"


def staff_page(ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        return (ok,) if persona.is_staff else matrix.gone(persona)
    return expect


def case_page(ok: int = 200):
    """Staff, or a partner whose active share of the case names "housing"."""
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        if persona.is_staff or (persona.holds_share(state) and "housing" in persona.share):
            return (ok,)
        if matrix.told_share_ended(persona, state):
            return (302,)  # sent to "Shared with me", told that a share ended
        return matrix.gone(persona)
    return expect


def case_booking(persona: matrix.Persona, state: str) -> tuple[int, ...]:
    """Booking from the case page: staff (the empty form comes back with its errors, 400); a
    partner who may see the section is refused like everyone else who may not book."""
    if matrix.told_share_ended(persona, state):
        return (302,)  # sent to "Shared with me", told that a share ended
    return (400,) if persona.is_staff else matrix.gone(persona)


# row -> (method, expectation, POST data). Writes last, cancelling the booking at the very end.
ROWS = {
    "schedule": ("get", staff_page(), None),
    "occupancy": ("get", staff_page(), None),
    "occupancy_year": ("get", staff_page(), None),
    "find": ("get", staff_page(), None),
    "find:search": ("post", staff_page(), {"start": day(40).isoformat(),
                                           "end": day(42).isoformat(), "people": "1"}),
    "export": ("get", staff_page(), None),
    "units": ("get", staff_page(), None),
    "unit_create": ("get", staff_page(), None),
    "unit": ("get", staff_page(), None),
    "unit_edit": ("get", staff_page(), None),
    "case": ("get", case_page(), None),
    "case:address": ("get", case_page(), {"address": "1"}),
    "case:book": ("post", case_booking, {}),
    "booking": ("get", staff_page(), None),
    "availability_add": ("post", staff_page(302), {}),
    "block_add": ("post", staff_page(302), {}),
    "block_remove": ("post", staff_page(302), None),
    "availability_remove": ("post", staff_page(302), None),
    "booking_confirm": ("post", staff_page(302), None),
    # Cancelling asks first (GET, or a POST without confirmed=1), then cancels.
    "booking_cancel:ask": ("get", staff_page(), None),
    "booking_cancel:unconfirmed": ("post", staff_page(), {}),
    "booking_cancel": ("post", staff_page(302), {"confirmed": "1"}),
}

test_every_housing_route_has_a_row = matrix.every_route_has_a_row(NAMESPACE, ROWS)


def build_world(people: dict) -> dict:
    carla, case = people["carla"], people["case"]
    unit = make_unit(carla)
    booking = services.booking_create(unit=unit, case=case, start=day(1), end=day(5),
                                      acting_user=carla)
    block = services.block_add(unit=unit, start=day(20), end=day(22), reason="maintenance",
                               acting_user=carla)
    spare = services.availability_add(unit=unit, start=day(500), end=day(510),
                                      acting_user=carla)
    return {"pk": unit.pk, "case_id": case.pk, "block_id": block.pk, "period_id": spare.pk,
            "booking": booking.pk}


def values_for(row: str, world: dict) -> dict:
    if matrix.route_of(row).startswith("booking"):
        return {**world, "pk": world["booking"]}
    return world


def leaks(persona: matrix.Persona, state: str, row: str, status: int) -> list[bytes]:
    """What the response must not show: anything, when refused; the address, to partners."""
    if persona.is_staff:
        return []
    return [ADDRESS] if status == 200 else [UNIT_CODE, ADDRESS]


def run(persona: matrix.Persona, state: str, people: dict) -> list[str]:
    world = build_world(people)
    user = matrix.make_persona(persona, state, people["case"], people)
    client = matrix.client_for(user)
    problems = []
    for row, (method, expect, data) in ROWS.items():
        statuses = expect(persona, state)
        since = head_seq()
        response = matrix.request(client, method,
                                  matrix.url_for(NAMESPACE, row, values_for(row, world)), data)
        label = f"{persona.name}/{state}/{row}"
        problems.append(matrix.mismatch(label, response, statuses,
                                        leaks(persona, state, row, response.status_code)))
        if response.status_code == 404 and not any(
                e.outcome == "refused" for e in events_after(since)):
            problems.append(f"{label}: the 404 was not recorded as a refusal")
    return [p for p in problems if p]


@pytest.fixture
def people(people, case) -> dict:
    """The matrices' people (tests/conftest.py) and the case whose housing is asked for."""
    return {**people, "case": case}


@pytest.mark.parametrize("state", matrix.SHARE_STATES)
@pytest.mark.parametrize("persona", matrix.PERSONAS, ids=lambda p: p.name)
def test_housing_permission_matrix(persona, state, people):
    problems = run(persona, state, people)
    assert not problems, "\n".join(problems)


def test_the_housing_matrix_counts_its_cells():
    cells = len(matrix.PERSONAS) * len(matrix.SHARE_STATES) * len(ROWS)
    print(f"housing matrix: {len(matrix.PERSONAS)} personas x {len(matrix.SHARE_STATES)} "
          f"share states x {len(ROWS)} routes/actions = {cells} cells")
    assert cells >= 400


def test_the_housing_matrix_can_fail(people, monkeypatch):
    from housing import policies

    monkeypatch.setattr(policies, "can_manage_housing", lambda user: True)
    persona = next(p for p in matrix.PERSONAS if p.name == "partner")
    problems = run(persona, "active", people)
    assert any(p.startswith("partner/active/schedule") for p in problems)
