"""The accounts permission matrix: every persona × both share states × every route of the
accounts pages and of the project itself (the dashboard, the language switch).

Expectations from the role table (SECURITY.md): only coordinators manage users and
organisations, everyone else signed in is refused with 403 (recorded); the sign-in steps, the
invitation and the language switch are open to everyone; the dashboard and the second-factor
confirmation need a verified session. Anonymous visitors and inactive accounts are sent to sign
in wherever a session is needed.
"""

from __future__ import annotations

import pytest

from tests import matrix
from tests.factories import events_after, head_seq, make_case, make_user

NAMESPACE = "accounts"
SPARE_NAME = "Spare Matrix-Person"


def coordinators(ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        return (ok,) if persona.is_coordinator else matrix.forbidden(persona)
    return expect


def signed_in(ok: int = 200):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        return matrix.SIGN_IN if persona.signed_out else (ok,)
    return expect


def open_to_all(when_signed_out: int, when_signed_in: int):
    def expect(persona: matrix.Persona, state: str) -> tuple[int, ...]:
        return (when_signed_out,) if persona.signed_out else (when_signed_in,)
    return expect


ROWS = {
    "login": ("get", open_to_all(200, 302), None),
    "verify": ("get", open_to_all(302, 302), None),
    "enrol": ("get", open_to_all(302, 302), None),
    "reverify": ("get", signed_in(), None),
    "invitation": ("get", open_to_all(404, 404), None),  # an invalid link, for everyone
    "password_forgot": ("get", open_to_all(200, 200), None),
    "password_reset": ("get", open_to_all(404, 404), None),  # an invalid link, for everyone
    "backup_codes_download": ("post", signed_in(400), None),  # no codes made in this session
    "people": ("get", coordinators(), None),
    "person_invite": ("get", coordinators(), None),
    "person_edit": ("get", coordinators(), None),
    "organisations": ("get", coordinators(), None),
    "organisation_new": ("get", coordinators(), None),
    "organisation_edit": ("get", coordinators(), None),
    # Deactivating and resetting a second factor ask first (the page of what will happen).
    "person_set_active:ask": ("get", coordinators(), None),
    # Resetting a second factor first asks for a recent one of the coordinator's own (the
    # matrix's sessions are not fresh: sent to confirm again).
    "person_reset_second_factor:ask": ("get", coordinators(302), None),
    "person_set_active": ("post", coordinators(302), {"active": "1"}),
    "person_reset_second_factor": ("post", coordinators(302), {"confirmed": "1"}),
    # Single sign-on is off in this matrix (no SHELTER_OIDC_ISSUER): its pages answer 404; the
    # two that need a verified session send everyone else to sign in first.
    "sso_start": ("get", open_to_all(404, 404), None),
    "sso_callback": ("get", open_to_all(404, 404), None),
    "sso_reauth": ("post", signed_in(404), None),
    "sso_link": ("post", signed_in(404), None),
    # Sign-in and security: one's own passkeys (the matrix's pk is nobody's passkey: 404).
    "security": ("get", signed_in(), None),
    "passkey_rename": ("post", signed_in(404), {"passkey-1-name": "Key"}),
    "passkey_remove": ("get", signed_in(404), None),
    # Adding a passkey needs a recent second factor: the matrix's sessions are not fresh, so
    # the answer is a JSON 403 naming the confirm-again page (not a refusal of the person).
    "webauthn_register_begin": ("post", signed_in(403), None),
    "webauthn_register_complete": ("post", signed_in(400), None),  # nothing begun: 400
    # The passkey as second step: only after the first factor (401 without one, never a way in).
    "webauthn_login_begin": ("post", open_to_all(401, 200), None),
    "webauthn_login_complete": ("post", open_to_all(401, 400), None),  # nothing begun
    "logout": ("post", open_to_all(302, 302), None),  # last: it ends the session
}
PROJECT_ROWS = {
    "dashboard": ("get", signed_in(), None),
    "set_language": ("post", open_to_all(302, 302), {"language": "en", "next": "/"}),
}

test_every_accounts_route_has_a_row = matrix.every_route_has_a_row(NAMESPACE, ROWS)
test_every_project_route_has_a_row = matrix.every_route_has_a_row("", PROJECT_ROWS)


def _asks_to_confirm_again(response) -> bool:
    return (response.get("Content-Type", "").startswith("application/json")
            and "reverify" in response.json())


def run(persona: matrix.Persona, state: str, people: dict) -> list[str]:
    case = make_case(people["carla"], officer=people["olaf"])
    spare = make_user("spare@example.org", "Case officer", people["municipality"],
                      full_name=SPARE_NAME)
    values = {"pk": spare.pk, "uidb64": "MA", "token": "no-such-token"}
    organisation_values = {"pk": people["ngo"].pk}
    user = matrix.make_persona(persona, state, case, people)
    client = matrix.client_for(user)
    problems = []
    rows = [(NAMESPACE, row, spec) for row, spec in ROWS.items() if row != "logout"] \
        + [("", row, spec) for row, spec in PROJECT_ROWS.items()] \
        + [(NAMESPACE, "logout", ROWS["logout"])]
    for namespace, row, (method, expect, data) in rows:
        since = head_seq()
        kwargs = organisation_values if row.startswith("organisation") else values
        response = matrix.request(client, method, matrix.url_for(namespace, row, kwargs), data)
        label = f"{persona.name}/{state}/{row}"
        leaks = [] if persona.is_coordinator else [SPARE_NAME.encode()]
        problems.append(matrix.mismatch(label, response, expect(persona, state), leaks))
        if response.status_code == 403 and not _asks_to_confirm_again(response) and not any(
                e.outcome == "refused" for e in events_after(since)):
            problems.append(f"{label}: the 403 was not recorded as a refusal")
    return [p for p in problems if p]


@pytest.mark.parametrize("state", matrix.SHARE_STATES)
@pytest.mark.parametrize("persona", matrix.PERSONAS, ids=lambda p: p.name)
def test_accounts_permission_matrix(persona, state, people):
    problems = run(persona, state, people)
    assert not problems, "\n".join(problems)


def test_the_accounts_matrix_counts_its_cells():
    rows = len(ROWS) + len(PROJECT_ROWS)
    cells = len(matrix.PERSONAS) * len(matrix.SHARE_STATES) * rows
    print(f"accounts matrix: {len(matrix.PERSONAS)} personas x {len(matrix.SHARE_STATES)} "
          f"share states x {rows} routes/actions = {cells} cells")
    assert cells >= 300


def test_the_accounts_matrix_can_fail(people, monkeypatch):
    from shelter.accounts import access

    monkeypatch.setattr(access, "can_manage_people", lambda user: True)
    persona = next(p for p in matrix.PERSONAS if p.name == "officer_other")
    problems = run(persona, "active", people)
    assert any(p.startswith("officer_other/active/people:") and "LEAKS" in p
               for p in problems), problems
