"""SECURITY.md's role table and the code must agree: the table is parsed and compared with the
table `role_table` computes here from the real policy functions.

Each row asks the policy functions about probe users and cases and writes the cell the way
SECURITY.md words it. Nothing here decides access: it only reports.
"""

from __future__ import annotations

import datetime
import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from budget import policies as budget_module
from cases import choices
from cases import policies as case_policies
from cases.logistics import policies as logistics_policies
from cases.models import Case
from cases.selectors import visible_cases
from cases.sharing import policies as sharing_policies
from cases.sharing.models import CaseShare
from cases.sharing.services import break_glass_open
from shelter.accounts.policies import can_manage_people
from shelter.audit.policies import can_read_log
from shelter.jobs.policies import can_view_jobs
from tests.factories import HandedPolicies, make_case, make_share, make_user

policies = HandedPolicies(case_policies)
logistics = HandedPolicies(logistics_policies)
budget_policies = HandedPolicies(budget_module)
SECURITY_MD = Path(__file__).resolve().parents[2] / "SECURITY.md"


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
                   for cat in choices.RESTRICTED_NOTE_CATEGORIES)
    coordinator = NO
    if not check(world.coordinator, world.other_case):
        world.break_glass(world.coordinator, world.other_case)
        if check(world.coordinator, world.other_case):
            coordinator = "through break-glass (or if assigned)"
    officer = ("assigned officer only" if check(world.officer, world.case)
               and not check(world.officer, world.other_case) else NO)
    implied = world.partner(["notes"])
    named = world.partner([f"notes.{c}" for c in sorted(choices.RESTRICTED_NOTE_CATEGORIES)])
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
    officer = ("own cases" if sharing_policies.can_share(world.officer, world.case)
               and not sharing_policies.can_share(world.officer, world.other_case) else NO)
    probe = world.partner(["basic"])
    return ["share and revoke",
            "yes" if sharing_policies.can_share(world.coordinator, world.other_case) else NO,
            officer,
            "yes" if sharing_policies.can_share(probe, world.case) else NO,
            _auditor(world, sharing_policies.can_share)]


def _companion_row(world: World) -> list[str]:
    def check(u: Any, c: Case) -> bool:
        return logistics.can_view_companion_identity(u, c)
    both, alone = world.partner(["logistics", "identity"]), world.partner(["logistics"])
    partner = ('if "logistics" and "identity" shared'
               if check(both, world.case) and not check(alone, world.case)
               and not check(world.partner(["identity"]), world.case) else NO)
    return ["accompanying persons' identity", *_staff_yes(world, check), partner,
            _auditor(world, check)]


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


def _budget_row(world: World, label: str, check: Callable[[Any, Case], bool]) -> list[str]:
    """A budget row: the coordinator on a case not assigned to them, the officer on theirs and
    not on another, a partner whose share names "budget", the auditor."""
    coordinator = "yes" if check(world.coordinator, world.other_case) else NO
    officer = ("assigned officer only" if check(world.officer, world.case)
               and not check(world.officer, world.other_case) else NO)
    return [label, coordinator, officer,
            _partner_if_shared(world, "budget", ["budget"], check), _auditor(world, check)]


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
        _section_row(world, "logistics (document dates, journeys, insurance)", "logistics",
                     "logistics", ["logistics"]),
        _companion_row(world),
        _category_row(world, "documents", "documents", "medical", "passport_visa"),
        _category_row(world, "notes (general)", "notes", "general", "programme"),
        _restricted_row(world),
        _section_row(world, "housing (unit code, dates)", "housing", "housing", ["housing"]),
        _section_row(world, "housing address", "housing_address", "housing address",
                     ["housing_address"]),
        _change_row(world),
        _simple_row(world, "override a stage's checks (passport, visa, insurance, flight)",
                    lambda u: policies.can_override_guards(u, world.other_case),
                    "yes (with a reason, recorded)"),
        _share_row(world),
        _simple_row(world, "break-glass",
                    lambda u: sharing_policies.can_break_glass(u, world.other_case),
                    "yes (reason, time-limited, loud)"),
        _simple_row(world, "legal hold (place, lift)",
                    lambda u: policies.can_manage_legal_hold(u, world.other_case),
                    "yes (lifting with a recent second factor)"),
        _simple_row(world, "users, organisations", can_manage_people, "yes"),
        _history_row(world),
        _simple_row(world, "scheduled jobs (names, outcomes, counts)", can_view_jobs,
                    "read-only"),
        _section_row(world, "budget lines (category, funder, planned amount)", "budget",
                     "budget", ["budget"]),
        _budget_row(world, "payments and actual amounts", budget_policies.can_view_payments),
        _budget_row(world, "change the budget, record payments",
                    budget_policies.can_change_budget),
        _simple_row(world, "budget overview, funders, yearly budgets, funder export",
                    budget_policies.can_view_overview, "yes"),
    ]


def documented_table() -> list[list[str]]:
    text = SECURITY_MD.read_text()
    section = text.split("## Who may see what", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in row.strip("|").split("|")] for row in rows]
    assert cells[0][1:] == ["Coordinator", "Case officer", "Partner", "Auditor"]
    return [row for row in cells[2:] if not re.fullmatch(r"-+", row[0])]


@pytest.fixture
def world(carla, olaf, aud, ngo) -> World:
    case = make_case(carla, officer=olaf)
    other = make_case(carla, code_name="Ibis", legal_name="Juan Gómez", passport_number="X1")
    counter = itertools.count()

    def partner(sections, mode="read", expired=False):
        user = make_user(f"probe{next(counter)}@example.org", "Partner", ngo)
        if sections:
            share = make_share(case, carla, user=user, sections=sections, mode=mode)
            if expired:
                CaseShare.objects.filter(pk=share.pk).update(
                    expires_at=timezone.now() - datetime.timedelta(seconds=1))
        return user

    def glass(user, target):
        break_glass_open(case=target, acting_user=user, reason="probe")

    return World(coordinator=carla, officer=olaf, auditor=aud, case=case, other_case=other,
                 partner=partner, break_glass=glass)


def test_security_md_states_exactly_what_the_code_does(world):
    documented = documented_table()
    computed = role_table(world)
    assert [r[0] for r in documented] == [r[0] for r in computed]
    for doc_row, code_row in zip(documented, computed, strict=True):
        assert doc_row == code_row, f"SECURITY.md row {doc_row[0]!r} disagrees with the code"


def test_the_comparison_can_fail(world, monkeypatch):
    monkeypatch.setattr(sharing_policies, "can_share", lambda user, case: True)
    assert documented_table() != role_table(world)
