"""The case permission matrix: every persona × both share states × every case route and action ×
case state → outcome.

Built on the shared base (`tests.matrix`: personas, share states, routes from the URLconf), with
one partner per share section on top. Outcomes are written here from SECURITY.md's role table
("Who may see what"), not derived from `cases.policies`, and each 200 is checked against
content markers (`matrix_world.MARKERS`): a section's marker is on the page exactly when that
section is permitted. A route of the "cases" namespace missing from CELLS fails
`test_every_case_route_has_a_row`.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import get_resolver, reverse

from cases.choices import DOCUMENT_CATEGORIES, NOTE_CATEGORIES
from cases.sharing.services import normalise_sections
from tests import matrix
from tests.cases import matrix_world as mw

STAFF = matrix.STAFF_KINDS
TOMBSTONE = {"basic", "tasks", "history"}


@dataclass(frozen=True)
class Actor:
    """A persona of the shared base in one share state."""

    persona: matrix.Persona
    share_state: str = "active"

    @property
    def name(self) -> str:
        ended = f"_{self.persona.ending}" if self.share_state == "ended" else ""
        return f"{self.persona.name}{ended}"

    @property
    def kind(self) -> str:
        return self.persona.kind

    @property
    def mode(self) -> str:
        return self.persona.mode

    @property
    def sections(self) -> frozenset:
        """What the persona's share opens now (nothing once it ended, or for another
        organisation's share)."""
        if self.persona.holds_share(self.share_state):
            return frozenset(normalise_sections(list(self.persona.share)))
        return frozenset()


SHARE_SECTIONS = ["basic", "identity", "contact", "residency", "logistics", "budget",
                  "housing",
                  "housing_address",
                  *(f"documents.{c}" for c in DOCUMENT_CATEGORIES),
                  *(f"notes.{c}" for c in NOTE_CATEGORIES)]
ACTORS = [
    # the shared personas; those holding a share of the case in both share states
    *(Actor(p, state) for p in matrix.PERSONAS
      for state in (matrix.SHARE_STATES if p.holds_share("active") else ("active",))),
    # and one partner per share section, and one who may contribute
    *(Actor(matrix.Persona(f"partner_{s.replace('.', '_')}", "partner", (s,)))
      for s in SHARE_SECTIONS),
    Actor(matrix.Persona("partner_logistics_identity", "partner", ("logistics", "identity"))),
    Actor(matrix.Persona("partner_contributor", "partner",
                         ("residency", "documents.other", "notes.general"), "contribute")),
]
STATES = ["open", "shredded"]


# --- expectations (from SECURITY.md's table) ------------------------------------------------
def sees(actor: Actor, state: str, section: str) -> bool:
    """May `actor` see `section` ("basic", "identity", …, "documents.<c>", "notes.<c>")?"""
    if state == "shredded" and section.split(".")[0] not in TOMBSTONE:
        return False
    if actor.kind in STAFF:
        if section in ("notes.medical", "notes.security"):
            # the coordinator: only through break-glass
            return actor.kind in ("officer_assigned", "coordinator_break_glass")
        return True
    shared = actor.sections
    if section in ("tasks", "history"):
        return False
    if section == "programme":
        return "residency" in shared
    if section == "logistics.identity":  # an accompanying person's name: logistics + identity
        return "logistics" in shared and "identity" in shared
    if section in ("documents", "notes"):
        return any(s.startswith(section + ".") for s in shared)
    return section in shared


def staff(actor: Actor) -> bool:
    return actor.kind in STAFF


def gone(actor: Actor) -> tuple:
    """What an invisible case answers: 404; a signed-out visitor is sent to sign in instead."""
    return matrix.gone(actor.persona)


def read(section: str, markers: list[str]):
    def expect(actor: Actor, state: str):
        if not sees(actor, state, section):
            return gone(actor), []
        return (200,), markers
    return expect


def staff_page(actor, state):
    return ((200,), []) if staff(actor) else (gone(actor), [])


def staff_change(ok=200, tombstone_section=False):
    def expect(actor, state):
        if staff(actor) and state == "open":
            return (ok,), []
        if staff(actor) and tombstone_section:
            return (403,), []
        return gone(actor), []
    return expect


def partner_read_only(section, ok=200):
    """Staff change (open cases); a partner who sees `section` is refused with 403."""
    def expect(actor, state):
        if not sees(actor, state, section):
            return gone(actor), []
        return ((ok,) if staff(actor) and state == "open" else (403,)), []
    return expect


def contribute(section, ok=302):
    def expect(actor, state):
        page = section.split(".")[0]
        if not sees(actor, state, page):
            return gone(actor), []
        if staff(actor) or (actor.mode == "contribute" and sees(actor, state, section)):
            return (ok,), []
        return ((403,) if page == "documents" else (404,)), []
    return expect


def sharing(ok):
    """Owners share; other staff who see the case get 403; a partner gets the 404 of every
    section not shared with them."""
    def expect(actor, state):
        if not sees(actor, state, "basic") or not staff(actor):
            return gone(actor), []
        owns = actor.kind in ("coordinator", "coordinator_break_glass", "officer_assigned") \
            and state == "open"
        return ((ok,) if owns else (403,)), []
    return expect


def is_coordinator(actor: Actor) -> bool:
    return actor.kind in ("coordinator", "coordinator_break_glass")


def break_glass(actor, state):
    if is_coordinator(actor) and state == "open":
        return (302,), []  # asks for a fresh code first
    return gone(actor), []


def legal_hold(ok):
    """Coordinators see, place and lift holds; case officers get 403; everyone else 404."""
    def expect(actor, state):
        if not sees(actor, state, "basic") or not staff(actor):
            return gone(actor), []
        return ((ok,) if is_coordinator(actor) else (403,)), []
    return expect


def export(fresh: bool):
    def expect(actor, state):
        if not sees(actor, state, "basic"):
            return gone(actor), []
        if is_coordinator(actor) and state == "open":
            if not fresh:
                return (302,), []
            # An accompanying person's identity is another person's data: never exported.
            return (200,), [m for m in mw.MARKERS if sees(actor, state, m)
                            and m != "logistics.identity"]
        return (403,), []
    return expect


def partner_list(markers_if):
    def expect(actor, state):
        if actor.kind in STAFF or actor.kind.startswith("partner"):
            return (200,), [m for m, cond in markers_if if cond(actor, state)]
        return gone(actor), []
    return expect


def shared_with_me(actor, state):
    if actor.kind.startswith("partner"):
        return (200,), ["basic"] if sees(actor, state, "basic") else []
    return gone(actor), []


def with_markers(outcome, markers):
    """A 200 of a form page shows the values it edits."""
    statuses, _none = outcome
    return statuses, markers if statuses == (200,) else []


def housing_case(actor, state):
    """The case's housing section (housing/): staff, or a partner with "housing" shared. What
    housing shows of a shredded case's bookings is housing's decision (200 or 404)."""
    if staff(actor) and state == "shredded":
        return (200, 404), []
    return read("housing", [])(actor, state)


def download(category):
    return read(f"documents.{category}", [f"content.{category}"])


CELLS = {
    "list": ("get", staff_page), "create": ("get", staff_page),
    "statistics": ("get", staff_page), "rounds": ("get", staff_page),
    "round_edit": ("get", lambda a, s: ((200,), []) if is_coordinator(a)
                   else ((403,), []) if staff(a) else (gone(a), [])),
    "agenda": ("get", partner_list([("programme", lambda a, s: sees(a, s, "programme"))])),
    "search:legal_name": ("post", partner_list(
        [("link", lambda a, s: s == "open" and sees(a, s, "identity"))])),
    "search:code_name": ("post", partner_list(
        [("link", lambda a, s: sees(a, s, "basic"))])),
    "shared_with_me": ("get", shared_with_me),
    "profile": ("get", lambda a, s: read("basic", [m for m in ("basic", "identity", "contact")
                                                   if sees(a, s, m)])(a, s)),
    "defender_edit": ("get", lambda a, s: with_markers(staff_change()(a, s),
                                                       ["identity", "contact"])),
    "residency": ("get", read("residency", ["residency"])),
    "case_edit": ("get", lambda a, s: with_markers(staff_change()(a, s), ["residency"])),
    "transition": ("get", partner_read_only("basic")),
    "history": ("get", read("history", [])),
    "programme": ("get", read("programme", ["programme"])),
    "documents": ("get", lambda a, s: read("documents", [
        f"documents.{c}" for c in DOCUMENT_CATEGORIES if sees(a, s, f"documents.{c}")])(a, s)),
    **{f"document_download:{c}": ("get", download(c)) for c in DOCUMENT_CATEGORIES},
    "document_replace": ("get", lambda a, s: with_markers(
        partner_read_only("documents")(a, s), ["documents.other"])),
    "document_delete": ("get", lambda a, s: with_markers(
        partner_read_only("documents")(a, s), ["documents.other"])),
    "notes": ("get", lambda a, s: read("notes", [
        f"notes.{c}" for c in NOTE_CATEGORIES if sees(a, s, f"notes.{c}")])(a, s)),
    "tasks": ("get", read("tasks", [])),
    "sharing": ("get", sharing(200)),
    "sharing:grant": ("post", sharing(302)),
    "share_revoke": ("post", sharing(302)),
    "break_glass": ("get", break_glass),
    "legal_hold": ("get", legal_hold(200)),
    "legal_hold_lift": ("get", legal_hold(302)),  # no active hold: back to the hold page
    "export": ("post", export(fresh=False)),
    "export:fresh": ("post", export(fresh=True)),
    "activity_edit": ("get", lambda a, s: with_markers(
        partner_read_only("programme")(a, s), ["programme"])),
    "activity_cancel": ("get", partner_read_only("programme")),
    "task_edit": ("get", lambda a, s: ((200,), []) if staff(a) and s == "open"
                  else ((403,), []) if staff(a) else (gone(a), [])),
    # writes last: they change the world
    "notes:create": ("post", contribute("notes.general")),
    "programme:create": ("post", contribute("programme")),
    "document_upload": ("post", contribute("documents.other")),
    "activity_cancel:confirmed": ("post", partner_read_only("programme", ok=302)),
    "task_create": ("post", lambda a, s: ((302,), []) if staff(a) and s == "open"
                    else ((403,), []) if staff(a) else (gone(a), [])),
    "task_toggle": ("post", lambda a, s: ((302,), []) if staff(a) and s == "open"
                    else ((403,), []) if staff(a) else (gone(a), [])),
    "housing:case": ("get", housing_case),
    # logistics (cases/logistics/): read with the section; changed by staff (403 for a partner
    # who reads it); an accompanying person's name needs "identity" as well
    "logistics": ("get", lambda a, s: read("logistics", [
        m for m in ("logistics", "logistics.identity") if sees(a, s, m)])(a, s)),
    "logistics_documents": ("get", partner_read_only("logistics")),
    "logistics_insurance": ("get", partner_read_only("logistics")),
    "logistics_leg_create": ("get", partner_read_only("logistics")),
    "logistics_leg_edit": ("get", lambda a, s: with_markers(
        partner_read_only("logistics")(a, s), ["logistics"])),
    "logistics_leg_delete": ("get", partner_read_only("logistics")),
    "logistics_companion_create": ("get", partner_read_only("logistics")),
    "logistics_companion_edit": ("get", lambda a, s: with_markers(
        partner_read_only("logistics")(a, s), ["logistics.identity"])),
    "logistics_companion_documents": ("get", partner_read_only("logistics")),
    "logistics_companion_insurance": ("get", partner_read_only("logistics")),
    "logistics_companion_remove": ("get", partner_read_only("logistics")),
}


# --- running a cell -------------------------------------------------------------------------
def route_names() -> set[str]:
    """Every route of the case workspace, and the case's housing page if housing is wired."""
    names = set(matrix.routes("cases"))
    if "housing" in get_resolver().namespace_dict:
        names |= {"housing:case"}
    return names


def request_for(cell: str, world) -> tuple[str, dict]:
    """(url, POST data) for a cell."""
    case, route = world.case, cell.split(":")[0]
    activity = case.activities.first()
    kwargs = {
        "list": {}, "create": {}, "statistics": {}, "rounds": {}, "agenda": {}, "search": {},
        "shared_with_me": {}, "round_edit": {"round_id": world.round_id},
        "document_download": {"pk": case.pk, "document_id": world.documents.get(
            cell.partition(":")[2], world.documents["other"]).pk},
        "document_replace": {"pk": case.pk, "document_id": world.documents["other"].pk},
        "document_delete": {"pk": case.pk, "document_id": world.documents["other"].pk},
        "share_revoke": {"pk": case.pk, "share_id": world.revocable.pk},
        "activity_cancel": {"pk": case.pk, "activity_id": activity.pk},
        "activity_edit": {"pk": case.pk, "activity_id": activity.pk},
        "task_toggle": {"pk": case.pk, "task_id": case.tasks.first().pk},
        "task_edit": {"pk": case.pk, "task_id": case.tasks.first().pk},
        **{name: {"pk": case.pk, "leg_id": case.travel_legs.first().pk}
           for name in ("logistics_leg_edit", "logistics_leg_delete")},
        **{name: {"pk": case.pk, "companion_id": case.companions.first().pk}
           for name in ("logistics_companion_edit", "logistics_companion_documents",
                        "logistics_companion_insurance", "logistics_companion_remove")},
    }.get(route, {"pk": case.pk})
    if cell == "housing:case":
        return reverse("housing:case", args=[case.pk]), {}
    url = reverse(f"cases:{route}", kwargs=kwargs)
    data = {
        "agenda": {"from": mw.DAY.isoformat()},
        "search:legal_name": {"query": mw.LEGAL_NAME},
        "search:code_name": {"query": mw.CODE_NAME},
        "notes:create": {"category": "general", "body": "matrix note"},
        "programme:create": {"day": mw.DAY.isoformat(), "kind": "meeting", "starts": "11:00",
                             "ends": "12:00", "title": "matrix activity"},
        "document_upload": {"category": "other", "file": mw.upload_file("other")},
        "share_revoke": {"reason": "matrix", "confirmed": "1"},
        "task_toggle": {"done": "1"},
        "task_create": {"title": "matrix task"},
        "activity_cancel:confirmed": {"confirmed": "1"},
        "sharing:grant": {"grantee": "user:0"},
    }.get(cell, {})
    return url, data


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def check_cell(actor: Actor, state: str, cell: str, world, clients) -> str | None:
    """Run one cell; return a description of the mismatch, or None."""
    method, expect = CELLS[cell]
    statuses, wanted = expect(actor, state)
    url, data = request_for(cell, world)
    told = (statuses == (404,) and str(world.case.pk) in url
            and matrix.told_share_ended(actor.persona, actor.share_state))
    if told:  # sent to "Shared with me", told that a share ended
        statuses = (302,)
    client = clients["fresh"] if cell.endswith(":fresh") else clients["plain"]
    response = (client.get(url, data) if method == "get" else client.post(url, data))
    problems = []
    if response.status_code not in statuses:
        problems.append(f"status {response.status_code}, expected {statuses}")
    elif told and response["Location"] != reverse("cases:shared_with_me"):
        problems.append(f"sent to {response['Location']}, not to Shared with me")
    body = body_of(response)
    markers = {**mw.MARKERS, "link": reverse("cases:profile", args=[world.case.pk]).encode(),
               **{f"content.{c}": v for c, v in mw.CONTENT.items()}}
    shown = {name for name, marker in markers.items() if marker in body}
    if response.status_code == 200 and not set(wanted) <= shown:
        problems.append(f"missing {sorted(set(wanted) - shown)}")
    allowed = set(wanted) | ({"basic", "link"} if sees(actor, state, "basic") else set())
    if cell.startswith("search:"):  # the form shows the user's own query again
        allowed.add("identity" if cell == "search:legal_name" else "basic")
    if shown - allowed:
        problems.append(f"LEAKS {sorted(shown - allowed)}")
    return f"{actor.name}/{state}/{cell}: " + "; ".join(problems) if problems else None


def active_cells() -> list[str]:
    names = route_names()
    return [c for c in CELLS if c == "housing:case" and "housing:case" in names
            or c != "housing:case"]


def run_matrix(actor: Actor, state: str, people) -> list[str]:
    world = mw.build_world(people["carla"], people["olaf"])
    user = matrix.make_persona(actor.persona, actor.share_state, world.case, people)
    if state == "shredded":
        mw.shred(world)
    clients = {"plain": matrix.client_for(user), "fresh": matrix.client_for(user, fresh=True)}
    return [p for p in (check_cell(actor, state, cell, world, clients)
                        for cell in active_cells()) if p]


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.name)
def test_permission_matrix(actor, state, people):
    problems = run_matrix(actor, state, people)
    assert not problems, "\n".join(problems)


test_every_case_route_has_a_row = matrix.every_route_has_a_row(
    "cases", [c for c in CELLS if not c.startswith("housing:")])


def test_the_matrix_counts_its_cells():
    cells = len(ACTORS) * len(STATES) * len(active_cells())
    print(f"permission matrix: {len(ACTORS)} actors x {len(STATES)} states x "
          f"{len(active_cells())} routes/actions = {cells} cells")
    assert cells >= 2000


def test_the_matrix_can_fail(people, monkeypatch):
    from cases import policies

    actor = next(a for a in ACTORS if a.name == "partner_basic")
    monkeypatch.setattr(policies, "partner_share_allows",
                        lambda user, case, section: section not in ("tasks", "history"))
    problems = run_matrix(actor, "open", people)
    assert any("LEAKS" in p and "identity" in p for p in problems)
