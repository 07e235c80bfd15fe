"""The role table of SECURITY.md, computed from the code (`role_table(world)`).

Each row asks the real policy functions about probe users and cases and writes the cell the
way SECURITY.md words it; tests/cases/test_security_table.py builds the probes and fails when
the document and the code disagree. Nothing here decides access: it only reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from cases import policies
from cases.models import Case
from cases.selectors import visible_cases
from shelter.accounts.policies import can_manage_people
from shelter.audit.policies import can_read_log

ROLES = ("Coordinator", "Case officer", "Partner", "Auditor")
NO = "—"


@dataclass
class World:
    """Probe users and cases. `partner(sections, mode="read", expired=False)` returns a new
    partner holding one such share of `case`; `break_glass(user, case)` opens restricted notes.
    `officer` is assigned to `case`, not to `other_case`."""

    coordinator: Any
    officer: Any
    auditor: Any
    case: Case
    other_case: Case
    partner: Callable[..., Any]
    break_glass: Callable[[Any, Case], None]


def _staff_yes(world: World, check: Callable[[Any, Case], bool]) -> list[str]:
    return ["yes" if check(user, world.case) and check(user, world.other_case) else NO
            for user in (world.coordinator, world.officer)]


def _partner_if_shared(world: World, share_name: str, sections: Sequence[str],
                       check: Callable[[Any, Case], bool]) -> str:
    with_it = world.partner(list(sections))
    without = world.partner(["basic"] if "basic" not in sections else [])
    if check(with_it, world.case) and (without is None or not check(without, world.case)):
        return f'if "{share_name}" shared'
    return "yes" if check(with_it, world.case) else NO


def _auditor(world: World, check: Callable[[Any, Case], bool]) -> str:
    return "yes" if check(world.auditor, world.case) else NO


def _section_row(world: World, label: str, section: str, share_name: str,
                 share_sections: Sequence[str]) -> list[str]:
    def check(u: Any, c: Case) -> bool:
        return policies.can_view_section(u, c, section)
    return [label, *_staff_yes(world, check),
            _partner_if_shared(world, share_name, share_sections, check),
            _auditor(world, check)]


def _list_row(world: World) -> list[str]:
    every = set(Case.objects.values_list("pk", flat=True))

    def sees(u: Any) -> set:
        return set(visible_cases(u).values_list("pk", flat=True))
    staff = ["all" if sees(u) == every else NO for u in (world.coordinator, world.officer)]
    shared, expired = world.partner(["basic"]), world.partner(["basic"], expired=True)
    partner = ("shared, unexpired only" if sees(shared) == {world.case.pk} and not sees(expired)
               else NO)
    return ["list cases", *staff, partner, "all" if sees(world.auditor) else NO]


def _category_row(world: World, label: str, kind: str, category: str, other: str) -> list[str]:
    def check(u: Any, c: Case, cat: str = category) -> bool:
        if kind == "documents":
            return policies.can_view_document_category(u, c, cat)
        return policies.can_view_note_category(u, c, cat)
    probe = world.partner([f"{kind}.{category}"])
    partner = ("categories shared" if check(probe, world.case)
               and not check(probe, world.case, other) else NO)
    return [label, *_staff_yes(world, check), partner, _auditor(world, check)]


def _restricted_row(world: World) -> list[str]:
    def check(u: Any, c: Case) -> bool:
        return all(policies.can_view_note_category(u, c, cat)
                   for cat in policies.RESTRICTED_NOTE_CATEGORIES)
    coordinator = NO
    if not check(world.coordinator, world.other_case):
        world.break_glass(world.coordinator, world.other_case)
        if check(world.coordinator, world.other_case):
            coordinator = "through break-glass (or if assigned)"
    officer = ("assigned officer only" if check(world.officer, world.case)
               and not check(world.officer, world.other_case) else NO)
    implied = world.partner(["notes"])
    named = world.partner([f"notes.{c}" for c in sorted(policies.RESTRICTED_NOTE_CATEGORIES)])
    partner = ("only if explicitly shared" if check(named, world.case)
               and not check(implied, world.case) else NO)
    return ["notes (medical, security)", coordinator, officer, partner,
            _auditor(world, check)]


def _change_row(world: World) -> list[str]:
    def check(u: Any, c: Case) -> bool:
        return policies.can_change_case(u, c) and policies.can_create_case(u)
    contributor = world.partner(["documents.other"], mode="contribute")
    reader = world.partner(["documents.other"])
    partner = ("only with a may-contribute share"
               if policies.can_contribute(contributor, world.case, "documents.other")
               and not policies.can_contribute(reader, world.case, "documents.other")
               and not check(contributor, world.case) else NO)
    return ["create/change cases, documents", *_staff_yes(world, check), partner,
            _auditor(world, check)]


def _share_row(world: World) -> list[str]:
    officer = ("own cases" if policies.can_share(world.officer, world.case)
               and not policies.can_share(world.officer, world.other_case) else NO)
    probe = world.partner(["basic"])
    return ["share and revoke",
            "yes" if policies.can_share(world.coordinator, world.other_case) else NO, officer,
            "yes" if policies.can_share(probe, world.case) else NO,
            _auditor(world, policies.can_share)]


def _simple_row(world: World, label: str, check: Callable[[Any], bool], yes: str) -> list[str]:
    probe = world.partner(["basic"])
    return [label, *[yes if check(u) else NO
                     for u in (world.coordinator, world.officer, probe, world.auditor)]]


def _history_row(world: World) -> list[str]:
    def history(u: Any, c: Case) -> bool:
        return policies.can_view_access_history(u, c)
    officer = ("per-case history of own cases" if history(world.officer, world.case)
               and not history(world.officer, world.other_case) else NO)
    probe = world.partner(["basic"])
    return ["access log",
            "per-case history" if history(world.coordinator, world.other_case) else NO,
            officer, "yes" if history(probe, world.case) or can_read_log(probe) else NO,
            "everything, read-only" if can_read_log(world.auditor) else NO]


def role_table(world: World) -> list[list[str]]:
    """Rows of the role table as the code behaves, in SECURITY.md's order and wording."""
    return [
        _list_row(world),
        _section_row(world, "code name, stage, dates", "basic", "basic", ["basic"]),
        _section_row(world, "identity (legal name, birth date, passport)", "identity",
                     "identity", ["identity"]),
        _section_row(world, "contact details", "contact", "contact", ["contact"]),
        _section_row(world, "residency and programme", "programme", "residency",
                     ["residency"]),
        _category_row(world, "documents", "documents", "medical", "passport_visa"),
        _category_row(world, "notes (general)", "notes", "general", "programme"),
        _restricted_row(world),
        _section_row(world, "housing (unit code, dates)", "housing", "housing", ["housing"]),
        _section_row(world, "housing address", "housing_address", "housing address",
                     ["housing_address"]),
        _change_row(world),
        _share_row(world),
        _simple_row(world, "break-glass",
                    lambda u: policies.can_break_glass(u, world.other_case),
                    "yes (reason, time-limited, loud)"),
        _simple_row(world, "users, organisations", can_manage_people, "yes"),
        _history_row(world),
    ]
